// Retention and quality figures for the dashboard and the annual report (issue 15): the figures of
// a period (and channel) from GET /api/v1/reports/retention, and the progress of every target on
// them, each from the figures of its own span and channel.
import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import { computeProgress } from '../../domain/progress'
import type { Period, Target } from '../../domain/records'
import { isRetentionMetric, retentionActual } from '../../domain/retention'
import { countedSpan, type TargetProgressRow, targetsForPeriod } from '../station/dashboard-model'
import type { RetentionReport } from '../station/station-client'
import { useStationSessionStore } from './useStationSessionStore'

export const useStationRetentionStore = defineStore('stationRetention', () => {
  const session = useStationSessionStore()
  const report = shallowRef<RetentionReport | null>(null)
  const targetRows = shallowRef<TargetProgressRow[]>([])
  // Only the newest load of each may write: a slow earlier one must not overwrite a later period's.
  let loads = 0
  let targetLoads = 0

  /** Figures of `period` counted up to `asOf`; throws RequestError and keeps the last figures on failure. */
  async function load(period: Pick<Period, 'start' | 'end'>, asOf: string, channelId: string | null = null) {
    const generation = ++loads
    const to = asOf < period.end ? asOf : period.end
    if (to < period.start) {
      report.value = null
      return
    }
    const answer = await session.client.retention({ from: period.start, to, asOf, channelId })
    if (generation === loads) report.value = answer
  }

  /** Progress of the retention targets shown for `period` (the others are the dashboard store's). */
  async function loadTargets(targets: readonly Target[], period: Pick<Period, 'start' | 'end'>, asOf: string) {
    const generation = ++targetLoads
    const shown = targetsForPeriod(targets, period, asOf).filter((t) => isRetentionMetric(t.metric))
    const rows = await Promise.all(
      shown.map(async (target): Promise<TargetProgressRow> => {
        const span = countedSpan(target, asOf)
        const base = { target, seasonal: false, population: null }
        if (!span || !isRetentionMetric(target.metric)) return { ...base, progress: null, reason: 'not_started' }
        const channelId = target.scope.kind === 'channel' ? target.scope.id : null
        const { figures } = await session.client.retention({ ...span, asOf, channelId })
        const actual = retentionActual(target.metric, figures)
        return { ...base, progress: computeProgress({ target, actual, asOf }), reason: null }
      }),
    )
    if (generation === targetLoads) targetRows.value = rows
  }

  return { report, targetRows, load, loadTargets }
})
