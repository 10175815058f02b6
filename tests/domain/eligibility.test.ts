import fc from 'fast-check'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import {
  checkAge,
  checkEligibility,
  checkPulsePressure,
  checkVital,
  checkVitals,
  DEFAULT_ELIGIBILITY,
  type EligibilityConfig,
  type EligibilityHistory,
  type EligibilityInput,
  GB18467_2011,
  intervalEndsOn,
  nextEligibleDate,
  type ProductType,
  vitalLimit,
} from '../../src/domain/eligibility'
import { EligibilityConfigSchema } from '../../src/domain/rule-schemas'
import type { Vitals } from '../../src/domain/records'

const TODAY = '2023-06-14'
const GOOD: Vitals = {
  weightKg: 62,
  hbGL: 140,
  systolic: 118,
  diastolic: 76,
  pulse: 72,
  temperatureC: 36.6,
  hct: 0.42,
  plateletCount: 250,
  athlete: false,
}
const NEW_DONOR: EligibilityHistory = {
  lastDonationOn: null,
  lastDonationType: null,
  apheresisLast12Months: 0,
  deferredUntil: null,
  permanentlyDeferred: false,
  hadReaction: false,
  donationCount: 0,
}

function input(overrides: Partial<EligibilityInput> = {}): EligibilityInput {
  return {
    sex: 'M',
    ageYears: 30,
    product: 'whole_blood',
    vitals: GOOD,
    history: NEW_DONOR,
    today: TODAY,
    ...overrides,
  }
}
function history(overrides: Partial<EligibilityHistory>): EligibilityHistory {
  return { ...NEW_DONOR, ...overrides }
}
const rules = (i: EligibilityInput, config?: EligibilityConfig) =>
  checkEligibility(i, config).failures.map((f) => f.rule)

describe('checkEligibility: a healthy donor', () => {
  it('passes for whole blood and apheresis platelets with no failures', () => {
    expect(checkEligibility(input())).toEqual({
      eligible: true,
      failures: [],
      nextEligibleOn: null,
      vitalsChecked: true,
    })
    expect(checkEligibility(input({ product: 'apheresis_platelets' })).eligible).toBe(true)
    expect(checkEligibility(input({ history: null })).eligible).toBe(true)
  })

  it('checks only age and history when no vitals are given, and says so', () => {
    expect(checkEligibility(input({ vitals: undefined }))).toMatchObject({ eligible: true, vitalsChecked: false })
    expect(checkEligibility(input({ vitals: null, ageYears: 17 }))).toMatchObject({
      eligible: false,
      vitalsChecked: false,
    })
  })
})

describe('age (completed years)', () => {
  it('admits 18 to 55 and refuses 17 and 56 for a first-time donor', () => {
    expect(rules(input({ ageYears: 17 }))).toEqual(['age_min'])
    expect(rules(input({ ageYears: 18 }))).toEqual([])
    expect(rules(input({ ageYears: 55 }))).toEqual([])
    expect(checkEligibility(input({ ageYears: 56 })).failures).toEqual([
      { rule: 'age_max', value: 56, limit: 55, bound: 'max' },
    ])
  })

  it('says when an under-age donor turns 18 if the birth date is known', () => {
    const failure = checkAge(17, null, DEFAULT_ELIGIBILITY, '2005-09-30')
    expect(failure).toEqual({ rule: 'age_min', value: 17, limit: 18, bound: 'min', nextEligibleOn: '2023-09-30' })
    expect(checkEligibility(input({ ageYears: 17, birthDate: '2005-09-30' })).nextEligibleOn).toBe('2023-09-30')
  })

  it('lets a repeat donor without an earlier reaction give up to 60', () => {
    const repeat = history({ donationCount: 3, lastDonationOn: '2022-01-10', lastDonationType: 'whole_blood' })
    expect(rules(input({ ageYears: 56, history: repeat }))).toEqual([])
    expect(rules(input({ ageYears: 60, history: repeat }))).toEqual([])
    expect(checkEligibility(input({ ageYears: 61, history: repeat })).failures).toEqual([
      { rule: 'age_max', value: 61, limit: 60, bound: 'max' },
    ])
    expect(rules(input({ ageYears: 58, history: history({ donationCount: 1 }) }))).toEqual([])
  })

  it('refuses the extension after an earlier reaction, or to someone who never gave', () => {
    const reacted = history({ donationCount: 5, hadReaction: true })
    expect(checkEligibility(input({ ageYears: 56, history: reacted })).failures).toEqual([
      { rule: 'age_max', value: 56, limit: 55, bound: 'max' },
    ])
    expect(rules(input({ ageYears: 55, history: reacted }))).toEqual([])
    expect(rules(input({ ageYears: 56, history: NEW_DONOR }))).toEqual(['age_max'])
    expect(rules(input({ ageYears: 56, history: null }))).toEqual(['age_max'])
  })

  it('fails rather than passes a missing age', () => {
    expect(checkEligibility(input({ ageYears: Number.NaN })).failures).toEqual([
      { rule: 'age_min', value: null, limit: 18, bound: 'missing' },
    ])
  })
})

