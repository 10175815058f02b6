// The last resort: a phone that cannot reach the station exports what it has not synced; the
// station imports the file with its CLI (twice, by mistake: nothing doubles); when the phone
// reaches the station later, everything it sends is already there and is confirmed.
import 'fake-indexeddb/auto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/domain/ids'
import { saveFieldRecords } from '../../src/app/db/field-records'
import { receiptOf } from '../../src/app/db/sync-meta'
import { unsyncedExport } from '../../src/app/sync/export'
import { createPhoneSyncEngine } from '../../src/app/sync/phone'
import { runCli } from '../../src/server/cli'
import type { CliIo } from '../../src/server/cli/registry'
import { openStore, type Store } from '../../src/server/db/store'
import { type RunningStation, startStation } from '../../src/server/server'
import { openPhoneDb, tempDataDir } from './sync-phone'
import { deferral, donation, TestStation, TEST_PIN_ITERATIONS } from './support/station'

describe('export of unsynced records, imported by the station CLI', () => {
  const data = tempDataDir()
  const saved = { ...process.env }
  let store: Store
  let running: RunningStation
  let t: TestStation

  beforeAll(async () => {
    store = await openStore({ dataDir: data.dir })
    running = await startStation({
      config: { port: 0, host: '127.0.0.1', dataDir: data.dir, databaseUrl: null },
      store,
      pinIterations: TEST_PIN_ITERATIONS,
      failedAttemptsPerMinute: 1_000_000,
    })
    t = new TestStation('sqlite', { ...store, dispose: async () => {} }, running)
    process.env.DATA_DIR = data.dir
    delete process.env.DATABASE_URL
  }, 60_000)
  afterAll(async () => {
    process.env = saved
    await running?.close()
    await store?.close()
    data.remove()
  })

  const cli = async (...argv: string[]) => {
    let out = ''
    const io: CliIo = {
      stdout: (s) => {
        out += s
      },
      stderr: () => {},
      cwd: data.dir,
    }
    return { code: await runCli(argv, io), out }
  }

  it('imports once, the second import changes nothing, the phone later syncs without doubles', async () => {
    const station = await t.createStation('export')
    const phone = await t.enroll(station)
    const db = await openPhoneDb(`export-${newId()}`, phone)
    const engine = createPhoneSyncEngine(db, { baseUrl: t.url })
    const early = [donation(phone), deferral(phone)]
    await saveFieldRecords(early, db)
    expect((await engine.sync()).ok).toBe(true)
    // The bus is out of range for days: these never reach the station by network.
    const late = Array.from({ length: 6 }, () => donation(phone))
    await saveFieldRecords(late, db)

    const file = await unsyncedExport(db)
    expect(file.count).toBe(6)
    const path = join(data.dir, file.filename)
    writeFileSync(path, file.text)
    const first = await cli('import', '--station', station.code, '--input', path)
    expect(first.code).toBe(0)
    expect(first.out).toContain('6 applied')
    const second = await cli('import', '--station', station.code, '--input', path)
    expect(second.code).toBe(0)
    expect(second.out).toContain('0 applied, 6 already there')

    const ids = [...early, ...late].map((r) => r.id)
    const rows = await store.db.selectFrom('records').select('id').where('id', 'in', ids).execute()
    expect(rows).toHaveLength(8)

    // Back in range: the phone sends what it still holds; the station has it all already.
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(report.push.confirmed).toBe(6)
    expect(await db.outbox.count()).toBe(0)
    for (const r of late) expect((await receiptOf(db, r.id))?.status).toBe('duplicate')
    const after = await store.db.selectFrom('records').select('id').where('id', 'in', ids).execute()
    expect(after).toHaveLength(8)
    db.close()
  })
})
