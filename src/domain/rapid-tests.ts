// Pre-donation rapid tests (献血前快检): what a result means for the donor today, and whether the
// reagent lots used are still within their expiry on the drive's date. Limits follow GB 18467-2011
// (ALT ≤ 50 U/L, HBsAg non-reactive); Hb by haemoglobinometer is checked as vitals.hbGL by the
// eligibility rules, Hb by copper sulphate is the drop's pass or fail.
import type { EligibilityFailure } from './eligibility'
import type { ReagentLot, RapidTest, RapidTests } from './records'

/** Highest ALT a donor may have (U/L). */
export const ALT_MAX_UL = 50

/** The failures the rapid tests give: each defers (suggestDeferralReason maps them to a reason). */
export function rapidTestFailures(tests: RapidTests | null | undefined): EligibilityFailure[] {
  if (!tests) return []
  const out: EligibilityFailure[] = []
  if (tests.hbMethod === 'copper_sulphate' && tests.hbCopperPass === false)
    out.push({ rule: 'hb_copper_sulphate', value: null, limit: null })
  if (tests.altUL !== undefined && tests.altUL > ALT_MAX_UL)
    out.push({ rule: 'alt', value: tests.altUL, limit: ALT_MAX_UL, bound: 'max' })
  if (tests.hbsag === 'reactive') out.push({ rule: 'hbsag', value: null, limit: null })
  return out
}

/** The rapid tests a result set used (each needs a reagent that is in date). */
export function testsDone(tests: RapidTests | null | undefined): RapidTest[] {
  if (!tests) return []
  const done: RapidTest[] = []
  if (tests.abo !== undefined || tests.rhd !== undefined) done.push('abo_rhd')
  done.push('hb')
  if (tests.altUL !== undefined) done.push('alt')
  if (tests.hbsag !== undefined) done.push('hbsag')
  return done
}

/** A lot is expired on `date` when its last day of use is before it (expiring that day is still fine). */
export function lotExpiredOn(lot: Pick<ReagentLot, 'expiresOn'>, date: string): boolean {
  return lot.expiresOn < date
}

/** The drive's lots that have expired by `date` (the drive's date, or the day of a test). */
export function expiredLots(lots: readonly ReagentLot[] | undefined, date: string): ReagentLot[] {
  return (lots ?? []).filter((lot) => lotExpiredOn(lot, date))
}

/** The expired lots a rapid-test result set relies on, on `date`: a test done with one is refused. */
export function expiredLotsUsed(
  tests: RapidTests | null | undefined,
  lots: readonly ReagentLot[] | undefined,
  date: string,
): ReagentLot[] {
  const done = new Set(testsDone(tests))
  return expiredLots(lots, date).filter((lot) => done.has(lot.test))
}
