import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addYears, daysBetween } from '../../src/domain/dates'
import type { Target } from '../../src/domain/records'
import { copyPlanToYear, periodDays, periodFor, periodMatchesKind, validateTarget } from '../../src/domain/targets'

const STATION = '018f0000-0000-7000-8000-000000000001'
const RURAL = '018f0000-0000-7000-8000-0000000000a1'
const UNI = '018f0000-0000-7000-8000-0000000000a2'
const SITE = '018f0000-0000-7000-8000-0000000000b1'
const TEAM = '018f0000-0000-7000-8000-0000000000c1'
const reference = { channels: [{ id: RURAL }, { id: UNI }], sites: [{ id: SITE }], teams: [{ id: TEAM }] }

let n = 0
function id(): string {
  n += 1
  return `018f0000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`
}

function target(over: Partial<Target> = {}): Target {
  return {
    id: id(),
    stationId: STATION,
    period: { kind: 'year', start: '2024-01-01', end: '2024-12-31' },
    scope: { kind: 'channel', id: RURAL },
    metric: 'rural_mobile_share',
    comparison: '>=',
    value: 32,
    ...over,
  }
}

function codes(input: unknown, existing: Target[] = []): string[] {
  const r = validateTarget(input, existing, reference)
  return r.ok ? [] : r.errors.map((e) => `${e.field}:${e.code}`)
}

describe('calendar periods', () => {
  it('finds the month, quarter and year that contain a date', () => {
    expect(periodFor('month', '2024-02-10')).toEqual({ kind: 'month', start: '2024-02-01', end: '2024-02-29' })
    expect(periodFor('month', '2023-02-28')).toEqual({ kind: 'month', start: '2023-02-01', end: '2023-02-28' })
    expect(periodFor('month', '2023-12-31')).toEqual({ kind: 'month', start: '2023-12-01', end: '2023-12-31' })
    expect(periodFor('quarter', '2023-05-15')).toEqual({ kind: 'quarter', start: '2023-04-01', end: '2023-06-30' })
    expect(periodFor('quarter', '2023-01-01')).toEqual({ kind: 'quarter', start: '2023-01-01', end: '2023-03-31' })
    expect(periodFor('quarter', '2023-12-31')).toEqual({ kind: 'quarter', start: '2023-10-01', end: '2023-12-31' })
    expect(periodFor('year', '2023-07-04')).toEqual({ kind: 'year', start: '2023-01-01', end: '2023-12-31' })
  })

  it('counts days with both ends included, across leap years', () => {
    expect(periodDays(periodFor('year', '2023-03-01'))).toBe(365)
    expect(periodDays(periodFor('year', '2024-03-01'))).toBe(366)
    expect(periodDays(periodFor('quarter', '2024-02-01'))).toBe(31 + 29 + 31)
    expect(daysBetween('2023-12-31', '2024-01-01')).toBe(1)
  })

  it('every date lies in the month, quarter and year periodFor gives, and those match their kind', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString().slice(0, 10)
        for (const kind of ['month', 'quarter', 'year'] as const) {
          const p = periodFor(kind, iso)
          expect(p.start <= iso && iso <= p.end).toBe(true)
          expect(periodMatchesKind(p)).toBe(true)
        }
      }),
    )
  })
})