describe('vitals at both sides of every bound', () => {
  const failuresFor = (vitals: Partial<Vitals>, sex: 'M' | 'F' = 'M', product: ProductType = 'whole_blood') =>
    checkEligibility(input({ sex, product, vitals: { ...GOOD, ...vitals } })).failures

  it('weight: ≥ 50 kg for men, ≥ 45 kg for women', () => {
    expect(failuresFor({ weightKg: 50 }, 'M')).toEqual([])
    expect(failuresFor({ weightKg: 49.9 }, 'M')).toEqual([{ rule: 'weight', value: 49.9, limit: 50, bound: 'min' }])
    expect(failuresFor({ weightKg: 45 }, 'F')).toEqual([])
    expect(failuresFor({ weightKg: 49 }, 'F')).toEqual([])
    expect(failuresFor({ weightKg: 44.9 }, 'F')).toEqual([{ rule: 'weight', value: 44.9, limit: 45, bound: 'min' }])
  })

  it('haemoglobin: ≥ 120 g/L for men, ≥ 115 g/L for women', () => {
    expect(failuresFor({ hbGL: 120 }, 'M')).toEqual([])
    expect(failuresFor({ hbGL: 119 }, 'M')).toEqual([{ rule: 'hb', value: 119, limit: 120, bound: 'min' }])
    expect(failuresFor({ hbGL: 115 }, 'F')).toEqual([])
    expect(failuresFor({ hbGL: 117 }, 'F')).toEqual([])
    expect(failuresFor({ hbGL: 114 }, 'F')).toEqual([{ rule: 'hb', value: 114, limit: 115, bound: 'min' }])
  })

  it('systolic 90–139', () => {
    expect(failuresFor({ systolic: 90, diastolic: 60 })).toEqual([])
    expect(failuresFor({ systolic: 89, diastolic: 59 }).map((f) => f.rule)).toEqual(['systolic', 'diastolic'])
    expect(failuresFor({ systolic: 139 })).toEqual([])
    expect(failuresFor({ systolic: 140 })).toEqual([{ rule: 'systolic', value: 140, limit: 139, bound: 'max' }])
  })

  it('diastolic 60–89', () => {
    expect(failuresFor({ systolic: 100, diastolic: 60 })).toEqual([])
    expect(failuresFor({ systolic: 100, diastolic: 59 })).toEqual([
      { rule: 'diastolic', value: 59, limit: 60, bound: 'min' },
    ])
    expect(failuresFor({ systolic: 125, diastolic: 89 })).toEqual([])
    expect(failuresFor({ systolic: 125, diastolic: 90 })).toEqual([
      { rule: 'diastolic', value: 90, limit: 89, bound: 'max' },
    ])
  })

  it('pulse pressure ≥ 30 mmHg', () => {
    expect(failuresFor({ systolic: 110, diastolic: 80 })).toEqual([])
    expect(failuresFor({ systolic: 109, diastolic: 80 })).toEqual([
      { rule: 'pulse_pressure', value: 29, limit: 30, bound: 'min' },
    ])
    expect(checkPulsePressure(100, 71, { sex: 'F', product: 'apheresis_platelets' })).toMatchObject({
      rule: 'pulse_pressure',
      value: 29,
    })
    expect(checkPulsePressure(100, null, { sex: 'F', product: 'whole_blood' })).toBeNull()
  })

  it('pulse 60–100, or 50–100 for trained athletes', () => {
    expect(failuresFor({ pulse: 60 })).toEqual([])
    expect(failuresFor({ pulse: 59 })).toEqual([{ rule: 'pulse', value: 59, limit: 60, bound: 'min' }])
    expect(failuresFor({ pulse: 100 })).toEqual([])
    expect(failuresFor({ pulse: 101 })).toEqual([{ rule: 'pulse', value: 101, limit: 100, bound: 'max' }])
    expect(failuresFor({ pulse: 50, athlete: true })).toEqual([])
    expect(failuresFor({ pulse: 49, athlete: true })).toEqual([{ rule: 'pulse', value: 49, limit: 50, bound: 'min' }])
    expect(failuresFor({ pulse: 101, athlete: true })).toEqual([
      { rule: 'pulse', value: 101, limit: 100, bound: 'max' },
    ])
    expect(failuresFor({ pulse: 55, athlete: false }).map((f) => f.rule)).toEqual(['pulse'])
  })

  it('temperature ≤ 37.5 °C', () => {
    expect(failuresFor({ temperatureC: 37.5 })).toEqual([])
    expect(failuresFor({ temperatureC: 37.6 })).toEqual([
      { rule: 'temperature', value: 37.6, limit: 37.5, bound: 'max' },
    ])
  })

  it('apheresis platelets also need Hct ≥ 0.36 and platelets 150–450 ×10⁹/L', () => {
    const a = 'apheresis_platelets'
    expect(failuresFor({ hct: 0.36 }, 'F', a)).toEqual([])
    expect(failuresFor({ hct: 0.35 }, 'F', a)).toEqual([{ rule: 'hct', value: 0.35, limit: 0.36, bound: 'min' }])
    expect(failuresFor({ plateletCount: 150 }, 'M', a)).toEqual([])
    expect(failuresFor({ plateletCount: 149 }, 'M', a)).toEqual([
      { rule: 'platelet_count', value: 149, limit: 150, bound: 'min' },
    ])
    expect(failuresFor({ plateletCount: 450 }, 'M', a)).toEqual([])
    expect(failuresFor({ plateletCount: 451 }, 'M', a)).toEqual([
      { rule: 'platelet_count', value: 451, limit: 450, bound: 'max' },
    ])
  })

  it('does not ask whole-blood donors for Hct or platelet count', () => {
    expect(failuresFor({ hct: 0.3, plateletCount: 100 }, 'M', 'whole_blood')).toEqual([])
    expect(failuresFor({ hct: undefined, plateletCount: undefined }, 'M', 'whole_blood')).toEqual([])
  })

  it('fails a required measurement that is missing', () => {
    expect(failuresFor({ hct: undefined }, 'M', 'apheresis_platelets')).toEqual([
      { rule: 'hct', value: null, limit: 0.36, bound: 'missing' },
    ])
    const partial = checkVitals({ weightKg: 60 }, { sex: 'M', product: 'whole_blood' }).map((f) => [f.rule, f.bound])
    expect(partial).toEqual([
      ['hb', 'missing'],
      ['systolic', 'missing'],
      ['diastolic', 'missing'],
      ['pulse', 'missing'],
      ['temperature', 'missing'],
    ])
  })

  it('reports several failures in a stable order', () => {
    const failures = failuresFor({ weightKg: 40, hbGL: 100, temperatureC: 38.2 }, 'F')
    expect(failures.map((f) => f.rule)).toEqual(['weight', 'hb', 'temperature'])
  })
})

