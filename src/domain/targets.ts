// Targets a station sets per period, scope and metric (docs/domain.md, "Targets and progress"):
// validation with stable error codes for the screens, calendar periods, and copying last year's plan forward.
import * as v from 'valibot'
import { addYears, daysBetween, daysInMonth, formatIsoDate, isIsoDate, parseIsoDate } from './dates'
import {
  METRICS,
  PERIOD_KINDS,
  RETENTION_METRICS,
  type Metric,
  type Period,
  SHARE_METRICS,
  type Target,
  TargetSchema,
} from './records'

function isDateText(s: unknown): s is string {
  return typeof s === 'string' && isIsoDate(s)
}

/** Days in a period, both ends included. */
export function periodDays(period: Pick<Period, 'start' | 'end'>): number {
  return daysBetween(period.start, period.end) + 1
}

// ---------------------------------------------------------------------------------------------
// Calendar periods

export type CalendarPeriodKind = Exclude<Period['kind'], 'custom'>

/** The calendar month, quarter or year that contains `date`. */
export function periodFor(kind: CalendarPeriodKind, date: string): Period {
  const { year, month } = parseIsoDate(date)
  const [first, last] =
    kind === 'month'
      ? [month, month]
      : kind === 'quarter'
        ? [month - ((month - 1) % 3), month - ((month - 1) % 3) + 2]
        : [1, 12]
  return {
    kind,
    start: formatIsoDate({ year, month: first, day: 1 }),
    end: formatIsoDate({ year, month: last, day: daysInMonth(year, last) }),
  }
}

/** Does the period's kind match its dates (a 'month' is exactly one calendar month, …)? */
export function periodMatchesKind(period: Period): boolean {
  if (period.kind === 'custom') return period.start <= period.end
  const cal = periodFor(period.kind, period.start)
  return cal.start === period.start && cal.end === period.end
}

export function periodsOverlap(a: Pick<Period, 'start' | 'end'>, b: Pick<Period, 'start' | 'end'>): boolean {
  return a.start <= b.end && b.start <= a.end
}

// ---------------------------------------------------------------------------------------------
// Validation

/** Metrics counted in whole records: a target for them is a whole number. */
export const WHOLE_COUNT_METRICS: readonly Metric[] = [
  'donations',
  'whole_blood_donations',
  'apheresis_donations',
  'apheresis_doses',
  'bus_trips',
  'rhd_negative_donations',
]

export function isShareMetric(metric: Metric): boolean {
  return SHARE_METRICS.includes(metric)
}

/** Stable codes; the screens translate them (`station.targets.errors.<code>`), params fill the message. */
export const TARGET_ERROR_CODES = [
  'required', // field missing
  'invalid', // present but malformed (wrong type, bad id, not a date)
  'not_allowed', // not one of the allowed values (metric, period kind, comparison, scope kind)
  'negative', // a count or rate below zero
  'share_out_of_range', // a share outside 0–100 %
  'count_not_integer', // a whole-count target with a fraction
  'period_reversed', // ends before it starts
  'period_not_calendar', // kind month/quarter/year but the dates are not that calendar period
  'scope_id_required', // channel/site/team/drive scope without an id
  'scope_id_forbidden', // station scope with an id
  'scope_unknown', // the id is not a channel/site/team/drive of this station
  'metric_needs_station_scope', // per-1,000 is a population rate: station scope only
  'metric_needs_station_or_channel', // retention figures come per station or channel (issue 15)
  'overlapping_duplicate', // same scope, metric, comparison and period kind over overlapping dates
] as const
export type TargetErrorCode = (typeof TARGET_ERROR_CODES)[number]

export interface TargetError {
  /** Dot path of the field in the target (`period.end`, `scope.id`, `value`), or '' for the whole. */
  field: string
  code: TargetErrorCode
  params: Record<string, string | number>
}

export type TargetValidation = { ok: true; target: Target } | { ok: false; errors: TargetError[] }

/** Ids a scope may name; a kind left out (drives, typically) is not checked. */
export interface TargetReference {
  channels?: readonly { id: string }[]
  sites?: readonly { id: string }[]
  teams?: readonly { id: string }[]
  drives?: readonly { id: string }[]
}

const REFERENCE_OF_SCOPE = { channel: 'channels', site: 'sites', team: 'teams', drive: 'drives' } as const

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

/** The stable code for a schema issue that the rules of validateTarget do not word themselves. */
function schemaIssueCode(issue: v.BaseIssue<unknown>): TargetErrorCode {
  if (issue.input === undefined) return 'required'
  if (issue.type === 'picklist') return 'not_allowed'
  if (issue.type === 'min_value') return 'negative'
  return 'invalid'
}

/**
 * Checks a target the way the station screens and the admin API need it: the shared schema,
 * then the station's rules below. `existing` are the station's targets (the one being edited, same id,
 * is ignored). Duplicates are targets of the same station, scope, metric, comparison and period
 * kind whose dates overlap — a year plan broken down into months is not a duplicate, and a ≥ and
 * a ≤ target on one metric make a band. Every problem is reported, not just the first.
 */
