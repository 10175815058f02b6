// The rules the "record one person" screen enforces, as pure functions: ID number check and what
// it tells (age, sex), measurements against the eligibility rules, the snapshot's warnings.
import { ageOn, normalizeResidentIdText, parseResidentId, type ResidentIdError } from '../../domain/resident-id'
import {
  checkHistory,
  checkPulsePressure,
  checkVital,
  DEFAULT_ELIGIBILITY,
  VITAL_FIELDS,
  type EligibilityConfig,
  type EligibilityFailure,
  type EligibilityHistory,
  type ProductType,
  type VitalField,
} from '../../domain/eligibility'
import {
  bloodPressureSwapped,
  checkPlausible,
  DEFAULT_PLAUSIBILITY,
  type Implausible,
  type PlausibilityConfig,
} from '../../domain/plausibility'
import type { Sex, Vitals } from '../../domain/records'

export type IdentityCheck =
  | { state: 'incomplete' }
  | { state: 'error'; error: ResidentIdError }
  | { state: 'ok'; id18: string; birthDate: string; sex: Sex; ageYears: number }

/**
 * Live check while typing: silent until the number could be complete (15 or 18 characters),
 * then either what it tells or why it is wrong. `final` reports a short number as an error too.
 * `today` may be a function: it is called only once there is a number to check.
 */
export function checkIdentity(text: string, today: string | (() => string), final = false): IdentityCheck {
  const id = normalizeResidentIdText(text)
  if (!final && id.length < 18 && id.length !== 15 && /^\d*$/.test(id)) return { state: 'incomplete' }
  const on = typeof today === 'function' ? today() : today
  const parsed = parseResidentId(id, on)
  if (!parsed.ok) return { state: 'error', error: parsed.error }
  return {
    state: 'ok',
    id18: parsed.id18,
    birthDate: parsed.birthDate,
    sex: parsed.sex,
    ageYears: ageOn(parsed.birthDate, on),
  }
}

/** A number typed on the decimal pad ("36,8" works too); null when empty or not a number. */
export function parseMeasurement(text: string): number | null {
  const s = text.trim().replace(',', '.')
  // Up to six digits: 68000 (grams) or 210000 (platelets per µL) get a unit-slip hint, not "not a number".
  if (!/^\d{1,6}(\.\d{1,3})?$/.test(s)) return null
  return Number(s)
}

export type VitalsText = Record<VitalField, string>
export const EMPTY_VITALS: VitalsText = {
  weightKg: '',
  hbGL: '',
  systolic: '',
  diastolic: '',
  pulse: '',
  temperatureC: '',
  hct: '',
  plateletCount: '',
}

/** The measurements a product needs (whole blood: no Hct or platelet count). */
export function requiredVitals(product: ProductType, config: EligibilityConfig = DEFAULT_ELIGIBILITY): VitalField[] {
  return VITAL_FIELDS.filter((f) => config.vitals[f].products.includes(product))
}

export interface VitalsCheck {
  /** Failing measurements (typed and out of range, or not a number); empty fields are not failures while typing. */
  failures: Partial<Record<VitalField | 'pulsePressure', EligibilityFailure | { rule: 'not_a_number' }>>
  /**
   * Values no human has (checked before eligibility, domain/plausibility.ts), and a systolic at or
   * below the diastolic ('bpOrder'): input errors that block saving, never a deferral.
   */
  implausible: Partial<Record<VitalField, Implausible>> & { bpOrder?: true }
  /** Every required measurement typed as a plausible number. */
  complete: boolean
  /** Complete and nothing failing. */
  pass: boolean
  vitals: Vitals | null
}

export function checkVitalsForm(
  text: VitalsText,
  /** hbByCopperSulphate: Hb was screened by copper sulphate (a pass or fail, no g/L to type). */
  ctx: { sex: Sex; product: ProductType; athlete: boolean; hbByCopperSulphate?: boolean },
  config: EligibilityConfig = DEFAULT_ELIGIBILITY,
  plausibility: PlausibilityConfig = DEFAULT_PLAUSIBILITY,
): VitalsCheck {
  const failures: VitalsCheck['failures'] = {}
  const implausible: VitalsCheck['implausible'] = {}
  const values: Partial<Record<VitalField, number>> = {}
  let complete = true
  for (const field of requiredVitals(ctx.product, config)) {
    if (field === 'hbGL' && ctx.hbByCopperSulphate) continue
    const typed = text[field]
    if (!typed.trim()) {
      complete = false
      continue
    }
    const n = parseMeasurement(typed)
    if (n === null) {
      failures[field] = { rule: 'not_a_number' }
      complete = false
      continue
    }
    const wrong = checkPlausible(field, n, plausibility)
    if (wrong) {
      implausible[field] = wrong
      complete = false
      continue
    }
    values[field] = n
    const failure = checkVital(field, n, ctx, config)
    if (failure) failures[field] = failure
  }
  if (
    values.systolic !== undefined &&
    values.diastolic !== undefined &&
    bloodPressureSwapped(values.systolic, values.diastolic)
  ) {
    // Their limits say nothing about a swapped pair.
    implausible.bpOrder = true
    delete failures.systolic
    delete failures.diastolic
    complete = false
  } else {
    const pp = checkPulsePressure(values.systolic, values.diastolic, ctx, config)
    if (pp) failures.pulsePressure = pp
  }
  const pass = complete && Object.keys(failures).length === 0
  const vitals: Vitals | null = complete
    ? {
        weightKg: values.weightKg!,
        ...(values.hbGL !== undefined ? { hbGL: values.hbGL } : {}),
        systolic: Math.round(values.systolic!),
        diastolic: Math.round(values.diastolic!),
        pulse: Math.round(values.pulse!),
        temperatureC: values.temperatureC!,
        athlete: ctx.athlete,
        ...(values.hct !== undefined ? { hct: values.hct } : {}),
        ...(values.plateletCount !== undefined ? { plateletCount: values.plateletCount } : {}),
      }
    : null
  return { failures, implausible, complete, pass, vitals }
}

/**
 * What the eligibility snapshot says about this donor today: permanent or active deferral,
 * interval too short, yearly apheresis cap. Warnings, because the snapshot is only as fresh as the
 * last sync.
 */
export function snapshotWarnings(
  history: EligibilityHistory | null,
  product: ProductType,
  today: string,
  config: EligibilityConfig = DEFAULT_ELIGIBILITY,
): EligibilityFailure[] {
  return checkHistory(history, product, today, config)
}

/** Merge the station's snapshot with donations this phone recorded since (same donor key). */
export function mergeLocalHistory(
  snapshot: EligibilityHistory | null,
  local: ReadonlyArray<{ collectedOn: string; productType: ProductType }>,
): EligibilityHistory | null {
  if (local.length === 0) return snapshot
  const base: EligibilityHistory = snapshot ?? {
    lastDonationOn: null,
    lastDonationType: null,
    apheresisLast12Months: 0,
    deferredUntil: null,
    permanentlyDeferred: false,
    hadReaction: false,
    donationCount: 0,
  }
  const newest = [...local].sort((a, b) => (a.collectedOn < b.collectedOn ? 1 : -1))[0]!
  const later = !base.lastDonationOn || newest.collectedOn >= base.lastDonationOn
  return {
    ...base,
    lastDonationOn: later ? newest.collectedOn : base.lastDonationOn,
    lastDonationType: later ? newest.productType : base.lastDonationType,
    donationCount: base.donationCount + local.length,
    apheresisLast12Months:
      base.apheresisLast12Months + local.filter((d) => d.productType === 'apheresis_platelets').length,
  }
}