describe('checkVital and vitalLimit while typing', () => {
  it('checks one field against the limit for this donor and product', () => {
    expect(checkVital('hbGL', 118, { sex: 'F', product: 'whole_blood' })).toBeNull()
    expect(checkVital('hbGL', 118, { sex: 'M', product: 'whole_blood' })).toEqual({
      rule: 'hb',
      value: 118,
      limit: 120,
      bound: 'min',
    })
    expect(checkVital('pulse', 52, { sex: 'M', product: 'whole_blood', athlete: true })).toBeNull()
    expect(checkVital('hct', 0.2, { sex: 'M', product: 'whole_blood' })).toBeNull()
    expect(checkVital('hct', null, { sex: 'M', product: 'apheresis_platelets' })).toMatchObject({ bound: 'missing' })
  })

  it('gives the range to show beside a field, or null when the product does not need it', () => {
    expect(vitalLimit('weightKg', { sex: 'F', product: 'whole_blood' })).toEqual({ min: 45, max: null })
    expect(vitalLimit('pulse', { sex: 'F', product: 'whole_blood', athlete: true })).toEqual({ min: 50, max: 100 })
    expect(vitalLimit('plateletCount', { sex: 'F', product: 'whole_blood' })).toBeNull()
    expect(vitalLimit('plateletCount', { sex: 'F', product: 'apheresis_platelets' })).toEqual({ min: 150, max: 450 })
  })
})

