// Says why an eligibility rule failed, in the user's language, with the value and the limit.
import type { EligibilityFailure } from '../../domain/eligibility'

type Translate = (key: string, params?: Record<string, unknown>) => string

const MEASURED = new Set([
  'weight',
  'hb',
  'systolic',
  'diastolic',
  'pulse_pressure',
  'pulse',
  'temperature',
  'hct',
  'platelet_count',
  'alt',
  'age_min',
  'age_max',
])

export function failureText(t: Translate, failure: EligibilityFailure | { rule: 'not_a_number' }): string {
  if (failure.rule === 'not_a_number') return t('donor.fail.not_a_number')
  const f = failure as EligibilityFailure
  if (MEASURED.has(f.rule)) {
    const label = t(`donor.rule.${f.rule}`)
    const unit = t(`donor.unit.${f.rule}`)
    if (f.bound === 'missing') return t('donor.fail.missing', { label })
    return t(f.bound === 'max' ? 'donor.fail.max' : 'donor.fail.min', { label, value: f.value, limit: f.limit, unit })
  }
  return t(`donor.fail.${f.rule}`, { value: f.value ?? '', limit: f.limit ?? '' })
}
