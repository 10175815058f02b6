// What the dashboard shows for a period: the station's indicators, each channel's figures, the
// monthly trend against last year, and every target's progress (paced by last year's months of
// the same scope when they are known). All of it from the report API, fetched in parallel.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { IndicatorCounts, Indicators } from '../../domain/indicators'
import type { Period, Scope } from '../../domain/records'
import { periodFor } from '../../domain/targets'
import {
  countedSpan, scopeKey, type TargetProgressRow, targetProgress, targetsForPeriod,
} from '../components/station/dashboard-model'
import type { MonthlyPoint } from '../sync/station-client'
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

  function setPeriod(kind: 'year' | 'quarter' | 'month', date: string): void {
    period.value = periodFor(kind, date)
  }

  /** Loads everything for `period` as of `asOf`; throws StationApiError and keeps the last figures on failure. */
  async function load(): Promise<void> {
    loading.value = true
    try {
      const client = session.client
      await Promise.all([admin.loadReference(), targetsStore.load()])
      const p = period.value
      const to = asOf.value < p.end ? asOf.value : p.end
      const year = Number(p.start.slice(0, 4))
      const inPeriod = asOf.value >= p.start
      const shown = targetsForPeriod(targetsStore.targets, p, asOf.value)

      // Last year's months per scope, for a seasonal pace of each target and the trend line.
      const lastYearOf = new Map<string, Promise<MonthlyPoint[]>>()
      const lastYearMonths = (scope: Scope, y: number) => {
        const key = `${scopeKey(scope)}@${y}`
        if (!lastYearOf.has(key)) {
          lastYearOf.set(key, client.monthly({ from: `${y}-01-01`, to: `${y}-12-31`, scope }).then((r) => r.months))
        }
        return lastYearOf.get(key)!
      }

      const [totalReport, channelReports, thisYear, lastYear, rows] = await Promise.all([
        inPeriod ? client.indicators({ from: p.start, to }) : Promise.resolve(null),
        Promise.all(admin.channels.map(async (c) => (inPeriod
          ? [c.id, (await client.indicators({ from: p.start, to, scope: { kind: 'channel', id: c.id } })).counts] as const
          : [c.id, null] as const))),
        client.monthly({ from: `${year}-01-01`, to: `${year}-12-31` }).then((r) => r.months),
        lastYearMonths(STATION, year - 1),
        Promise.all(shown.map(async (target) => {
          const span = countedSpan(target, asOf.value)
          if (!span) return targetProgress(target, undefined, asOf.value)
          const [report, history] = await Promise.all([
            client.indicators({ from: span.from, to: span.to, scope: target.scope }),
            lastYearMonths(target.scope, Number(target.period.start.slice(0, 4)) - 1),
          ])
          return targetProgress(target, report.counts, asOf.value, { population: report.indicators.population, lastYearMonthly: history })
        })),
      ])
      total.value = totalReport?.indicators ?? null
      byChannel.value = Object.fromEntries(channelReports.filter((e): e is readonly [string, IndicatorCounts] => e[1] !== null))
      monthlyThisYear.value = thisYear
      monthlyLastYear.value = lastYear
      targetRows.value = rows
      loadedAt.value = new Date().toISOString()
    } finally {
      loading.value = false
    }
  }

  return { asOf, period, total, byChannel, monthlyThisYear, monthlyLastYear, targetRows, loading, loadedAt, setPeriod, load }
})