describe('intervals (calendar units added to the last donation; eligible on that date)', () => {
  const after = (lastDonationOn: string, lastDonationType: ProductType | null, product: ProductType, today: string) =>
    checkEligibility(
      input({ product, today, history: history({ lastDonationOn, lastDonationType, donationCount: 1 }) }),
    )

  it('whole → whole: 6 months', () => {
    expect(after('2023-01-15', 'whole_blood', 'whole_blood', '2023-07-14').failures).toEqual([
      { rule: 'interval', value: '2023-01-15', limit: '2023-07-15', nextEligibleOn: '2023-07-15' },
    ])
    expect(after('2023-01-15', 'whole_blood', 'whole_blood', '2023-07-15').eligible).toBe(true)
  })

  it('clamps to the end of a shorter month', () => {
    expect(after('2023-08-31', 'whole_blood', 'whole_blood', '2024-02-28').failures[0]?.nextEligibleOn).toBe(
      '2024-02-29',
    )
    expect(after('2023-08-31', 'whole_blood', 'whole_blood', '2024-02-29').eligible).toBe(true)
    expect(after('2022-08-31', 'whole_blood', 'whole_blood', '2023-02-28').eligible).toBe(true)
    expect(after('2022-08-31', 'whole_blood', 'whole_blood', '2023-02-27').eligible).toBe(false)
  })

  it('whole → platelets: 3 months', () => {
    expect(after('2023-01-15', 'whole_blood', 'apheresis_platelets', '2023-04-14').failures[0]?.nextEligibleOn).toBe(
      '2023-04-15',
    )
    expect(after('2023-01-15', 'whole_blood', 'apheresis_platelets', '2023-04-15').eligible).toBe(true)
  })

  it('platelets → platelets: 2 weeks', () => {
    expect(
      after('2023-03-01', 'apheresis_platelets', 'apheresis_platelets', '2023-03-14').failures[0]?.nextEligibleOn,
    ).toBe('2023-03-15')
    expect(after('2023-03-01', 'apheresis_platelets', 'apheresis_platelets', '2023-03-15').eligible).toBe(true)
  })

  it('platelets → whole: 4 weeks', () => {
    expect(after('2023-03-01', 'apheresis_platelets', 'whole_blood', '2023-03-28').failures[0]?.nextEligibleOn).toBe(
      '2023-03-29',
    )
    expect(after('2023-03-01', 'apheresis_platelets', 'whole_blood', '2023-03-29').eligible).toBe(true)
  })

  it('takes the longer interval when the previous product is unknown', () => {
    expect(intervalEndsOn(history({ lastDonationOn: '2023-03-01' }), 'whole_blood')).toBe('2023-09-01')
    expect(intervalEndsOn(history({ lastDonationOn: '2023-03-01' }), 'apheresis_platelets')).toBe('2023-06-01')
    expect(intervalEndsOn(history({}), 'whole_blood')).toBeNull()
  })

  it('blocks a last donation dated after today (clock or data error) until the interval ends', () => {
    expect(after('2023-06-20', 'whole_blood', 'whole_blood', TODAY).eligible).toBe(false)
  })
})

describe('yearly apheresis cap', () => {
  it('allows the 24th apheresis donation in 12 months and refuses the 25th', () => {
    const withCount = (apheresisLast12Months: number, product: ProductType = 'apheresis_platelets') =>
      checkEligibility(
        input({ product, history: history({ apheresisLast12Months, donationCount: apheresisLast12Months }) }),
      )
    expect(withCount(23).eligible).toBe(true)
    expect(withCount(24).failures).toEqual([{ rule: 'apheresis_yearly_cap', value: 24, limit: 24, bound: 'max' }])
    expect(withCount(24).nextEligibleOn).toBeNull()
    expect(withCount(30, 'whole_blood').eligible).toBe(true)
  })
})

