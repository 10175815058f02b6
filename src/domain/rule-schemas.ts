// The rules a station may supply as data (donation intervals, eligibility limits, the deferral
// catalogue, plausible ranges of the vitals), as valibot schemas. The rules themselves, their
// defaults and lists live beside their code (dates.ts, eligibility.ts, deferral-reasons.ts,
// plausibility.ts), which imports no valibot: the donor form a cold start shows needs the rules,
// not the schemas. The station row's own settings (questionnaire, bleed limits) are in records.ts.
import * as v from 'valibot'
import { DEFERRAL_CATEGORIES, DEFERRAL_FROM, DEFERRAL_SOURCES, OTHER_DEFERRAL_REASON } from './deferral-rules'
import { PRODUCT_TYPES, VITAL_FIELDS, type VitalField } from './eligibility'
import { VitalsSchema } from './records'

/** Valibot schema of a Duration, for rules a station supplies as data. Exactly one unit. */
export const DurationSchema = v.union([
  v.strictObject({ days: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
  v.strictObject({ weeks: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
  v.strictObject({ months: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
  v.strictObject({ years: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
])

const LimitSchema = v.pipe(
  v.object({ min: v.nullable(v.number()), max: v.nullable(v.number()) }),
  v.check((l) => l.min === null || l.max === null || l.min <= l.max, 'a limit has its minimum above its maximum'),
)
const VitalLimitSchema = v.union([v.object({ M: LimitSchema, F: LimitSchema }), LimitSchema])
const ProductsSchema = v.array(v.picklist(PRODUCT_TYPES))
const VitalRuleSchema = v.object({
  limit: VitalLimitSchema,
  athleteLimit: v.optional(VitalLimitSchema),
  products: ProductsSchema,
})
const AgeYears = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(120))

export const EligibilityConfigSchema = v.pipe(
  v.object({
    id: v.pipe(v.string(), v.minLength(1), v.maxLength(60)),
    age: v.object({
      min: AgeYears,
      max: AgeYears,
      repeatDonorMax: v.nullable(AgeYears),
      repeatDonorMinDonations: v.pipe(v.number(), v.integer(), v.minValue(1)),
    }),
    vitals: v.object(
      Object.fromEntries(VITAL_FIELDS.map((f) => [f, VitalRuleSchema])) as Record<VitalField, typeof VitalRuleSchema>,
    ),
    pulsePressure: v.object({ limit: LimitSchema, products: ProductsSchema }),
    intervals: v.object({
      whole_blood: v.object({ whole_blood: DurationSchema, apheresis_platelets: DurationSchema }),
      apheresis_platelets: v.object({ whole_blood: DurationSchema, apheresis_platelets: DurationSchema }),
    }),
    apheresisYearlyCap: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1))),
  }),
  v.check((c) => c.age.min <= c.age.max, 'the minimum age is above the maximum'),
  v.check(
    (c) => c.age.repeatDonorMax === null || c.age.repeatDonorMax >= c.age.max,
    'the repeat-donor age is below the maximum age',
  ),
)

export const DeferralReasonSchema = v.object({
  code: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{0,39}$/, 'code must be lower_snake_case')),
  zh: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(120)),
  en: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(120)),
  duration: v.union([DurationSchema, v.literal('permanent')]),
  from: v.picklist(DEFERRAL_FROM),
  category: v.optional(v.picklist(DEFERRAL_CATEGORIES), 'other'),
  source: v.optional(v.picklist(DEFERRAL_SOURCES), 'local'),
  /** Only these products are affected (aspirin: platelets); absent means every product. */
  products: v.optional(v.array(v.picklist(PRODUCT_TYPES))),
})
export type DeferralReason = v.InferOutput<typeof DeferralReasonSchema>

export const DeferralCatalogueSchema = v.pipe(
  v.array(DeferralReasonSchema),
  v.minLength(1, 'the deferral catalogue is empty'),
  v.check(
    (reasons) => new Set(reasons.map((r) => r.code)).size === reasons.length,
    'deferral reason codes must be unique',
  ),
  v.check(
    (reasons) => reasons.some((r) => r.code === OTHER_DEFERRAL_REASON),
    `the catalogue needs the code "${OTHER_DEFERRAL_REASON}"`,
  ),
)

const NORMAL_VITALS = { weightKg: 60, hbGL: 140, systolic: 120, diastolic: 80, pulse: 70, temperatureC: 36.5 }
/** Whether the record schema takes `value` for `field` (the server's last word on a measurement). */
function recordTakes(field: VitalField, value: number): boolean {
  return v.safeParse(VitalsSchema, { ...NORMAL_VITALS, [field]: value }).success
}

/**
 * A station's own bounds, as data: each range ordered and inside what the record schema takes, so
 * a value the phone calls plausible is never refused at save or by the server.
 */
function rangeSchema(field: VitalField) {
  return v.pipe(
    v.object({ min: v.number(), max: v.number() }),
    v.check((r) => r.min < r.max, `${field}: the minimum is not below the maximum`),
    v.check((r) => recordTakes(field, r.min) && recordTakes(field, r.max), `${field}: outside what a record may hold`),
  )
}
export const PlausibilityConfigSchema = v.object(
  Object.fromEntries(VITAL_FIELDS.map((field) => [field, rangeSchema(field)])) as Record<
    VitalField,
    ReturnType<typeof rangeSchema>
  >,
)
