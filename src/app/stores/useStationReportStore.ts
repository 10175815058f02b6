// The annual report of a year: the station's indicators over the whole year (the same counts the
// CLI report and the dashboard use), with channels and teams; and the year's records for export.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { Indicators } from '../../domain/indicators'
import type { ListedRecord, RulesReport } from '../station/station-client'
import { useStationAdminStore } from './useStationAdminStore'
import { useStationRecordsStore } from './useStationRecordsStore'
import { useStationSessionStore } from './useStationSessionStore'

export const useStationReportStore = defineStore('stationReport', () => {
  const session = useStationSessionStore()
  const admin = useStationAdminStore()
  const recordsStore = useStationRecordsStore()
  const year = ref(Number(session.today().slice(0, 4)) - 1)
  const indicators = shallowRef<Indicators | null>(null)
  /** Deferrals by reason and leaders' overrides of the year (rules). */
  const rules = shallowRef<RulesReport | null>(null)
  const loading = ref(false)

  async function load(y: number): Promise<void> {
    loading.value = true
    try {
      year.value = y
      const [report, rulesReport] = await Promise.all([
        session.client.indicators({ from: `${y}-01-01`, to: `${y}-12-31` }),
        session.client.rules({ from: `${y}-01-01`, to: `${y}-12-31` }),
        admin.loaded ? Promise.resolve() : admin.loadReference(),
      ])
      indicators.value = report.indicators
      rules.value = rulesReport
    } finally {
      loading.value = false
    }
  }

  /** Every record of a period (up to `maxPages` pages of 2,000) for the export files. */
  async function periodRecords(
    from: string,
    to: string,
    maxPages = 100,
  ): Promise<{ records: ListedRecord[]; truncated: boolean }> {
    return recordsStore.fetchAll({ from, to }, maxPages)
  }

  /** The period as JSON Lines with voids, corrections and reference data, for re-import elsewhere. */
  function periodInterchange(from: string, to: string): Promise<Blob> {
    return session.client.exportInterchange({ from, to })
  }

  /** Years with records, newest first (null until asked): the report opens on the latest. */
  const yearsWithData = shallowRef<Array<{ year: number; records: number }> | null>(null)
  async function loadYears(): Promise<void> {
    yearsWithData.value = (await session.client.yearsWithRecords()).years
  }

  return { year, indicators, rules, loading, load, periodRecords, periodInterchange, yearsWithData, loadYears }
})
