import fc from 'fast-check'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import {
  addDays,
  addDuration,
  addMonths,
  addYears,
  daysBetween,
  formatIsoDate,
  isIsoDate,
  isoDateOf,
  parseIsoDate,
} from '../../src/domain/dates'
import { DurationSchema } from '../../src/domain/rule-schemas'

describe('ISO dates', () => {
  it('tells real calendar dates from impossible ones', () => {
    for (const ok of ['2023-06-14', '2024-02-29', '2000-02-29', '1949-12-31']) expect(isIsoDate(ok), ok).toBe(true)
    for (const bad of [
      '2023-02-29',
      '1900-02-29',
      '2023-13-01',
      '2023-04-31',
      '2023-00-10',
      '2023-6-14',
      '20230614',
      '',
    ]) {
      expect(isIsoDate(bad), bad).toBe(false)
    }
    expect(() => parseIsoDate('2023-02-30')).toThrow(RangeError)
    expect(formatIsoDate({ year: 987, month: 3, day: 4 })).toBe('0987-03-04')
  })

  it('adds days across months, years and leap days', () => {
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01')
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29')
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29')
    expect(daysBetween('2023-01-01', '2023-04-01')).toBe(90)
    expect(daysBetween('2023-04-01', '2023-01-01')).toBe(-90)
  })

  it('adds calendar months and years, clamping to the last day of a shorter month', () => {
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28')
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29')
    expect(addMonths('2023-08-31', 6)).toBe('2024-02-29')
    expect(addMonths('2023-11-15', 3)).toBe('2024-02-15')
    expect(addMonths('2023-03-31', -1)).toBe('2023-02-28')
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28')
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29')
    expect(addDuration('2023-06-14', { weeks: 2 })).toBe('2023-06-28')
  })

  it('keeps day arithmetic consistent: (d + n) − d = n (property)', () => {
    const day = fc
      .date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10))
    fc.assert(
      fc.property(day, fc.integer({ min: -20_000, max: 20_000 }), (d, n) => daysBetween(d, addDays(d, n)) === n),
    )
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 120 }), (d, n) => {
        const later = addMonths(d, n)
        return isIsoDate(later) && later >= d && Number(later.slice(8)) <= Number(d.slice(8))
      }),
    )
  })

  it('gives the calendar date of an instant in a time zone', () => {
    const instant = new Date('2023-06-14T17:30:00Z')
    expect(isoDateOf(instant, 'Asia/Shanghai')).toBe('2023-06-15')
    expect(isoDateOf(instant, 'UTC')).toBe('2023-06-14')
    expect(isIsoDate(isoDateOf())).toBe(true)
  })

  it('validates durations supplied as data: exactly one whole, non-negative unit', () => {
    expect(v.is(DurationSchema, { months: 6 })).toBe(true)
    expect(v.is(DurationSchema, { days: 0 })).toBe(true)
    expect(v.is(DurationSchema, { months: 6, days: 1 })).toBe(false)
    expect(v.is(DurationSchema, { days: 1.5 })).toBe(false)
    expect(v.is(DurationSchema, { years: -1 })).toBe(false)
    expect(v.is(DurationSchema, {})).toBe(false)
  })
})
