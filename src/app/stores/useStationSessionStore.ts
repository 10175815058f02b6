// The manager's sign-in for the station pages: password login into a session the server keeps in
// an HttpOnly cookie (no script on the page can read it), the CSRF token that goes with it (in
// memory only), and the one client every station store talks through. A reload or a second tab
// finds the session again by asking the server (`resume`).
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Station } from '../../domain/records'
import { isoDateOf } from '../../domain/dates'
import { RequestError } from '../net/errors'
import { type Account, createStationClient, type StationClient } from '../station/station-client'

const STATION_CODE_KEY = 'bloodbus.station.code'
/** Set by a sign-out: a cookie the server could not be told to drop (offline) is not picked up again. */
const SIGNED_OUT_KEY = 'bloodbus.station.signedOut'

export function rememberedStationCode(): string {
  return globalThis.localStorage?.getItem(STATION_CODE_KEY) ?? ''
}

export const useStationSessionStore = defineStore('stationSession', () => {
  const csrfToken = ref<string | null>(null)
  const expiresAt = ref<string | null>(null)
  const account = shallowRef<Account | null>(null)
  const station = shallowRef<Station | null>(null)
  /** Set when the server ended the session (expired, deactivated): the sign-in page says so. */
  const endedByServer = ref(false)

  const signedIn = computed(() => account.value !== null && csrfToken.value !== null)
  let resumed: Promise<void> | null = null

  function forget(): void {
    csrfToken.value = null
    expiresAt.value = null
    account.value = null
    station.value = null
    resumed = null
  }

  const client: StationClient = createStationClient({
    csrfToken: () => csrfToken.value,
    onUnauthorized: () => {
      if (account.value !== null) endedByServer.value = true
      forget()
    },
  })

  function adopt(session: {
    csrfToken: string
    expiresAt: string | null
    account: Account
    station?: Station | undefined
  }): void {
    csrfToken.value = session.csrfToken
    expiresAt.value = session.expiresAt
    account.value = session.account
    station.value = session.station ?? null
  }

  /** Picks up the session the browser's cookie holds, once per page load; no session is no error. */
  function resume(): Promise<void> {
    if (signedIn.value || globalThis.localStorage?.getItem(SIGNED_OUT_KEY)) return Promise.resolve()
    resumed ??= client.me().then(adopt, (err: unknown) => {
      // Offline or signed out: the sign-in page shows; asking again later may find the session.
      resumed = null
      if (!(err instanceof RequestError)) throw err
    })
    return resumed
  }

  /** Throws RequestError (code bad_credentials, kind offline, …) and changes nothing on failure. */
  async function login(stationCode: string, username: string, password: string): Promise<void> {
    const session = await client.login({ stationCode: stationCode.trim(), username: username.trim(), password })
    adopt(session)
    endedByServer.value = false
    globalThis.localStorage?.removeItem(SIGNED_OUT_KEY)
    // The station code is no secret; remembering it spares typing it at every sign-in.
    globalThis.localStorage?.setItem(STATION_CODE_KEY, stationCode.trim())
  }

  async function logout(): Promise<void> {
    try {
      if (signedIn.value) await client.logout()
    } catch (err) {
      // Signing out here must work offline too; the server's session simply expires.
      if (!(err instanceof RequestError)) throw err
    } finally {
      endedByServer.value = false
      forget()
      globalThis.localStorage?.setItem(SIGNED_OUT_KEY, '1')
    }
  }

  /** Today at the station (its time zone), the default "as of" of every report. */
  function today(now = new Date()): string {
    return isoDateOf(now, station.value?.timeZone ?? 'Asia/Shanghai')
  }

  return {
    csrfToken,
    expiresAt,
    account,
    station,
    today,
    signedIn,
    endedByServer,
    client,
    resume,
    login,
    logout,
  }
})
