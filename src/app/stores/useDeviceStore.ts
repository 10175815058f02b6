// This phone's enrollment and the station's reference data as last pulled.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Channel, RosterEntry, Site, Station, Team } from '../../domain/records'
import type { DeviceInfo } from '../db'
import { readReference } from '../db/reference'

// Enrollment and pull code load only when used.
const pullReference = async () => (await import('../sync/pull')).pullReference()

export const useDeviceStore = defineStore('device', () => {
  const info = shallowRef<DeviceInfo | null>(null)
  const station = shallowRef<Station | null>(null)
  const sites = shallowRef<Site[]>([])
  const channels = shallowRef<Channel[]>([])
  const teams = shallowRef<Team[]>([])
  const roster = shallowRef<RosterEntry[]>([])
  /** Server time of the last reference pull (ISO), null before the first. */
  const lastPullAt = ref<string | null>(null)
  const loaded = ref(false)

  const enrolled = computed(() => info.value !== null)
  /** Active staff in pinyin order. */
  const activeRoster = computed(() => roster.value.filter((s) => s.active))
  const hasReference = computed(() => station.value !== null && roster.value.length > 0)

  async function load(): Promise<void> {
    const reference = await readReference()
    info.value = reference.device
    station.value =
      reference.stations.find((s) => s.id === reference.device?.stationId) ?? reference.stations[0] ?? null
    sites.value = reference.sites
    channels.value = reference.channels
    teams.value = reference.teams
    roster.value = reference.roster
    lastPullAt.value = reference.lastPullAt
    loaded.value = true
  }

  /** Enroll with a station code, then pull reference data; needs the network. */
  async function enroll(code: string): Promise<void> {
    const { enrollDevice } = await import('../sync/enrollment')
    await enrollDevice(code)
    await pullReference()
    await load()
  }

  async function refreshReference(): Promise<void> {
    await pullReference()
    await load()
  }

  function staffById(id: string): RosterEntry | undefined {
    return roster.value.find((s) => s.id === id)
  }
  function siteById(id: string | null): Site | undefined {
    return sites.value.find((s) => s.id === id)
  }
  function channelById(id: string): Channel | undefined {
    return channels.value.find((c) => c.id === id)
  }
  function teamById(id: string): Team | undefined {
    return teams.value.find((t) => t.id === id)
  }

  return {
    info,
    station,
    sites,
    channels,
    teams,
    roster,
    lastPullAt,
    loaded,
    enrolled,
    activeRoster,
    hasReference,
    load,
    enroll,
    refreshReference,
    staffById,
    siteById,
    channelById,
    teamById,
  }
})
