// Donor eligibility. Every number is configuration (EligibilityConfig): the defaults are GB 18467-2011,
// and a station can load other rules (e.g. the 2025 draft: ages 18–65, 90 days between whole-blood
// donations) as data without changing this code.
//
// Conventions, all inclusive:
// - Ages are completed years (周岁). "18–55" admits 18 through 55: refused from the 56th birthday.
// - Intervals are added to the last donation date in calendar units (months clamp to the month's
//   last day, see addMonths); the donor may give again ON that date. 6 months after 2023-01-15 is
//   2023-07-15; 6 months after 2023-08-31 is 2024-02-29.
// - `deferredUntil` is the last day of a deferral (as Deferral.until): eligible the day after.
// - A limit's min and max are both allowed values (Hb 120 passes, systolic 139 passes, 140 fails).
import { addDays, addDuration, addYears, type Duration, maxDate } from './dates'
import type { Product, Sex, Vitals } from './records'
import type { EligibilityEntry } from './sync-protocol'

export type ProductType = Product['type']
export const PRODUCT_TYPES = ['whole_blood', 'apheresis_platelets'] as const satisfies readonly ProductType[]

export interface Limit {
  min: number | null
  max: number | null
}
export interface SexLimits {
  M: Limit
  F: Limit
}
export type VitalLimit = Limit | SexLimits

export const VITAL_FIELDS = [
  'weightKg',
  'hbGL',
  'systolic',
  'diastolic',
  'pulse',
  'temperatureC',
  'hct',
  'plateletCount',
] as const
export type VitalField = (typeof VITAL_FIELDS)[number]

export interface VitalRule {
  limit: VitalLimit
  /** Replaces `limit` for trained athletes (pulse 50–100). */
  athleteLimit?: VitalLimit
  /** Products this measurement is required and checked for. */
  products: readonly ProductType[]
}

export interface EligibilityConfig {
  /** Which rule set this is, shown to staff (e.g. 'gb18467-2011'). */
  id: string
  age: {
    min: number
    max: number
    /** A repeat donor without an earlier reaction may give up to this age; null: no extension. */
    repeatDonorMax: number | null
    /** Earlier donations that make a repeat donor for the extension. */
    repeatDonorMinDonations: number
  }
  vitals: Record<VitalField, VitalRule>
  /** Systolic minus diastolic. */
  pulsePressure: { limit: Limit; products: readonly ProductType[] }
  /** Time to wait after a donation of type [previous] before one of type [next]. */
  intervals: Record<ProductType, Record<ProductType, Duration>>
  /** Most apheresis donations in 12 months; null: no cap. */
  apheresisYearlyCap: number | null
}

const BOTH: readonly ProductType[] = PRODUCT_TYPES
const APHERESIS: readonly ProductType[] = ['apheresis_platelets']

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

/** GB 18467-2011 《献血者健康检查要求》. */
export const GB18467_2011: EligibilityConfig = deepFreeze({
  id: 'gb18467-2011',
  age: { min: 18, max: 55, repeatDonorMax: 60, repeatDonorMinDonations: 1 },
  vitals: {
    weightKg: { limit: { M: { min: 50, max: null }, F: { min: 45, max: null } }, products: BOTH },
    hbGL: { limit: { M: { min: 120, max: null }, F: { min: 115, max: null } }, products: BOTH },
    systolic: { limit: { min: 90, max: 139 }, products: BOTH },
    diastolic: { limit: { min: 60, max: 89 }, products: BOTH },
    pulse: { limit: { min: 60, max: 100 }, athleteLimit: { min: 50, max: 100 }, products: BOTH },
    // "Normal" body temperature; the local convention is at most 37.5 °C.
    temperatureC: { limit: { min: null, max: 37.5 }, products: BOTH },
    hct: { limit: { min: 0.36, max: null }, products: APHERESIS },
    plateletCount: { limit: { min: 150, max: 450 }, products: APHERESIS },
  },
  pulsePressure: { limit: { min: 30, max: null }, products: BOTH },
  intervals: {
    whole_blood: { whole_blood: { months: 6 }, apheresis_platelets: { months: 3 } },
    apheresis_platelets: { whole_blood: { weeks: 4 }, apheresis_platelets: { weeks: 2 } },
  },
  apheresisYearlyCap: 24,
})

