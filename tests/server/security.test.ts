// Security of the station server on both engines: headers on pages and API, the manager's cookie
// session and CSRF, sign-in limits and constant work, rate limits, enrollment codes as HMACs,
// and no answer that tells another station's ids from unknown ones.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/domain/ids'
import { passwordChecks } from '../../src/server/auth/passwords'
import { ephemeralSecret, loadServerSecret, SECRET_FILE } from '../../src/server/auth/secret'
import { FailureBackoff, type StationLimits } from '../../src/server/http/limits'
import { limitKey } from '../../src/server/http/security'
import { insertAccount, prepareAccount } from '../../src/server/repo/accounts'
import { createStation } from '../../src/server/repo/stations'
import { startStation } from '../../src/server/server'
import { ENGINES, openTestStore, type TestStore } from './support/engines'
import { MANAGER_PASSWORD, type StationSetup, TEST_PIN_ITERATIONS, TestStation } from './support/station'

const MINUTE = 60_000

async function startWith(
  engine: (typeof ENGINES)[number],
  opts: { limits?: Partial<StationLimits>; trustProxy?: boolean; staticDir?: string; secret?: Buffer } = {},
  store?: TestStore,
): Promise<TestStation> {
  const s = store ?? (await openTestStore(engine))
  const running = await startStation({
    config: { port: 0, host: '127.0.0.1', dataDir: '', databaseUrl: null },
    store: s,
    pinIterations: TEST_PIN_ITERATIONS,
    ...opts,
  })
  return new TestStation(engine, s, running)
}

/** The cookie pairs a response sets, as a Cookie header would send them back. */
function cookiesOf(res: { headers: Headers }): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ')
}

function setCookieNamed(res: { headers: Headers }, name: string): string | undefined {
  return res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))
}