export function validateTarget(
  input: unknown,
  existing: readonly Target[],
  reference: TargetReference = {},
): TargetValidation {
  const errors: TargetError[] = []
  const add = (field: string, code: TargetErrorCode, params: Record<string, string | number> = {}) => {
    if (!errors.some((e) => e.field === field && e.code === code)) errors.push({ field, code, params })
  }
  const raw = isRecord(input) ? input : {}
  const period = isRecord(raw.period) ? raw.period : {}
  const scope = isRecord(raw.scope) ? raw.scope : {}
  const metric = (METRICS as readonly unknown[]).includes(raw.metric) ? (raw.metric as Metric) : null

  // Rules that read single fields, checked even when other fields are broken.
  if (typeof raw.value === 'number' && Number.isFinite(raw.value) && metric) {
    if (isShareMetric(metric)) {
      if (raw.value < 0 || raw.value > 100) add('value', 'share_out_of_range', { value: raw.value, min: 0, max: 100 })
    } else if (raw.value < 0) {
      add('value', 'negative', { value: raw.value })
    } else if (WHOLE_COUNT_METRICS.includes(metric) && !Number.isInteger(raw.value)) {
      add('value', 'count_not_integer', { value: raw.value })
    }
  }
  // The schema's date format lets 2023-02-29 through; the calendar does not.
  for (const end of ['start', 'end'] as const) {
    if (typeof period[end] === 'string' && !isDateText(period[end]))
      add(`period.${end}`, 'invalid', { value: period[end] })
  }
  if (isDateText(period.start) && isDateText(period.end)) {
    if (period.end < period.start) {
      add('period.end', 'period_reversed', { start: period.start, end: period.end })
    } else if ((PERIOD_KINDS as readonly unknown[]).includes(period.kind) && period.kind !== 'custom') {
      const p = { kind: period.kind as CalendarPeriodKind, start: period.start, end: period.end }
      if (!periodMatchesKind(p)) {
        const cal = periodFor(p.kind, p.start)
        add('period', 'period_not_calendar', { kind: p.kind, start: cal.start, end: cal.end })
      }
    }
  }
  if (scope.kind === 'station' && scope.id !== null && scope.id !== undefined) add('scope.id', 'scope_id_forbidden')
  if (typeof scope.kind === 'string' && scope.kind !== 'station' && (scope.id === null || scope.id === undefined)) {
    add('scope.id', 'scope_id_required', { kind: scope.kind })
  }
  if (metric === 'per_1000' && typeof scope.kind === 'string' && scope.kind !== 'station') {
    add('scope.kind', 'metric_needs_station_scope', { metric })
  }
  if (metric && RETENTION_METRICS.includes(metric as never) && scope.kind !== 'station' && scope.kind !== 'channel') {
    if (typeof scope.kind === 'string') add('scope.kind', 'metric_needs_station_or_channel', { metric })
  }

  // The shared schema, for everything the rules above did not already say about a field. Its
  // whole-object checks (share range, reversed period, scope id) are said above in their own words.
  if (!isRecord(input))
    return { ok: false, errors: [{ field: '', code: 'invalid', params: { message: 'a target is an object' } }] }
  const parsed = v.safeParse(TargetSchema, input)
  if (!parsed.success) {
    for (const issue of parsed.issues) {
      const field = v.getDotPath(issue) ?? ''
      if (issue.type === 'check') continue
      if (errors.some((e) => e.field === field || e.field.startsWith(`${field}.`) || field.startsWith(`${e.field}.`)))
        continue
      add(field, schemaIssueCode(issue), { message: issue.message })
    }
  }
  if (!parsed.success || errors.length > 0) {
    if (errors.length === 0)
      errors.push({ field: '', code: 'invalid', params: { message: parsed.issues?.[0]?.message ?? 'invalid target' } })
    return { ok: false, errors }
  }
  const target = parsed.output

  if (target.scope.kind !== 'station') {
    const known = reference[REFERENCE_OF_SCOPE[target.scope.kind]]
    if (known && !known.some((r) => r.id === target.scope.id)) {
      add('scope.id', 'scope_unknown', { kind: target.scope.kind, id: target.scope.id ?? '' })
    }
  }
  const clash = existing.find(
    (t) =>
      t.id !== target.id &&
      t.stationId === target.stationId &&
      t.scope.kind === target.scope.kind &&
      t.scope.id === target.scope.id &&
      t.metric === target.metric &&
      t.comparison === target.comparison &&
      (t.period.kind === target.period.kind ||
        (t.period.start === target.period.start && t.period.end === target.period.end)) &&
      periodsOverlap(t.period, target.period),
  )
  if (clash) {
    add('period', 'overlapping_duplicate', {
      id: clash.id,
      start: clash.period.start,
      end: clash.period.end,
      value: clash.value,
    })
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, target }
}

// ---------------------------------------------------------------------------------------------
// Copying a year's plan

export interface CopiedPlan {
  targets: Target[]
  /** Targets of `fromYear` left behind, with why (a drive happens once). */
  skipped: { target: Target; reason: 'drive_scope' }[]
}

/**
 * Last year's plan as this year's: every target whose period starts in `fromYear` moves by
 * `toYear − fromYear` years with a new id. Calendar periods are recomputed (February 2023 becomes
 * 2024-02-01…2024-02-29); custom dates keep month and day, Feb 29 becoming Feb 28 in a common year.
 * Drive-scoped targets are not copied.
 */
export function copyPlanToYear(
  targets: readonly Target[],
  fromYear: number,
  toYear: number,
  newId: () => string,
): CopiedPlan {
  const shift = toYear - fromYear
  const out: CopiedPlan = { targets: [], skipped: [] }
  for (const t of targets) {
    if (parseIsoDate(t.period.start).year !== fromYear) continue
    if (t.scope.kind === 'drive') {
      out.skipped.push({ target: t, reason: 'drive_scope' })
      continue
    }
    const period: Period =
      t.period.kind === 'custom'
        ? { kind: 'custom', start: addYears(t.period.start, shift), end: addYears(t.period.end, shift) }
        : periodFor(t.period.kind, addYears(t.period.start, shift))
    out.targets.push({ ...t, id: newId(), period, scope: { ...t.scope } })
  }
  return out
}