export const DEFAULT_ELIGIBILITY: EligibilityConfig = GB18467_2011

// ---------------------------------------------------------------------------------------------
// Results

export const ELIGIBILITY_RULES = [
  'permanently_deferred',
  'deferred',
  /** A donation already on the same day (any product): never overridable. */
  'same_day',
  'age_min',
  'age_max',
  'interval',
  'apheresis_yearly_cap',
  'weight',
  'hb',
  'systolic',
  'diastolic',
  'pulse_pressure',
  'pulse',
  'temperature',
  'hct',
  'platelet_count',
  // Rapid tests (src/domain/rapid-tests.ts), checked on the phone before the donation.
  'hb_copper_sulphate',
  'alt',
  'hbsag',
] as const
export type EligibilityRule = (typeof ELIGIBILITY_RULES)[number]

export const VITAL_RULE: Readonly<Record<VitalField, EligibilityRule>> = {
  weightKg: 'weight',
  hbGL: 'hb',
  systolic: 'systolic',
  diastolic: 'diastolic',
  pulse: 'pulse',
  temperatureC: 'temperature',
  hct: 'hct',
  plateletCount: 'platelet_count',
}

export interface EligibilityFailure {
  rule: EligibilityRule
  /** What was measured or recorded: a number, a date (last donation, deferral end), or null when absent. */
  value: number | string | null
  /** The bound broken: a number, or for date rules the first date allowed again. */
  limit: number | string | null
  /** Below the minimum, above the maximum, or a required value missing (measurement rules only). */
  bound?: 'min' | 'max' | 'missing'
  /** The first date this failure no longer holds, when time alone lifts it. */
  nextEligibleOn?: string
}

export interface EligibilityResult {
  eligible: boolean
  failures: EligibilityFailure[]
  /** When every failure lifts with time: the first date they all have (a deferral's `until` is the day before). */
  nextEligibleOn: string | null
  /** False when no vitals were given: only age and history were checked. */
  vitalsChecked: boolean
}

export type EligibilityHistory = Omit<EligibilityEntry, 'donorKey'>

export interface EligibilityInput {
  sex: Sex
  ageYears: number
  /** Lets an under-age failure say when the donor turns old enough. */
  birthDate?: string | null
  product: ProductType
  /** Omit to check age and history only (e.g. at look-up, before measuring). */
  vitals?: Partial<Vitals> | null
  /** Null for a donor unknown to the snapshot. */
  history: EligibilityHistory | null
  /** Station-local date of the visit, YYYY-MM-DD. */
  today: string
}

export interface VitalContext {
  sex: Sex
  product: ProductType
  athlete?: boolean
}

// ---------------------------------------------------------------------------------------------
// Checks

function isSexLimits(limit: VitalLimit): limit is SexLimits {
  return 'M' in limit
}

function resolveLimit(limit: VitalLimit, sex: Sex): Limit {
  return isSexLimits(limit) ? limit[sex] : limit
}

/** The acceptable range of a measurement for this donor and product; null when it is not required. */
export function vitalLimit(
  field: VitalField,
  ctx: VitalContext,
  config: EligibilityConfig = DEFAULT_ELIGIBILITY,
): Limit | null {
  const rule = config.vitals[field]
  if (!rule.products.includes(ctx.product)) return null
  return resolveLimit(ctx.athlete === true && rule.athleteLimit ? rule.athleteLimit : rule.limit, ctx.sex)
}

