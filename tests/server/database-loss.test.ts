// The station outlives its PostgreSQL: backends terminated under phones that keep pushing
// (pg_terminate_backend, as a restart, failover or idle reaping does), and the database cut off
// for a while behind a TCP relay (connections refused, then a silent partition). The server stays
// up, /api/v1/health says 503 with the reason while the database is away and 200 after, requests
// in flight fail with 503 database_unavailable (phones retry) and nothing is lost, doubled or
// half-written. On SQLite the same answer when another process holds the write lock too long.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { PushRequest, PushResponse } from '../../src/domain/sync-protocol'
import { openStore, type Store } from '../../src/server/db/store'
import { startStation } from '../../src/server/server'
import { type RunningServer, startServer } from '../support/server'
import { TcpRelay } from '../support/tcp-relay'
import { ENGINES, openTestStore, PG_URL, type TestStore } from './support/engines'
import { type ApiAnswer, deferral, donation, type Phone, TEST_PIN_ITERATIONS, TestStation } from './support/station'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface PgStation {
  t: TestStation
  appName: string
  /** Connection errors the server's pools reported (and survived). */
  lost: () => number
  close(): Promise<void>
}

/**
 * A station in-process whose pools connect to `url` under their own application_name (so the test
 * can find and kill exactly its backends); setup and counting go through a separate test store.
 */
async function pgStation(url = PG_URL): Promise<PgStation> {
  const counting: TestStore = await openTestStore('postgres')
  const schema = counting.location.split('#')[1]!
  const appName = `bb_loss_${randomBytes(4).toString('hex')}`
  let lost = 0
  const store: Store = await openStore({
    databaseUrl: url,
    pgSchema: schema,
    pgPoolSize: 6,
    pgApplicationName: appName,
    pgConnectTimeoutMs: 1_000,
    onConnectionError: () => lost++,
  })
  const running = await startStation({
    config: { port: 0, host: '127.0.0.1', dataDir: '', databaseUrl: null },
    store,
    pinIterations: TEST_PIN_ITERATIONS,
    failedAttemptsPerMinute: 1_000_000,
    healthProbeTimeoutMs: 500,
  })
  return {
    t: new TestStation('postgres', counting, running),
    appName,
    lost: () => lost,
    async close() {
      await running.close()
      await store.close()
      await counting.dispose()
    },
  }
}

async function terminateBackends(appName: string): Promise<number> {
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  try {
    const res = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()',
      [appName],
    )
    return res.rowCount ?? 0
  } finally {
    await admin.end()
  }
}

async function health(url: string): Promise<ApiAnswer<{ status: string; code?: string; reason?: string }>> {
  const res = await fetch(`${url}/api/v1/health`)
  return { status: res.status, body: (await res.json()) as never, headers: res.headers }
}

async function healthTurns(url: string, status: number, withinMs = 15_000): Promise<number> {
  const started = Date.now()
  for (;;) {
    const res = await health(url.replace('localhost', '127.0.0.1'))
    if (res.status === status) return Date.now() - started
    if (Date.now() - started > withinMs) throw new Error(`health stayed ${res.status}: ${JSON.stringify(res.body)}`)
    await sleep(100)
  }
}

/** Records the station holds from a phone, and whether each record and each seq is there exactly once. */
async function holdings(t: TestStation, phone: Phone) {
  const rows = await t.store.db.selectFrom('records').select('id').where('device_id', '=', phone.deviceId).execute()
  const device = await t.store.db
    .selectFrom('devices')
    .select('last_seq')
    .where('id', '=', phone.deviceId)
    .executeTakeFirstOrThrow()
  const answers = await t.store.db
    .selectFrom('push_results')
    .select('seq')
    .where('device_id', '=', phone.deviceId)
    .execute()
  return { ids: rows.map((r) => r.id), lastSeq: Number(device.last_seq), answers: answers.length }
}

