// The ways to change a saved record without editing it (RecordView): void it, add an adverse
// reaction, correct a donation or a deferral, correct the donor's identity. Each check takes its
// form and gives the errors by field (message keys) and, when there are none, what to save.
import type { AdverseReaction, Deferral, Donation, Drive } from '../../domain/records'
import type { UntilAllResult } from './deferral'
import { checkDonationDin } from './din-check'
import type { IdentityCorrectionCheck } from './identity-correction'

/** The form's fields that can carry an error; the value is the message key. */
export type ChangeField = 'reason' | 'code' | 'severity' | 'onset' | 'outcome' | 'din' | 'reasonCode' | 'identity'
export type ChangeErrors = Partial<Record<ChangeField, string>>

/** `value` is null when the form cannot be saved (errors say why, or the fields' own checks do). */
export interface ChangeCheck<T> {
  errors: ChangeErrors
  value: T | null
}

/** Every change carries a written reason of two characters at least. */
function reasonErrors(reason: string): ChangeErrors {
  return reason.trim().length < 2 ? { reason: 'record.errors.reason_required' } : {}
}

function checked<T>(errors: ChangeErrors, value: () => T | null): ChangeCheck<T> {
  return { errors, value: Object.keys(errors).length ? null : value() }
}

export function checkVoid(reason: string): ChangeCheck<{ reason: string }> {
  return checked(reasonErrors(reason), () => ({ reason: reason.trim() }))
}

export interface ReactionForm {
  code: string | null
  severity: string | null
  note: string
  onset: AdverseReaction['onset'] | null
  treatment: string
  outcome: AdverseReaction['outcome'] | null
}
export type ReactionChange = Pick<AdverseReaction, 'code' | 'severity' | 'note' | 'onset' | 'treatment' | 'outcome'>

export function checkReaction(form: ReactionForm): ChangeCheck<ReactionChange> {
  const errors: ChangeErrors = {}
  if (!form.code) errors.code = 'record.errors.choose'
  if (!form.severity) errors.severity = 'record.errors.choose'
  if (!form.onset) errors.onset = 'record.errors.choose'
  if (!form.outcome) errors.outcome = 'record.errors.choose'
  return checked(errors, () => ({
    code: form.code!,
    severity: form.severity as AdverseReaction['severity'],
    note: form.note.trim(),
    onset: form.onset!,
    outcome: form.outcome!,
    ...(form.treatment.trim() ? { treatment: form.treatment.trim() } : {}),
  }))
}

export interface DonationFix {
  volumeMl: number | null
  abo: Donation['abo'] | null
  rhd: Donation['rhd'] | null
  din: string
}
export interface DonationBags {
  /** This phone's bags: the drive's range, or its own block on a drive of several phones. */
  range: Pick<Drive, 'dinFirst' | 'dinLast'>
  usedDins: Iterable<string>
  dinsElsewhere: ReadonlySet<string>
  /** The bag number the record was first saved with (a correction may go back to it). */
  originalDin: string | null
}

export function checkDonationCorrection(
  current: Donation,
  fix: DonationFix,
  bags: DonationBags,
  reason: string,
): ChangeCheck<{ changes: Partial<Donation>; reason: string }> {
  const errors = reasonErrors(reason)
  // The record's own bag numbers do not count as used by another donation.
  const used = new Set([...bags.usedDins].filter((d) => d !== current.din && d !== bags.originalDin))
  const din =
    fix.din === current.din
      ? { ok: true as const, din: fix.din }
      : checkDonationDin(fix.din, bags.range, used, bags.dinsElsewhere)
  if (!din.ok) errors.din = `donor.dinErrors.${din.error}`
  return checked(errors, () => {
    if (!din.ok) return null
    const changes: Partial<Donation> = { abo: fix.abo!, rhd: fix.rhd!, din: din.din }
    if (current.product.type === 'whole_blood' && fix.volumeMl)
      changes.product = { type: 'whole_blood', volumeMl: fix.volumeMl as 200 | 300 | 400 }
    return { changes, reason: reason.trim() }
  })
}

/**
 * A corrected deferral: `reasons` the new primary reason then the others kept, `until` their
 * period counted again from the day of the visit.
 */
export function checkDeferralCorrection(
  current: Deferral,
  reasons: readonly string[],
  until: UntilAllResult | null,
  reason: string,
): ChangeCheck<{ changes: Partial<Deferral>; reason: string }> {
  const errors = reasonErrors(reason)
  if (!until?.ok) errors.reasonCode = `donor.deferralErrors.${until?.error ?? 'reason_required'}`
  return checked(errors, () =>
    until?.ok
      ? {
          changes: {
            reasonCode: reasons[0]!,
            ...(reasons.length > 1 || current.reasonCodes ? { reasonCodes: [...reasons] } : {}),
            until: until.until,
          },
          reason: reason.trim(),
        }
      : null,
  )
}

/** `saltKnown`: a new ID number needs the station's key salt to name its donor. */
export function checkIdentityChange(
  check: IdentityCorrectionCheck | null,
  saltKnown: boolean,
  reason: string,
): ChangeCheck<{ identity: NonNullable<IdentityCorrectionCheck['value']>; reason: string }> {
  const errors = reasonErrors(reason)
  if (check?.unchanged) errors.identity = 'record.identityUnchanged'
  else if (check?.rekeys && !saltKnown) errors.identity = 'donor.noSalt'
  return checked(errors, () => (check?.value ? { identity: check.value, reason: reason.trim() } : null))
}
