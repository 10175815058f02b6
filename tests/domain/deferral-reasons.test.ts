import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import {
  DEFERRAL_REASONS,
  type DeferralReason,
  deferralUntil,
  deferralUntilFor,
  findDeferralReason,
  suggestDeferralReason,
} from '../../src/domain/deferral-reasons'
import { DeferralCatalogueSchema } from '../../src/domain/rule-schemas'
import { checkEligibility, ELIGIBILITY_RULES } from '../../src/domain/eligibility'
import { DeferralSchema } from '../../src/domain/records'

describe('the default catalogue', () => {
  it('is a valid catalogue with unique codes that deferral records accept', () => {
    expect(v.is(DeferralCatalogueSchema, DEFERRAL_REASONS)).toBe(true)
    for (const reason of DEFERRAL_REASONS)
      expect(v.is(DeferralSchema.entries.reasonCode, reason.code), reason.code).toBe(true)
  })

  it('covers the reasons a bus crew meets', () => {
    const required = [
      'low_hb',
      'weight',
      'blood_pressure',
      'pulse',
      'cold_fever',
      'tooth_extraction',
      'tattoo',
      'vaccine_inactivated',
      'vaccine_live',
      'vaccine_rubella_rabies_je',
      'minor_surgery',
      'major_surgery',
      'pregnancy_miscarriage',
      'childbirth_lactation',
      'alcohol',
      'medication',
      'aspirin',
      'malaria',
      'malaria_area_travel',
      'high_risk_behaviour',
      'hepatitis',
      'short_interval',
      'age',
      'other',
    ]
    for (const code of required) expect(findDeferralReason(code), code).toBeDefined()
  })

  it('has Chinese and English names for every reason', () => {
    for (const reason of DEFERRAL_REASONS) {
      expect(reason.zh, reason.code).toMatch(/[\u4e00-\u9fff]/)
      expect(reason.en, reason.code).toMatch(/^[A-Z]/)
    }
  })

  it('keeps the catalogue frozen', () => {
    expect(Object.isFrozen(DEFERRAL_REASONS)).toBe(true)
    expect(Object.isFrozen(findDeferralReason('tattoo'))).toBe(true)
    expect(Object.isFrozen(findDeferralReason('aspirin')?.products)).toBe(true)
  })
})

describe('deferralUntil (last deferred day; eligible the day after)', () => {
  it('cold or fever: 1 week after recovery', () => {
    expect(deferralUntil('cold_fever', '2023-06-01')).toBe('2023-06-07')
  })

  it('tooth extraction: half a month, read as 15 days', () => {
    expect(findDeferralReason('tooth_extraction')?.duration).toEqual({ days: 15 })
    expect(deferralUntil('tooth_extraction', '2023-06-01')).toBe('2023-06-15')
  })

  it('tattoo: 1 calendar year, across 29 February', () => {
    expect(deferralUntil('tattoo', '2023-03-01')).toBe('2024-02-29')
    expect(deferralUntil('tattoo', '2024-02-29')).toBe('2025-02-27')
  })

  it('vaccinations: 24 hours, 2 weeks or 4 weeks by vaccine, 1 year after a bite', () => {
    expect(deferralUntil('vaccine_inactivated', '2023-06-14')).toBe('2023-06-14')
    expect(deferralUntil('vaccine_live', '2023-06-14')).toBe('2023-06-27')
    expect(deferralUntil('vaccine_rubella_rabies_je', '2023-06-14')).toBe('2023-07-11')
    expect(deferralUntil('rabies_after_bite', '2023-06-14')).toBe('2024-06-13')
  })

  it('surgery, pregnancy and childbirth in calendar months and years', () => {
    expect(deferralUntil('major_surgery', '2023-08-31')).toBe('2024-02-28')
    expect(deferralUntil('appendix_hernia_tonsil_surgery', '2023-01-10')).toBe('2023-04-09')
    expect(deferralUntil('pregnancy_miscarriage', '2023-01-10')).toBe('2023-07-09')
    expect(deferralUntil('childbirth_lactation', '2023-01-10')).toBe('2024-01-09')
  })

  it('is null for a permanent deferral', () => {
    expect(deferralUntil('high_risk_behaviour', '2023-06-14')).toBeNull()
    expect(deferralUntil('hepatitis', '2023-06-14')).toBeNull()
  })

  it('short interval: the day before the eligibility check says the donor may give', () => {
    const check = checkEligibility({
      sex: 'F',
      ageYears: 30,
      product: 'whole_blood',
      today: '2023-06-14',
      history: {
        lastDonationOn: '2023-03-01',
        lastDonationType: 'whole_blood',
        apheresisLast12Months: 0,
        deferredUntil: null,
        permanentlyDeferred: false,
        hadReaction: false,
        donationCount: 1,
      },
    })
    expect(check.nextEligibleOn).toBe('2023-09-01')
    const reason = suggestDeferralReason(check.failures[0]!)
    expect(reason).toBe('short_interval')
    expect(findDeferralReason(reason)?.from).toBe('next_eligible')
    expect(deferralUntil(reason, check.nextEligibleOn!)).toBe('2023-08-31')
  })

  it('refuses a code the catalogue does not hold', () => {
    expect(() => deferralUntil('no_such_reason', '2023-06-14')).toThrow(/unknown deferral reason/)
  })
})

