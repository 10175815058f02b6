// The manager's sign-in for the station pages: password login, the bearer token kept in
// sessionStorage (gone with the tab, never in localStorage), and the one client every station
// store talks through.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Station } from '../../domain/records'
import { isoDateOf } from '../../domain/dates'
import { type Account, createStationClient, type StationClient, StationApiError } from '../sync/station-client'

const SESSION_KEY = 'bloodbus.station.session'
const STATION_CODE_KEY = 'bloodbus.station.code'

export function rememberedStationCode(): string {
  return globalThis.localStorage?.getItem(STATION_CODE_KEY) ?? ''
}

interface SavedSession {
  token: string
  expiresAt: string
  account: Account
  station: Station | null
}

function readSaved(): SavedSession | null {
  try {
    const raw = globalThis.sessionStorage?.getItem(SESSION_KEY)
    if (!raw) return null
    const saved = JSON.parse(raw) as SavedSession
    return saved.expiresAt > new Date().toISOString() ? saved : null
  } catch {
    return null
  }
}

export const useStationSessionStore = defineStore('stationSession', () => {
  const saved = readSaved()
  const token = ref<string | null>(saved?.token ?? null)
  const expiresAt = ref<string | null>(saved?.expiresAt ?? null)
  const account = shallowRef<Account | null>(saved?.account ?? null)
  const station = shallowRef<Station | null>(saved?.station ?? null)
  /** Set when the server ended the session (expired, deactivated): the sign-in page says so. */
  const endedByServer = ref(false)

  const signedIn = computed(() => token.value !== null && account.value !== null)

  function forget(): void {
    token.value = null
    expiresAt.value = null
    account.value = null
    station.value = null
    globalThis.sessionStorage?.removeItem(SESSION_KEY)
  }

  const client: StationClient = createStationClient({
    token: () => token.value,
    onUnauthorized: () => {
      if (token.value !== null) endedByServer.value = true
      forget()
    },
  })

  /** Throws StationApiError (bad_credentials, network, …) and changes nothing on failure. */
  async function login(stationCode: string, username: string, password: string): Promise<void> {
    const session = await client.login({ stationCode: stationCode.trim(), username: username.trim(), password })
    token.value = session.token
    expiresAt.value = session.expiresAt
    account.value = session.account
    station.value = session.station ?? null
    endedByServer.value = false
    const keep: SavedSession = {
      token: session.token,
      expiresAt: session.expiresAt,
      account: session.account,
      station: station.value,
    }
    globalThis.sessionStorage?.setItem(SESSION_KEY, JSON.stringify(keep))
    // The station code is no secret; remembering it spares typing it at every sign-in.
    globalThis.localStorage?.setItem(STATION_CODE_KEY, stationCode.trim())
  }

  async function logout(): Promise<void> {
    try {
      if (token.value) await client.logout()
    } catch (err) {
      // Signing out here must work offline too; the server's session simply expires.
      if (!(err instanceof StationApiError)) throw err
    } finally {
      endedByServer.value = false
      forget()
    }
  }

  /** Today at the station (its time zone), the default "as of" of every report. */
  function today(now = new Date()): string {
    return isoDateOf(now, station.value?.timeZone ?? 'Asia/Shanghai')
  }

  return { token, expiresAt, account, station, today, signedIn, endedByServer, client, login, logout }
})