describe.each(ENGINES)('security (%s)', (engine) => {
  describe('headers, cookie session and CSRF', () => {
    let t: TestStation
    let a: StationSetup
    let staticDir: string
    beforeAll(async () => {
      staticDir = mkdtempSync(join(tmpdir(), 'bloodbus-static-'))
      writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>app</title>')
      t = await startWith(engine, { staticDir, trustProxy: true })
      a = await t.createStation('alpha')
    })
    afterAll(async () => {
      await t?.close()
      rmSync(staticDir, { recursive: true, force: true })
    })

    it('puts a strict CSP and the other security headers on pages and API answers', async () => {
      for (const path of ['/', '/station', '/station/login', '/api/v1/health', '/api/v1/nothing-here']) {
        const res = await t.call(path)
        const csp = res.headers.get('content-security-policy') ?? ''
        expect(csp, path).toContain("frame-ancestors 'none'")
        expect(csp, path).not.toContain('unsafe-inline')
        expect(csp, path).not.toContain("'unsafe-eval'")
        expect(res.headers.get('x-frame-options'), path).toBe('DENY')
        expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
        expect(res.headers.get('referrer-policy'), path).toBe('no-referrer')
        expect(res.headers.get('permissions-policy'), path).toContain('camera=(self)')
        expect(res.headers.get('permissions-policy'), path).toContain('microphone=()')
        // Plain HTTP: no HSTS (a browser would ignore it, and it must not stick to a test host).
        expect(res.headers.get('strict-transport-security'), path).toBeNull()
      }
      const page = (await t.call('/station')).headers.get('content-security-policy')!
      expect(page).toContain("script-src 'self' 'wasm-unsafe-eval'")
      expect(page).toContain("default-src 'self'")
      expect((await t.call('/api/v1/health')).headers.get('content-security-policy')).toContain("default-src 'none'")
    })

    it('sends HSTS over HTTPS, as the trusted proxy reports it', async () => {
      const res = await t.call('/station', { headers: { 'X-Forwarded-Proto': 'https' } })
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000')
    })

    it('keeps the manager session in an HttpOnly SameSite=Strict cookie, never in the body', async () => {
      const login = await t.call<{ token?: string; csrfToken: string; account: { username: string } }>(
        '/api/v1/auth/login',
        { body: { stationCode: 'alpha', username: 'manager', password: MANAGER_PASSWORD, session: 'cookie' } },
      )
      expect(login.status).toBe(200)
      expect(login.body.token).toBeUndefined()
      expect(login.body.csrfToken).toMatch(/^[0-9a-f]{64}$/)
      const cookie = setCookieNamed(login, 'bb_session')!
      expect(cookie).toMatch(/^bb_session=bbs_/)
      expect(cookie).toContain('HttpOnly')
      expect(cookie).toContain('SameSite=Strict')
      expect(cookie).toContain('Path=/')
      expect(cookie).not.toContain('Secure')
      const jar = cookiesOf(login)
      const me = await t.call<{ account: { username: string }; csrfToken: string }>('/api/v1/auth/me', {
        headers: { Cookie: jar },
      })
      expect(me.status).toBe(200)
      expect(me.body.csrfToken).toBe(login.body.csrfToken)
      expect((await t.call('/api/v1/admin/sites', { headers: { Cookie: jar } })).status).toBe(200)
    })

    it('marks the cookie Secure (and __Host-) over HTTPS', async () => {
      const login = await t.call('/api/v1/auth/login', {
        body: { stationCode: 'alpha', username: 'manager', password: MANAGER_PASSWORD, session: 'cookie' },
        headers: { 'X-Forwarded-Proto': 'https' },
      })
      expect(login.status).toBe(200)
      const cookie = setCookieNamed(login, '__Host-bb_session')!
      expect(cookie).toContain('Secure')
      expect(cookie).toContain('HttpOnly')
      expect(cookie).toContain('SameSite=Strict')
      // The HTTPS cookie is read over HTTPS only.
      const jar = cookiesOf(login)
      expect((await t.call('/api/v1/auth/me', { headers: { Cookie: jar, 'X-Forwarded-Proto': 'https' } })).status).toBe(
        200,
      )
      expect((await t.call('/api/v1/auth/me', { headers: { Cookie: jar } })).status).toBe(401)
    })

    it('refuses a cookie session’s writes without the CSRF token or from a foreign origin, and writes nothing', async () => {
      const login = await t.call<{ csrfToken: string }>('/api/v1/auth/login', {
        body: { stationCode: 'alpha', username: 'manager', password: MANAGER_PASSWORD, session: 'cookie' },
      })
      const jar = cookiesOf(login)
      const before = (await t.call<unknown[]>('/api/v1/admin/sites', { token: a.managerToken })).body.length
      const site = { name: 'Forged village', kind: 'village' }
      const refused = [
        await t.call('/api/v1/admin/sites', { body: site, headers: { Cookie: jar } }),
        await t.call('/api/v1/admin/sites', { body: site, headers: { Cookie: jar, 'X-CSRF-Token': 'f'.repeat(64) } }),
        await t.call('/api/v1/admin/sites', {
          body: site,
          headers: { Cookie: jar, 'X-CSRF-Token': login.body.csrfToken, Origin: 'http://evil.example' },
        }),
        await t.call('/api/v1/admin/sites', {
          body: site,
          headers: { Cookie: jar, 'X-CSRF-Token': login.body.csrfToken, 'Sec-Fetch-Site': 'cross-site' },
        }),
        // A form post from another site (text/plain JSON) carries no header at all.
        await t.call('/api/v1/auth/logout', {
          method: 'POST',
          headers: { Cookie: jar, Origin: 'http://evil.example' },
        }),
      ]
      for (const res of refused) {
        expect(res.status).toBe(403)
        expect(res.body).toMatchObject({ code: 'csrf_refused' })
      }
      expect((await t.call<unknown[]>('/api/v1/admin/sites', { token: a.managerToken })).body.length).toBe(before)
      const ok = await t.call('/api/v1/admin/sites', {
        body: site,
        headers: {
          Cookie: jar,
          'X-CSRF-Token': login.body.csrfToken,
          Origin: new URL(t.url).origin,
          'Sec-Fetch-Site': 'same-origin',
        },
      })
      expect(ok.status).toBe(201)
      // Bearer tokens (scripts, phones) are never sent by a browser on its own: no CSRF token needed.
      expect((await t.call('/api/v1/admin/sites', { body: site, token: a.managerToken })).status).toBe(201)
    })

    it('refuses a cookie sign-in started by a foreign page (login CSRF)', async () => {
      const res = await t.call('/api/v1/auth/login', {
        body: { stationCode: 'alpha', username: 'manager', password: MANAGER_PASSWORD, session: 'cookie' },
        headers: { Origin: 'http://evil.example' },
      })
      expect(res.status).toBe(403)
      expect(setCookieNamed(res, 'bb_session')).toBeUndefined()
    })

    it('logs out: the server session ends and the cookie is cleared', async () => {
      const login = await t.call<{ csrfToken: string }>('/api/v1/auth/login', {
        body: { stationCode: 'alpha', username: 'manager', password: MANAGER_PASSWORD, session: 'cookie' },
      })
      const jar = cookiesOf(login)
      const out = await t.call('/api/v1/auth/logout', {
        method: 'POST',
        headers: { Cookie: jar, 'X-CSRF-Token': login.body.csrfToken },
      })
      expect(out.status).toBe(204)
      expect(setCookieNamed(out, 'bb_session')).toMatch(/Max-Age=0/)
      // The old cookie, replayed, opens nothing: the session is gone on the server too (and the
      // browser is told again to drop it).
      const replay = await t.call('/api/v1/auth/me', { headers: { Cookie: jar } })
      expect(replay.status).toBe(401)
      expect(setCookieNamed(replay, 'bb_session')).toMatch(/Max-Age=0/)
    })

    it('answers another station’s id exactly as its own taken id, and as an unknown id for changes', async () => {
      const b = await t.createStation('beta')
      const id = newId()
      const site = { id, name: 'Shared id', kind: 'village' }
      expect((await t.call('/api/v1/admin/sites', { body: site, token: a.managerToken })).status).toBe(201)
      const own = await t.call('/api/v1/admin/sites', { body: site, token: a.managerToken })
      const foreign = await t.call('/api/v1/admin/sites', { body: site, token: b.managerToken })
      expect(foreign.status).toBe(own.status)
      expect(foreign.body).toEqual(own.body)
      expect(JSON.stringify(foreign.body)).not.toContain(id)
      const missing = newId()
      for (const [method, path] of [
        ['PATCH', '/api/v1/admin/sites/'],
        ['DELETE', '/api/v1/admin/sites/'],
      ] as const) {
        const other = await t.call(`${path}${id}`, { method, body: { name: 'x' }, token: b.managerToken })
        const none = await t.call(`${path}${missing}`, { method, body: { name: 'x' }, token: b.managerToken })
        expect([other.status, other.body]).toEqual([none.status, none.body])
      }
      for (const kind of ['staff', 'channels', 'teams'] as const) {
        const taken = kind === 'staff' ? a.staffIds[0]! : (kind === 'channels' ? a.channels : a.teams)[0]!.id
        const body =
          kind === 'staff'
            ? { id: taken, name: 'Zhao', role: 'collector', pin: '2580' }
            : { id: taken, code: `x_${kind}`, nameZh: '某', nameEn: 'Some', ruralMobile: false }
        const res = await t.call(`/api/v1/admin/${kind}`, { body, token: b.managerToken })
        expect(res.status, kind).toBe(409)
        expect(res.body, kind).toEqual(own.body)
      }
    })
  })

  describe('sign-in limits and constant work', () => {
    let t: TestStation
    beforeAll(async () => {
      t = await startWith(engine, {
        trustProxy: true,
        limits: {
          loginAccount: { free: 3, baseDelayMs: 10 * MINUTE, maxDelayMs: 60 * MINUTE, forgetAfterMs: 60 * MINUTE },
          loginAddress: { free: 4, baseDelayMs: 10 * MINUTE, maxDelayMs: 60 * MINUTE, forgetAfterMs: 60 * MINUTE },
          unauthenticated: { limit: 1000, windowMs: MINUTE },
        },
      })
      await t.createStation('gamma')
      await t.createStation('delta')
    })
    afterAll(async () => {
      await t?.close()
    })

    const attempt = (username: string, password: string, from: string, headers: Record<string, string> = {}) =>
      t.call<{ code: string; retryAfter?: number }>('/api/v1/auth/login', {
        body: { stationCode: 'gamma', username, password },
        headers: { 'X-Forwarded-For': from, ...headers },
      })

    it('runs the password hash for an unknown station, an unknown user and a wrong password alike', async () => {
      const cases = [
        { stationCode: 'no-such-station', username: 'manager', password: 'whatever-it-is' },
        { stationCode: 'delta', username: 'nobody-here', password: 'whatever-it-is' },
        { stationCode: 'delta', username: 'manager', password: 'whatever-it-is' },
      ]
      const answers = []
      for (const [i, body] of cases.entries()) {
        const before = passwordChecks.count
        const res = await t.call('/api/v1/auth/login', { body, headers: { 'X-Forwarded-For': `10.9.0.${i}` } })
        expect(passwordChecks.count - before, body.stationCode).toBe(1)
        answers.push([res.status, res.body])
      }
      expect(answers[1]).toEqual(answers[0])
      expect(answers[2]).toEqual(answers[0])
      expect(answers[0]![0]).toBe(401)
    })

    it('slows guessing of one account from many addresses, without locking out a browser that signed in before', async () => {
      // The manager signed in from this browser yesterday: it holds the known-browser cookie.
      const earlier = await attempt('manager', MANAGER_PASSWORD, '10.1.0.1')
      expect(earlier.status).toBe(200)
      const known = cookiesOf(earlier)
      expect(setCookieNamed(earlier, 'bb_known')).toContain('HttpOnly')
      // Ten addresses take turns guessing: after 3 failures the account waits, whoever asks.
      const statuses: number[] = []
      const checksBefore = passwordChecks.count
      for (let i = 0; i < 20; i++) statuses.push((await attempt('manager', `guess-${i}-x`, `10.2.0.${i % 10}`)).status)
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401])
      expect(statuses.slice(3).every((s) => s === 429)).toBe(true)
      // Refused while waiting: no hash ran for those.
      expect(passwordChecks.count - checksBefore).toBe(3)
      const waiting = await attempt('manager', MANAGER_PASSWORD, '10.3.0.1')
      expect(waiting.status).toBe(429)
      expect(Number(waiting.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(waiting.body).toMatchObject({ code: 'too_many_attempts' })
      // The right password from a new browser waits too; the known browser gets in, from any address.
      const back = await attempt('manager', MANAGER_PASSWORD, '10.2.0.5', { Cookie: known })
      expect(back.status).toBe(200)
      // Another account of the same station is not held up by the guessing.
      expect((await attempt('admin', MANAGER_PASSWORD, '10.4.0.1')).status).toBe(200)
    })

    it('limits one address guessing across accounts, but not the other addresses', async () => {
      const names = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6']
      const statuses = []
      for (const name of names) statuses.push((await attempt(name, 'wrong-password', '10.5.0.1')).status)
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429])
      expect((await attempt('admin', MANAGER_PASSWORD, '10.5.0.2')).status).toBe(200)
    })

    it('grows the delay with each further failure, up to the cap, and forgets after quiet', () => {
      let now = 0
      const b = new FailureBackoff({ free: 2, baseDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000 }, () => now)
      const waits: number[] = []
      for (let i = 0; i < 7; i++) {
        // Each attempt comes as soon as it may.
        const wait = b.wait('k')
        waits.push(wait)
        now += wait
        b.fail('k')
      }
      waits.push(b.wait('k'))
      expect(waits).toEqual([0, 0, 1000, 2000, 4000, 8000, 8000, 8000])
      now += 61_000
      expect(b.wait('k')).toBe(0)
    })
  })

  describe('rate limits and enrollment codes', () => {
    let t: TestStation
    let a: StationSetup
    const secret = ephemeralSecret()
    beforeAll(async () => {
      t = await startWith(engine, {
        trustProxy: true,
        secret,
        limits: {
          enrollShortAddress: {
            free: 2,
            baseDelayMs: 10 * MINUTE,
            maxDelayMs: 60 * MINUTE,
            forgetAfterMs: 60 * MINUTE,
          },
          // The test before spends one wrong typed code, this one two from one address and three from others.
          enrollShortGlobal: { limit: 6, windowMs: 60 * MINUTE },
          unauthenticated: { limit: 40, windowMs: 60 * MINUTE },
          setup: { limit: 2, windowMs: 60 * MINUTE },
          credentialChanges: { limit: 8, windowMs: 60 * MINUTE },
        },
      })
      a = await t.createStation('epsilon')
    })
    afterAll(async () => {
      await t?.close()
    })

    const issue = async () =>
      (
        await t.call<{ code: string; longCode: string; enrollUrl: string }>('/api/v1/admin/enrollment-codes', {
          token: a.managerToken,
          body: {},
        })
      ).body
    const enroll = (code: string, from: string) =>
      t.call<{ deviceId: string }>('/api/v1/devices/enroll', {
        body: { code, name: 'phone' },
        headers: { 'X-Forwarded-For': from },
      })

    it('keeps enrollment codes as HMACs under the server secret: the row does not give the code', async () => {
      const issued = await issue()
      const rows = await t.store.db.selectFrom('enrollment_codes').selectAll().where('used_at', 'is', null).execute()
      expect(rows).toHaveLength(1)
      const row = rows[0]!
      const short = issued.code.replace('-', '')
      const sha = (s: string) => createHash('sha256').update(s).digest('hex')
      for (const stored of [row.code_hash, row.short_hash!]) {
        expect(stored).toMatch(/^[0-9a-f]{64}$/)
        for (const plain of [short, issued.code, issued.longCode]) {
          expect(stored).not.toContain(plain)
          expect(stored).not.toBe(sha(plain))
        }
      }
      // The same database under another secret (a stolen copy) accepts neither form.
      const thief = await startWith(engine, { secret: ephemeralSecret() }, { ...t.store, dispose: async () => {} })
      try {
        for (const code of [issued.code, issued.longCode])
          expect((await thief.call('/api/v1/devices/enroll', { body: { code } })).body).toMatchObject({
            code: 'invalid_code',
          })
      } finally {
        await thief.running.close()
      }
      // The QR code's long form enrolls; once spent, the short form's HMAC is gone too.
      expect(issued.enrollUrl).toContain(issued.longCode)
      expect((await enroll(issued.longCode, '10.6.0.1')).status).toBe(201)
      const spent = await t.store.db
        .selectFrom('enrollment_codes')
        .selectAll()
        .where('code_hash', '=', row.code_hash)
        .executeTakeFirstOrThrow()
      expect(spent.short_hash).toBeNull()
      expect((await enroll(issued.code, '10.6.0.1')).status).toBe(400)
    })

    it('holds typed codes to a tight limit per address and overall, while the QR code’s long form still works', async () => {
      const issued = await issue()
      const wrong = ['AAAA-AAAA', 'CCCC-CCCC', 'DDDD-DDDD']
      const one = []
      for (const code of wrong) one.push((await enroll(code, '10.7.0.1')).status)
      expect(one).toEqual([400, 400, 429])
      // The right typed code from that address now waits as well.
      const held = await enroll(issued.code, '10.7.0.1')
      expect(held.status).toBe(429)
      expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(60)
      // Strangers elsewhere add up: past the overall cap, typed codes wait for everyone…
      for (const [i, code] of wrong.entries()) expect((await enroll(code, `10.8.0.${i}`)).status).toBe(400)
      expect((await enroll(issued.code, '10.9.9.9')).status).toBe(429)
      // …but the long form (what the QR code carries) is not held back.
      expect((await enroll(issued.longCode, '10.7.0.1')).status).toBe(201)
    })

    it('caps setup attempts and unauthenticated requests per address with 429 and Retry-After', async () => {
      const body = { stationCode: 'x1', stationName: 'X', username: 'chief', password: 'long-enough-1' }
      const setups = []
      for (let i = 0; i < 3; i++)
        setups.push(await t.call('/api/v1/setup', { body, headers: { 'X-Forwarded-For': '10.10.0.1' } }))
      expect(setups.map((r) => r.status)).toEqual([409, 409, 429])
      expect(Number(setups[2]!.headers.get('retry-after'))).toBeGreaterThan(0)
      let last = await t.call('/api/v1/setup', { headers: { 'X-Forwarded-For': '10.11.0.1' } })
      for (let i = 0; i < 45 && last.status !== 429; i++)
        last = await t.call('/api/v1/setup', { headers: { 'X-Forwarded-For': '10.11.0.1' } })
      expect(last.status).toBe(429)
      expect(last.body).toMatchObject({ code: 'too_many_attempts' })
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0)
      // Another address is not affected.
      expect((await t.call('/api/v1/setup', { headers: { 'X-Forwarded-For': '10.11.0.2' } })).status).toBe(200)
    })

    it('caps PIN resets per account', async () => {
      const staffId = a.staffIds[0]!
      const statuses = []
      for (let i = 0; i < 9; i++)
        statuses.push(
          (await t.call(`/api/v1/admin/staff/${staffId}/pin`, { body: { pin: '2580' }, token: a.adminToken })).status,
        )
      // createStation spent none of the admin's budget (the manager made the staff).
      expect(statuses.slice(0, 8).every((s) => s === 200)).toBe(true)
      expect(statuses[8]).toBe(429)
    })
  })
})

