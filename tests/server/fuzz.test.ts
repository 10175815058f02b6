// Generated malformed input against push and every admin, auth and report endpoint, on both
// engines: never a 5xx, always `{ code, message }` on a refusal, and a refused request changes
// no row (a push answered 200 adds exactly its "applied" rows).
import fc from 'fast-check'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/domain/ids'
import type { PushResponse } from '../../src/domain/sync-protocol'
import { ENGINES } from './support/engines'
import {
  deferral,
  donation,
  drive,
  type Phone,
  startTestStation,
  type StationSetup,
  type TestStation,
} from './support/station'

const RUNS = Number(process.env.FUZZ_RUNS ?? 100)

/** Arrays nested `depth` deep around a NUL string. */
function deep(depth: number): unknown {
  let value: unknown = '\u0000'
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

/** Any JSON, or a valid body with fields replaced, dropped or added. */
function bodies(valid: () => Record<string, unknown>): fc.Arbitrary<unknown> {
  const anyJson = fc.jsonValue({ maxDepth: 3 })
  const nasty = fc.oneof(
    anyJson,
    fc.string(),
    fc.constant(null),
    fc.double(),
    fc.integer({ min: -(2 ** 62), max: 2 ** 62 }),
    fc.constantFrom('', '\u0000', 'x'.repeat(5000), '2026-02-30', '../../etc', '<script>', '1e309', newId()),
    fc.constantFrom('0000-01-01', '9999-12-31', '2026-03-02T24:00:00Z', '1970-01-01T00:00:00.000Z'),
    // Nested past the body's depth limit, with NUL at the bottom.
    fc.constantFrom(deep(40), deep(300)),
  )
  const base = valid()
  const keys = [...Object.keys(base), 'id', 'stationId', 'extra']
  const mutated = fc
    .record({
      set: fc.dictionary(fc.constantFrom(...keys), nasty, { maxKeys: 3 }),
      drop: fc.subarray(keys, { maxLength: 2 }),
    })
    .map(({ set, drop }) => {
      const out: Record<string, unknown> = { ...valid(), ...set }
      for (const k of drop) delete out[k]
      return out
    })
  return fc.oneof({ weight: 1, arbitrary: anyJson }, { weight: 3, arbitrary: mutated })
}

describe.each(ENGINES)('malformed input (%s)', (engine) => {
  let t: TestStation
  let s: StationSetup
  let phone: Phone
  let staffId: string
  let siteId: string
  beforeAll(async () => {
    t = await startTestStation(engine)
    s = await t.createStation('fuzz')
    phone = await t.enroll(s)
    staffId = s.staffIds[0]!
    siteId = s.sites[0]!.id
  })
  afterAll(async () => {
    await t?.close()
  })

  const counts = async (): Promise<Record<string, number>> => {
    const tables = [
      'records',
      'record_teams',
      'eligibility',
      'push_results',
      'devices',
      'sites',
      'channels',
      'teams',
      'targets',
      'staff',
      'populations',
      'accounts',
      'stations',
      'enrollment_codes',
    ]
    const row = await sql<
      Record<string, number>
    >`select ${sql.join(tables.map((x) => sql`(select count(*) from ${sql.table(x)}) as ${sql.ref(x)}`))}, (select sum(change_counter) from stations) as change_counters, (select sum(last_seq) from devices) as device_seqs`.execute(
      t.store.db,
    )
    return Object.fromEntries(Object.entries(row.rows[0]!).map(([k, v]) => [k, Number(v)]))
  }

  const refusedWithoutWrites = async (request: () => Promise<{ status: number; body: unknown }>) => {
    const before = await counts()
    const res = await request()
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(500)
    if (res.status >= 400) {
      expect(typeof (res.body as { code?: unknown }).code, JSON.stringify(res.body)).toBe('string')
      expect(typeof (res.body as { message?: unknown }).message).toBe('string')
      expect(await counts()).toEqual(before)
    }
    return { res, before }
  }

  it('push: never a 5xx; a refusal writes nothing; a 200 adds exactly the applied rows', async () => {
    const validRecords = () => [donation(phone), deferral(phone), drive(phone)]
    const recordArb = fc.oneof(
      fc.constantFrom(...validRecords()),
      // A record nested too deep (refused alone, the batch still answered 200).
      fc.constantFrom(deep(50), deep(400), { ...validRecords()[0], vitals: deep(100) }),
      fc
        .integer({ min: 0, max: 2 })
        .chain((k) => bodies(() => validRecords()[k] as unknown as Record<string, unknown>)),
    )
    const mutationArb = fc.record({
      seq: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 5 }), fc.constant(2 ** 60)),
      mutationId: fc.oneof(fc.constant(newId()), fc.string()),
      record: recordArb,
    })
    const requestArb = fc.oneof(
      fc
        .record({
          deviceId: fc.constant(phone.deviceId),
          schemaVersion: fc.constantFrom(1, 2, 3, 0, 1.5),
          mutations: fc.array(recordArb, { minLength: 1, maxLength: 4 }),
        })
        .map((r) => ({
          ...r,
          mutations: r.mutations.map((record, i) => ({ seq: phone.nextSeq + i, mutationId: newId(), record })),
        })),
      fc.record({
        deviceId: fc.oneof(fc.constant(phone.deviceId), fc.string()),
        schemaVersion: fc.jsonValue(),
        mutations: fc.array(mutationArb, { maxLength: 3 }),
      }),
      fc.jsonValue({ maxDepth: 2 }),
    )
    await fc.assert(
      fc.asyncProperty(requestArb, async (req) => {
        const { res, before } = await refusedWithoutWrites(() => t.pushRaw(phone, req))
        if (res.status === 200) {
          const body = res.body as PushResponse
          const applied = body.results.filter((r) => r.status === 'applied').length
          expect((await counts()).records).toBe(before.records! + applied)
          phone.nextSeq = body.lastSeq + 1
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('push: raw bytes, wrong types and encodings are 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.uint8Array({ maxLength: 200 })),
        fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', ''),
        fc.constantFrom('identity', 'gzip', 'br', ''),
        async (raw, type, encoding) => {
          await refusedWithoutWrites(() =>
            t.call('/api/v1/sync/push', {
              token: phone.token,
              raw,
              headers: {
                ...(type ? { 'Content-Type': type } : {}),
                ...(encoding ? { 'Content-Encoding': encoding } : {}),
              },
            }),
          )
        },
      ),
      { numRuns: RUNS },
    )
  })

  const endpoints: {
    name: string
    method: string
    path: () => string
    valid: () => Record<string, unknown>
    admin?: boolean
    auth?: 'none'
  }[] = [
    {
      name: 'create site',
      method: 'POST',
      path: () => '/api/v1/admin/sites',
      valid: () => ({ name: 'Village', kind: 'village', area: 'Yichuan' }),
    },
    {
      name: 'update site',
      method: 'PATCH',
      path: () => `/api/v1/admin/sites/${siteId}`,
      valid: () => ({ name: 'Village', kind: 'village' }),
    },
    {
      name: 'create channel',
      method: 'POST',
      path: () => '/api/v1/admin/channels',
      valid: () => ({ code: `c_${newId().slice(-8)}`, nameZh: '渠道', nameEn: 'Channel', ruralMobile: false }),
    },
    {
      name: 'update channel',
      method: 'PUT',
      path: () => `/api/v1/admin/channels/${s.channels[0]!.id}`,
      valid: () => ({ ...s.channels[0]! }),
    },
    {
      name: 'create team',
      method: 'POST',
      path: () => '/api/v1/admin/teams',
      valid: () => ({ code: `t_${newId().slice(-8)}`, nameZh: '队', nameEn: 'Team' }),
    },
    {
      name: 'create target',
      method: 'POST',
      path: () => '/api/v1/admin/targets',
      valid: () => ({
        period: { kind: 'month', start: '2027-01-01', end: '2027-01-31' },
        scope: { kind: 'station', id: null },
        metric: 'donations',
        comparison: '>=',
        value: 100,
      }),
    },
    {
      name: 'create staff',
      method: 'POST',
      path: () => '/api/v1/admin/staff',
      valid: () => ({ name: 'Zhou', role: 'collector', pin: '4071' }),
    },
    {
      name: 'update staff',
      method: 'PATCH',
      path: () => `/api/v1/admin/staff/${staffId}`,
      valid: () => ({ name: 'Zhou', active: true }),
    },
    {
      name: 'reset PIN',
      method: 'POST',
      path: () => `/api/v1/admin/staff/${staffId}/pin`,
      valid: () => ({ pin: '4071' }),
    },
    {
      name: 'population',
      method: 'PUT',
      path: () => '/api/v1/admin/populations/2026',
      valid: () => ({ population: 7_000_000 }),
    },
    {
      name: 'rename station',
      method: 'PATCH',
      path: () => '/api/v1/admin/station',
      valid: () => ({ name: 'Station' }),
    },
    {
      name: 'rename device',
      method: 'PATCH',
      path: () => `/api/v1/admin/devices/${phone.deviceId}`,
      valid: () => ({ name: 'Bus 1' }),
    },
    {
      name: 'create account',
      method: 'POST',
      path: () => '/api/v1/admin/accounts',
      valid: () => ({ username: `u${newId().slice(-6)}`, password: 'long enough pass', role: 'manager' }),
      admin: true,
    },
    {
      name: 'change password',
      method: 'POST',
      path: () => '/api/v1/admin/password',
      valid: () => ({ currentPassword: 'wrong-one', newPassword: 'another long one' }),
    },
    { name: 'enrollment code', method: 'POST', path: () => '/api/v1/admin/enrollment-codes', valid: () => ({}) },
    {
      name: 'login',
      method: 'POST',
      path: () => '/api/v1/auth/login',
      valid: () => ({ stationCode: 'fuzz', username: 'manager', password: 'wrong password' }),
      auth: 'none',
    },
    {
      name: 'enroll',
      method: 'POST',
      path: () => '/api/v1/devices/enroll',
      valid: () => ({ code: 'ACDE-FGHJ', name: 'phone' }),
      auth: 'none',
    },
    {
      name: 'setup',
      method: 'POST',
      path: () => '/api/v1/setup',
      valid: () => ({ stationCode: 'other', stationName: 'Other', username: 'chief', password: 'long enough pass' }),
      auth: 'none',
    },
  ]

  for (const ep of endpoints) {
    it(`${ep.name}: never a 5xx, and a refusal writes nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(bodies(ep.valid), async (body) => {
          const token = ep.auth === 'none' ? null : ep.admin ? s.adminToken : s.managerToken
          await refusedWithoutWrites(() => t.call(ep.path(), { method: ep.method, token, body }))
        }),
        { numRuns: ep.name === 'create staff' || ep.name === 'reset PIN' ? Math.ceil(RUNS / 2) : RUNS },
      )
    })
  }

  it('ids in paths and query strings: never a 5xx', async () => {
    const idArb = fc.oneof(
      fc.string(),
      fc.constant(newId()),
      fc.constant('%00'),
      fc.constant('..'),
      fc.constant('%E0%A4%A'),
    )
    const paths = [
      (id: string) => ['DELETE', `/api/v1/admin/sites/${id}`],
      (id: string) => ['PATCH', `/api/v1/admin/teams/${id}`],
      (id: string) => ['POST', `/api/v1/admin/devices/${id}/revoke`],
      (id: string) => ['DELETE', `/api/v1/admin/populations/${id}`],
      (id: string) => ['GET', `/api/v1/reports/indicators?from=${id}&to=2026-01-01`],
      (id: string) => ['GET', `/api/v1/reports/monthly?from=2026-01-01&to=2026-03-01&scope=team&scopeId=${id}`],
      (id: string) => ['GET', `/api/v1/reports/records?from=2026-01-01&to=2026-03-01&after=${id}&limit=${id}`],
      (id: string) => ['GET', `/api/v1/reports/export?from=2026-01-01&to=2026-03-01&format=${id}&type=${id}`],
      (id: string) => ['GET', `/api/v1/reports/progress?asOf=${id}`],
      (id: string) => ['GET', `/api/v1/sync/pull?cursor=${id}&limit=${id}`],
    ]
    await fc.assert(
      fc.asyncProperty(idArb, fc.integer({ min: 0, max: paths.length - 1 }), async (raw, k) => {
        const id = raw.startsWith('%') ? raw : encodeURIComponent(raw)
        const [method, path] = paths[k]!(id) as [string, string]
        const token = path.startsWith('/api/v1/sync') ? phone.token : s.managerToken
        await refusedWithoutWrites(() =>
          t.call(path, { method, token, ...(method === 'GET' || method === 'DELETE' ? {} : { body: { name: 'x' } }) }),
        )
      }),
      { numRuns: RUNS },
    )
  })
})
