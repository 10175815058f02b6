// What the dashboard shows for a period: the station's indicators, each channel's figures, the
// monthly trend against last year, and every target's progress (paced by last year's months of
// the same scope when they are known). All of it from the report API, fetched in parallel.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { type IndicatorCounts, type Indicators, indicatorsFromCounts } from '../../domain/indicators'
import type { Period, Scope } from '../../domain/records'
import { isRetentionMetric } from '../../domain/retention'
import { periodFor } from '../../domain/targets'
import {
  countedSpan,
  scopeKey,
  sumMonths,
  type TargetProgressRow,
  targetProgress,
  targetsForPeriod,
} from '../station/dashboard-model'
import type { MonthlyPoint, RulesReport } from '../station/station-client'
import { useStationAdminStore } from './useStationAdminStore'
import { useStationSessionStore } from './useStationSessionStore'
import { useStationTargetsStore } from './useStationTargetsStore'

const STATION: Scope = { kind: 'station', id: null }

export const useStationDashboardStore = defineStore('stationDashboard', () => {
  const session = useStationSessionStore()
  const admin = useStationAdminStore()
  const targetsStore = useStationTargetsStore()

  const asOf = ref(session.today())
  const period = ref<Period>(periodFor('year', asOf.value))
  const total = shallowRef<Indicators | null>(null)
  const byChannel = shallowRef<Record<string, IndicatorCounts>>({})
  const monthlyThisYear = shallowRef<MonthlyPoint[]>([])
  const monthlyLastYear = shallowRef<MonthlyPoint[]>([])
  const targetRows = shallowRef<TargetProgressRow[]>([])
  const loading = ref(false)
  const loadedAt = ref<string | null>(null)
  const channelsLoading = ref(false)
  /** Deferrals by reason and leaders' overrides of the period (rules). */
  const rules = shallowRef<RulesReport | null>(null)
  // Only the newest load may write: a slow earlier one must not overwrite a later period's figures.
  let loads = 0

  function setPeriod(kind: 'year' | 'quarter' | 'month', date: string): void {
    period.value = periodFor(kind, date)
  }

  /**
   * Loads everything for `period` as of `asOf`; throws RequestError and keeps the last figures
   * on failure. A year of records is heavy to count, so the station's figures come from this
   * year's monthly series (one request) wherever whole months cover them; only targets of other
   * scopes or odd periods ask for their own counts, and the channel table comes last.
   */
  async function load(): Promise<void> {
    loading.value = true
    const generation = ++loads
    try {
      const client = session.client
      await Promise.all([admin.loadReference(), targetsStore.load()])
      const p = period.value
      const day = asOf.value
      const year = Number(p.start.slice(0, 4))
      const yearStart = `${year}-01-01`
      const yearEnd = `${year}-12-31`
      // Targets on retention figures: useStationRetentionStore (they need the station's whole history).
      const shown = targetsForPeriod(targetsStore.targets, p, day).filter((x) => !isRetentionMetric(x.metric))

      // Last year's months per scope, for a seasonal pace of each target and the trend line.
      const lastYearOf = new Map<string, Promise<MonthlyPoint[]>>()
      const lastYearMonths = (scope: Scope, y: number) => {
        const key = `${scopeKey(scope)}@${y}`
        if (!lastYearOf.has(key)) {
          lastYearOf.set(
            key,
            client.monthly({ from: `${y}-01-01`, to: `${y}-12-31`, scope }).then((r) => r.months),
          )
        }
        return lastYearOf.get(key)!
      }

      const [thisYear, lastYear] = await Promise.all([
        day >= yearStart
          ? client.monthly({ from: yearStart, to: day < yearEnd ? day : yearEnd }).then((r) => r.months)
          : Promise.resolve([]),
        lastYearMonths(STATION, year - 1),
      ])
      if (generation !== loads) return
      const population = thisYear[0]?.indicators.population ?? null
      const ctx = {
        ruralMobileChannelIds: new Set(admin.channels.filter((c) => c.ruralMobile).map((c) => c.id)),
        population,
      }
      const span = countedSpan({ period: p }, day)
      const totalCounts = span
        ? (sumMonths(thisYear, span.from, span.to) ?? (await client.indicators(span)).counts)
        : null
      total.value = totalCounts ? indicatorsFromCounts(totalCounts, ctx) : null
      monthlyThisYear.value = thisYear
      monthlyLastYear.value = lastYear

      targetRows.value = await Promise.all(
        shown.map(async (target) => {
          const counted = countedSpan(target, day)
          if (!counted) return targetProgress(target, undefined, day)
          const fromMonths = target.scope.kind === 'station' ? sumMonths(thisYear, counted.from, counted.to) : null
          const [counts, targetPopulation, history] = await Promise.all([
            fromMonths ?? client.indicators({ ...counted, scope: target.scope }).then((r) => r.counts),
            fromMonths ? Promise.resolve(population) : Promise.resolve(null),
            lastYearMonths(target.scope, Number(target.period.start.slice(0, 4)) - 1),
          ])
          const pop =
            targetPopulation ??
            (target.metric === 'per_1000' ? (await client.indicators({ ...counted })).indicators.population : null)
          return targetProgress(target, counts, day, { population: pop, lastYearMonthly: history })
        }),
      )
      loadedAt.value = new Date().toISOString()
      loading.value = false

      // The channel table: each channel's own counts, last because each is a count of its own.
      channelsLoading.value = true
      byChannel.value = {}
      const rulesOfSpan = span ? client.rules(span) : Promise.resolve(null)
      const perChannel = span
        ? await Promise.all(
            admin.channels.map(
              async (c) =>
                [c.id, (await client.indicators({ ...span, scope: { kind: 'channel', id: c.id } })).counts] as const,
            ),
          )
        : []
      const rulesReport = await rulesOfSpan
      if (generation === loads) {
        byChannel.value = Object.fromEntries(perChannel)
        rules.value = rulesReport
      }
    } finally {
      if (generation === loads) {
        loading.value = false
        channelsLoading.value = false
      }
    }
  }

  return {
    asOf,
    period,
    total,
    byChannel,
    monthlyThisYear,
    monthlyLastYear,
    targetRows,
    loading,
    channelsLoading,
    rules,
    loadedAt,
    setPeriod,
    load,
  }
})