describe('deferrals', () => {
  it('blocks through the last day of a temporary deferral and frees the day after', () => {
    expect(checkEligibility(input({ history: history({ deferredUntil: TODAY }) })).failures).toEqual([
      { rule: 'deferred', value: TODAY, limit: '2023-06-15', nextEligibleOn: '2023-06-15' },
    ])
    expect(checkEligibility(input({ history: history({ deferredUntil: '2023-06-13' }) })).eligible).toBe(true)
  })

  it('blocks a permanently deferred donor with no date', () => {
    const result = checkEligibility(input({ history: history({ permanentlyDeferred: true }) }))
    expect(result.failures).toEqual([{ rule: 'permanently_deferred', value: null, limit: null }])
    expect(result.nextEligibleOn).toBeNull()
  })

  it('gives the latest date when only time-bound rules fail, none when a measurement fails', () => {
    const h = history({
      deferredUntil: '2023-06-30',
      lastDonationOn: '2023-05-01',
      lastDonationType: 'whole_blood',
      donationCount: 2,
    })
    const result = checkEligibility(input({ history: h }))
    expect(result.failures.map((f) => f.rule)).toEqual(['deferred', 'interval'])
    expect(result.nextEligibleOn).toBe('2023-11-01')
    // After platelets the 4-week interval (to 2023-05-29) has passed; only the deferral is left.
    const afterPlatelets = checkEligibility(input({ history: { ...h, lastDonationType: 'apheresis_platelets' } }))
    expect(afterPlatelets.failures.map((f) => f.rule)).toEqual(['deferred'])
    expect(afterPlatelets.nextEligibleOn).toBe('2023-07-01')
    expect(checkEligibility(input({ history: h, vitals: { ...GOOD, hbGL: 100 } })).nextEligibleOn).toBeNull()
  })
})

describe('nextEligibleDate', () => {
  it('is the later of the interval end and the day after a deferral, per product', () => {
    const h = history({ lastDonationOn: '2023-05-01', lastDonationType: 'whole_blood', deferredUntil: '2023-06-30' })
    expect(nextEligibleDate(h, 'whole_blood')).toEqual({ on: '2023-11-01', permanent: false })
    expect(nextEligibleDate(h, 'apheresis_platelets')).toEqual({ on: '2023-08-01', permanent: false })
    expect(
      nextEligibleDate(
        { ...h, lastDonationOn: '2023-06-10', lastDonationType: 'apheresis_platelets' },
        'apheresis_platelets',
      ),
    ).toEqual({ on: '2023-07-01', permanent: false })
  })

  it('has no date for a new donor and says permanent for a permanent deferral', () => {
    expect(nextEligibleDate(null, 'whole_blood')).toEqual({ on: null, permanent: false })
    expect(nextEligibleDate(NEW_DONOR, 'whole_blood')).toEqual({ on: null, permanent: false })
    expect(nextEligibleDate(history({ permanentlyDeferred: true }), 'whole_blood')).toEqual({
      on: null,
      permanent: true,
    })
  })
})

