// Pure helpers for the sync screen: a line about each record, and the small fix form for a
// refused donation or deferral (validated by the shared schema before anything is saved).
import * as v from 'valibot'
import {
  ABO_GROUPS,
  type Abo,
  type Deferral,
  DeferralSchema,
  type Donation,
  DonationSchema,
  type FieldRecord,
  RHD,
  type RhD,
  WHOLE_BLOOD_VOLUMES,
} from '../../domain/records'

/** Facts that tell staff which record this is (no personal data). */
export function recordFacts(record: unknown): string[] {
  const r = record as FieldRecord | null
  if (!r || typeof r !== 'object') return []
  switch (r.type) {
    case 'donation': {
      const product = r.product.type === 'whole_blood' ? `${r.product.volumeMl} ml` : `${r.product.doses} ×PLT`
      return [r.din, product, `${r.abo}${r.rhd === 'pos' ? '+' : '−'}`, r.collectedOn]
    }
    case 'deferral':
      return [r.reasonCode, r.until ?? '∞', r.collectedOn]
    case 'drive':
      return [r.busCode, r.date]
    case 'drive_close':
      return [`${r.bagsUsed}/${r.bagsLoaded}`, r.closedAt.slice(0, 10)]
    case 'adverse_reaction':
      return [r.code, r.severity]
    case 'void':
    case 'correction':
      return [r.reason]
    case 'donor_identity':
      return [`…${r.donorKey.slice(-6)}`]
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

export type FixResult = { ok: true; replacement: Donation | Deferral } | { ok: false; message: string }

/** The record with the form's changes, checked against the shared schema. */
export function applyFix(record: Donation | Deferral, form: FixForm): FixResult {
  let candidate: unknown
  if (record.type === 'donation') {
    const product =
      record.product.type === 'whole_blood' && form.volumeMl !== null
        ? { type: 'whole_blood' as const, volumeMl: form.volumeMl }
        : record.product
    candidate = { ...record, din: form.din.trim().toUpperCase(), abo: form.abo, rhd: form.rhd, product }
  } else {
    candidate = {
      ...record,
      reasonCode: form.reasonCode.trim(),
      until: form.until.trim() === '' ? null : form.until.trim(),
    }
  }
  const parsed = v.safeParse(record.type === 'donation' ? DonationSchema : DeferralSchema, candidate)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    const path = v.getDotPath(issue)
    return { ok: false, message: path ? `${path}: ${issue.message}` : issue.message }
  }
  return { ok: true, replacement: parsed.output }
}

export const FIX_CHOICES = { abo: ABO_GROUPS, rhd: RHD, volumeMl: WHOLE_BLOOD_VOLUMES } as const

const VOIDABLE = new Set(['donation', 'deferral', 'adverse_reaction', 'donor_identity'])

/** What staff may do with a refused record of this type. */
export function attentionActions(recordType: string): Array<'void' | 'fix' | 'sendAgain' | 'setAside'> {
  const actions: Array<'void' | 'fix' | 'sendAgain' | 'setAside'> = []
  if (recordType === 'donation' || recordType === 'deferral') actions.push('fix')
  if (VOIDABLE.has(recordType)) actions.push('void')
  actions.push('sendAgain')
  if (!VOIDABLE.has(recordType)) actions.push('setAside')
  return actions
}
