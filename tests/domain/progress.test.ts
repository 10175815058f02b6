import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateSeedYear } from '../../src/domain/generator/seed-year'
import {
  collectionDate,
  countRecords,
  effectiveRecords,
  emptyCounts,
  type IndicatorCounts,
  roundTo,
} from '../../src/domain/indicators'
import { indicatorContextFor } from '../../src/domain/reference-data'
import { computeProgress, metricActual, paceFraction, paceVolume } from '../../src/domain/progress'
import type { Target } from '../../src/domain/records'
import { periodFor } from '../../src/domain/targets'

type TargetPart = Pick<Target, 'period' | 'metric' | 'comparison' | 'value'>
const june = periodFor('month', '2023-06-01') // 30 days
const year2023 = periodFor('year', '2023-01-01') // 365 days

function t(over: Partial<TargetPart>): TargetPart {
  return { period: june, metric: 'donations', comparison: '>=', value: 9000, ...over }
}

describe('pace', () => {
  it('is linear by elapsed days, asOf included, clamped to the period', () => {
    expect(paceFraction(june, '2023-05-31')).toBe(0)
    expect(paceFraction(june, '2023-06-01')).toBe(1 / 30)
    expect(paceFraction(june, '2023-06-20')).toBe(20 / 30)
    expect(paceFraction(june, '2023-06-30')).toBe(1)
    expect(paceFraction(june, '2024-01-01')).toBe(1)
  })

  it("follows last year's months when given", () => {
    // Q2 2023 (91 days). Last year: April 3,000, May 3,100, June 6,000 -> 100, 100 and 200 a day.
    // Weight of the quarter = 3,000 + 3,100 + 6,000 = 12,100; by 31 May 3,000 + 3,100 = 6,100.
    const q2 = periodFor('quarter', '2023-04-01')
    const history = [0, 0, 0, 3000, 3100, 6000, 0, 0, 0, 0, 0, 0]
    expect(paceFraction(q2, '2023-05-31', history)).toBeCloseTo(6100 / 12100, 12)
    // 10 June: + 10 days × 200 = 8,100.
    expect(paceFraction(q2, '2023-06-10', history)).toBeCloseTo(8100 / 12100, 12)
    // Linear would say 61 / 91.
    expect(paceFraction(q2, '2023-05-31')).toBeCloseTo(61 / 91, 12)
    // A history that gives the period no weight, or is malformed, falls back to linear.
    expect(paceFraction(q2, '2023-05-31', new Array(12).fill(0))).toBeCloseTo(61 / 91, 12)
    expect(paceFraction(q2, '2023-05-31', [1, 2, 3])).toBeCloseTo(61 / 91, 12)
  })

  it('is the same for a custom period across a year end, month by month', () => {
    // 2023-12-17 … 2024-01-15: 15 December days and 15 January days. Last year December 3,100
    // (100 a day), January 6,200 (200 a day): weight 1,500 + 3,000 = 4,500.
    const p = { kind: 'custom' as const, start: '2023-12-17', end: '2024-01-15' }
    const history = [6200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3100]
    expect(paceFraction(p, '2023-12-31', history)).toBeCloseTo(1500 / 4500, 12)
    expect(paceFraction(p, '2024-01-05', history)).toBeCloseTo((1500 + 1000) / 4500, 12)
  })

  it('never decreases as days pass and ends at 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(10_000), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 0, max: 364 }),
        (history, day) => {
          const a = new Date(Date.UTC(2023, 0, 1 + day)).toISOString().slice(0, 10)
          const b = new Date(Date.UTC(2023, 0, 2 + day)).toISOString().slice(0, 10)
          const fa = paceFraction(year2023, a, history)
          expect(fa).toBeGreaterThanOrEqual(0)
          expect(paceFraction(year2023, b, history)).toBeGreaterThanOrEqual(fa - 1e-12)
          expect(paceFraction(year2023, '2023-12-31', history)).toBeCloseTo(1, 12)
        },
      ),
    )
  })
})

