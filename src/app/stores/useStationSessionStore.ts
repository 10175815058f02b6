// The manager's sign-in for the station pages: password login, the bearer token kept in
// sessionStorage (gone with the tab, never in localStorage), and the one client every station
// store talks through.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { type Account, createStationClient, type StationClient, StationApiError } from '../sync/station-client'

const SESSION_KEY = 'bloodbus.station.session'

interface SavedSession {
  token: string
  expiresAt: string
  account: Account
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
  /** Set when the server ended the session (expired, deactivated): the sign-in page says so. */
  const endedByServer = ref(false)

  const signedIn = computed(() => token.value !== null && account.value !== null)

  function forget(): void {
    token.value = null
    expiresAt.value = null
    account.value = null
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
  async function login(username: string, password: string, station?: string): Promise<void> {
    const body = { username: username.trim(), password, ...(station?.trim() ? { station: station.trim() } : {}) }
    const session = await client.login(body)
    token.value = session.token
    expiresAt.value = session.expiresAt
    account.value = session.account
    endedByServer.value = false
    globalThis.sessionStorage?.setItem(SESSION_KEY, JSON.stringify({ token: session.token, expiresAt: session.expiresAt, account: session.account }))
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

  return { token, expiresAt, account, signedIn, endedByServer, client, login, logout }
})