describe('suggestDeferralReason', () => {
  it('maps every eligibility rule to a reason in the default catalogue', () => {
    for (const rule of ELIGIBILITY_RULES) {
      const code = suggestDeferralReason({ rule })
      expect(findDeferralReason(code), `${rule} -> ${code}`).toBeDefined()
    }
    expect(suggestDeferralReason({ rule: 'hb' })).toBe('low_hb')
    expect(suggestDeferralReason({ rule: 'pulse_pressure' })).toBe('blood_pressure')
    expect(suggestDeferralReason({ rule: 'temperature' })).toBe('cold_fever')
  })

  it("falls back to 'other' when a station's catalogue lacks the usual reason", () => {
    const catalogue: DeferralReason[] = [
      {
        code: 'other',
        zh: '其他',
        en: 'Other',
        duration: { days: 7 },
        from: 'today',
        category: 'other',
        source: 'local',
      },
    ]
    expect(suggestDeferralReason({ rule: 'hb' }, catalogue)).toBe('other')
  })
})

describe('a station-supplied catalogue', () => {
  const stationJson = JSON.stringify([
    { code: 'low_hb', zh: '血红蛋白偏低', en: 'Low haemoglobin', duration: { weeks: 2 }, from: 'today' },
    {
      code: 'tooth_extraction',
      zh: '拔牙',
      en: 'Tooth extraction',
      duration: { days: 14 },
      from: 'recovery',
      source: 'gb18467_2011',
    },
    { code: 'hepatitis', zh: '肝炎', en: 'Hepatitis', duration: 'permanent', from: 'today', category: 'history' },
    { code: 'other', zh: '其他', en: 'Other', duration: { days: 7 }, from: 'today' },
  ])

  it('replaces the defaults as data', () => {
    const catalogue = v.parse(DeferralCatalogueSchema, JSON.parse(stationJson))
    expect(catalogue[0]).toMatchObject({ category: 'other', source: 'local' })
    expect(deferralUntil('tooth_extraction', '2023-06-01', catalogue)).toBe('2023-06-14')
    expect(deferralUntil('low_hb', '2023-06-01', catalogue)).toBe('2023-06-14')
    expect(deferralUntil('hepatitis', '2023-06-01', catalogue)).toBeNull()
    expect(() => deferralUntil('tattoo', '2023-06-01', catalogue)).toThrow(RangeError)
    expect(suggestDeferralReason({ rule: 'hb' }, catalogue)).toBe('low_hb')
  })

  it('is refused when malformed', () => {
    const base = JSON.parse(stationJson) as unknown[]
    const bad: unknown[] = [
      [],
      [...base, base[0]], // duplicate code
      base.slice(0, 3), // no 'other'
      [...base, { code: 'Tattoo', zh: '纹身', en: 'Tattoo', duration: { years: 1 }, from: 'recovery' }],
      [...base, { code: 'tattoo', zh: '纹身', en: 'Tattoo', duration: { years: 1, months: 2 }, from: 'recovery' }],
      [...base, { code: 'tattoo', zh: '纹身', en: 'Tattoo', duration: { years: -1 }, from: 'recovery' }],
      [...base, { code: 'tattoo', zh: '纹身', en: 'Tattoo', duration: 'forever', from: 'recovery' }],
      [...base, { code: 'tattoo', zh: '', en: 'Tattoo', duration: { years: 1 }, from: 'recovery' }],
      [...base, { code: 'tattoo', zh: '纹身', en: 'Tattoo', duration: { years: 1 }, from: 'yesterday' }],
    ]
    for (const catalogue of bad)
      expect(v.is(DeferralCatalogueSchema, catalogue), JSON.stringify(catalogue).slice(-120)).toBe(false)
  })

  it('computes with a reason object directly', () => {
    expect(deferralUntilFor({ duration: { months: 1 } }, '2023-01-31')).toBe('2023-02-27')
    expect(deferralUntilFor({ duration: 'permanent' }, '2023-01-31')).toBeNull()
  })
})
