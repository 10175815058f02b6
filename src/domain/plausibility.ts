// Is a typed measurement a human value at all? Checked BEFORE the eligibility limits: Hb "14.2"
// (the g/dL habit) is not a donor with 14.2 g/L to defer, it is a unit slip to correct. An
// implausible value is an input error that blocks saving; it never becomes a deferral.
//
// The bounds are configuration (a station may narrow them), kept apart from the eligibility
// limits (eligibility.ts), and lie within the record schema's own bounds (VitalsSchema), so a
// plausible value always passes the server: PlausibilityConfigSchema (rule-schemas.ts) checks a
// station's bounds against it. The slips are arithmetic, not policy.
import type { VitalField } from './eligibility'

export interface PlausibleRange {
  min: number
  max: number
}
export type PlausibilityConfig = Readonly<Record<VitalField, PlausibleRange>>

/** What a living adult at a donation bus can measure (wider than any eligibility limit). */
export const DEFAULT_PLAUSIBILITY: PlausibilityConfig = Object.freeze({
  weightKg: { min: 30, max: 200 },
  hbGL: { min: 50, max: 220 },
  systolic: { min: 60, max: 250 },
  diastolic: { min: 30, max: 150 },
  pulse: { min: 30, max: 200 },
  temperatureC: { min: 34, max: 42 },
  hct: { min: 0.15, max: 0.65 },
  plateletCount: { min: 20, max: 1200 },
})

/**
 * A likely slip and the value meant: a unit (g/dL for Hb, kPa for blood pressure, °F, jin 斤 for
 * weight, Hct in %, platelets per µL, a pulse counted for 15 seconds) or a missed decimal point.
 */
export const SLIP_KINDS = [
  'g_dl',
  'decimal',
  'grams',
  'jin',
  'fahrenheit',
  'kpa',
  'percent',
  'per_15s',
  'per_ul',
] as const
export type SlipKind = (typeof SLIP_KINDS)[number]
export interface UnitSlip {
  kind: SlipKind
  suggested: number
}

export interface Implausible {
  field: VitalField
  value: number
  range: PlausibleRange
  bound: 'min' | 'max'
  /** Values in range that a common slip would give, most likely first; may be empty. */
  slips: UnitSlip[]
}

interface SlipRule {
  kind: SlipKind
  /** Only for values on this side of the range. */
  when: 'min' | 'max'
  convert: (value: number) => number
}

const SLIPS: Readonly<Record<VitalField, readonly SlipRule[]>> = {
  weightKg: [
    { kind: 'grams', when: 'max', convert: (x) => x / 1000 },
    { kind: 'decimal', when: 'max', convert: (x) => x / 10 },
    { kind: 'decimal', when: 'max', convert: (x) => x / 100 },
    { kind: 'jin', when: 'max', convert: (x) => x / 2 },
  ],
  hbGL: [
    { kind: 'g_dl', when: 'min', convert: (x) => x * 10 },
    { kind: 'decimal', when: 'max', convert: (x) => x / 10 },
  ],
  systolic: [
    { kind: 'kpa', when: 'min', convert: (x) => x * 7.5 },
    { kind: 'decimal', when: 'max', convert: (x) => x / 10 },
  ],
  diastolic: [
    { kind: 'kpa', when: 'min', convert: (x) => x * 7.5 },
    { kind: 'decimal', when: 'max', convert: (x) => x / 10 },
  ],
  pulse: [
    { kind: 'per_15s', when: 'min', convert: (x) => x * 4 },
    { kind: 'decimal', when: 'max', convert: (x) => x / 10 },
  ],
  temperatureC: [
    { kind: 'decimal', when: 'max', convert: (x) => x / 10 },
    { kind: 'decimal', when: 'max', convert: (x) => x / 100 },
    { kind: 'fahrenheit', when: 'max', convert: (x) => ((x - 32) * 5) / 9 },
  ],
  hct: [{ kind: 'percent', when: 'max', convert: (x) => x / 100 }],
  plateletCount: [{ kind: 'per_ul', when: 'max', convert: (x) => x / 1000 }],
}

/** Decimals a measurement is written with (Hct 0.42, temperature 36.6, Hb 142). */
export const VITAL_DECIMALS: Readonly<Record<VitalField, number>> = {
  weightKg: 1,
  hbGL: 0,
  systolic: 0,
  diastolic: 0,
  pulse: 0,
  temperatureC: 1,
  hct: 2,
  plateletCount: 0,
}

function rounded(field: VitalField, value: number): number {
  const f = 10 ** VITAL_DECIMALS[field]
  return Math.round(value * f) / f
}

/** Null when the value is plausible; otherwise the range it left and the slips that would explain it. */
export function checkPlausible(
  field: VitalField,
  value: number,
  config: PlausibilityConfig = DEFAULT_PLAUSIBILITY,
): Implausible | null {
  const range = config[field]
  const bound = value < range.min ? 'min' : value > range.max ? 'max' : null
  if (!bound) return null
  const slips: UnitSlip[] = []
  for (const rule of SLIPS[field]) {
    if (rule.when !== bound) continue
    const suggested = rounded(field, rule.convert(value))
    if (suggested < range.min || suggested > range.max) continue
    if (slips.some((s) => s.suggested === suggested)) continue
    slips.push({ kind: rule.kind, suggested })
  }
  return { field, value, range, bound, slips }
}

/** Systolic at or below diastolic is no reading at all: most likely the two were swapped. */
export function bloodPressureSwapped(systolic: number, diastolic: number): boolean {
  return systolic <= diastolic
}