describe('dates agree with each other (property)', () => {
  const day = fc
    .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10))
  const historyArb = fc.record({
    lastDonationOn: fc.option(day, { nil: null }),
    lastDonationType: fc.option(fc.constantFrom<ProductType>('whole_blood', 'apheresis_platelets'), { nil: null }),
    apheresisLast12Months: fc.integer({ min: 0, max: 23 }),
    deferredUntil: fc.option(day, { nil: null }),
    permanentlyDeferred: fc.constant(false),
    hadReaction: fc.boolean(),
    donationCount: fc.integer({ min: 0, max: 50 }),
  })

  it('the history blocks exactly the days before nextEligibleDate, and checkEligibility names that date', () => {
    fc.assert(
      fc.property(
        historyArb,
        day,
        fc.constantFrom<ProductType>('whole_blood', 'apheresis_platelets'),
        (h, today, product) => {
          const next = nextEligibleDate(h, product).on
          const result = checkEligibility(input({ product, history: h, today }))
          if (next === null || next <= today) {
            expect(result.eligible).toBe(true)
          } else {
            expect(result.eligible).toBe(false)
            expect(result.nextEligibleOn).toBe(next)
            expect(checkEligibility(input({ product, history: h, today: next })).eligible).toBe(true)
          }
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('rules are configuration', () => {
  it('expresses the 2025 draft (ages 18–65, 90 days between whole-blood donations) as data alone', () => {
    const draft = v.parse(
      EligibilityConfigSchema,
      JSON.parse(
        JSON.stringify({
          ...GB18467_2011,
          id: 'draft-2025',
          age: { ...GB18467_2011.age, max: 65, repeatDonorMax: null },
          intervals: {
            ...GB18467_2011.intervals,
            whole_blood: { ...GB18467_2011.intervals.whole_blood, whole_blood: { days: 90 } },
          },
        }),
      ),
    )

    const firstTimer62 = input({ ageYears: 62, history: null })
    expect(checkEligibility(firstTimer62).eligible).toBe(false)
    expect(checkEligibility(firstTimer62, draft).eligible).toBe(true)
    expect(rules(input({ ageYears: 65 }), draft)).toEqual([])
    expect(checkEligibility(input({ ageYears: 66 }), draft).failures).toEqual([
      { rule: 'age_max', value: 66, limit: 65, bound: 'max' },
    ])

    const gaveOn = (today: string) =>
      input({
        today,
        history: history({ lastDonationOn: '2023-01-01', lastDonationType: 'whole_blood', donationCount: 1 }),
      })
    expect(checkEligibility(gaveOn('2023-04-01'), draft).eligible).toBe(true) // day 90
    expect(checkEligibility(gaveOn('2023-03-31'), draft).failures[0]).toMatchObject({
      rule: 'interval',
      nextEligibleOn: '2023-04-01',
    })
    expect(checkEligibility(gaveOn('2023-04-01')).eligible).toBe(false) // the 2011 rules still want 6 months
  })

  it('moves every vital bound with the configuration (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 90, max: 140 }),
        fc.integer({ min: 80, max: 160 }),
        fc.constantFrom('M' as const, 'F' as const),
        (minHb, hb, sex) => {
          const config: EligibilityConfig = {
            ...GB18467_2011,
            vitals: { ...GB18467_2011.vitals, hbGL: { limit: { min: minHb, max: null }, products: ['whole_blood'] } },
          }
          const failed = checkEligibility(input({ sex, vitals: { ...GOOD, hbGL: hb } }), config).failures.some(
            (f) => f.rule === 'hb',
          )
          return failed === hb < minHb
        },
      ),
    )
  })

  it('lets a station turn the yearly cap and the repeat-donor extension off', () => {
    const config: EligibilityConfig = {
      ...GB18467_2011,
      apheresisYearlyCap: null,
      age: { ...GB18467_2011.age, repeatDonorMax: null },
    }
    expect(
      checkEligibility(
        input({ product: 'apheresis_platelets', history: history({ apheresisLast12Months: 40 }) }),
        config,
      ).eligible,
    ).toBe(true)
    expect(rules(input({ ageYears: 56, history: history({ donationCount: 9 }) }), config)).toEqual(['age_max'])
  })

  it('accepts the defaults as valid configuration and refuses inconsistent data', () => {
    expect(v.is(EligibilityConfigSchema, DEFAULT_ELIGIBILITY)).toBe(true)
    const broken = [
      { ...GB18467_2011, age: { ...GB18467_2011.age, min: 60 } },
      { ...GB18467_2011, age: { ...GB18467_2011.age, repeatDonorMax: 50 } },
      { ...GB18467_2011, pulsePressure: { limit: { min: 40, max: 30 }, products: ['whole_blood'] } },
      {
        ...GB18467_2011,
        intervals: {
          ...GB18467_2011.intervals,
          whole_blood: { whole_blood: { days: 90, months: 3 }, apheresis_platelets: { months: 3 } },
        },
      },
      {
        ...GB18467_2011,
        vitals: { ...GB18467_2011.vitals, hct: { limit: { min: 0.36, max: null }, products: ['plasma'] } },
      },
    ]
    for (const config of broken) expect(v.is(EligibilityConfigSchema, config)).toBe(false)
  })

  it('keeps the defaults frozen so no caller can change them for everyone', () => {
    expect(Object.isFrozen(DEFAULT_ELIGIBILITY)).toBe(true)
    expect(Object.isFrozen(DEFAULT_ELIGIBILITY.vitals.hbGL.limit)).toBe(true)
    expect(() => {
      ;(DEFAULT_ELIGIBILITY.age as { max: number }).max = 70
    }).toThrow(TypeError)
  })
})
