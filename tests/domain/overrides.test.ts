// Hard stops, overridable checks and deferrals with several reasons (issue 10, rules).
import { describe, expect, it } from 'vitest'
import { combineDeferralUntil, suggestDeferralReasons } from '../../src/domain/deferral-reasons'
import { checkEligibility, checkHistory, type EligibilityHistory } from '../../src/domain/eligibility'
import { emptyReferenceData } from '../../src/domain/reference-data'
import {
  countRules,
  DEFAULT_DONOR_RULES,
  donorRulesOf,
  isOverridable,
  overrideCovers,
  overrideRulesFor,
  splitFailures,
} from '../../src/domain/overrides'
import { deferralReasonCodes, deferralReasonsProblem, DeferralSchema, DonationSchema } from '../../src/domain/records'
import * as v from 'valibot'
import { deferral, donation, testId } from './support/records'

const history = (over: Partial<EligibilityHistory> = {}): EligibilityHistory => ({
  lastDonationOn: null,
  lastDonationType: null,
  apheresisLast12Months: 0,
  deferredUntil: null,
  permanentlyDeferred: false,
  hadReaction: false,
  donationCount: 1,
  ...over,
})

describe('a second donation the same day', () => {
  it('is a same_day failure, not an interval shortfall, for either product', () => {
    for (const product of ['whole_blood', 'apheresis_platelets'] as const) {
      const failures = checkHistory(
        history({ lastDonationOn: '2026-12-06', lastDonationType: 'whole_blood' }),
        product,
        '2026-12-06',
      )
      expect(failures.map((f) => f.rule)).toEqual(['same_day'])
    }
  })

  it('an earlier day stays an interval shortfall', () => {
    const failures = checkHistory(
      history({ lastDonationOn: '2026-12-05', lastDonationType: 'whole_blood' }),
      'whole_blood',
      '2026-12-06',
    )
    expect(failures.map((f) => f.rule)).toEqual(['interval'])
  })

  it('is never overridable, whatever the station configures', () => {
    const rules = { ...DEFAULT_DONOR_RULES, overridable: ['interval', 'same_day'] }
    expect(isOverridable('same_day', rules)).toBe(false)
    const { hard, overridable } = splitFailures([{ rule: 'same_day' }, { rule: 'interval' }], rules)
    expect(hard.map((f) => f.rule)).toEqual(['same_day'])
    expect(overridable.map((f) => f.rule)).toEqual(['interval'])
  })
})

describe('overridable checks', () => {
  it('by default only the interval; every other failure is hard', () => {
    const result = checkEligibility({
      sex: 'M',
      ageYears: 56,
      product: 'whole_blood',
      vitals: null,
      history: history({ lastDonationOn: '2026-10-01', lastDonationType: 'whole_blood', hadReaction: true }),
      today: '2026-12-06',
    })
    const { hard, overridable } = splitFailures(result.failures)
    expect(overridable.map((f) => f.rule)).toEqual(['interval'])
    expect(hard.map((f) => f.rule)).toEqual(['age_max'])
  })

  it('a station may make other checks overridable; a station without rules gets the defaults', () => {
    const rules = { ...DEFAULT_DONOR_RULES, overridable: ['interval', 'hb'] }
    expect(splitFailures([{ rule: 'hb' }, { rule: 'weight' }], rules).overridable).toEqual([{ rule: 'hb' }])
    expect(donorRulesOf({})).toBe(DEFAULT_DONOR_RULES)
    expect(donorRulesOf({ donorRules: rules })).toBe(rules)
  })

  it('an override covers the failures only when it names each of their rules', () => {
    const o = {
      rules: ['interval'],
      reasonCode: 'urgent_clinical_need',
      approvedBy: testId(),
      approvedAt: '2026-12-06T09:00:00Z',
    }
    expect(overrideCovers(o, [{ rule: 'interval' }])).toBe(true)
    expect(overrideCovers(o, [{ rule: 'interval' }, { rule: 'hb' }])).toBe(false)
    expect(overrideCovers(null, [{ rule: 'interval' }])).toBe(false)
    expect(overrideCovers(null, [])).toBe(true)
    expect(overrideRulesFor([{ rule: 'interval' }, { rule: 'hb' }, { rule: 'interval' }])).toEqual(['interval', 'hb'])
  })

  it('the override is an optional part of the donation record', () => {
    const d = donation()
    expect(v.safeParse(DonationSchema, d).success).toBe(true)
    const o = {
      rules: ['interval'],
      reasonCode: 'rare_blood_type',
      approvedBy: testId(),
      approvedAt: '2026-12-06T09:00:00Z',
    }
    expect(v.parse(DonationSchema, { ...d, override: o }).override).toEqual(o)
    expect(v.safeParse(DonationSchema, { ...d, override: { ...o, rules: [] } }).success).toBe(false)
  })
})

