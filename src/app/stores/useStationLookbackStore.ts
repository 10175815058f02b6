// The lab's lookback quarantine list (issue 15): donations held after sync, and the lab's
// release or confirmation. Every decision goes to the server first; the list shows its answer.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { LookbackListItem, LookbackStatus } from '../../domain/lookback'
import { useStationSessionStore } from './useStationSessionStore'

export const useStationLookbackStore = defineStore('stationLookback', () => {
  const session = useStationSessionStore()
  const flags = ref<LookbackListItem[]>([])
  /** Which holds the list shows: open ones first of all. */
  const status = ref<LookbackStatus | 'all'>('open')
  const loading = ref(false)

  async function load(): Promise<void> {
    loading.value = true
    try {
      flags.value = await session.client.listLookbacks(status.value === 'all' ? undefined : status.value)
    } finally {
      loading.value = false
    }
  }

  async function decide(flagId: string, decision: 'released' | 'confirmed', note: string): Promise<void> {
    await session.client.decideLookback(flagId, { decision, note })
    await load()
  }

  return { flags, status, loading, load, decide }
})
