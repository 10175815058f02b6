// SQLite's WAL checkpoints run in a worker thread (src/server/db/checkpoints.ts), not inside the
// commit of a request: the request connection's commits leave the database file alone, the worker
// copies the WAL into it, the WAL stays bounded through many pushes, data answered before any
// checkpoint survives a crash, and the worker ends with its store. SQLite only: PostgreSQL has no
// such file (its suites are untouched by this).
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { type CheckpointEvent, runningCheckpointers } from '../../src/server/db/checkpoints'
import { openStore, type OpenStoreOptions, type Store } from '../../src/server/db/store'
import { startStation } from '../../src/server/server'
import { donation, drive, startTestStation, TEST_PIN_ITERATIONS } from './support/station'

const PAGE = 4096
const FILE = 'bloodbus.sqlite'
const dirs: string[] = []
const stores: Store[] = []

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bloodbus-wal-'))
  dirs.push(dir)
  return dir
}
const size = (path: string) => (existsSync(path) ? statSync(path).size : 0)

async function open(dir: string, opts: Partial<OpenStoreOptions> = {}): Promise<Store> {
  const store = await openStore({ dataDir: dir, ...opts })
  stores.push(store)
  await sql`create table if not exists wal_probe (id integer primary key, b blob not null)`.execute(store.db)
  return store
}

/** `commits` transactions of `pages` pages each; the WAL's size after each. */
async function write(store: Store, commits: number, pages: number): Promise<number[]> {
  const wal: number[] = []
  for (let i = 0; i < commits; i++) {
    await store.db
      .transaction()
      .execute((trx) => sql`insert into wal_probe (b) values (randomblob(${pages * PAGE}))`.execute(trx))
    wal.push(size(`${store.location}-wal`))
  }
  return wal
}