describe('server secret', () => {
  it('is made once in the data folder, readable by the owner only, and SERVER_SECRET overrides it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bloodbus-secret-'))
    try {
      const first = loadServerSecret(join(dir, 'data'), {})
      expect(first.length).toBeGreaterThanOrEqual(32)
      expect(statSync(join(dir, 'data', SECRET_FILE)).mode & 0o777).toBe(0o600)
      expect(loadServerSecret(join(dir, 'data'), {}).equals(first)).toBe(true)
      const given = 'ab'.repeat(32)
      expect(loadServerSecret(join(dir, 'data'), { SERVER_SECRET: given }).toString('hex')).toBe(given)
      expect(() => loadServerSecret(join(dir, 'data'), { SERVER_SECRET: 'short' })).toThrow(/at least 32/)
      mkdirSync(join(dir, 'other'))
      expect(loadServerSecret(join(dir, 'other'), {}).equals(first)).toBe(false)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('direct TLS', () => {
  it('knows HTTPS from its own TLS socket: HSTS and a Secure __Host- cookie, without trusting any header', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bloodbus-tls-'))
    const store = await openTestStore('sqlite')
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-subj',
          '/CN=localhost',
          '-days',
          '1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      )
      const running = await startStation({
        config: {
          port: 0,
          host: '127.0.0.1',
          dataDir: '',
          databaseUrl: null,
          tlsCertFile: join(dir, 'cert.pem'),
          tlsKeyFile: join(dir, 'key.pem'),
        },
        store,
        pinIterations: TEST_PIN_ITERATIONS,
      })
      try {
        expect(running.url).toMatch(/^https:/)
        const station = await createStation(store.db, { code: 'tls', name: 'TLS station' })
        await insertAccount(
          store.db,
          station.id,
          await prepareAccount({ username: 'manager', password: MANAGER_PASSWORD, role: 'manager' }),
        )
        const call = (path: string, body?: unknown) =>
          new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
            const req = httpsRequest(
              `${running.url.replace('localhost', '127.0.0.1')}${path}`,
              {
                method: body ? 'POST' : 'GET',
                rejectUnauthorized: false,
                headers: body ? { 'Content-Type': 'application/json' } : {},
              },
              (res) => {
                res.resume()
                res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }))
              },
            )
            req.on('error', reject)
            req.end(body ? JSON.stringify(body) : undefined)
          })
        const health = await call('/api/v1/health')
        expect(health.headers['strict-transport-security']).toBe('max-age=31536000')
        const login = await call('/api/v1/auth/login', {
          stationCode: 'tls',
          username: 'manager',
          password: MANAGER_PASSWORD,
          session: 'cookie',
        })
        expect(login.status).toBe(200)
        const cookie = (login.headers['set-cookie'] as string[]).find((c) => c.startsWith('__Host-bb_session='))!
        expect(cookie).toContain('Secure')
        expect(cookie).toContain('HttpOnly')
      } finally {
        await running.close()
      }
    } finally {
      await store.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('client addresses for the limits', () => {
  it('counts IPv6 by its /64 and IPv4-mapped addresses as IPv4', () => {
    expect(limitKey('2001:db8:1:2:a:b:c:d')).toBe('2001:db8:1:2::/64')
    expect(limitKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64')
    expect(limitKey('2001:0db8:0001:0002:ffff::9')).toBe('2001:db8:1:2::/64')
    expect(limitKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(limitKey('::1')).toBe('0:0:0:0::/64')
    expect(limitKey('::ffff:10.1.2.3')).toBe('10.1.2.3')
    expect(limitKey('10.1.2.3')).toBe('10.1.2.3')
    expect(limitKey('not an address')).toBe('not an address')
  })
})