describe('progress of a count target', () => {
  it('compares with the linear pace and says what remains', () => {
    // University donations ≥ 9,000 in June; 20 June: expected 9,000 × 20/30 = 6,000.
    const p = computeProgress({ target: t({}), actual: { kind: 'count', value: 5800 }, asOf: '2023-06-20' })
    expect(p.expectedByNow).toBe(6000)
    // Band ±5 %: 5,700 … 6,300; 5,800 is inside.
    expect(p.status).toBe('on_track')
    expect(p.percentOfTarget).toBeCloseTo((5800 / 9000) * 100, 10)
    expect(p.remaining).toBe(3200)
    // 3,200 over the 10 days left = 320 a day; the pace projects 5,800 × 30/20 = 8,700.
    expect(p.remainingDays).toBe(10)
    expect(p.perDayNeeded).toBe(320)
    expect(p.projected).toBeCloseTo(8700, 9)
    expect(p.met).toBe(false)
    expect(p.forShares).toBeNull()
    expect(computeProgress({ target: t({}), actual: { kind: 'count', value: 5699 }, asOf: '2023-06-20' }).status).toBe(
      'behind',
    )
    expect(computeProgress({ target: t({}), actual: { kind: 'count', value: 6301 }, asOf: '2023-06-20' }).status).toBe(
      'ahead',
    )
    expect(computeProgress({ target: t({}), actual: { kind: 'count', value: 6300 }, asOf: '2023-06-20' }).status).toBe(
      'on_track',
    )
  })

  it('is behind once the period is over and the target is not met, even within the band', () => {
    // 8,800 of 9,000 is within 5 % of the target, but June is over.
    const over = computeProgress({ target: t({}), actual: { kind: 'count', value: 8800 }, asOf: '2023-06-30' })
    expect(over.remainingDays).toBe(0)
    expect(over.status).toBe('behind')
    expect(computeProgress({ target: t({}), actual: { kind: 'count', value: 8800 }, asOf: '2023-06-29' }).status).toBe(
      'on_track',
    )
    expect(computeProgress({ target: t({}), actual: { kind: 'count', value: 9000 }, asOf: '2023-06-30' }).status).toBe(
      'on_track',
    )
  })

  it('takes a configurable band', () => {
    // ±10 %: 5,400 … 6,600.
    const p = computeProgress({
      target: t({}),
      actual: { kind: 'count', value: 5500 },
      asOf: '2023-06-20',
      tolerance: 0.1,
    })
    expect(p.status).toBe('on_track')
    expect(
      computeProgress({ target: t({}), actual: { kind: 'count', value: 5500 }, asOf: '2023-06-20', tolerance: 0 })
        .status,
    ).toBe('behind')
  })

  it("uses the seasonal pace when last year's months are given", () => {
    // Q2 target 24,200. By 31 May: seasonal 24,200 × 6,100/12,100 = 12,200; linear 24,200 × 61/91 ≈ 16,222.
    const q2 = periodFor('quarter', '2023-04-01')
    const history = [0, 0, 0, 3000, 3100, 6000, 0, 0, 0, 0, 0, 0]
    const target = t({ period: q2, value: 24200 })
    const seasonal = computeProgress({ target, actual: { kind: 'count', value: 12500 }, asOf: '2023-05-31', history })
    expect(seasonal.expectedByNow).toBeCloseTo(12200, 9)
    expect(seasonal.status).toBe('on_track') // 11,590 … 12,810
    // At that pace the quarter ends at 12,500 × 12,100/6,100 ≈ 24,795.
    expect(seasonal.projected).toBeCloseTo((12500 * 12100) / 6100, 6)
    const linear = computeProgress({ target, actual: { kind: 'count', value: 12500 }, asOf: '2023-05-31' })
    expect(linear.expectedByNow).toBeCloseTo((24200 * 61) / 91, 9)
    expect(linear.status).toBe('behind')
  })

  it('inverts the status for a ≤ target', () => {
    // Bus trips ≤ 70 in June; by 20 June expected 70 × 20/30 ≈ 46.67, band 44.33 … 49.
    const target = t({ metric: 'bus_trips', comparison: '<=', value: 70 })
    expect(computeProgress({ target, actual: { kind: 'count', value: 40 }, asOf: '2023-06-20' }).status).toBe('ahead')
    expect(computeProgress({ target, actual: { kind: 'count', value: 47 }, asOf: '2023-06-20' }).status).toBe(
      'on_track',
    )
    const over = computeProgress({ target, actual: { kind: 'count', value: 55 }, asOf: '2023-06-20' })
    expect(over.status).toBe('behind')
    expect(over.met).toBe(true) // still ≤ 70 today
    expect(over.remaining).toBe(15) // headroom
    expect(over.perDayNeeded).toBeNull()
  })

  it('is on track with nothing expected before the period starts, and has no projection', () => {
    const p = computeProgress({ target: t({}), actual: { kind: 'count', value: 0 }, asOf: '2023-05-20' })
    expect(p.elapsedDays).toBe(0)
    expect(p.expectedByNow).toBe(0)
    expect(p.status).toBe('on_track')
    expect(p.projected).toBeNull()
    expect(p.perDayNeeded).toBe(300) // 9,000 over 30 days
  })

  it('refuses an actual of the wrong kind', () => {
    expect(() =>
      computeProgress({ target: t({}), actual: { kind: 'share', part: 1, whole: 2 }, asOf: '2023-06-20' }),
    ).toThrow(TypeError)
  })
})

