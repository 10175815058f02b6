// This phone's enrollment and the station's reference data as last pulled.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Channel, RosterEntry, Site, Station, Team } from '../../domain/records'
import type { DeviceInfo } from '../db'
import { loadReference, type PhoneReference } from '../db/boot-read'

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

  function show(reference: PhoneReference): void {
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

  async function load(): Promise<void> {
    show(await loadReference())
  }

  /**
   * Enroll with a code (needs the network), then wait until the lock screen has the station and its
   * staff. They come in the first page (made before any record), while the donors' eligibility
   * snapshots (tens of thousands at a real station, minutes on a slow line) keep arriving behind the
   * lock screen, resumed by the next sync round if the app closes. Whoever pulls them counts: this
   * call's own pull, or the sync round the new enrollment starts (which holds the pull lock).
   * Throws only when the enrollment fails. Once the station has taken the code the phone is
   * enrolled: a pull that fails before the staff are in leaves the lock screen's "no staff list
   * yet" with its retry (and the sync rounds), not an error beside a code the station will not
   * take again.
   */
  async function enroll(code: string): Promise<void> {
    const [{ enrollDevice }, { liveQuery }, { readReference }] = await Promise.all([
      import('../sync/enrollment'),
      import('../db/live'),
      import('../db/reference'),
    ])
    await enrollDevice(code)
    await new Promise<void>((resolve, reject) => {
      let settled = false
      const settle = (err?: unknown): void => {
        if (settled) return
        settled = true
        watching.unsubscribe()
        if (err === undefined) resolve()
        // Show what the phone holds (its enrollment, whatever pages came): the lock screen says the rest.
        else load().then(resolve, reject)
      }
      const watching = liveQuery(() => readReference()).subscribe({
        next: (reference) => {
          if (settled) return
          show(reference)
          if (hasReference.value) settle()
        },
        error: settle,
      })
      pullReference().then(
        // The staff added since the first pages are in now too.
        () => load().then(() => settle(), settle),
        settle,
      )
    })
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
