// The station's people, phones and places as the manager edits them: staff (PIN set and reset
// here, only its hash leaves the server), phones (enrollment codes, revocation), sites, channels
// and teams. Every change goes to the server first; the lists show what the server answered.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Channel, Site, Station, Team } from '../../domain/records'
import type { DeviceSummary, EnrollmentCode, OpenEnrollmentCode, StaffMember } from '../station/station-client'

/** Rows per page of the staff and sites lists. */
export const LIST_PAGE_SIZE = 50
import { useStationSessionStore } from './useStationSessionStore'

function upsert<T extends { id: string }>(list: T[], item: T): T[] {
  const i = list.findIndex((x) => x.id === item.id)
  return i === -1 ? [...list, item] : list.map((x, j) => (j === i ? item : x))
}

export const useStationAdminStore = defineStore('stationAdmin', () => {
  const session = useStationSessionStore()
  const staff = ref<StaffMember[]>([])
  const devices = ref<DeviceSummary[]>([])
  const sites = ref<Site[]>([])
  const channels = ref<Channel[]>([])
  const teams = ref<Team[]>([])
  /** The last code issued in this visit, shown until the manager closes it. */
  const enrollmentCode = ref<EnrollmentCode | null>(null)
  const loaded = ref(false)

  async function loadReference(): Promise<void> {
    const [s, c, t] = await Promise.all([
      session.client.listSites(),
      session.client.listChannels(),
      session.client.listTeams(),
    ])
    sites.value = s
    channels.value = c
    teams.value = t
    loaded.value = true
  }

  /** Staff a page at a time (the server pages and searches): the page shown, and how many match. */
  const staffQuery = ref({ q: '', offset: 0 })
  const staffTotal = ref(0)
  let staffAsked = 0
  async function loadStaff(query: { q?: string; offset?: number } = {}): Promise<void> {
    const asked = { q: query.q ?? staffQuery.value.q, offset: query.offset ?? staffQuery.value.offset }
    const n = ++staffAsked
    const page = await session.client.pageStaff({ ...asked, limit: LIST_PAGE_SIZE })
    if (n !== staffAsked) return // a newer search or page answers instead
    // The range ("51–63 of 63") changes with the rows it describes, not before they arrive.
    staffQuery.value = asked
    staff.value = page.items
    staffTotal.value = page.total
  }

  /** Sites a page at a time for the sites page (`sites` keeps the whole list the pickers need). */
  const sitePage = ref<Site[]>([])
  const siteQuery = ref({ q: '', offset: 0 })
  const siteTotal = ref(0)
  let sitesAsked = 0
  async function loadSitePage(query: { q?: string; offset?: number } = {}): Promise<void> {
    const asked = { q: query.q ?? siteQuery.value.q, offset: query.offset ?? siteQuery.value.offset }
    const n = ++sitesAsked
    const page = await session.client.pageSites({ ...asked, limit: LIST_PAGE_SIZE })
    if (n !== sitesAsked) return // a newer search or page answers instead
    siteQuery.value = asked
    sitePage.value = page.items
    siteTotal.value = page.total
  }

  /** Enrollment codes issued and not spent yet. */
  const openCodes = ref<OpenEnrollmentCode[]>([])
  async function loadEnrollmentCodes(): Promise<void> {
    openCodes.value = await session.client.listEnrollmentCodes()
  }
  async function revokeEnrollmentCode(codeId: string): Promise<void> {
    await session.client.revokeEnrollmentCode(codeId)
    await loadEnrollmentCodes()
  }
  async function renameDevice(deviceId: string, name: string): Promise<void> {
    devices.value = upsert(devices.value, await session.client.renameDevice(deviceId, name))
  }

  /** The station row: its name and how many wrong PINs lock a staff member out on a phone. */
  const station = ref<Station | null>(null)
  async function loadStation(): Promise<void> {
    station.value = await session.client.station()
  }
  async function setPinMaxAttempts(count: number | null): Promise<void> {
    station.value = await session.client.updateStation({ pinMaxAttempts: count })
  }

  async function loadDevices(): Promise<void> {
    devices.value = await session.client.listDevices()
  }

  async function addStaff(input: { name: string; role: StaffMember['role']; pin: string }): Promise<StaffMember> {
    const member = await session.client.addStaff(input)
    staff.value = upsert(staff.value, member)
    return member
  }

  async function resetPin(staffId: string, pin: string): Promise<void> {
    staff.value = upsert(staff.value, await session.client.resetPin(staffId, pin))
  }

  async function setStaffActive(staffId: string, active: boolean): Promise<void> {
    staff.value = upsert(staff.value, await session.client.updateStaff(staffId, { active }))
  }

  /** A code for the next phone; named by the station when `deviceName` is given. */
  async function issueEnrollmentCode(deviceName = ''): Promise<EnrollmentCode> {
    enrollmentCode.value = deviceName.trim()
      ? await session.client.issueNamedEnrollmentCode(deviceName.trim())
      : await session.client.issueEnrollmentCode()
    await loadEnrollmentCodes()
    return enrollmentCode.value
  }

  async function revokeDevice(deviceId: string): Promise<void> {
    devices.value = upsert(devices.value, await session.client.revokeDevice(deviceId))
  }

  async function saveSite(site: Omit<Site, 'stationId' | 'id'> & { id?: string }): Promise<Site> {
    const saved = await session.client.saveSite(site)
    sites.value = upsert(sites.value, saved)
    if (sitePage.value.some((x) => x.id === saved.id)) sitePage.value = upsert(sitePage.value, saved)
    return saved
  }

  async function saveChannel(channel: Omit<Channel, 'stationId' | 'id'> & { id?: string }): Promise<Channel> {
    const saved = await session.client.saveChannel(channel)
    channels.value = upsert(channels.value, saved)
    return saved
  }

  async function saveTeam(team: Omit<Team, 'stationId' | 'id'> & { id?: string }): Promise<Team> {
    const saved = await session.client.saveTeam(team)
    teams.value = upsert(teams.value, saved)
    return saved
  }

  return {
    staff,
    devices,
    sites,
    channels,
    teams,
    enrollmentCode,
    loaded,
    loadReference,
    loadStaff,
    loadDevices,
    addStaff,
    resetPin,
    station,
    loadStation,
    setPinMaxAttempts,
    setStaffActive,
    issueEnrollmentCode,
    revokeDevice,
    saveSite,
    saveChannel,
    saveTeam,
    staffQuery,
    staffTotal,
    sitePage,
    siteQuery,
    siteTotal,
    loadSitePage,
    openCodes,
    loadEnrollmentCodes,
    revokeEnrollmentCode,
    renameDevice,
  }
})