describe('a deferral with several reasons', () => {
  it('keeps every reason: a 56-year-old with BP 168/102 is deferred for age and blood pressure', () => {
    const result = checkEligibility({
      sex: 'M',
      ageYears: 56,
      product: 'whole_blood',
      vitals: { weightKg: 70, hbGL: 140, systolic: 168, diastolic: 102, pulse: 72, temperatureC: 36.5 },
      history: null,
      today: '2026-12-06',
    })
    expect(suggestDeferralReasons(result.failures)).toEqual(['age', 'blood_pressure'])
  })

  it('lasts until the latest of its reasons, and is permanent when any is', () => {
    expect(combineDeferralUntil(['2026-12-07', '2027-01-05', '2026-12-20'])).toBe('2027-01-05')
    expect(combineDeferralUntil(['2026-12-07', null])).toBeNull()
    expect(() => combineDeferralUntil([])).toThrow()
  })

  it('an old record without reasonCodes reads as [reasonCode]; a new one lists reasonCode first', () => {
    expect(deferralReasonCodes(deferral({ reasonCode: 'low_hb' }))).toEqual(['low_hb'])
    const both = deferral({ reasonCode: 'age', reasonCodes: ['age', 'blood_pressure'] })
    expect(v.safeParse(DeferralSchema, both).success).toBe(true)
    expect(deferralReasonCodes(both)).toEqual(['age', 'blood_pressure'])
    expect(deferralReasonsProblem(both)).toBeNull()
    expect(deferralReasonsProblem({ reasonCode: 'age', reasonCodes: ['blood_pressure', 'age'] })).toMatch(/start/)
    expect(deferralReasonsProblem({ reasonCode: 'age', reasonCodes: ['age', 'age'] })).toMatch(/twice/)
  })
})

describe('counting reasons and overrides over records (the CLI report)', () => {
  it('counts a deferral under each reason, old ones under reasonCode, and overrides by reason and drive', async () => {
    const { buildReport, formatReport } = await import('../../src/server/cli/report')
    const driveId = testId()
    const o = {
      rules: ['interval'],
      reasonCode: 'urgent_clinical_need',
      approvedBy: testId(),
      approvedAt: '2023-06-14T09:00:00Z',
    }
    const records = [
      deferral({ reasonCode: 'age', reasonCodes: ['age', 'blood_pressure'] }),
      deferral({ reasonCode: 'low_hb' }),
      donation({ driveId, override: o }),
      donation({ driveId }),
    ]
    const counts = countRules(records)
    expect(counts).toEqual({
      deferrals: 2,
      deferralsByReason: { age: 1, blood_pressure: 1, low_hb: 1 },
      overrides: 1,
      overridesByReason: { urgent_clinical_need: 1 },
      overridesByDrive: { [driveId]: 1 },
    })
    const report = buildReport({ records, reference: emptyReferenceData() }, {})
    expect(report.rules).toEqual(counts)
    expect(report.indicators.deferrals).toBe(2)
    const text = formatReport(report)
    expect(text).toContain('血压不符合要求')
    expect(text).toContain('临床紧急用血')
  })
})