function checkAgainst(
  rule: EligibilityRule,
  value: number | null | undefined,
  limit: Limit,
): EligibilityFailure | null {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return { rule, value: null, limit: limit.min ?? limit.max, bound: 'missing' }
  }
  if (limit.min !== null && value < limit.min) return { rule, value, limit: limit.min, bound: 'min' }
  if (limit.max !== null && value > limit.max) return { rule, value, limit: limit.max, bound: 'max' }
  return null
}

/**
 * One measurement, usable while typing. Null when it passes or is not required for the product;
 * a missing value (null, NaN) of a required measurement fails with bound 'missing'.
 */
export function checkVital(
  field: VitalField,
  value: number | null | undefined,
  ctx: VitalContext,
  config: EligibilityConfig = DEFAULT_ELIGIBILITY,
): EligibilityFailure | null {
  const limit = vitalLimit(field, ctx, config)
  return limit ? checkAgainst(VITAL_RULE[field], value, limit) : null
}

/** Systolic minus diastolic; null when not required for the product or a reading is missing. */
export function checkPulsePressure(
  systolic: number | null | undefined,
  diastolic: number | null | undefined,
  ctx: VitalContext,
  config: EligibilityConfig = DEFAULT_ELIGIBILITY,
): EligibilityFailure | null {
  if (!config.pulsePressure.products.includes(ctx.product)) return null
  if (systolic === null || systolic === undefined || diastolic === null || diastolic === undefined) return null
  if (!Number.isFinite(systolic) || !Number.isFinite(diastolic)) return null
  return checkAgainst('pulse_pressure', systolic - diastolic, config.pulsePressure.limit)
}

/** Every measurement the product requires, in VITAL_FIELDS order, then pulse pressure. */
export function checkVitals(
  vitals: Partial<Vitals>,
  ctx: Omit<VitalContext, 'athlete'>,
  config: EligibilityConfig = DEFAULT_ELIGIBILITY,
): EligibilityFailure[] {
  const full: VitalContext = { ...ctx, athlete: vitals.athlete === true }
  const failures: EligibilityFailure[] = []
  for (const field of VITAL_FIELDS) {
    const failure = checkVital(field, vitals[field], full, config)
    if (failure) failures.push(failure)
  }
  const pp = checkPulsePressure(vitals.systolic, vitals.diastolic, full, config)
  if (pp) failures.push(pp)
  return failures
}

function isRepeatDonorWithoutReaction(history: EligibilityHistory | null, config: EligibilityConfig): boolean {
  return history !== null && history.donationCount >= config.age.repeatDonorMinDonations && !history.hadReaction
}

/** Age limits, with the repeat-donor extension (no earlier reaction) when the config has one. */
export function checkAge(
  ageYears: number,
  history: EligibilityHistory | null,
  config: EligibilityConfig = DEFAULT_ELIGIBILITY,
  birthDate?: string | null,
): EligibilityFailure | null {
  const { min, max, repeatDonorMax } = config.age
  if (!Number.isFinite(ageYears)) return { rule: 'age_min', value: null, limit: min, bound: 'missing' }
  if (ageYears < min) {
    const failure: EligibilityFailure = { rule: 'age_min', value: ageYears, limit: min, bound: 'min' }
    if (birthDate) failure.nextEligibleOn = addYears(birthDate, min)
    return failure
  }
  const allowedMax =
    repeatDonorMax !== null && isRepeatDonorWithoutReaction(history, config) ? Math.max(max, repeatDonorMax) : max
  if (ageYears > allowedMax) return { rule: 'age_max', value: ageYears, limit: allowedMax, bound: 'max' }
  return null
}

/**
 * The first date the interval after the last donation allows `product`; null without a last
 * donation. An unknown previous type takes the longer of the two intervals.
 */
