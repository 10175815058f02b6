// Station stores against a fake station server (fetch stubbed): the session lives in the server's
// HttpOnly cookie (the page keeps only the CSRF token, in memory), a refusal changes nothing, targets are checked before anything is sent,
// the server's per-field refusals come back the same way, and copying a plan skips clashes.
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Channel, Target } from '../../../src/domain/records'
import { periodFor } from '../../../src/domain/targets'
import { createAppRouter } from '../../../src/app/router'
import { useStationAdminStore } from '../../../src/app/stores/useStationAdminStore'
import { useStationDashboardStore } from '../../../src/app/stores/useStationDashboardStore'
import { useStationSessionStore } from '../../../src/app/stores/useStationSessionStore'
import { useStationTargetsStore } from '../../../src/app/stores/useStationTargetsStore'
import { RequestError } from '../../../src/app/net/errors'
import { emptyCounts, indicatorsFromCounts, type IndicatorCounts } from '../../../src/domain/indicators'
import { createMemoryHistory } from 'vue-router'

const STATION = '018f0000-0000-7000-8000-000000000001'
const RURAL: Channel = {
  id: '018f0000-0000-7000-8000-0000000000a1',
  stationId: STATION,
  code: 'rural_mobile',
  nameZh: '乡村流动',
  nameEn: 'Rural mobile',
  ruralMobile: true,
}
const UNI: Channel = {
  id: '018f0000-0000-7000-8000-0000000000a2',
  stationId: STATION,
  code: 'universities',
  nameZh: '高校',
  nameEn: 'Universities',
  ruralMobile: false,
}
const ACCOUNT = {
  id: '018f0000-0000-7000-8000-0000000000f1',
  stationId: STATION,
  username: 'wang',
  role: 'manager' as const,
  active: true,
  createdAt: '2024-01-01T00:00:00Z',
}

interface Call {
  method: string
  path: string
  body: unknown
  auth: string | null
  csrf: string | null
  credentials: RequestCredentials | undefined
}

const CSRF = 'c'.repeat(64)