async function until(what: string, done: () => boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !done();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('SQLite WAL checkpoints', () => {
  it('a commit past 1,000 WAL pages copies nothing into the database file: the worker does, beside it', async () => {
    const idle = dataDir()
    const store = await open(idle, { sqliteCheckpoints: { intervalMs: 3_600_000 } })
    const before = size(join(idle, FILE))
    // 4,000 pages: SQLite's own checkpoint would have run in the commits crossing 1,000, 2,000, 3,000.
    await write(store, 40, 100)
    expect(size(join(idle, FILE))).toBe(before)
    expect(size(join(idle, `${FILE}-wal`))).toBeGreaterThan(4_000 * PAGE)

    const busy = dataDir()
    const events: CheckpointEvent[] = []
    const worked = await open(busy, {
      sqliteCheckpoints: { intervalMs: 20 },
      onSqliteCheckpoint: (e) => events.push(e),
    })
    await write(worked, 40, 100)
    await until('the worker to copy the WAL into the database file', () => size(join(busy, FILE)) > 4_000 * PAGE)
    expect(events.some((e) => e.checkpointed > 0)).toBe(true)
    const rows = await worked.db
      .selectFrom('wal_probe' as never)
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow()
    expect(rows).toEqual({ n: 40 })
  })

  it('keeps the WAL bounded through many pushes, the worker copying it as they come', async () => {
    const dir = dataDir()
    const events: CheckpointEvent[] = []
    const limit = 256
    const store = await openStore({
      dataDir: dir,
      // Only the worker: the request connection's safety net is far away.
      sqliteCheckpoints: { intervalMs: 20, keepWalPages: limit, requestConnectionAfterPages: 1_000_000 },
      onSqliteCheckpoint: (e) => events.push(e),
    })
    const t = await startTestStation('sqlite', { ...store, dispose: () => store.close() })
    try {
      const setup = await t.createStation()
      const phone = await t.enroll(setup)
      const dr = drive(phone)
      expect((await t.push(phone, [dr])).status).toBe(200)
      const wal: number[] = []
      let pushed = 0
      for (let i = 0; i < 40; i++) {
        const batch = Array.from({ length: 100 }, () =>
          donation(phone, { driveId: dr.id, channelId: dr.channelId, siteId: dr.siteId }),
        )
        const res = await t.push(phone, batch, { gzip: true })
        expect(res.status).toBe(200)
        pushed += batch.length
        wal.push(size(`${store.location}-wal`))
      }
      expect(await t.count('records')).toBe(pushed + 1)
      // The pushes wrote many times the limit; the WAL never held more than the limit and what
      // came in within a few of the worker's ticks.
      const written = size(join(dir, FILE))
      expect(written).toBeGreaterThan(8 * limit * PAGE)
      expect(Math.max(...wal)).toBeLessThan(written / 2)
      expect(events.filter((e) => e.checkpointed > 0).length).toBeGreaterThan(1)
    } finally {
      await t.close()
    }
  })

  it('cuts the WAL back once the worker has copied it all, and the request connection checkpoints should the worker fall behind', async () => {
    // A burst grows the WAL; the worker copies all of it, so the next write starts the WAL over
    // and cuts the file back to keepWalPages.
    const dir = dataDir()
    const events: CheckpointEvent[] = []
    const store = await open(dir, {
      sqliteCheckpoints: { intervalMs: 20, keepWalPages: 300, requestConnectionAfterPages: 1_000_000 },
      onSqliteCheckpoint: (e) => events.push(e),
    })
    await write(store, 40, 50)
    const frames = (size(join(dir, `${FILE}-wal`)) - 32) / (PAGE + 24)
    expect(frames).toBeGreaterThan(2_000)
    await until('the worker to copy the whole WAL', () =>
      events.some((e) => e.log === frames && e.checkpointed === frames),
    )
    const [after] = await write(store, 1, 1)
    expect(after).toBeLessThanOrEqual(300 * PAGE)
    expect(size(join(dir, FILE))).toBeGreaterThan(2_000 * PAGE)

    // A worker that never comes round, and writes back to back: the request connection's own
    // checkpoint past its larger limit keeps the WAL near that limit.
    const lagging = await open(dataDir(), {
      sqliteCheckpoints: { intervalMs: 3_600_000, requestConnectionAfterPages: 1_000 },
    })
    const wal = await write(lagging, 100, 50)
    expect(Math.max(...wal)).toBeLessThan(1_500 * PAGE)
  })

  it('keeps what was committed before any checkpoint through a crash', async () => {
    const dir = dataDir()
    const child = spawn(process.execPath, ['--import', 'tsx', resolve('tests/server/support/wal-writer.ts')], {
      env: { ...process.env, DATA_DIR: dir, COMMITS: '30' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const exited = new Promise((r) => child.once('exit', r))
    await until('the writer to commit', () => out.includes('COMMITTED') || child.exitCode !== null, 60_000)
    expect(out).toContain('COMMITTED')
    child.kill('SIGKILL')
    await exited
    // Nothing was copied into the database file: the rows are in the WAL alone.
    expect(size(join(dir, FILE))).toBeLessThan(3_000 * PAGE)
    expect(size(join(dir, `${FILE}-wal`))).toBeGreaterThan(3_000 * PAGE)
    const store = await open(dir)
    const rows = await store.db
      .selectFrom('wal_probe' as never)
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow()
    expect(rows).toEqual({ n: 30 })
  })

  it('ends the worker with its store, however soon it is closed, and with a server that owns its store', async () => {
    const dir = dataDir()
    const base = runningCheckpointers()
    for (let i = 0; i < 5; i++) await (await openStore({ dataDir: dir })).close()
    const store = await openStore({ dataDir: dir })
    expect(runningCheckpointers()).toBe(base + 1)
    await store.db.transaction().execute((trx) => sql`create table kept (x integer)`.execute(trx))
    await store.close()
    expect(runningCheckpointers()).toBe(base)
    // The request connection, the last one open, copied the WAL in and removed it on close.
    expect(existsSync(join(dir, `${FILE}-wal`))).toBe(false)

    const station = await startStation({
      config: { port: 0, host: '127.0.0.1', dataDir: dir, databaseUrl: null },
      pinIterations: TEST_PIN_ITERATIONS,
      failedAttemptsPerMinute: 1_000_000,
    })
    expect(runningCheckpointers()).toBe(base + 1)
    expect((await fetch(`${station.url}/api/v1/health`)).status).toBeLessThan(500)
    await station.close()
    expect(runningCheckpointers()).toBe(base)
    expect(existsSync(join(dir, `${FILE}-wal`))).toBe(false)
  })
})
