// The real server process (tests/support/server.ts) on both engines: demo station on first run,
// login, enrollment, a push and a pull over HTTP, a clean SIGTERM, and a restart that keeps the
// data and does not seed again.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/domain/ids'
import type { PullResponse, PushResponse } from '../../src/domain/sync-protocol'
import { DEMO_LOGIN } from '../../src/server/demo'
import { type RunningServer, startServer } from '../support/server'
import { ENGINES, PG_URL } from './support/engines'

describe.each(ENGINES)('server process (%s)', (engine) => {
  const schema = `p_${randomBytes(5).toString('hex')}`
  const env: Record<string, string> = { DEMO: '1', DEMO_DAYS: '5', STATIC_DIR: '' }
  if (engine === 'postgres') {
    if (!PG_URL)
      throw new Error('PostgreSQL is required here (CI=true or REQUIRE_POSTGRES=1) but TEST_DATABASE_URL is not set')
    Object.assign(env, { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema })
  }
  let server: RunningServer | null = null
  afterAll(async () => {
    await server?.stop(true)
    if (engine === 'postgres') {
      const client = new pg.Client({ connectionString: PG_URL })
      await client.connect()
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      } finally {
        await client.end()
      }
    }
  })

  const api = async <T>(
    path: string,
    init: { token?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${server!.url}${path}`, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers: {
        ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
    return { status: res.status, body: (await res.json()) as T }
  }

  it('serves the demo station, syncs a phone, stops on SIGTERM and keeps its data across a restart', async () => {
    server = await startServer({ env })
    const login = await api<{ token: string; station: { id: string } }>('/api/v1/auth/login', {
      body: {
        stationCode: DEMO_LOGIN.stationCode,
        username: DEMO_LOGIN.manager.username,
        password: DEMO_LOGIN.manager.password,
      },
    })
    expect(login.status).toBe(200)
    const token = login.body.token
    const sites = await api<{ kind: string }[]>('/api/v1/admin/sites', { token })
    for (const kind of ['village', 'university', 'enterprise'])
      expect(sites.body.some((x) => x.kind === kind)).toBe(true)
    const targets = await api<unknown[]>('/api/v1/admin/targets', { token })
    expect(targets.body.length).toBeGreaterThan(3)

    const code = await api<{ code: string }>('/api/v1/admin/enrollment-codes', { token, body: {} })
    const phone = await api<{ deviceId: string; token: string; stationId: string }>('/api/v1/devices/enroll', {
      body: { code: code.body.code, name: 'test phone' },
    })
    expect(phone.status).toBe(201)
    const pulled = await api<PullResponse>('/api/v1/sync/pull?limit=5000', { token: phone.body.token })
    const channel = pulled.body.changes.find((c) => c.entity === 'channel') as { key: string }
    const staff = pulled.body.changes.find((c) => c.entity === 'roster') as { key: string }
    const record = {
      type: 'deferral',
      id: newId(),
      stationId: phone.body.stationId,
      deviceId: phone.body.deviceId,
      authorStaffId: staff.key,
      createdAt: '2026-03-02T09:30:00.000+08:00',
      driveId: null,
      channelId: channel.key,
      siteId: null,
      teamIds: [],
      collectedOn: '2026-03-02',
      donorKey: 'ef'.repeat(16),
      sex: 'F',
      ageYears: 30,
      household: 'urban',
      repeatDonor: false,
      reasonCode: 'cold',
      until: '2026-03-09',
    }
    const push = await api<PushResponse>('/api/v1/sync/push', {
      token: phone.body.token,
      body: { deviceId: phone.body.deviceId, schemaVersion: 1, mutations: [{ seq: 1, mutationId: newId(), record }] },
    })
    expect(push.body.results[0]!.status).toBe('applied')
    const before = await api<{ counts: { donations: number; deferrals: number } }>(
      '/api/v1/reports/indicators?from=2000-01-01&to=2004-12-31',
      { token },
    )
    expect(before.status).toBe(200)

    const exited = new Promise<number | null>((resolve) => server!.proc.once('exit', (c) => resolve(c)))
    server.proc.kill('SIGTERM')
    expect(await exited).toBe(0)

    server = await startServer({ env, dataDir: server.dataDir })
    const again = await api<{ token: string }>('/api/v1/auth/login', {
      body: {
        stationCode: DEMO_LOGIN.stationCode,
        username: DEMO_LOGIN.manager.username,
        password: DEMO_LOGIN.manager.password,
      },
    })
    const rep = await api<{ counts: { deferrals: number } }>(
      '/api/v1/reports/indicators?from=2026-03-02&to=2026-03-02',
      { token: again.body.token },
    )
    expect(rep.body.counts.deferrals).toBeGreaterThanOrEqual(1)
    const stations = await api<unknown>('/api/v1/admin/station', { token: again.body.token })
    expect(stations.status).toBe(200)
    const resent = await api<PushResponse>('/api/v1/sync/push', {
      token: phone.body.token,
      body: {
        deviceId: phone.body.deviceId,
        schemaVersion: 1,
        mutations: [{ seq: 1, mutationId: push.body.results[0]!.mutationId, record }],
      },
    })
    expect(resent.body.results[0]!.status).toBe('duplicate')
  }, 180_000)
})
