// Pure helpers for the sync screen: a line about each record (donor by name, bag number), what
// can be done with a refused one, the clash a duplicate bag number names, and the small fix form
// for a refused donation or deferral (validated by the shared schema before anything is saved).
import * as v from 'valibot'
import { type DinError, parseDin } from '../../domain/din'
import { RETRYABLE_REJECT_CODES } from '../../domain/error-codes'
import type { DinClash } from '../../domain/sync-protocol'
import {
  ABO_GROUPS,
  type Abo,
  type Deferral,
  DeferralSchema,
  type Donation,
  DonationSchema,
  type Drive,
  type FieldRecord,
  RHD,
  type RhD,
  WHOLE_BLOOD_VOLUMES,
} from '../../domain/records'

/** How the screen names what a record holds (the screen knows the language and the phone's records). */
export interface FactLabels {
  /** The donor's name while the identity is on the phone, else null. */
  donor: (donorKey: string) => string | null
  deferralReason: (code: string) => string
  reaction: (code: string, severity: string) => string
}

const NO_LABELS: FactLabels = { donor: () => null, deferralReason: (c) => c, reaction: (c, s) => `${c} ${s}` }

/** Facts that tell staff which record this is: the donor by name (while on the phone) and the bag. */
export function recordFacts(record: unknown, labels: FactLabels = NO_LABELS): string[] {
  const r = record as FieldRecord | null
  if (!r || typeof r !== 'object') return []
  const who = (key: string): string[] => {
    const name = labels.donor(key)
    return name ? [name] : []
  }
  switch (r.type) {
    case 'donation': {
      const product = r.product.type === 'whole_blood' ? `${r.product.volumeMl} ml` : `${r.product.doses} ×PLT`
      return [...who(r.donorKey), r.din, product, `${r.abo}${r.rhd === 'pos' ? '+' : '−'}`, r.collectedOn]
    }
    case 'deferral':
      return [...who(r.donorKey), labels.deferralReason(r.reasonCode), r.until ?? '∞', r.collectedOn]
    case 'drive':
      return [r.busCode, r.date]
    case 'drive_close':
      return [`${r.bagsUsed}/${r.bagsLoaded}`, r.closedAt.slice(0, 10)]
    case 'adverse_reaction':
      return [labels.reaction(r.code, r.severity)]
    case 'void':
      return [r.reason]
    case 'correction': {
      const x = r.replacement
      return [...who(x.donorKey), ...(x.type === 'donation' ? [x.din] : []), r.reason]
    }
    case 'donor_identity':
      return [r.name]
  }
}

export interface FixForm {
  din: string
  abo: Abo
  rhd: RhD
  volumeMl: number | null
  reasonCode: string
  until: string
}

export function fixFormOf(record: Donation | Deferral): FixForm {
  if (record.type === 'donation') {
    return {
      din: record.din,
      abo: record.abo,
      rhd: record.rhd,
      volumeMl: record.product.type === 'whole_blood' ? record.product.volumeMl : null,
      reasonCode: '',
      until: '',
    }
  }
  return { din: '', abo: 'A', rhd: 'pos', volumeMl: null, reasonCode: record.reasonCode, until: record.until ?? '' }
}

export type FixError = `din_${DinError | 'check_missing'}` | 'invalid'
export type FixResult = { ok: true; replacement: Donation | Deferral } | { ok: false; error: FixError; detail: string }

/** The record with the form's changes, checked against the shared schema (a DIN needs its check character). */
export function applyFix(record: Donation | Deferral, form: FixForm): FixResult {
  let candidate: unknown
  if (record.type === 'donation') {
    const din = parseDin(form.din, { allowMissingCheck: true })
    if (!din.ok) return { ok: false, error: `din_${din.error}`, detail: form.din }
    if (!din.checked) return { ok: false, error: 'din_check_missing', detail: form.din }
    const product =
      record.product.type === 'whole_blood' && form.volumeMl !== null
        ? { type: 'whole_blood' as const, volumeMl: form.volumeMl }
        : record.product
    candidate = { ...record, din: din.canonical, abo: form.abo, rhd: form.rhd, product }
  } else {
    const reasonCode = form.reasonCode.trim()
    candidate = {
      ...record,
      reasonCode,
      // Schema 2: the primary reason leads the list of every reason (the others are kept).
      ...(record.reasonCodes
        ? { reasonCodes: [reasonCode, ...record.reasonCodes.slice(1).filter((c) => c !== reasonCode)] }
        : {}),
      until: form.until.trim() === '' ? null : form.until.trim(),
    }
  }
  const parsed = v.safeParse(record.type === 'donation' ? DonationSchema : DeferralSchema, candidate)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    const path = v.getDotPath(issue)
    return { ok: false, error: 'invalid', detail: path ? `${path}: ${issue.message}` : issue.message }
  }
  return { ok: true, replacement: parsed.output }
}

export const FIX_CHOICES = { abo: ABO_GROUPS, rhd: RHD, volumeMl: WHOLE_BLOOD_VOLUMES } as const

const VOIDABLE = new Set(['donation', 'deferral', 'adverse_reaction', 'donor_identity'])

export type AttentionAction = 'void' | 'fix' | 'fixDin' | 'sendAgain' | 'setAside'

/**
 * What staff may do with a refused record: only what can succeed. Sending the same record again
 * is offered only for a refusal something else may fix later; a bag number the station already
 * holds is corrected (a correction record) or the record voided.
 */
export function attentionActions(recordType: string, code: string | null = null): AttentionAction[] {
  const actions: AttentionAction[] = []
  const retryable = code === null || RETRYABLE_REJECT_CODES.includes(code)
  if (code === 'duplicate_din' && recordType === 'donation') return ['fixDin', 'void']
  if (recordType === 'donation' || recordType === 'deferral') actions.push('fix')
  if (VOIDABLE.has(recordType)) actions.push('void')
  if (retryable) actions.push('sendAgain')
  if (!VOIDABLE.has(recordType)) actions.push('setAside')
  return actions
}

/** What the screen says about the record that holds a refused bag number. */
export interface ClashView {
  din: string
  /** The donor's name when this phone holds the identity. */
  donorName: string | null
  /** The drive as this phone knows it (bus and site name), else as the station named it. */
  busCode: string | null
  siteName: string | null
  /** The drive's date, or the donation's collection date. */
  date: string | null
  collectedAt: string | null
  /** The clashing record came from this phone. */
  thisPhone: boolean
}

export function clashView(
  clash: DinClash,
  known: {
    donorName: string | null
    drive: Pick<Drive, 'busCode' | 'siteId' | 'date'> | null
    siteName: (id: string) => string | null
    deviceId: string | null
  },
): ClashView {
  const siteId = known.drive?.siteId ?? clash.siteId
  return {
    din: clash.din,
    donorName: known.donorName,
    busCode: known.drive?.busCode ?? clash.busCode,
    siteName: siteId ? known.siteName(siteId) : null,
    date: known.drive?.date ?? clash.driveDate ?? clash.collectedOn,
    collectedAt: clash.collectedAt,
    thisPhone: known.deviceId !== null && clash.deviceId === known.deviceId,
  }
}
