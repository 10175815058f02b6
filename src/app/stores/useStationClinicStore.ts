// The station's clinic page (issue 14): bags flagged for the lab by their bleed, the follow-up calls
// owed to donors after reactions (marked done here), reaction rates, and the bleed limits.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { BleedLimits } from '../../domain/bleed'
import type { FlaggedBag, FollowUp, Haemovigilance } from '../station/clinic-wire'
import { useStationSessionStore } from './useStationSessionStore'

export const useStationClinicStore = defineStore('stationClinic', () => {
  const session = useStationSessionStore()
  const bags = shallowRef<FlaggedBag[]>([])
  const followUps = shallowRef<FollowUp[]>([])
  const rates = shallowRef<Haemovigilance | null>(null)
  const loading = ref(false)

  async function load(from: string, to: string): Promise<void> {
    loading.value = true
    try {
      const [b, f, r] = await Promise.all([
        session.client.flaggedBags(from, to),
        session.client.followUps('open'),
        session.client.haemovigilance(from, to),
      ])
      bags.value = b.bags
      followUps.value = f.followUps
      rates.value = r
    } finally {
      loading.value = false
    }
  }

  /** Marks the call done; the list keeps it, shown as done, until the next load. */
  async function markDone(f: FollowUp, note: string): Promise<void> {
    const done = await session.client.markFollowUpDone({ reactionId: f.reactionId, kind: f.kind, note })
    followUps.value = followUps.value.map((x) => (x.reactionId === f.reactionId && x.kind === f.kind ? done : x))
  }

  /** Reaction rates alone, for the dashboard's period. */
  const dashboardRates = shallowRef<Haemovigilance | null>(null)
  async function loadDashboardRates(from: string, to: string): Promise<void> {
    dashboardRates.value = await session.client.haemovigilance(from, to)
  }

  async function setBleedLimits(limits: BleedLimits | null): Promise<void> {
    const station = await session.client.setBleedLimits(limits)
    if (session.station) session.station = { ...session.station, bleedLimits: station.bleedLimits }
  }

  return { bags, followUps, rates, dashboardRates, loading, load, loadDashboardRates, markDone, setBleedLimits }
})
