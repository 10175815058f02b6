// Hostile bodies and parameters on both engines. Every JSON route, enumerated from the app itself
// (a route added later is covered without editing this file), answers a deeply nested body with
// 400 too_deep and a gzip bomb or a body of too many values with 413 too_large, and the event loop
// is never held > 100 ms while it does. Inside a push a too-deep or impossible record is refused
// alone. Numeric path parameters never reach SQL unchecked (400/404, never 500). Impossible
// dates are refused.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays } from '../../src/domain/dates'
import { newId } from '../../src/domain/ids'
import type { PushResponse } from '../../src/domain/sync-protocol'
import { createStationApp } from '../../src/server/app'
import { stationToday } from '../../src/server/time'
import { ENGINES } from './support/engines'
import {
  type ApiAnswer,
  type CallOptions,
  correctionOf,
  deferral,
  donation,
  drive,
  MANAGER_PASSWORD,
  type Phone,
  startTestStation,
  type StationSetup,
  type TestStation,
} from './support/station'

/** Routes that take no body: a body sent to them is ignored, so they only must not fail or stall. */
const BODYLESS = new Set([
  'POST /api/v1/auth/logout',
  'POST /api/v1/admin/devices/:id/revoke',
  'POST /api/v1/admin/enrollment-codes',
])

const MAX_BLOCK_MS = 100

/** Arrays nested `depth` deep around a NUL string (the text that overflowed containsNul's recursion). */
const nested = (depth: number) => `${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}`

