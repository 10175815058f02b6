// Which targets a phone can follow itself, and the station's figure for each one it cannot read
// from the calendar month and year totals (issue 15): quarters, custom periods, sites. The station
// counts each such target's period and scope when it refreshes its totals and sends the result
// in the pull as a `totals` change keyed `target:<id>`; the phone adds what it has not synced yet.
import type { IndicatorCounts } from './indicators'
import type { Metric, Period, Scope, Target } from './records'
import { METRICS, RETENTION_METRICS } from './record-codes'

/**
 * Metrics a phone works out from IndicatorCounts (src/domain/progress.ts metricActual). Any
 * other metric (a station-only figure such as a return rate, or one this app version does not
 * know) is shown on the phone as "see the station" for its target alone.
 */
export const PHONE_METRICS: ReadonlySet<string> = new Set<Metric>(
  METRICS.filter((m) => !(RETENTION_METRICS as readonly string[]).includes(m)),
)

export function phoneComputable(metric: string): boolean {
  return PHONE_METRICS.has(metric)
}

/** Read from the calendar month and year totals (station, channel and team by month and year). */
export function onCalendarTotals(target: Pick<Target, 'period' | 'scope'>): boolean {
  return (
    (target.period.kind === 'month' || target.period.kind === 'year') &&
    (target.scope.kind === 'station' || target.scope.kind === 'channel' || target.scope.kind === 'team')
  )
}

/**
 * Targets the station counts one by one for phones: not a drive's (a phone reads its drive's own
 * tally), not on the calendar totals, a metric a phone computes, and not over by `today`.
 */
export function needsTargetTotals(target: Target, today: string): boolean {
  return (
    target.scope.kind !== 'drive' &&
    !onCalendarTotals(target) &&
    phoneComputable(target.metric) &&
    target.period.end >= today
  )
}

export const targetTotalsKey = (targetId: string): string => `target:${targetId}`
export const TARGET_TOTALS_PREFIX = 'target:'

/** Value of a `totals` change keyed `target:<id>`: the station's counts of that target's period and scope. */
export interface TargetTotals {
  key: string
  targetId: string
  /** The target's period and scope as counted (a target edited since then is counted again). */
  period: Pick<Period, 'start' | 'end'>
  scope: Scope
  /** Server time, the same as the month and year totals of the same refresh. */
  computedAt: string
  counts: IndicatorCounts
  /** Population of the period's year (per 1,000), null when the period spans two years or none is set. */
  population: number | null
}