/** A station server in memory: enough of the admin and report API for the stores. */
function fakeStation() {
  const calls: Call[] = []
  const targets: Target[] = []
  /** The browser's cookie jar, as far as this station goes: the HttpOnly session cookie. */
  let cookie: string | null = null
  /** Sessions the server still knows. */
  const sessions = new Set<string>()
  let offline = false
  const counts = (over: Partial<IndicatorCounts>): IndicatorCounts => ({ ...emptyCounts(), ...over })
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://station.test')
    const method = init?.method ?? 'GET'
    const body = init?.body ? JSON.parse(String(init.body)) : undefined
    const headers = new Headers(init?.headers)
    const auth = headers.get('Authorization')
    const csrf = headers.get('X-CSRF-Token')
    calls.push({ method, path: url.pathname, body, auth, csrf, credentials: init?.credentials })
    if (offline) throw new TypeError('Failed to fetch')
    const station = { id: STATION, code: 'luoyang', name: '洛阳市中心血站', timeZone: 'Asia/Shanghai' }
    if (url.pathname === '/api/v1/auth/login') {
      if (body.password !== 'correct horse')
        return json(401, { code: 'bad_credentials', message: 'wrong station, username or password' })
      if (body.session !== 'cookie') return json(400, { code: 'invalid_request', message: 'bearer not expected here' })
      cookie = `bbs_${sessions.size}`
      sessions.add(cookie)
      return json(200, { expiresAt: '2999-01-01T00:00:00.000Z', account: ACCOUNT, station, csrfToken: CSRF })
    }
    // The cookie rides along only when the page asks for credentials.
    const sent = init?.credentials === 'same-origin' || init?.credentials === 'include' ? cookie : null
    if (!sent || !sessions.has(sent)) return json(401, { code: 'unauthorized', message: 'sign in' })
    if (method !== 'GET' && csrf !== CSRF) return json(403, { code: 'csrf_refused', message: 'no CSRF token' })
    const key = `${method} ${url.pathname}`
    const targetId = /^\/api\/v1\/admin\/targets\/([0-9a-f-]+)$/.exec(url.pathname)?.[1]
    if (targetId && method === 'PATCH') {
      const i = targets.findIndex((x) => x.id === targetId)
      targets[i] = { ...targets[i]!, ...body, id: targetId }
      return json(200, targets[i])
    }
    if (targetId && method === 'DELETE') {
      targets.splice(
        targets.findIndex((x) => x.id === targetId),
        1,
      )
      return new Response(null, { status: 204 })
    }
    switch (key) {
      case 'POST /api/v1/auth/logout':
        sessions.delete(sent)
        cookie = null
        return new Response(null, { status: 204 })
      case 'GET /api/v1/auth/me':
        return json(200, { account: ACCOUNT, station, expiresAt: '2999-01-01T00:00:00.000Z', csrfToken: CSRF })
      case 'GET /api/v1/admin/channels':
        return json(200, [RURAL, UNI])
      case 'GET /api/v1/admin/sites':
        return json(200, [])
      case 'GET /api/v1/admin/teams':
        return json(200, [])
      case 'GET /api/v1/admin/targets':
        return json(200, targets)
      case 'GET /api/v1/admin/populations':
        return json(200, [{ stationId: STATION, year: 2023, population: 7_077_000 }])
      case 'POST /api/v1/admin/targets': {
        if (body.value === 31) {
          return json(400, {
            code: 'invalid_target',
            message: 'value: share_out_of_range',
            errors: [{ field: 'value', code: 'share_out_of_range', params: { value: 31, min: 0, max: 30 } }],
          })
        }
        targets.push(body as Target)
        return json(201, body)
      }
      case 'GET /api/v1/reports/indicators': {
        const scope = url.searchParams.get('scope') ?? 'station'
        const id = url.searchParams.get('scopeId')
        const c =
          scope === 'station'
            ? counts({
                donations: 10_000,
                wholeBloodDonations: 9_000,
                wholeBlood400: 8_990,
                ruralMobileWholeBlood: 2_900,
                byChannel: { [RURAL.id]: 3_000, [UNI.id]: 1_200 },
              })
            : id === RURAL.id
              ? counts({ donations: 3_000, wholeBloodDonations: 2_900, wholeBlood400: 2_900, busTrips: 80 })
              : counts({ donations: 1_200, wholeBloodDonations: 1_200, wholeBlood400: 1_190 })
        const from = url.searchParams.get('from')!
        const to = url.searchParams.get('to')!
        return json(200, {
          from,
          to,
          scope: { kind: scope, id },
          counts: c,
          indicators: indicatorsFromCounts(c, { ruralMobileChannelIds: new Set([RURAL.id]), population: 7_077_000 }),
        })
      }
      case 'GET /api/v1/reports/rules':
        return json(200, {
          from: url.searchParams.get('from'),
          to: url.searchParams.get('to'),
          scope: { kind: 'station', id: null },
          deferrals: 12,
          deferralsByReason: [
            { code: 'low_hb', n: 8 },
            { code: 'blood_pressure', n: 5 },
          ],
          overrides: 2,
          overridesByReason: [{ code: 'urgent_clinical_need', n: 2 }],
          overridesByDrive: [{ driveId: 'd1', date: '2026-03-02', busCode: 'BUS-3', siteId: null, n: 2 }],
        })
      case 'GET /api/v1/reports/monthly': {
        const from = url.searchParams.get('from')!
        const y = from.slice(0, 4)
        const months = Array.from({ length: 12 }, (_, i) => {
          const month = `${y}-${String(i + 1).padStart(2, '0')}`
          const c = counts({ donations: 800, wholeBloodDonations: 720, ruralMobileWholeBlood: 230 })
          return {
            month,
            from: `${month}-01`,
            to: `${month}-28`,
            counts: c,
            indicators: indicatorsFromCounts(c, { ruralMobileChannelIds: new Set(), population: null }),
          }
        })
        return json(200, { from, to: url.searchParams.get('to'), scope: { kind: 'station', id: null }, months })
      }
      default:
        return json(404, { code: 'not_found', message: `${key} not found` })
    }
  })
  return {
    fetch,
    calls,
    targets,
    /** The server ends every session (expiry, deactivation); the browser keeps its cookie. */
    endSessions: () => sessions.clear(),
    setOffline: (value: boolean) => {
      offline = value
    },
    hasCookie: () => cookie !== null,
  }
}

let server: ReturnType<typeof fakeStation>

beforeEach(() => {
  sessionStorage.clear()
  localStorage.clear()
  server = fakeStation()
  vi.stubGlobal('fetch', server.fetch)
  setActivePinia(createPinia())
})
afterEach(() => {
  vi.unstubAllGlobals()
})

async function signIn() {
  const session = useStationSessionStore()
  await session.login('luoyang', 'wang', 'correct horse')
  return session
}

