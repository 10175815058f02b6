import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { VITAL_FIELDS } from '../../src/domain/eligibility'
import { bloodPressureSwapped, checkPlausible, DEFAULT_PLAUSIBILITY } from '../../src/domain/plausibility'
import { PlausibilityConfigSchema } from '../../src/domain/rule-schemas'
import { VitalsSchema } from '../../src/domain/records'

describe('plausibility of measurements', () => {
  it('passes human values, including ones eligibility refuses', () => {
    expect(checkPlausible('hbGL', 108)).toBeNull()
    expect(checkPlausible('weightKg', 44)).toBeNull()
    expect(checkPlausible('temperatureC', 38.2)).toBeNull()
    expect(checkPlausible('systolic', 168)).toBeNull()
  })

  it('reads Hb 14.2 as g/dL and offers 142 g/L', () => {
    expect(checkPlausible('hbGL', 14.2)).toMatchObject({ bound: 'min', slips: [{ kind: 'g_dl', suggested: 142 }] })
  })

  it('reads temperature 366 as 36.6 and 98.6 as °F', () => {
    expect(checkPlausible('temperatureC', 366)?.slips).toEqual([{ kind: 'decimal', suggested: 36.6 }])
    expect(checkPlausible('temperatureC', 98.6)?.slips).toEqual([{ kind: 'fahrenheit', suggested: 37 }])
  })

  it('refuses weight 6800 kg, offering a missed decimal point; 68000 as grams', () => {
    expect(checkPlausible('weightKg', 6800)).toMatchObject({
      bound: 'max',
      slips: [{ kind: 'decimal', suggested: 68 }],
    })
    expect(checkPlausible('weightKg', 68000)?.slips).toEqual([{ kind: 'grams', suggested: 68 }])
    // 260 kg: 斤 (130 kg); 26.0 kg is not a human weight either.
    expect(checkPlausible('weightKg', 260)?.slips).toEqual([{ kind: 'jin', suggested: 130 }])
  })

  it('reads blood pressure in kPa, a pulse counted for 15 s, Hct in %, platelets per µL', () => {
    expect(checkPlausible('systolic', 16)?.slips).toEqual([{ kind: 'kpa', suggested: 120 }])
    expect(checkPlausible('diastolic', 10.7)?.slips).toEqual([{ kind: 'kpa', suggested: 80 }])
    expect(checkPlausible('systolic', 1200)?.slips).toEqual([{ kind: 'decimal', suggested: 120 }])
    expect(checkPlausible('pulse', 18)?.slips).toEqual([{ kind: 'per_15s', suggested: 72 }])
    expect(checkPlausible('hct', 42)?.slips).toEqual([{ kind: 'percent', suggested: 0.42 }])
    expect(checkPlausible('plateletCount', 210000)?.slips).toEqual([{ kind: 'per_ul', suggested: 210 }])
  })

  it('gives no slip when none lands in range', () => {
    expect(checkPlausible('pulse', 2)).toMatchObject({ bound: 'min', slips: [] })
  })

  it('takes its bounds from configuration', () => {
    const narrow = { ...DEFAULT_PLAUSIBILITY, weightKg: { min: 35, max: 180 } }
    expect(checkPlausible('weightKg', 190)).toBeNull()
    expect(checkPlausible('weightKg', 190, narrow)).toMatchObject({ bound: 'max' })
  })

  it('keeps every default bound inside the record schema, so a plausible value always saves', () => {
    const base = { weightKg: 60, hbGL: 140, systolic: 120, diastolic: 80, pulse: 70, temperatureC: 36.5 }
    for (const field of VITAL_FIELDS) {
      for (const edge of [DEFAULT_PLAUSIBILITY[field].min, DEFAULT_PLAUSIBILITY[field].max]) {
        expect(v.safeParse(VitalsSchema, { ...base, [field]: edge }).success, `${field} ${edge}`).toBe(true)
      }
    }
  })

  it('takes a station configuration only with ordered ranges inside the record schema', () => {
    expect(v.safeParse(PlausibilityConfigSchema, DEFAULT_PLAUSIBILITY).success).toBe(true)
    const narrow = { ...DEFAULT_PLAUSIBILITY, weightKg: { min: 35, max: 180 } }
    expect(v.safeParse(PlausibilityConfigSchema, narrow).success).toBe(true)
    const wide = v.safeParse(PlausibilityConfigSchema, { ...DEFAULT_PLAUSIBILITY, weightKg: { min: 10, max: 300 } })
    expect(wide.success).toBe(false)
    expect(wide.issues?.[0]?.message).toMatch(/weightKg: outside/)
    const reversed = { ...DEFAULT_PLAUSIBILITY, pulse: { min: 200, max: 30 } }
    expect(v.safeParse(PlausibilityConfigSchema, reversed).success).toBe(false)
  })

  it('sees a swapped blood pressure', () => {
    expect(bloodPressureSwapped(78, 122)).toBe(true)
    expect(bloodPressureSwapped(122, 78)).toBe(false)
  })
})
