// The deferral part of the donor form over a given catalogue: a reason's label in the user's
// language, and the until-date from the reason's start rule. Apart from the default catalogue
// (field/deferral.ts binds it) so the donor form's first screen loads without its text.
import {
  combineDeferralUntil,
  deferralUntilFor,
  findDeferralReason,
  type DeferralReason,
} from '../../domain/deferral-rules'

export function deferralReasonLabel(code: string, locale: string, catalogue: readonly DeferralReason[]): string {
  const reason = findDeferralReason(code, catalogue)
  if (!reason) return code
  return locale.startsWith('zh') ? reason.zh : reason.en
}

export type UntilResult =
  | { ok: true; until: string | null; from: string }
  | { ok: false; error: 'reason_required' | 'from_date' | 'from_future' | 'next_eligible_unknown' }

/**
 * Last deferred day for the chosen reason. `startDate` is what the donor reported for reasons
 * counted from recovery (defaults to today); `nextEligibleOn` comes from the eligibility check.
 */
export function computeDeferralUntil(
  reasonCode: string | null,
  today: string,
  startDate: string,
  nextEligibleOn: string | null,
  catalogue: readonly DeferralReason[],
): UntilResult {
  const reason = reasonCode ? findDeferralReason(reasonCode, catalogue) : undefined
  if (!reason) return { ok: false, error: 'reason_required' }
  let from = today
  if (reason.from === 'recovery') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(startDate)) return { ok: false, error: 'from_date' }
    if (startDate > today) return { ok: false, error: 'from_future' }
    from = startDate
  } else if (reason.from === 'next_eligible') {
    if (!nextEligibleOn) return { ok: false, error: 'next_eligible_unknown' }
    from = nextEligibleOn
  }
  const until = deferralUntilFor(reason, from)
  // A reason already over (a cold recovered long ago) still records the visit: until is at least today.
  return { ok: true, until: until === null ? null : until < today ? today : until, from }
}

export type UntilAllResult =
  | { ok: true; until: string | null }
  | { ok: false; error: 'reason_required' | 'from_date' | 'from_future' | 'next_eligible_unknown' }

/**
 * The until-date of a deferral with several reasons (primary first): each reason's own date, then
 * the latest of them, permanent when any is. The first reason that cannot be dated gives the error.
 */
export function computeDeferralUntilAll(
  reasonCodes: readonly string[],
  today: string,
  startDate: string,
  nextEligibleOn: string | null,
  catalogue: readonly DeferralReason[],
): UntilAllResult {
  if (reasonCodes.length === 0) return { ok: false, error: 'reason_required' }
  const untils: (string | null)[] = []
  for (const code of reasonCodes) {
    const one = computeDeferralUntil(code, today, startDate, nextEligibleOn, catalogue)
    if (!one.ok) return one
    untils.push(one.until)
  }
  return { ok: true, until: combineDeferralUntil(untils) }
}

/** Every reason of a deferral in the user's language, primary first. */
export function deferralReasonsLabel(
  codes: readonly string[],
  locale: string,
  catalogue: readonly DeferralReason[],
): string {
  return codes.map((c) => deferralReasonLabel(c, locale, catalogue)).join(locale.startsWith('zh') ? '、' : ', ')
}