describe('station session', () => {
  it('keeps the session in the server’s HttpOnly cookie: the page stores nothing, sends the CSRF token on changes', async () => {
    const session = await signIn()
    expect(session.signedIn).toBe(true)
    expect(server.calls[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/auth/login',
      body: { stationCode: 'luoyang', username: 'wang', session: 'cookie' },
    })
    // Nothing of the session in web storage: only the station code, which is no secret.
    expect(sessionStorage.length).toBe(0)
    expect({ ...localStorage }).toEqual({ 'bloodbus.station.code': 'luoyang' })
    await useStationAdminStore().loadReference()
    const read = server.calls.at(-1)!
    expect(read).toMatchObject({ method: 'GET', auth: null, csrf: null, credentials: 'same-origin' })
    await useStationAdminStore()
      .issueEnrollmentCode()
      .catch(() => {})
    expect(server.calls.at(-1)).toMatchObject({ method: 'POST', auth: null, csrf: CSRF })
  })

  it('finds the cookie’s session again after a reload, and not after signing out', async () => {
    await signIn()
    setActivePinia(createPinia())
    const reloaded = useStationSessionStore()
    expect(reloaded.signedIn).toBe(false)
    await reloaded.resume()
    expect(reloaded.signedIn).toBe(true)
    expect(reloaded.account?.username).toBe('wang')
    expect(reloaded.csrfToken).toBe(CSRF)
    // Signing out while offline: the server could not drop the cookie, but the page does not take it back.
    server.setOffline(true)
    await reloaded.logout()
    expect(reloaded.signedIn).toBe(false)
    server.setOffline(false)
    expect(server.hasCookie()).toBe(true)
    setActivePinia(createPinia())
    const again = useStationSessionStore()
    await again.resume()
    expect(again.signedIn).toBe(false)
    // A new sign-in works as ever.
    await again.login('luoyang', 'wang', 'correct horse')
    expect(again.signedIn).toBe(true)
  })

  it('a wrong password throws bad_credentials and keeps nothing', async () => {
    const session = useStationSessionStore()
    await expect(session.login('luoyang', 'wang', 'nope')).rejects.toMatchObject({
      code: 'bad_credentials',
      status: 401,
    })
    expect(session.signedIn).toBe(false)
    expect(sessionStorage.length).toBe(0)
  })

  it('ends the session when the server says 401, and says so on the sign-in page', async () => {
    const session = await signIn()
    server.endSessions()
    await expect(useStationAdminStore().loadReference()).rejects.toBeInstanceOf(RequestError)
    expect(session.signedIn).toBe(false)
    expect(session.endedByServer).toBe(true)
  })

  it('guards /station pages: without a session to sign-in (with the way back), with one past it', async () => {
    const router = createAppRouter(createMemoryHistory())
    await router.push('/station/targets')
    expect(router.currentRoute.value.name).toBe('station-login')
    expect(router.currentRoute.value.query.next).toBe('/station/targets')
    await signIn()
    await router.push('/station/targets')
    expect(router.currentRoute.value.name).toBe('station-targets')
    await router.push('/station/login')
    expect(router.currentRoute.value.name).toBe('station-dashboard')
  }, 30_000) // the first navigation compiles the lazy station views
})