describe('validateTarget', () => {
  it('accepts a well-formed target and returns it parsed', () => {
    const t = target()
    expect(validateTarget(t, [], reference)).toEqual({ ok: true, target: t })
  })

  it('says a share above 100% or below 0% is out of range, once', () => {
    expect(codes(target({ value: 101 }))).toEqual(['value:share_out_of_range'])
    expect(codes(target({ value: -1 }))).toEqual(['value:share_out_of_range'])
    expect(codes(target({ value: 100 }))).toEqual([])
    const r = validateTarget(target({ value: 120 }), [], reference)
    expect(r.ok ? null : r.errors[0]!.params).toEqual({ value: 120, min: 0, max: 100 })
  })

  it('lets counts exceed 100 but not go negative or be fractional', () => {
    const count = { scope: { kind: 'channel' as const, id: UNI }, metric: 'donations' as const }
    expect(codes(target({ ...count, value: 10258 }))).toEqual([])
    expect(codes(target({ ...count, value: -5 }))).toEqual(['value:negative'])
    expect(codes(target({ ...count, value: 10.5 }))).toEqual(['value:count_not_integer'])
    // Units may be halves (300 ml = 1.5 u).
    expect(codes(target({ ...count, metric: 'whole_blood_units', value: 169002.5 }))).toEqual([])
  })

  it('refuses a period that ends before it starts', () => {
    expect(codes(target({ period: { kind: 'custom', start: '2024-03-10', end: '2024-03-01' } }))).toEqual([
      'period.end:period_reversed',
    ])
  })

  it('requires month, quarter and year periods to be those calendar periods', () => {
    expect(codes(target({ period: { kind: 'month', start: '2024-02-01', end: '2024-02-29' } }))).toEqual([])
    expect(codes(target({ period: { kind: 'month', start: '2024-02-01', end: '2024-02-28' } }))).toEqual([
      'period:period_not_calendar',
    ])
    expect(codes(target({ period: { kind: 'month', start: '2024-02-02', end: '2024-03-01' } }))).toEqual([
      'period:period_not_calendar',
    ])
    expect(codes(target({ period: { kind: 'quarter', start: '2024-04-01', end: '2024-06-30' } }))).toEqual([])
    expect(codes(target({ period: { kind: 'quarter', start: '2024-02-01', end: '2024-04-30' } }))).toEqual([
      'period:period_not_calendar',
    ])
    expect(codes(target({ period: { kind: 'year', start: '2024-01-01', end: '2024-12-30' } }))).toEqual([
      'period:period_not_calendar',
    ])
    expect(codes(target({ period: { kind: 'custom', start: '2024-02-02', end: '2024-03-01' } }))).toEqual([])
    const r = validateTarget(
      target({ period: { kind: 'month', start: '2024-02-01', end: '2024-02-28' } }),
      [],
      reference,
    )
    // The message can offer the calendar month the manager probably meant.
    expect(r.ok ? null : r.errors[0]!.params).toEqual({ kind: 'month', start: '2024-02-01', end: '2024-02-29' })
  })

  it('requires the scope id to be a channel, site or team of the station', () => {
    expect(codes(target({ scope: { kind: 'channel', id: SITE } }))).toEqual(['scope.id:scope_unknown'])
    expect(codes(target({ scope: { kind: 'site', id: SITE }, metric: 'donations', value: 100 }))).toEqual([])
    expect(codes(target({ scope: { kind: 'team', id: TEAM }, metric: 'donations', value: 100 }))).toEqual([])
    expect(codes(target({ scope: { kind: 'team', id: null }, metric: 'donations', value: 100 }))).toEqual([
      'scope.id:scope_id_required',
    ])
    expect(codes(target({ scope: { kind: 'station', id: RURAL } }))).toEqual(['scope.id:scope_id_forbidden'])
    expect(codes(target({ scope: { kind: 'station', id: null } }))).toEqual([])
    // Drives are not in the reference here, so a drive id is not checked.
    expect(codes(target({ scope: { kind: 'drive', id: id() }, metric: 'donations', value: 60 }))).toEqual([])
  })

  it('keeps the per-1,000 rate at station scope', () => {
    expect(codes(target({ scope: { kind: 'station', id: null }, metric: 'per_1000', value: 13.5 }))).toEqual([])
    expect(codes(target({ metric: 'per_1000', value: 13.5 }))).toEqual(['scope.kind:metric_needs_station_scope'])
  })

  it('refuses an overlapping duplicate, but not the same target edited, a monthly breakdown or a band', () => {
    const year = target()
    expect(codes(target(), [year])).toEqual(['period:overlapping_duplicate'])
    // Editing the existing target itself.
    expect(codes({ ...year, value: 33 }, [year])).toEqual([])
    // A month of the same metric under the year's plan.
    expect(codes(target({ period: periodFor('month', '2024-06-01') }), [year])).toEqual([])
    // ≥ 30 and ≤ 35 on the same metric: a band.
    expect(codes(target({ comparison: '<=', value: 35 }), [year])).toEqual([])
    // Another channel, another metric, another year, another station.
    expect(codes(target({ scope: { kind: 'channel', id: UNI } }), [year])).toEqual([])
    expect(codes(target({ metric: 'rate_400ml', value: 99 }), [year])).toEqual([])
    expect(codes(target({ period: periodFor('year', '2025-01-01') }), [year])).toEqual([])
    expect(codes(target({ stationId: id() }), [year])).toEqual([])
    // Custom periods overlap each other by dates, and a custom period equal to a calendar one clashes.
    const campaign = target({ period: { kind: 'custom', start: '2024-06-01', end: '2024-06-20' } })
    expect(codes(target({ period: { kind: 'custom', start: '2024-06-20', end: '2024-07-10' } }), [campaign])).toEqual([
      'period:overlapping_duplicate',
    ])
    expect(codes(target({ period: { kind: 'custom', start: '2024-06-21', end: '2024-07-10' } }), [campaign])).toEqual(
      [],
    )
    expect(codes(target({ period: { kind: 'custom', start: '2024-01-01', end: '2024-12-31' } }), [year])).toEqual([
      'period:overlapping_duplicate',
    ])
    const r = validateTarget(target(), [year], reference)
    expect(r.ok ? null : r.errors[0]!.params).toMatchObject({ id: year.id, start: '2024-01-01', value: 32 })
  })

  it('reports broken fields by path with stable codes and changes nothing', () => {
    const input = { ...target(), metric: 'happiness', comparison: '>', value: 'lots', id: 'x' }
    const before = structuredClone(input)
    expect(codes(input).sort()).toEqual(['comparison:not_allowed', 'id:invalid', 'metric:not_allowed', 'value:invalid'])
    expect(input).toEqual(before)
    const { period: _p, ...noPeriod } = target()
    expect(codes(noPeriod)).toEqual(['period:required'])
    expect(codes({ ...target(), period: { kind: 'month', start: '2023-02-29', end: '2023-03-31' } })).toEqual([
      'period.start:invalid',
    ])
    expect(codes(null)).toEqual([':invalid'])
  })
})

