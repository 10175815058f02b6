// The target form's state and its translation into a Target for validateTarget: the manager
// picks a year and a month or quarter, not two dates, so calendar periods come out right.
import { formatIsoDate } from '../../domain/dates'
import type { Metric, Period, Scope, Target } from '../../domain/records'
import { isShareMetric, periodFor, type TargetError } from '../../domain/targets'

export interface TargetFormState {
  periodKind: Period['kind']
  year: number
  /** 1–4, for a quarter. */
  quarter: number
  /** 1–12, for a month. */
  month: number
  customStart: string
  customEnd: string
  scopeKind: Scope['kind']
  scopeId: string
  metric: Metric
  comparison: '>=' | '<='
  /** As typed; parsed on submit so "32,5" and "" are caught and explained. */
  value: string
}

/** Metrics where less is better: a new target for them starts as ≤. */
const CAP_METRICS: readonly Metric[] = ['deferral_rate']

export function emptyTargetForm(today: string): TargetFormState {
  const year = Number(today.slice(0, 4))
  const month = Number(today.slice(5, 7))
  return {
    periodKind: 'year',
    year,
    quarter: Math.floor((month - 1) / 3) + 1,
    month,
    customStart: today,
    customEnd: today,
    scopeKind: 'station',
    scopeId: '',
    metric: 'rural_mobile_share',
    comparison: '>=',
    value: '',
  }
}

export function defaultComparison(metric: Metric): '>=' | '<=' {
  return CAP_METRICS.includes(metric) ? '<=' : '>='
}

export function formPeriod(f: TargetFormState): Period {
  switch (f.periodKind) {
    case 'year':
      return periodFor('year', formatIsoDate({ year: f.year, month: 1, day: 1 }))
    case 'quarter':
      return periodFor('quarter', formatIsoDate({ year: f.year, month: (f.quarter - 1) * 3 + 1, day: 1 }))
    case 'month':
      return periodFor('month', formatIsoDate({ year: f.year, month: f.month, day: 1 }))
    case 'custom':
      return { kind: 'custom', start: f.customStart, end: f.customEnd }
  }
}

/** A typed number in either locale's habit ("32.5", "32,5", "1,000" is read as 1000 only without decimals). */
export function parseTargetValue(text: string): number | null {
  const s = text.trim().replace(/[%\s]/g, '')
  if (s === '') return null
  const normal = /^\d{1,3}(,\d{3})+$/.test(s) ? s.replace(/,/g, '') : s.replace(',', '.')
  if (!/^-?\d+(\.\d+)?$/.test(normal)) return Number.NaN
  return Number(normal)
}

/** The candidate target; an empty value stays missing and an unreadable one stays text, so validateTarget says which. */
export function formToTarget(f: TargetFormState, ids: { id: string; stationId: string }): Record<string, unknown> {
  const value = parseTargetValue(f.value)
  return {
    id: ids.id,
    stationId: ids.stationId,
    period: formPeriod(f),
    scope: { kind: f.scopeKind, id: f.scopeKind === 'station' ? null : f.scopeId || null },
    metric: f.metric,
    comparison: f.comparison,
    value: value === null ? undefined : Number.isNaN(value) ? f.value : value,
  }
}

export function targetToForm(t: Target): TargetFormState {
  const start = t.period.start
  return {
    periodKind: t.period.kind,
    year: Number(start.slice(0, 4)),
    quarter: Math.floor((Number(start.slice(5, 7)) - 1) / 3) + 1,
    month: Number(start.slice(5, 7)),
    customStart: t.period.start,
    customEnd: t.period.end,
    scopeKind: t.scope.kind,
    scopeId: t.scope.id ?? '',
    metric: t.metric,
    comparison: t.comparison,
    value: String(t.value),
  }
}

/** Which form control an error belongs under. */
export function errorSlot(e: TargetError): 'period' | 'scope' | 'metric' | 'comparison' | 'value' | 'form' {
  const head = e.field.split('.')[0]
  if (head === 'period' || head === 'scope' || head === 'metric' || head === 'comparison' || head === 'value')
    return head
  return 'form'
}

/** The unit a value is typed in, shown beside the input. */
export function valueUnit(metric: Metric): 'percent' | 'rate' | 'count' {
  return isShareMetric(metric) ? 'percent' : metric === 'per_1000' ? 'rate' : 'count'
}