export function intervalEndsOn(
  history: EligibilityHistory | null,
  product: ProductType,
  config: EligibilityConfig = DEFAULT_ELIGIBILITY,
): string | null {
  if (!history?.lastDonationOn) return null
  const last = history.lastDonationOn
  const previous: readonly ProductType[] = history.lastDonationType ? [history.lastDonationType] : PRODUCT_TYPES
  return previous.map((p) => addDuration(last, config.intervals[p][product])).reduce(maxDate)
}

export interface NextEligible {
  /** First date the history allows this product (interval end, day after a deferral); null: no wait. */
  on: string | null
  /** Permanently deferred: no date ever allows a donation. */
  permanent: boolean
}

/**
 * When the donor's history next allows `product`, from the interval and any temporary deferral.
 * Age, vitals and the yearly apheresis cap are not dates of the history and are left to checkEligibility.
 */
export function nextEligibleDate(
  history: EligibilityHistory | null,
  product: ProductType,
  config: EligibilityConfig = DEFAULT_ELIGIBILITY,
): NextEligible {
  if (!history) return { on: null, permanent: false }
  const dates = [
    intervalEndsOn(history, product, config),
    history.deferredUntil ? addDays(history.deferredUntil, 1) : null,
  ].filter((d): d is string => d !== null)
  return { on: dates.length > 0 ? dates.reduce(maxDate) : null, permanent: history.permanentlyDeferred }
}

/** Deferrals, interval and the yearly apheresis cap, as of `today`. */
export function checkHistory(
  history: EligibilityHistory | null,
  product: ProductType,
  today: string,
  config: EligibilityConfig = DEFAULT_ELIGIBILITY,
): EligibilityFailure[] {
  if (!history) return []
  const failures: EligibilityFailure[] = []
  if (history.permanentlyDeferred) failures.push({ rule: 'permanently_deferred', value: null, limit: null })
  if (history.deferredUntil && history.deferredUntil >= today) {
    const next = addDays(history.deferredUntil, 1)
    failures.push({ rule: 'deferred', value: history.deferredUntil, limit: next, nextEligibleOn: next })
  }
  const intervalEnd = intervalEndsOn(history, product, config)
  if (history.lastDonationOn && history.lastDonationOn >= today) {
    // A second donation the same day is a hard stop, not an interval shortfall a leader may override.
    failures.push({
      rule: 'same_day',
      value: history.lastDonationOn,
      limit: intervalEnd,
      ...(intervalEnd ? { nextEligibleOn: intervalEnd } : {}),
    })
  } else if (intervalEnd && intervalEnd > today) {
    failures.push({ rule: 'interval', value: history.lastDonationOn, limit: intervalEnd, nextEligibleOn: intervalEnd })
  }
  const cap = config.apheresisYearlyCap
  if (product === 'apheresis_platelets' && cap !== null && history.apheresisLast12Months >= cap) {
    failures.push({ rule: 'apheresis_yearly_cap', value: history.apheresisLast12Months, limit: cap, bound: 'max' })
  }
  return failures
}

/** Every rule at once. Failures come in ELIGIBILITY_RULES order so screens list them stably. */
export function checkEligibility(
  input: EligibilityInput,
  config: EligibilityConfig = DEFAULT_ELIGIBILITY,
): EligibilityResult {
  const failures = [
    ...checkHistory(input.history, input.product, input.today, config),
    ...[checkAge(input.ageYears, input.history, config, input.birthDate)].filter((f) => f !== null),
    ...(input.vitals ? checkVitals(input.vitals, { sex: input.sex, product: input.product }, config) : []),
  ]
  const order = (f: EligibilityFailure) => ELIGIBILITY_RULES.indexOf(f.rule)
  failures.sort((a, b) => order(a) - order(b))
  const timeBound = failures.length > 0 && failures.every((f) => f.nextEligibleOn !== undefined)
  return {
    eligible: failures.length === 0,
    failures,
    nextEligibleOn: timeBound ? failures.map((f) => f.nextEligibleOn!).reduce(maxDate) : null,
    vitalsChecked: input.vitals !== null && input.vitals !== undefined,
  }
}
