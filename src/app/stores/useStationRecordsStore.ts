// Records of a period and scope as the server lists them, page by page: the channel drill-down
// groups them by drive and site, and the export writes them out.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { ListedRecord, ReportQuery } from '../station/station-client'
import { useStationSessionStore } from './useStationSessionStore'

/** A listing page holds up to this many; a month of one channel fits in a few. */
const PAGE = 2000

export const useStationRecordsStore = defineStore('stationRecords', () => {
  const session = useStationSessionStore()
  const records = shallowRef<ListedRecord[]>([])
  const query = shallowRef<ReportQuery | null>(null)
  /** More records exist than `maxPages` allowed to fetch. */
  const truncated = ref(false)
  const loading = ref(false)

  async function fetchAll(q: ReportQuery, maxPages = 50): Promise<{ records: ListedRecord[]; truncated: boolean }> {
    const out: ListedRecord[] = []
    let after: string | null = null
    for (let page = 0; page < maxPages; page++) {
      const res = await session.client.records({ ...q, limit: PAGE, after })
      out.push(...res.records)
      after = res.next
      if (after === null) return { records: out, truncated: false }
    }
    return { records: out, truncated: true }
  }

  // Only the newest load may write: switching months quickly must not show an older month's answer.
  let loads = 0
  async function load(q: ReportQuery, maxPages = 10): Promise<void> {
    const generation = ++loads
    loading.value = true
    try {
      const res = await fetchAll(q, maxPages)
      if (generation !== loads) return
      records.value = res.records
      truncated.value = res.truncated
      query.value = q
    } finally {
      if (generation === loads) loading.value = false
    }
  }

  return { records, query, truncated, loading, load, fetchAll }
})
