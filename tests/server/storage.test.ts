// The storage layer on both engines: migrations at open (and again, harmlessly), the change
// counter, and SQLite's file in WAL mode in DATA_DIR.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MIGRATIONS, migrateToLatest } from '../../src/server/db/migrations'
import { openStore } from '../../src/server/db/store'
import { createStation, takeChangeSeqs } from '../../src/server/repo/stations'
import { ENGINES, openTestStore, type TestStore } from './support/engines'

describe.each(ENGINES)('storage (%s)', (engine) => {
  let store: TestStore
  beforeAll(async () => {
    store = await openTestStore(engine)
  })
  afterAll(async () => {
    await store?.dispose()
  })

  it('runs every migration at open and none twice', async () => {
    const applied = await store.db
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .execute()
    expect(applied.map((r) => (r as { name: string }).name)).toEqual(Object.keys(MIGRATIONS))
    const schema =
      engine === 'postgres'
        ? (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]!.s
        : undefined
    expect(await migrateToLatest(store.db as never, schema)).toEqual([])
  })

  it('hands out change sequences in order, per station, inside transactions', async () => {
    const a = await createStation(store.db, { code: 'seq_a', name: 'A' })
    const b = await createStation(store.db, { code: 'seq_b', name: 'B' })
    const first = await store.db.transaction().execute((trx) => takeChangeSeqs(trx, a.id, 3))
    const next = await store.db.transaction().execute((trx) => takeChangeSeqs(trx, a.id))
    expect(next).toBe(first + 3)
    expect(await store.db.transaction().execute((trx) => takeChangeSeqs(trx, b.id))).toBe(2)
    // A rolled-back transaction gives its numbers back.
    await expect(
      store.db.transaction().execute(async (trx) => {
        await takeChangeSeqs(trx, a.id, 10)
        throw new Error('rollback')
      }),
    ).rejects.toThrow('rollback')
    expect(await store.db.transaction().execute((trx) => takeChangeSeqs(trx, a.id))).toBe(next + 1)
  })

  it('refuses a second station with the same code', async () => {
    await createStation(store.db, { code: 'dup', name: 'One' })
    await expect(createStation(store.db, { code: 'dup', name: 'Two' })).rejects.toMatchObject({
      code: 'station_exists',
    })
  })
})

describe('SQLite file', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bloodbus-sqlite-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('lives in DATA_DIR in WAL mode and keeps its data across reopen', async () => {
    const first = await openStore({ dataDir: dir })
    await createStation(first.db, { code: 'kept', name: 'Kept' })
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(first.db)
    expect(mode.rows[0]!.journal_mode).toBe('wal')
    await first.close()
    const second = await openStore({ dataDir: dir })
    expect(first.location).toBe(join(dir, 'bloodbus.sqlite'))
    const rows = await second.db.selectFrom('stations').select('code').execute()
    expect(rows.map((r) => r.code)).toEqual(['kept'])
    await second.close()
  })
})
