// Calendar dates as ISO 'YYYY-MM-DD' strings. Arithmetic runs on UTC midnights so no local time
// zone or DST can shift a day; ISO date strings also compare correctly as plain strings.

/** A span of time as the rules state it; months and years are calendar months and years. */
export type Duration = { days: number } | { weeks: number } | { months: number } | { years: number }

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DAY_MS = 86_400_000

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0
}

/** True for a real calendar date (rejects 2023-02-29, 2023-13-01…). */
export function isValidDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    year >= 1 &&
    year <= 9999 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  )
}

export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text)
  return m !== null && isValidDate(Number(m[1]), Number(m[2]), Number(m[3]))
}

export interface DateParts {
  year: number
  month: number
  day: number
}

export function parseIsoDate(text: string): DateParts {
  const m = ISO_DATE.exec(text)
  if (!m || !isValidDate(Number(m[1]), Number(m[2]), Number(m[3]))) throw new RangeError(`not a calendar date: ${text}`)
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }
}

export function formatIsoDate({ year, month, day }: DateParts): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

function toEpochDay(date: string): number {
  const { year, month, day } = parseIsoDate(date)
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day)
  return Math.round(d.getTime() / DAY_MS)
}

function fromEpochDay(epochDay: number): string {
  const d = new Date(epochDay * DAY_MS)
  return formatIsoDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() })
}

export function addDays(date: string, days: number): string {
  return fromEpochDay(toEpochDay(date) + days)
}

/**
 * Calendar months. A day that the target month lacks is clamped to its last day
 * (2023-08-31 + 6 months = 2024-02-29), as date-fns and java.time do.
 */
export function addMonths(date: string, months: number): string {
  const { year, month, day } = parseIsoDate(date)
  const index = year * 12 + (month - 1) + months
  const y = Math.floor(index / 12)
  const m = index - y * 12 + 1
  return formatIsoDate({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) })
}

/** Calendar years; 29 February becomes 28 February in a common year. */
export function addYears(date: string, years: number): string {
  return addMonths(date, years * 12)
}

export function addDuration(date: string, duration: Duration): string {
  if ('days' in duration) return addDays(date, duration.days)
  if ('weeks' in duration) return addDays(date, duration.weeks * 7)
  if ('months' in duration) return addMonths(date, duration.months)
  return addYears(date, duration.years)
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return toEpochDay(to) - toEpochDay(from)
}

export function maxDate(a: string, b: string): string {
  return a >= b ? a : b
}

/** The calendar date of an instant in an IANA time zone (default: the runtime's own zone). */
// Building an Intl.DateTimeFormat costs milliseconds on a slow phone; one per time zone is enough.
const dayFormats = new Map<string, Intl.DateTimeFormat>()

export function isoDateOf(instant: Date = new Date(), timeZone?: string): string {
  const key = timeZone ?? ''
  let format = dayFormats.get(key)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' })
    dayFormats.set(key, format)
  }
  const parts = format.formatToParts(instant)
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value)
  return formatIsoDate({ year: part('year'), month: part('month'), day: part('day') })
}