describe.each(ENGINES)('bounded input (%s)', (engine) => {
  let t: TestStation
  /** A server with no station yet: where first-run setup reads its body (afterwards it refuses unread). */
  let fresh: TestStation
  let s: StationSetup
  let phone: Phone
  let routes: { method: string; path: string }[]
  const bodies: Record<string, { raw: Uint8Array | string; headers: Record<string, string> }> = {}

  beforeAll(async () => {
    t = await startTestStation(engine)
    fresh = await startTestStation(engine)
    s = await t.createStation('bounded')
    phone = await t.enroll(s)
    // The app's own route table: every method and path the station answers.
    const seen = new Set<string>()
    routes = createStationApp({ store: t.store })
      .routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/'))
      .filter((r) => {
        const key = `${r.method} ${r.path}`
        if (seen.has(key)) return false
        seen.add(key)
        return true
      })
      .map((r) => ({ method: r.method, path: r.path }))
    const json = { 'Content-Type': 'application/json' }
    const gzip = { ...json, 'Content-Encoding': 'gzip' }
    bodies.deep = { raw: `{"name":${nested(100_000)}}`, headers: json }
    // 16 MiB of nested arrays in ~16 KB of gzip (the body that held the event loop 8-26 s).
    bodies.bomb = { raw: gzipSync('['.repeat(8 << 20) + ']'.repeat(8 << 20)), headers: gzip }
    // Under the byte limits, nesting too deep once inflated.
    bodies.deepGzip = { raw: gzipSync(`{"a":${nested(200_000)}}`), headers: gzip }
    // Flat, within the byte limits, but with more values than any form or push holds.
    bodies.wide = { raw: gzipSync(`[${'0,'.repeat(500_000)}0]`), headers: gzip }
  }, 60_000)
  afterAll(async () => {
    await t?.close()
    await fresh?.close()
  })

  const tokenFor = async (path: string): Promise<string | null> => {
    if (path.startsWith('/api/v1/sync/')) return phone.token
    if (path === '/api/v1/auth/logout') {
      const res = await t.call<{ token: string }>('/api/v1/auth/login', {
        body: { stationCode: s.code, username: 'manager', password: MANAGER_PASSWORD },
      })
      return res.body.token
    }
    if (path.startsWith('/api/v1/admin/') || path.startsWith('/api/v1/auth/') || path.startsWith('/api/v1/reports/'))
      return s.adminToken
    return null
  }

  /**
   * Calls and measures the longest event-loop stall meanwhile (server and client share this loop).
   * A machine shared with other work can stall any loop once; a body that blocks does so every
   * time: so the same request goes up to twice more while the stall exceeds the limit, and the
   * least stall counts. The answer is the first one (a push sent again is answered `duplicate`).
   */
  const measured = async (
    path: string,
    opts: CallOptions,
    station: TestStation = t,
  ): Promise<{ res: ApiAnswer; blockedMs: number }> => {
    let first: ApiAnswer | null = null
    let blockedMs = Infinity
    for (let attempt = 0; attempt < 3 && blockedMs > MAX_BLOCK_MS; attempt++) {
      const histogram = monitorEventLoopDelay({ resolution: 10 })
      histogram.enable()
      const res = await station.call(path, opts)
      histogram.disable()
      first ??= res
      blockedMs = Math.min(blockedMs, histogram.max / 1e6)
    }
    return { res: first!, blockedMs }
  }

  it('finds the JSON routes in the app', () => {
    const withBody = routes.filter((r) => ['POST', 'PUT', 'PATCH'].includes(r.method))
    expect(withBody.length).toBeGreaterThan(15)
    expect(withBody.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['POST /api/v1/setup', 'POST /api/v1/sync/push', 'POST /api/v1/devices/enroll']),
    )
  })

  for (const kind of ['deep', 'bomb', 'deepGzip', 'wide'] as const) {
    const expected = kind === 'deep' || kind === 'deepGzip' ? { status: 400, code: 'too_deep' } : null
    it(`${kind} bodies on every route: ${expected ? '400 too_deep' : '413 too_large'}, the loop never blocked > ${MAX_BLOCK_MS} ms`, async () => {
      const failures: string[] = []
      for (const route of routes.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method))) {
        const path = route.path.replace(':year', '2026').replace(/:[a-z]+/gi, () => newId())
        const { res, blockedMs } = await measured(
          path,
          {
            method: route.method,
            token: await tokenFor(route.path),
            raw: bodies[kind]!.raw,
            headers: bodies[kind]!.headers,
          },
          route.path === '/api/v1/setup' ? fresh : t,
        )
        const name = `${route.method} ${route.path}`
        const code = (res.body as { code?: string } | null)?.code
        if (blockedMs > MAX_BLOCK_MS) failures.push(`${name}: event loop blocked ${blockedMs.toFixed(0)} ms`)
        if (res.status >= 500) failures.push(`${name}: ${res.status} ${JSON.stringify(res.body)}`)
        if (route.method === 'DELETE' || BODYLESS.has(name)) continue
        // The kind of the body, not the route's own checks, decides the answer: the body is read first.
        const want = expected ?? { status: 413, code: 'too_large' }
        if (res.status !== want.status || code !== want.code)
          failures.push(`${name}: ${res.status} ${code}, want ${want.status} ${want.code}`)
      }
      expect(failures).toEqual([])
    }, 120_000)
  }

  it('push: a too-deep record is refused alone with its code; the rest are applied', async () => {
    const before = await t.count('records')
    const good1 = donation(phone)
    const good2 = deferral(phone)
    const req = t.batch(phone, [good1, { placeholder: true }, good2])
    // Splice a record nested 50,000 deep (with NUL at the bottom) into the second mutation.
    const text = JSON.stringify(req).replace('{"placeholder":true}', nested(50_000))
    const { res, blockedMs } = await measured('/api/v1/sync/push', {
      token: phone.token,
      raw: text,
      headers: { 'Content-Type': 'application/json' },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(blockedMs).toBeLessThan(MAX_BLOCK_MS)
    const body = res.body as PushResponse
    expect(body.results.map((r) => r.status)).toEqual(['applied', 'rejected', 'applied'])
    expect(body.results[1]).toMatchObject({ status: 'rejected', code: 'invalid_record' })
    expect(await t.count('records')).toBe(before + 2)
    phone.nextSeq += 3

    // The same record nested just past the limit inside a field, and a NUL at depth 20: each alone.
    const deepField = { ...donation(phone), vitals: JSON.parse(nested(40)) as unknown }
    const nulDeep = { ...donation(phone), note: JSON.parse(nested(20)) as unknown }
    const good3 = donation(phone)
    const second = await t.push(phone, [deepField, nulDeep, good3])
    expect(second.status).toBe(200)
    expect(second.body.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'invalid_record',
      'invalid_record',
      'applied',
    ])
  })

  it('refuses impossible dates in records, each alone, and collection dates after tomorrow at the station', async () => {
    const tomorrow = addDays(stationToday('Asia/Shanghai'), 1)
    const dayAfter = addDays(tomorrow, 1)
    const original = donation(phone)
    await t.push(phone, [original])
    const cases: [string, unknown, 'applied' | 'invalid_record'][] = [
      ['collectedOn 2026-02-30', donation(phone, { collectedOn: '2026-02-30' }), 'invalid_record'],
      ['collectedOn 0000-01-01', donation(phone, { collectedOn: '0000-01-01' }), 'invalid_record'],
      ['collectedOn 9999-12-31', donation(phone, { collectedOn: '9999-12-31' }), 'invalid_record'],
      ['collectedOn 1999-12-31', deferral(phone, { collectedOn: '1999-12-31' }), 'invalid_record'],
      ['deferred until 2027-02-29', deferral(phone, { until: '2027-02-29' }), 'invalid_record'],
      ['drive on 2026-04-31', drive(phone, { date: '2026-04-31' }), 'invalid_record'],
      ['createdAt 1970', donation(phone, { createdAt: '1970-01-01T00:00:00.000Z' }), 'invalid_record'],
      ['collectedAt 25 o’clock', donation(phone, { collectedAt: '2026-03-02T25:10:00.000+08:00' }), 'invalid_record'],
      [`collectedOn the day after tomorrow`, donation(phone, { collectedOn: dayAfter }), 'invalid_record'],
      [`drive the day after tomorrow`, drive(phone, { date: dayAfter }), 'invalid_record'],
      [
        'a correction into the future',
        correctionOf(phone, original, { ...original, collectedOn: dayAfter }),
        'invalid_record',
      ],
      [`collectedOn tomorrow (a phone clock ahead)`, donation(phone, { collectedOn: tomorrow }), 'applied'],
      ['drive tomorrow', drive(phone, { date: tomorrow }), 'applied'],
      ['29 February of a leap year', donation(phone, { collectedOn: '2024-02-29' }), 'applied'],
    ]
    const res = await t.push(
      phone,
      cases.map((c) => c[1]),
    )
    expect(res.status).toBe(200)
    const got = res.body.results.map((r, i) => [cases[i]![0], r.status === 'rejected' ? r.code : r.status])
    expect(got).toEqual(cases.map((c) => [c[0], c[2]]))
  })

  it('refuses impossible dates in reference data (target periods)', async () => {
    const target = (start: string, end: string) => ({
      period: { kind: 'custom', start, end },
      scope: { kind: 'station', id: null },
      metric: 'donations',
      comparison: '>=',
      value: 10,
    })
    for (const [start, end] of [
      ['2026-02-30', '2026-03-31'],
      ['0000-01-01', '2026-03-31'],
      ['2026-01-01', '9999-12-31'],
    ]) {
      const before = await t.count('targets')
      const res = await t.call('/api/v1/admin/targets', { token: s.managerToken, body: target(start!, end!) })
      expect(res.status, `${start}..${end}`).toBe(400)
      expect(await t.count('targets')).toBe(before)
    }
    const ok = await t.call('/api/v1/admin/targets', {
      token: s.managerToken,
      body: target('2024-02-01', '2024-02-29'),
    })
    expect(ok.status).toBe(201)
  })

  it('every route with a path parameter answers numbers out of range with 400 or 404, never 500', async () => {
    const withParams = routes.filter((r) => r.path.includes('/:'))
    expect(withParams.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['DELETE /api/v1/admin/populations/:year', 'PUT /api/v1/admin/populations/:year']),
    )
    const values = ['99999999999999999999', '-1', '0', '1e309', '2026.5', '02026', '2147483648', 'NaN', '٢٠٢٦']
    const failures: string[] = []
    for (const route of withParams) {
      for (const value of values) {
        const path = route.path.replace(/:[a-z]+/gi, encodeURIComponent(value))
        const res = await t.call(path, {
          method: route.method,
          token: await tokenFor(route.path),
          ...(route.method === 'GET' || route.method === 'DELETE'
            ? {}
            : { body: { name: 'x', population: 1000, pin: '4071' } }),
        })
        if (res.status !== 400 && res.status !== 404)
          failures.push(`${route.method} ${path}: ${res.status} ${JSON.stringify(res.body)}`)
      }
    }
    expect(failures).toEqual([])
  })
})
