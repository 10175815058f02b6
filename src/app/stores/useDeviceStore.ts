// This phone's enrollment and the station's reference data as last pulled.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Channel, RosterEntry, Site, Station, Team } from '../../domain/records'
import { fieldDb, type DeviceInfo } from '../db'
import { coversAll, inNameOrder, NAME_ORDER_KEY, nameOrderOf, type NameOrder } from '../db/name-order'

/** sync/pull META_LAST_PULL_AT; enrollment and pull code load only when used (a test checks they agree). */
export const LAST_PULL_AT_KEY = 'lastPullAt'
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
    const db = fieldDb()
    const [dev, stations, siteRows, channelRows, teamRows, rosterRows, lastPull, nameOrder] = await Promise.all([
      db.device.get('device'),
      db.stations.toArray(),
      db.sites.toArray(),
      db.channels.toArray(),
      db.teams.toArray(),
      db.roster.toArray(),
      db.syncMeta.get(LAST_PULL_AT_KEY),
      db.syncMeta.get(NAME_ORDER_KEY),
    ])
    const rosterList = rosterRows.map((r) => r.value)
    const siteList = siteRows.map((r) => r.value)
    let order = nameOrder?.value as NameOrder | undefined
    if (!coversAll(order, rosterList, siteList)) {
      // Names that came before pulls stored an order (an older app version): sort once, keep it.
      order = nameOrderOf(rosterList, siteList)
      void db.syncMeta.put({ key: NAME_ORDER_KEY, value: order }).catch(() => {
        /* sorted again next start */
      })
    }
    info.value = dev ?? null
    station.value = stations.map((r) => r.value).find((s) => s.id === dev?.stationId) ?? stations[0]?.value ?? null
    sites.value = inNameOrder(siteList, order.sites)
    channels.value = channelRows.map((r) => r.value)
    teams.value = teamRows.map((r) => r.value)
    roster.value = inNameOrder(rosterList, order.roster)
    lastPullAt.value = typeof lastPull?.value === 'string' ? lastPull.value : null
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
