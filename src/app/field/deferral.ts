// The deferral part of the donor form with the default catalogue (field/deferral-catalogue.ts takes any).
import { DEFERRAL_REASONS, type DeferralReason } from '../../domain/deferral-reasons'
import * as withCatalogue from './deferral-catalogue'

export type { UntilAllResult, UntilResult } from './deferral-catalogue'

export function deferralReasonLabel(
  code: string,
  locale: string,
  catalogue: readonly DeferralReason[] = DEFERRAL_REASONS,
): string {
  return withCatalogue.deferralReasonLabel(code, locale, catalogue)
}

/**
 * Last deferred day for the chosen reason. `startDate` is what the donor reported for reasons
 * counted from recovery (defaults to today); `nextEligibleOn` comes from the eligibility check.
 */
export function computeDeferralUntil(
  reasonCode: string | null,
  today: string,
  startDate: string,
  nextEligibleOn: string | null,
  catalogue: readonly DeferralReason[] = DEFERRAL_REASONS,
): withCatalogue.UntilResult {
  return withCatalogue.computeDeferralUntil(reasonCode, today, startDate, nextEligibleOn, catalogue)
}

/** The until-date of a deferral with several reasons (primary first); see deferral-catalogue.ts. */
export function computeDeferralUntilAll(
  reasonCodes: readonly string[],
  today: string,
  startDate: string,
  nextEligibleOn: string | null,
  catalogue: readonly DeferralReason[] = DEFERRAL_REASONS,
): withCatalogue.UntilAllResult {
  return withCatalogue.computeDeferralUntilAll(reasonCodes, today, startDate, nextEligibleOn, catalogue)
}

/** Every reason of a deferral in the user's language, primary first. */
export function deferralReasonsLabel(codes: readonly string[], locale: string): string {
  return withCatalogue.deferralReasonsLabel(codes, locale, DEFERRAL_REASONS)
}