describe('progress of a share target', () => {
  const rural = t({ metric: 'rural_mobile_share', value: 32 })

  it("says how many more rural-bus donations keep the share at 32 % (the brief's example)", () => {
    // 20 of June's 30 days gone; 6,000 whole-blood donations, 2,568 of them on rural buses (42.8 %).
    // T = 6,000 ÷ (20/30) = 9,000; ceil(0.32 × 9,000) = 2,880; 2,880 − 2,568 = 312.
    // Remaining volume 9,000 − 6,000 = 3,000 ≥ 312: reachable; 312 over 10 days = 31.2 a day.
    const p = computeProgress({ target: rural, actual: { kind: 'share', part: 2568, whole: 6000 }, asOf: '2023-06-20' })
    expect(p.actual).toBeCloseTo(42.8, 10)
    expect(p.forShares).toEqual({
      part: 2568,
      whole: 6000,
      projectedTotal: 9000,
      remainingVolume: 3000,
      needed: 312,
      allowed: null,
      reachable: true,
      perDay: 31.2,
    })
    // A share is expected at its target all along; 42.8 > 32 × 1.05 = 33.6.
    expect(p.expectedByNow).toBe(32)
    expect(p.status).toBe('ahead')
    expect(p.met).toBe(true)
  })

  it('says when the target share is out of reach at the current volume', () => {
    // 15 of 30 days, 3,000 whole-blood donations, 600 rural (20 %). T = 6,000; ceil(0.32 × 6,000) = 1,920;
    // needed 1,320 of the 3,000 still to come: reachable. With 200 rural: 1,720 needed, still reachable.
    const a = computeProgress({ target: rural, actual: { kind: 'share', part: 600, whole: 3000 }, asOf: '2023-06-15' })
    expect(a.forShares).toMatchObject({ projectedTotal: 6000, needed: 1320, reachable: true })
    expect(a.status).toBe('behind') // 20 < 32 × 0.95 = 30.4
    // 27 of 30 days, 9,000 donations, 2,000 rural. T = round(9,000 × 30/27) = 10,000; ceil(3,200) − 2,000 = 1,200
    // more rural donations, but only 1,000 donations are still to come: not reachable.
    const b = computeProgress({ target: rural, actual: { kind: 'share', part: 2000, whole: 9000 }, asOf: '2023-06-27' })
    expect(b.forShares).toMatchObject({ projectedTotal: 10000, remainingVolume: 1000, needed: 1200, reachable: false })
  })

  it('rounds the projected total and the needed count up correctly', () => {
    // 7 of 30 days, 1,001 donations, 300 rural. T = round(1,001 × 30/7) = round(4,290) = 4,290;
    // 0.32 × 4,290 = 1,372.8 → 1,373; needed 1,073.
    const p = computeProgress({ target: rural, actual: { kind: 'share', part: 300, whole: 1001 }, asOf: '2023-06-07' })
    expect(p.forShares).toMatchObject({ projectedTotal: 4290, needed: 1073 })
    // 7 % of 100 is 7.000000000000001 in binary floating point; the needed count must be 7, not 8.
    // 15 of 30 days, 50 donations, none rural: T = 100, needed = 7.
    expect(0.07 * 100).not.toBe(7)
    const tiny = computeProgress({
      target: t({ metric: 'rural_mobile_share', value: 7 }),
      actual: { kind: 'share', part: 0, whole: 50 },
      asOf: '2023-06-15',
    })
    expect(tiny.forShares).toMatchObject({ projectedTotal: 100, needed: 7 })
  })

  it('needs nothing when the share is already above target, and at period end counts only what is', () => {
    const end = computeProgress({
      target: rural,
      actual: { kind: 'share', part: 2700, whole: 9000 },
      asOf: '2023-06-30',
    })
    // T = 9,000, ceil(2,880) − 2,700 = 180 with no volume left.
    expect(end.forShares).toMatchObject({
      projectedTotal: 9000,
      remainingVolume: 0,
      needed: 180,
      reachable: false,
      perDay: null,
    })
    expect(end.met).toBe(false)
    const above = computeProgress({
      target: rural,
      actual: { kind: 'share', part: 3000, whole: 9000 },
      asOf: '2023-06-30',
    })
    expect(above.forShares).toMatchObject({ needed: 0, reachable: true })
  })

  it('caps a ≤ share: how many more deferrals keep the deferral rate at or under 8 %', () => {
    // 10 of 30 days: 1,000 donors seen (donations + deferrals), 70 deferred (7 %).
    // T = 1,000 × 3 = 3,000; floor(0.08 × 3,000) = 240; 240 − 70 = 170 more deferrals allowed.
    const cap = t({ metric: 'deferral_rate', comparison: '<=', value: 8 })
    const p = computeProgress({ target: cap, actual: { kind: 'share', part: 70, whole: 1000 }, asOf: '2023-06-10' })
    expect(p.forShares).toMatchObject({
      projectedTotal: 3000,
      needed: null,
      allowed: 170,
      reachable: true,
      perDay: 8.5,
    })
    // 7 % is under the band's low edge 8 × 0.95 = 7.6: ahead.
    expect(p.status).toBe('ahead')
    // 9 % so far is over the band's high edge 8.4: behind, though 150 more deferrals would still fit under 240.
    const q = computeProgress({ target: cap, actual: { kind: 'share', part: 90, whole: 1000 }, asOf: '2023-06-10' })
    expect(q.status).toBe('behind')
    expect(q.forShares).toMatchObject({ allowed: 150, reachable: true })
    // 250 deferred already: 250 > 240, out of reach at this volume.
    const r = computeProgress({ target: cap, actual: { kind: 'share', part: 250, whole: 1000 }, asOf: '2023-06-10' })
    expect(r.forShares).toMatchObject({ allowed: 0, reachable: false })
  })

  it('uses the seasonal pace for the projected total', () => {
    // Q2 with last year's April 3,000 / May 3,100 / June 6,000: by 31 May f = 6,100/12,100.
    // 6,100 whole-blood donations so far → T = 12,100; ceil(0.32 × 12,100) = 3,872; 1,872 rural → 2,000 more.
    const q2 = t({ period: periodFor('quarter', '2023-04-01'), metric: 'rural_mobile_share', value: 32 })
    const p = computeProgress({
      target: q2,
      actual: { kind: 'share', part: 1872, whole: 6100 },
      asOf: '2023-05-31',
      history: [0, 0, 0, 3000, 3100, 6000, 0, 0, 0, 0, 0, 0],
    })
    expect(p.forShares).toMatchObject({ projectedTotal: 12100, remainingVolume: 6000, needed: 2000, reachable: true })
  })

  it('has no outlook before any donation, and is behind only once days have passed', () => {
    const before = computeProgress({ target: rural, actual: { kind: 'share', part: 0, whole: 0 }, asOf: '2023-05-31' })
    expect(before.forShares).toMatchObject({ projectedTotal: null, needed: null, reachable: null })
    expect(before.status).toBe('on_track')
    const none = computeProgress({ target: rural, actual: { kind: 'share', part: 0, whole: 0 }, asOf: '2023-06-05' })
    expect(none.status).toBe('behind')
    expect(none.met).toBe(false)
  })

  it('never asks for more than it takes: after adding `needed` of the kind the projected share reaches the target', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 100 }),
        (whole, partPct, day, value) => {
          const part = Math.floor((whole * partPct) / 100)
          const p = computeProgress({
            target: t({ metric: 'rural_mobile_share', value }),
            actual: { kind: 'share', part, whole },
            asOf: `2023-06-${String(day).padStart(2, '0')}`,
          })
          const { needed, projectedTotal } = p.forShares!
          const T = projectedTotal!
          expect(needed).toBeGreaterThanOrEqual(0)
          if (needed! > 0) {
            // part + needed reaches s × T; one fewer does not.
            expect((part + needed!) * 100).toBeGreaterThanOrEqual(value * T - 1e-6)
            expect((part + needed! - 1) * 100).toBeLessThan(value * T)
          }
        },
      ),
    )
  })
})