describe('station targets', () => {
  const base = (over: Partial<Target> = {}): Record<string, unknown> => ({
    id: '018f0000-0000-7000-8000-0000000000e1',
    period: periodFor('year', '2024-01-01'),
    scope: { kind: 'channel', id: RURAL.id },
    metric: 'rural_mobile_share',
    comparison: '>=',
    value: 32,
    ...over,
  })

  it('refuses a bad target locally with field errors and sends nothing', async () => {
    await signIn()
    const admin = useStationAdminStore()
    await admin.loadReference()
    const store = useStationTargetsStore()
    const before = server.calls.length
    const r = await store.save(base({ value: 120 }))
    expect(r).toEqual({
      ok: false,
      errors: [{ field: 'value', code: 'share_out_of_range', params: { value: 120, min: 0, max: 100 } }],
    })
    const unknown = await store.save(base({ scope: { kind: 'channel', id: '018f0000-0000-7000-8000-0000000000ff' } }))
    expect(unknown.ok ? [] : unknown.errors.map((e) => e.code)).toEqual(['scope_unknown'])
    expect(server.calls.length).toBe(before)
    expect(store.targets).toEqual([])
  })

  it("saves a good one with the station id, and shows the server's own refusal as field errors", async () => {
    await signIn()
    await useStationAdminStore().loadReference()
    const store = useStationTargetsStore()
    const ok = await store.save(base())
    expect(ok.ok).toBe(true)
    expect(server.targets[0]).toMatchObject({ stationId: STATION, metric: 'rural_mobile_share', value: 32 })
    expect(store.targets).toHaveLength(1)
    // An overlapping duplicate is caught locally now that the first is known.
    const dup = await store.save(base({ id: '018f0000-0000-7000-8000-0000000000e2' }))
    expect(dup.ok ? [] : dup.errors.map((e) => e.code)).toEqual(['overlapping_duplicate'])
    // The server may know more (here: a cap of 30); its errors come back the same way.
    const refused = await store.save(
      base({ id: '018f0000-0000-7000-8000-0000000000e3', metric: 'repeat_donor_share', value: 31 }),
    )
    expect(refused).toEqual({
      ok: false,
      errors: [{ field: 'value', code: 'share_out_of_range', params: { value: 31, min: 0, max: 30 } }],
    })
    expect(store.targets).toHaveLength(1)
  })

  it('edits a target in place (PATCH, same id) and deletes it', async () => {
    await signIn()
    await useStationAdminStore().loadReference()
    const store = useStationTargetsStore()
    await store.save(base())
    const edited = await store.save(base({ value: 33 }))
    expect(edited.ok).toBe(true)
    expect(server.calls.filter((c) => c.method === 'PATCH').map((c) => c.path)).toEqual([
      '/api/v1/admin/targets/018f0000-0000-7000-8000-0000000000e1',
    ])
    expect(store.targets.map((x) => x.value)).toEqual([33])
    expect(server.targets.map((x) => x.value)).toEqual([33])
    await store.remove('018f0000-0000-7000-8000-0000000000e1')
    expect(store.targets).toEqual([])
    expect(server.targets).toEqual([])
  })

  it("copies last year's plan, leaving targets already set alone", async () => {
    await signIn()
    await useStationAdminStore().loadReference()
    const store = useStationTargetsStore()
    await store.save(base({ period: periodFor('year', '2023-01-01') }))
    await store.save(
      base({
        id: '018f0000-0000-7000-8000-0000000000e4',
        period: periodFor('month', '2023-02-01'),
        scope: { kind: 'channel', id: UNI.id },
        metric: 'donations',
        value: 900,
      }),
    )
    await store.save(base({ id: '018f0000-0000-7000-8000-0000000000e5', period: periodFor('year', '2024-01-01') }))
    const summary = await store.copyPlan(2023, 2024)
    expect(summary.created.map((t) => [t.metric, t.period.start, t.period.end])).toEqual([
      ['donations', '2024-02-01', '2024-02-29'],
    ])
    expect(summary.refused.map((r) => r.errors[0]!.code)).toEqual(['overlapping_duplicate'])
    expect(store.targets).toHaveLength(4)
  })

  it("copies the station's plan, not what a page opened a moment ago happened to hold", async () => {
    await signIn()
    await useStationAdminStore().loadReference()
    await useStationTargetsStore().save(base({ period: periodFor('year', '2023-01-01') }))
    // A freshly opened page: a new store that has not read the station's targets yet.
    setActivePinia(createPinia())
    await signIn()
    await useStationAdminStore().loadReference()
    const fresh = useStationTargetsStore()
    expect(fresh.loaded).toBe(false)
    const summary = await fresh.copyPlan(2023, 2024)
    expect(summary.created.map((t) => t.period.start)).toEqual(['2024-01-01'])
    expect(server.targets.map((t) => t.period.start).sort()).toEqual(['2023-01-01', '2024-01-01'])
    expect(fresh.loaded).toBe(true)
  })
})