describe('copyPlanToYear', () => {
  it("shifts last year's periods a year with new ids, handling February", () => {
    const plan = [
      target({ period: periodFor('year', '2023-01-01'), value: 32 }),
      target({ period: periodFor('month', '2023-02-01'), metric: 'donations', value: 7000 }),
      target({ period: periodFor('quarter', '2023-01-01'), metric: 'donations', value: 22000 }),
      target({ period: { kind: 'custom', start: '2023-06-01', end: '2023-06-30' }, metric: 'donations', value: 9691 }),
      target({ period: periodFor('year', '2022-01-01') }), // another year: left alone
      target({
        period: periodFor('month', '2023-05-01'),
        scope: { kind: 'drive', id: id() },
        metric: 'donations',
        value: 60,
      }),
    ]
    const newIds: string[] = []
    const { targets, skipped } = copyPlanToYear(plan, 2023, 2024, () => {
      const x = id()
      newIds.push(x)
      return x
    })
    expect(targets.map((t) => [t.period.kind, t.period.start, t.period.end, t.value])).toEqual([
      ['year', '2024-01-01', '2024-12-31', 32],
      ['month', '2024-02-01', '2024-02-29', 7000],
      ['quarter', '2024-01-01', '2024-03-31', 22000],
      ['custom', '2024-06-01', '2024-06-30', 9691],
    ])
    expect(targets.map((t) => t.id)).toEqual(newIds)
    expect(targets.every((t) => !plan.some((p) => p.id === t.id))).toBe(true)
    expect(skipped.map((s) => s.reason)).toEqual(['drive_scope'])
    // The copies are valid against each other and against the old plan.
    for (const t of targets) expect(codes(t, [...plan, ...targets])).toEqual([])
  })

  it('moves a leap February back to 28 days, and a Feb 29 custom date to Feb 28', () => {
    const plan = [
      target({ period: periodFor('month', '2024-02-01'), metric: 'donations', value: 7000 }),
      target({ period: { kind: 'custom', start: '2024-02-29', end: '2024-03-15' }, metric: 'donations', value: 100 }),
    ]
    const { targets } = copyPlanToYear(plan, 2024, 2025, id)
    expect(targets.map((t) => [t.period.start, t.period.end])).toEqual([
      ['2025-02-01', '2025-02-28'],
      ['2025-02-28', '2025-03-15'],
    ])
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29')
  })
})