describe('actuals from indicator counts', () => {
  function counts(over: Partial<IndicatorCounts>): IndicatorCounts {
    return { ...emptyCounts(), ...over }
  }

  it('reads each metric as a count or as a share of its whole', () => {
    const c = counts({
      donations: 1000,
      wholeBloodDonations: 900,
      wholeBlood400: 880,
      apheresisDonations: 100,
      apheresisDoses: 150,
      ruralMobileWholeBlood: 300,
      ruralDonorDonations: 700,
      repeatDonorDonations: 650,
      deferrals: 50,
      busTrips: 12,
      rhdNegativeDonations: 4,
    })
    expect(metricActual('donations', c)).toEqual({ kind: 'count', value: 1000 })
    expect(metricActual('bus_trips', c)).toEqual({ kind: 'count', value: 12 })
    expect(metricActual('rate_400ml', c)).toEqual({ kind: 'share', part: 880, whole: 900 })
    expect(metricActual('rural_mobile_share', c)).toEqual({ kind: 'share', part: 300, whole: 900 })
    expect(metricActual('rural_donor_share', c)).toEqual({ kind: 'share', part: 700, whole: 1000 })
    expect(metricActual('repeat_donor_share', c)).toEqual({ kind: 'share', part: 650, whole: 1000 })
    expect(metricActual('deferral_rate', c)).toEqual({ kind: 'share', part: 50, whole: 1050 })
    // 1,000 donations ÷ 80,000 people × 1000 = 12.5; no population, no rate.
    expect(metricActual('per_1000', c, 80_000)).toEqual({ kind: 'count', value: 12.5 })
    expect(metricActual('per_1000', c)).toBeNull()
    expect(paceVolume('rural_mobile_share', c)).toBe(900)
    expect(paceVolume('per_1000', c)).toBe(1000)
    expect(paceVolume('apheresis_doses', c)).toBe(150)
    // computeProgress takes the counts directly.
    const p = computeProgress({ target: t({ metric: 'rural_mobile_share', value: 32 }), actual: c, asOf: '2023-06-30' })
    expect(p.actual).toBeCloseTo(100 / 3, 10)
    expect(() =>
      computeProgress({ target: t({ metric: 'per_1000', value: 13 }), actual: c, asOf: '2023-06-30' }),
    ).toThrow(/population/)
  })
})