describe.runIf(ENGINES.includes('postgres'))('database loss (postgres)', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })
  afterAll(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })

  it('backends terminated while four phones push: server up, every record once, health 200 after', async () => {
    const st = await pgStation()
    cleanups.push(() => st.close())
    const { t } = st
    const s = await t.createStation('loss')
    const phones: Phone[] = []
    for (let i = 0; i < 4; i++) phones.push(await t.enroll(s, `bus ${i}`))

    let done = false
    let kills = 0
    const killer = (async () => {
      while (!done) {
        await sleep(250 + Math.random() * 350)
        kills += await terminateBackends(st.appName)
      }
    })()

    const answers: Record<string, number> = {}
    /** The phone's way: the same batch again after a 503 or a dropped connection, until answered. */
    const pushUntilAnswered = async (phone: Phone, req: PushRequest): Promise<PushResponse> => {
      for (let attempt = 0; attempt < 300; attempt++) {
        let res: ApiAnswer<PushResponse>
        try {
          res = await t.pushRaw(phone, req)
        } catch {
          answers.dropped = (answers.dropped ?? 0) + 1
          await sleep(20)
          continue
        }
        const code = (res.body as unknown as { code?: string }).code
        answers[`${res.status}${code ? ` ${code}` : ''}`] = (answers[`${res.status}${code ? ` ${code}` : ''}`] ?? 0) + 1
        if (res.status === 200) return res.body
        if (res.status !== 503) throw new Error(`push answered ${res.status}: ${JSON.stringify(res.body)}`)
        if (code === 'database_unavailable') expect(res.headers.get('retry-after')).toBe('5')
        await sleep(20)
      }
      throw new Error('push never answered 200')
    }

    const written = new Map<string, string[]>()
    try {
      await Promise.all(
        phones.map(async (phone) => {
          const ids: string[] = []
          written.set(phone.deviceId, ids)
          for (let batch = 0; batch < 8; batch++) {
            const records = Array.from({ length: 12 }, (_, i) => (i % 4 === 3 ? deferral(phone) : donation(phone)))
            ids.push(...records.map((r) => r.id))
            const req = t.batch(phone, records)
            const res = await pushUntilAnswered(phone, req)
            expect(res.results.every((r) => r.status === 'applied' || r.status === 'duplicate')).toBe(true)
            phone.nextSeq += records.length
          }
        }),
      )
    } finally {
      done = true
      await killer
    }

    console.log(JSON.stringify({ kills, lost: st.lost(), answers }))
    expect(kills).toBeGreaterThan(5)
    expect(st.lost()).toBeGreaterThan(0)
    expect(answers['503 database_unavailable'] ?? 0).toBeGreaterThan(0)
    for (const phone of phones) {
      const held = await holdings(t, phone)
      const ids = written.get(phone.deviceId)!
      expect(held.ids.length).toBe(ids.length)
      expect(new Set(held.ids)).toEqual(new Set(ids))
      expect(held.lastSeq).toBe(ids.length)
      expect(held.answers).toBe(ids.length)
    }
    await healthTurns(t.url, 200)
  }, 180_000)

  it('the server process keeps running when its idle connections are terminated, and reconnects', async () => {
    const schema = `p_${randomBytes(5).toString('hex')}`
    const appName = `bb_proc_${randomBytes(4).toString('hex')}`
    const server: RunningServer = await startServer({
      env: { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema, PGAPPNAME: appName, DEMO: '0', STATIC_DIR: '' },
    })
    cleanups.push(async () => {
      await server.stop(true)
      const client = new pg.Client({ connectionString: PG_URL })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end())
    })
    expect((await health(server.url)).status).toBe(200)
    expect(await terminateBackends(appName)).toBeGreaterThan(0)
    await sleep(500)
    expect(server.proc.exitCode).toBeNull()
    await healthTurns(server.url, 200)
    const setup = await fetch(`${server.url}/api/v1/setup`)
    expect(setup.status).toBe(200)
    expect(server.proc.exitCode).toBeNull()
  }, 120_000)

  it('a server started while its database is unreachable waits for it, then serves', async () => {
    const target = new URL(PG_URL)
    const relay = new TcpRelay({ host: target.hostname, port: Number(target.port || 5432) })
    await relay.listen()
    cleanups.push(() => relay.close())
    const viaRelay = new URL(PG_URL)
    viaRelay.hostname = '127.0.0.1'
    viaRelay.port = String(relay.port)
    const schema = `p_${randomBytes(5).toString('hex')}`
    relay.cut('refuse')
    const starting = startServer({
      env: { DATABASE_URL: viaRelay.toString(), DATABASE_SCHEMA: schema, DEMO: '0', STATIC_DIR: '' },
    })
    cleanups.push(async () => {
      await (await starting).stop(true)
      const client = new pg.Client({ connectionString: PG_URL })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end())
    })
    // Refused connection attempts while it waits, then the database comes back.
    while (relay.accepted < 2) await sleep(100)
    relay.mend()
    const server = await starting
    expect((await health(server.url)).status).toBe(200)
  }, 120_000)

  it('database unreachable (refused, then a silent partition): health 503 then 200, pushes 503 then applied once', async () => {
    const target = new URL(PG_URL)
    const relay = new TcpRelay({ host: target.hostname, port: Number(target.port || 5432) })
    await relay.listen()
    cleanups.push(() => relay.close())
    const viaRelay = new URL(PG_URL)
    viaRelay.hostname = '127.0.0.1'
    viaRelay.port = String(relay.port)
    const st = await pgStation(viaRelay.toString())
    cleanups.push(() => st.close())
    const { t } = st
    const s = await t.createStation('away')
    const phone = await t.enroll(s)
    const first = await t.push(phone, [donation(phone), deferral(phone)])
    expect(first.status).toBe(200)
    expect((await health(t.url)).status).toBe(200)

    for (const mode of ['refuse', 'blackhole'] as const) {
      // A push in flight when the database goes: answered 200 (it committed first) or 503, never 500.
      const inFlight = t.batch(
        phone,
        Array.from({ length: 150 }, () => donation(phone)),
      )
      const pending = t.pushRaw(phone, inFlight)
      await sleep(15)
      relay.cut(mode)
      const inFlightAnswer = await pending
      expect([200, 503], JSON.stringify(inFlightAnswer.body)).toContain(inFlightAnswer.status)
      const before = await holdings(t, phone)

      const started = Date.now()
      const down = await health(t.url)
      expect(down.status).toBe(503)
      expect(down.body).toMatchObject({ status: 'unavailable', code: 'database_unavailable' })
      expect(down.body.reason).toMatch(/\w/)
      expect(Date.now() - started).toBeLessThan(3_000)

      // Pushes while it is away: 503 with the code, quickly, and nothing written.
      const waiting = t.batch(phone, [donation(phone), deferral(phone)], undefined, phone.nextSeq + 150)
      for (const req of [inFlight, waiting]) {
        const t0 = Date.now()
        const res = await t.pushRaw(phone, req)
        expect(res.status, JSON.stringify(res.body)).toBe(503)
        expect(res.body).toMatchObject({ code: 'database_unavailable' })
        expect(Date.now() - t0).toBeLessThan(5_000)
      }
      expect(await holdings(t, phone)).toEqual(before)

      relay.mend()
      await healthTurns(t.url, 200)
      // The phone sends its outbox again, in order: each record applied or answered as a duplicate.
      for (const req of [inFlight, waiting]) {
        const res = await t.pushRaw(phone, req)
        expect(res.status, JSON.stringify(res.body)).toBe(200)
        expect(res.body.results.every((r) => r.status === 'applied' || r.status === 'duplicate')).toBe(true)
      }
      phone.nextSeq += 152
    }

    const held = await holdings(t, phone)
    expect(held.ids.length).toBe(2 + 2 * 152)
    expect(new Set(held.ids).size).toBe(held.ids.length)
    expect(held.lastSeq).toBe(2 + 2 * 152)
    expect(held.answers).toBe(held.lastSeq)
  }, 120_000)
})

