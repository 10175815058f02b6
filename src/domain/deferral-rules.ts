// The rules of deferral reasons, apart from the default catalogue's text (deferral-reasons.ts): the
// donor form's first screen needs these few functions, and the catalogue only at its later steps.
// Every function takes the catalogue it reads.
import { addDays, addDuration, type Duration } from './dates'
import type { EligibilityFailure, EligibilityRule } from './eligibility'
import type { DeferralReason } from './rule-schemas'

export type { DeferralReason } from './rule-schemas'

export type DeferralDuration = Duration | 'permanent'

/**
 * Where the period starts: 'today' (the visit), 'recovery' (a date the donor reports: recovery, the
 * procedure, vaccination, last dose, return from travel; the form asks for it, today by default),
 * 'next_eligible' (the date the eligibility check gives; the deferral lasts until the day before).
 */
export const DEFERRAL_FROM = ['today', 'recovery', 'next_eligible'] as const
export type DeferralFrom = (typeof DEFERRAL_FROM)[number]

export const DEFERRAL_CATEGORIES = [
  'screening',
  'illness',
  'procedure',
  'vaccination',
  'women',
  'medication',
  'lifestyle',
  'history',
  'rules',
  'other',
] as const
export type DeferralCategory = (typeof DEFERRAL_CATEGORIES)[number]

export const DEFERRAL_SOURCES = ['gb18467_2011', 'local'] as const

/** The code every catalogue must have, for anything the list does not name. */
export const OTHER_DEFERRAL_REASON = 'other'

export function findDeferralReason(code: string, catalogue: readonly DeferralReason[]): DeferralReason | undefined {
  return catalogue.find((r) => r.code === code)
}

/** Last deferred day for a reason starting on `fromDate`; null when the deferral is permanent. */
export function deferralUntilFor(reason: Pick<DeferralReason, 'duration'>, fromDate: string): string | null {
  if (reason.duration === 'permanent') return null
  return addDays(addDuration(fromDate, reason.duration), -1)
}

const REASON_FOR_RULE: Record<EligibilityRule, string> = {
  permanently_deferred: OTHER_DEFERRAL_REASON,
  deferred: OTHER_DEFERRAL_REASON,
  age_min: 'age',
  age_max: 'age',
  same_day: 'short_interval',
  interval: 'short_interval',
  apheresis_yearly_cap: 'short_interval',
  weight: 'weight',
  hb: 'low_hb',
  systolic: 'blood_pressure',
  diastolic: 'blood_pressure',
  pulse_pressure: 'blood_pressure',
  pulse: 'pulse',
  temperature: 'cold_fever',
  hct: 'apheresis_counts',
  platelet_count: 'apheresis_counts',
  hb_copper_sulphate: 'low_hb',
  alt: 'alt_high',
  hbsag: 'hbsag_reactive',
}

/** The reason to preselect when a check fails; 'other' when the catalogue lacks the usual one. */
export function suggestDeferralReason(
  failure: Pick<EligibilityFailure, 'rule'>,
  catalogue: readonly DeferralReason[],
): string {
  const code = REASON_FOR_RULE[failure.rule]
  return findDeferralReason(code, catalogue) ? code : OTHER_DEFERRAL_REASON
}

/**
 * The until-date of a deferral with several reasons: permanent (null) when any reason is
 * permanent, else the latest of their last deferred days.
 */
export function combineDeferralUntil(untils: readonly (string | null)[]): string | null {
  if (untils.length === 0) throw new RangeError('a deferral needs at least one reason')
  let latest: string | null = null
  for (const u of untils) {
    if (u === null) return null
    if (latest === null || u > latest) latest = u
  }
  return latest
}

/** The reasons to preselect for a set of failed checks: one per distinct suggestion, in the failures' order. */
export function suggestDeferralReasons(
  failures: readonly Pick<EligibilityFailure, 'rule'>[],
  catalogue: readonly DeferralReason[],
): string[] {
  return [...new Set(failures.map((f) => suggestDeferralReason(f, catalogue)))]
}