describe('station dashboard', () => {
  it("loads the period's indicators, channels, months and each target's progress with a seasonal pace", async () => {
    await signIn()
    await useStationAdminStore().loadReference()
    const targets = useStationTargetsStore()
    await targets.save({
      id: '018f0000-0000-7000-8000-0000000000e6',
      period: periodFor('year', '2024-01-01'),
      scope: { kind: 'station', id: null },
      metric: 'rural_mobile_share',
      comparison: '>=',
      value: 32,
    })
    const dash = useStationDashboardStore()
    dash.asOf = '2024-06-30'
    dash.setPeriod('year', '2024-06-30')
    await dash.load()
    expect(dash.total?.donations).toBe(10_000)
    expect(Object.keys(dash.byChannel).sort()).toEqual([RURAL.id, UNI.id].sort())
    expect(dash.byChannel[RURAL.id]!.busTrips).toBe(80)
    // Deferrals by reason and the leaders' overrides of the period come with it.
    expect(dash.rules).toMatchObject({ deferrals: 12, overrides: 2 })
    expect(server.calls.find((c) => c.path === '/api/v1/reports/rules')).toBeTruthy()
    expect(dash.monthlyThisYear).toHaveLength(12)
    expect(dash.monthlyLastYear[0]!.month).toBe('2023-01')
    const [row] = dash.targetRows
    // Station counts: 2,900 of 9,000 whole blood = 32.2 %; last year's months are all equal, so
    // the seasonal pace by 30 June is 6 of 12 months: T = 9,000 × 2 = 18,000, needed ceil(5,760) − 2,900 = 2,860.
    expect(row!.seasonal).toBe(true)
    expect(row!.progress!.forShares).toMatchObject({ projectedTotal: 18_000, needed: 2_860, reachable: true })
    // The indicators request for the target runs from the period start to asOf.
    expect(server.calls.some((c) => c.path === '/api/v1/reports/indicators')).toBe(true)
  })
})

describe('station admin store', () => {
  it('adds staff with a PIN, resets it, deactivates; issues a code and revokes a phone — each as the server answered', async () => {
    const staff: Record<string, unknown>[] = []
    const devices = [
      {
        id: 'dev1',
        name: 'Bus 3 phone A',
        enrolledAt: '2024-01-02T00:00:00Z',
        revokedAt: null,
        lastSeq: 12,
        lastPushAt: null,
        lastPullAt: '2024-01-03T00:00:00Z',
        lastSyncAt: '2024-01-03T00:00:00Z',
      },
    ]
    const inner = server.fetch.getMockImplementation()!
    server.fetch.mockImplementation(async (input, init) => {
      const url = new URL(String(input), 'http://station.test')
      const method = init?.method ?? 'GET'
      const body = init?.body ? JSON.parse(String(init.body)) : undefined
      const json = (status: number, b: unknown) =>
        new Response(JSON.stringify(b), { status, headers: { 'Content-Type': 'application/json' } })
      if (method === 'POST' && url.pathname === '/api/v1/admin/staff') {
        const member = {
          id: '018f0000-0000-7000-8000-0000000000b1',
          stationId: STATION,
          name: body.name,
          role: body.role,
          active: true,
        }
        staff.push(member)
        return json(201, member)
      }
      if (url.pathname.endsWith('/pin')) {
        if (body.pin === '1111') return json(400, { code: 'invalid_pin', message: 'the PIN is not acceptable' })
        return json(200, staff[0])
      }
      if (method === 'PATCH' && url.pathname.startsWith('/api/v1/admin/staff/'))
        return json(200, Object.assign(staff[0]!, body))
      if (url.pathname === '/api/v1/admin/devices') return json(200, devices)
      // The unused codes, listed again after each issue.
      if (method === 'GET' && url.pathname === '/api/v1/admin/enrollment-codes') return json(200, [])
      if (url.pathname === '/api/v1/admin/enrollment-codes')
        return json(201, {
          code: 'ACDE-FGHJ',
          expiresAt: '2024-01-04T00:00:00Z',
          payload: 'http://station.test/enroll?code=ACDE-FGHJ&station=luoyang',
        })
      if (url.pathname === '/api/v1/admin/devices/dev1/revoke')
        return json(200, { ...devices[0], revokedAt: '2024-01-05T00:00:00Z' })
      return inner(input, init)
    })
    await signIn()
    const admin = useStationAdminStore()
    const member = await admin.addStaff({ name: 'Li Na', role: 'collector', pin: '2468' })
    expect(admin.staff).toEqual([member])
    // The PIN goes to the server once and is kept nowhere on the page's side.
    expect(JSON.stringify(admin.staff)).not.toContain('2468')
    await expect(admin.resetPin(member.id, '1111')).rejects.toMatchObject({ code: 'invalid_pin' })
    await admin.resetPin(member.id, '3579')
    await admin.setStaffActive(member.id, false)
    expect(admin.staff[0]!.active).toBe(false)
    await admin.loadDevices()
    expect(admin.devices[0]!.lastSyncAt).toBe('2024-01-03T00:00:00Z')
    const code = await admin.issueEnrollmentCode()
    expect(code.payload).toContain('code=ACDE-FGHJ')
    await admin.revokeDevice('dev1')
    expect(admin.devices).toHaveLength(1)
    expect(admin.devices[0]!.revokedAt).toBe('2024-01-05T00:00:00Z')
  })
})