describe('database locked (sqlite)', () => {
  it('another process holding the write lock: pushes 503 database_unavailable, applied once after it lets go', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bloodbus-locked-'))
    const opened = await openStore({ dataDir: dir, sqliteBusyTimeoutMs: 200 })
    const store: TestStore = { ...opened, dispose: () => opened.close() }
    const running = await startStation({
      config: { port: 0, host: '127.0.0.1', dataDir: dir, databaseUrl: null },
      store,
      pinIterations: TEST_PIN_ITERATIONS,
      failedAttemptsPerMinute: 1_000_000,
    })
    const t = new TestStation('sqlite', store, running)
    // Another writer on the same file (the CLI importing, say) holds the write lock.
    const other = new SqliteDatabase(join(dir, 'bloodbus.sqlite'))
    try {
      const s = await t.createStation('locked')
      const phone = await t.enroll(s)
      const req = t.batch(phone, [donation(phone), deferral(phone)])
      other.exec('begin immediate')
      const refused = await t.pushRaw(phone, req)
      expect(refused.status, JSON.stringify(refused.body)).toBe(503)
      expect(refused.body).toMatchObject({ code: 'database_unavailable' })
      expect(refused.headers.get('retry-after')).toBe('5')
      expect(await t.count('records')).toBe(0)
      other.exec('rollback')
      const applied = await t.pushRaw(phone, req)
      expect(applied.status).toBe(200)
      expect(applied.body.results.map((r) => r.status)).toEqual(['applied', 'applied'])
      expect(await t.count('records')).toBe(2)
    } finally {
      other.close()
      await running.close()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