describe('the Luoyang 2023 seed year', () => {
  // Counts per month of the effective records, and of the year, as the dashboard gets them.
  let year: IndicatorCounts
  let months: IndicatorCounts[]
  let population: number | null
  beforeAll(() => {
    const seed = generateSeedYear({ profile: 'luoyang-2023', seed: 2023 })
    const ctx = indicatorContextFor(seed.reference, 2023)
    population = ctx.population ?? null
    const effective = effectiveRecords(seed.records)
    year = countRecords(effective, ctx)
    months = Array.from({ length: 12 }, (_, i) =>
      countRecords(
        effective.filter((r) => {
          const d = collectionDate(r)
          return d !== null && Number(d.slice(5, 7)) === i + 1
        }),
        ctx,
      ),
    )
  }, 120_000)

  it('meets a 32 % rural-mobile share target for 2023 with 32.59 %', () => {
    const target: TargetPart = { period: year2023, metric: 'rural_mobile_share', comparison: '>=', value: 32 }
    const p = computeProgress({ target, actual: year, asOf: '2023-12-31' })
    // 27,577 ÷ 84,609 = 32.593 %.
    expect(p.forShares).toMatchObject({
      part: 27_577,
      whole: 84_609,
      projectedTotal: 84_609,
      remainingVolume: 0,
      needed: 0,
      reachable: true,
    })
    expect(roundTo(p.actual, 2)).toBe(32.59)
    expect(p.met).toBe(true)
    expect(p.status).toBe('on_track') // 32.59 is within 32 × (1 ± 5 %)
    // A 33 % target would have been missed by ceil(0.33 × 84,609) − 27,577 = 27,921 − 27,577 = 344 donations.
    const missed = computeProgress({ target: { ...target, value: 33 }, actual: year, asOf: '2023-12-31' })
    expect(missed.met).toBe(false)
    expect(missed.forShares!.needed).toBe(344)
  })

  it('reaches the published counts and rates as targets', () => {
    const at = (metric: TargetPart['metric'], value: number) =>
      computeProgress({
        target: { period: year2023, metric, comparison: '>=', value },
        actual: year,
        asOf: '2023-12-31',
        population,
      })
    expect(at('donations', 93_560)).toMatchObject({ actual: 93_560, met: true, percentOfTarget: 100, remaining: 0 })
    expect(at('whole_blood_units', 169_002)).toMatchObject({ actual: 169_002, met: true })
    expect(roundTo(at('rate_400ml', 99.5).actual, 2)).toBe(99.73)
    expect(roundTo(at('repeat_donor_share', 67).actual, 2)).toBe(67.08)
    expect(roundTo(at('per_1000', 13).actual, 2)).toBe(13.22)
    expect(at('bus_trips', 787).met).toBe(true)
  })

  it("paces mid-year by last year's months: with the seed's own months as history the expected count is the actual", () => {
    // History = donations per month of the seed year; by 30 June the seasonal pace expects exactly
    // the donations of January to June, so the year's own counts are on track to the donation.
    const history = months.map((m) => paceVolume('donations', m))
    const h1 = months.slice(0, 6).reduce((s, m) => s + m.donations, 0)
    const target: TargetPart = { period: year2023, metric: 'donations', comparison: '>=', value: 93_560 }
    const p = computeProgress({ target, actual: { kind: 'count', value: h1 }, asOf: '2023-06-30', history })
    expect(p.expectedByNow).toBeCloseTo(h1, 6)
    expect(p.projected).toBeCloseTo(93_560, 6)
    expect(p.status).toBe('on_track')
    // June's campaign (9,691) makes June the busiest month, so the seasonal pace by 31 May expects less than the linear one.
    const may = computeProgress({
      target,
      actual: { kind: 'count', value: h1 - months[5]!.donations },
      asOf: '2023-05-31',
      history,
    })
    const linear = computeProgress({
      target,
      actual: { kind: 'count', value: h1 - months[5]!.donations },
      asOf: '2023-05-31',
    })
    expect(months[5]!.donations).toBe(9_691)
    expect(may.expectedByNow).toBeCloseTo(h1 - 9_691, 6)
    expect(may.expectedByNow).toBeLessThan(linear.expectedByNow)
  })

  it('tells mid-year how many rural-bus donations keep the share at 32 %', () => {
    // As of 30 June with last year's (= the seed's) whole-blood months as history: T is the year's
    // 84,609 whole-blood donations, so needed = ceil(0.32 × 84,609) − rural so far = 27,075 − rural.
    const h1 = months
      .slice(0, 6)
      .reduce((s, m) => ({ part: s.part + m.ruralMobileWholeBlood, whole: s.whole + m.wholeBloodDonations }), {
        part: 0,
        whole: 0,
      })
    const history = months.map((m) => paceVolume('rural_mobile_share', m))
    const p = computeProgress({
      target: { period: year2023, metric: 'rural_mobile_share', comparison: '>=', value: 32 },
      actual: { kind: 'share', ...h1 },
      asOf: '2023-06-30',
      history,
    })
    expect(p.forShares!.projectedTotal).toBe(84_609)
    expect(p.forShares!.needed).toBe(Math.max(0, 27_075 - h1.part))
    expect(p.forShares!.reachable).toBe(true)
  })
})
