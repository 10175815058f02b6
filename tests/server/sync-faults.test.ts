// Fault injection: the real phone sync engine (Dexie ports over fake-indexeddb, fetch transport)
// against the real station server (child process on SQLite) through a proxy that breaks the
// network at random, reproducibly by seed. The station is killed and restarted mid-push, the phone
// "reloads" mid-push (new engine, reopened database) and its clock is a day off. At the end every
// record is on the station exactly once and confirmed on the phone.
import 'fake-indexeddb/auto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/domain/ids'
import type { FieldDb } from '../../src/app/db'
import { dexieOutboxPort, receiptOf } from '../../src/app/sync/dexie-ports'
import { createPhoneSyncEngine } from '../../src/app/sync/phone'
import type { SyncEngine } from '../../src/app/sync/engine'
import { FaultProxy, seededRandom } from '../support/fault-proxy'
import { BusCrew, openPhoneDb, StationProcess, tempDataDir } from './sync-phone'
import type { TestStore } from './support/engines'
import { openStore } from '../../src/server/db/store'
import { type Phone, type StationSetup, TestStation } from './support/station'
import type { RunningStation } from '../../src/server/server'

const SEEDS = [11, 23, 37]
const ROUNDS = 200
const MIN_RECORDS = 1000
const CLIENT_TIMEOUT_MS = 300
const DAY = 86_400_000

interface SeedOutcome {
  seed: number
  records: number
  rounds: number
  faults: Record<string, number>
  restarts: number
  reloads: number
  ms: number
  timing: Record<string, unknown>
}

describe('sync under network faults, station restarts and phone reloads (real engine, real station on SQLite)', () => {
  let data: ReturnType<typeof tempDataDir>
  let station: StationProcess
  let store: TestStore
  let t: TestStation
  let setup: StationSetup
  const outcomes: SeedOutcome[] = []
  // Shared by every phone's proxy: where the station listens now.
  const target = { host: '127.0.0.1', port: 0 }
  let restarting: Promise<void> | null = null
  /** Kill the station now (mid-request) and bring it back; phones racing to do so share one restart. */
  function restartStation(): Promise<void> {
    restarting ??= (async () => {
      await station.kill()
      target.port = await station.start()
    })().finally(() => {
      restarting = null
    })
    return restarting
  }

  beforeAll(async () => {
    data = tempDataDir()
    // The test opens the same SQLite file as the station process to set up and to count rows.
    const opened = await openStore({ dataDir: data.dir })
    store = { ...opened, dispose: () => opened.close() }
    station = new StationProcess(data.dir)
    target.port = await station.start()
    const running = { url: station.url, close: async () => {} } as unknown as RunningStation
    t = new TestStation('sqlite', store, running)
    setup = await t.createStation('faults')
  }, 120_000)

  afterAll(async () => {
    await station?.dispose()
    await store?.dispose()
    data?.remove()
    if (outcomes.length) console.log(outcomes.map((o) => JSON.stringify(o)).join('\n'))
  })

  // Three phones on one bus, syncing at the same time against the same station.
  it.concurrent.each(SEEDS)(
    'seed %i: zero lost, zero doubled, every record confirmed',
    async (seed) => {
      const started = Date.now()
      const random = seededRandom(seed * 7919)
      // Enrollment talks to the station directly, not through the proxy.
      ;(t as unknown as { running: { url: string } }).running.url = station.url
      const phone: Phone = await t.enroll(setup, `bus phone ${seed}`)
      const skew = [DAY, -DAY, DAY][SEEDS.indexOf(seed)]!
      const clock = { now: () => new Date(Date.now() + skew) }
      const proxy = new FaultProxy({
        target,
        seed,
        stallMs: CLIENT_TIMEOUT_MS + 200,
        rates: {
          'drop-before': 0.05,
          'drop-after': 0.06,
          'error-500': 0.03,
          'error-500-after': 0.03,
          'rate-limit': 0.03,
          'stall-before': 0.015,
          'stall-after': 0.015,
          twice: 0.05,
          'stale-reply': 0.05,
        },
      })
      await proxy.listen()
      const dbName = `phone-${seed}-${newId()}`
      let db: FieldDb = await openPhoneDb(dbName, phone)
      const newEngine = (d: FieldDb): SyncEngine =>
        createPhoneSyncEngine(d, {
          baseUrl: proxy.url,
          timeoutMs: CLIENT_TIMEOUT_MS,
          clock,
          batchSize: 40,
        })
      let engine = newEngine(db)
      const crew = new BusCrew(setup, phone.deviceId, random, () => clock.now())

      // Which rounds the station dies mid-push and which rounds the phone reloads mid-push.
      const restartRounds = new Set([20 + Math.floor(random() * 60), 100 + Math.floor(random() * 60)])
      const reloadRounds = new Set([
        10 + Math.floor(random() * 50),
        70 + Math.floor(random() * 50),
        140 + Math.floor(random() * 40),
      ])
      let restarts = 0
      const timing = { write: 0, sync: 0 }
      let reloads = 0

      try {
        for (let round = 0; round < ROUNDS; round++) {
          const roundsLeft = ROUNDS - 30 - round
          const missing = MIN_RECORDS - crew.written.length
          const n = roundsLeft > 0 ? Math.max(3 + Math.floor(random() * 5), Math.ceil(missing / roundsLeft)) : 0
          const w0 = Date.now()
          if (n > 0) await crew.write(db, n)
          timing.write += Date.now() - w0
          const s0 = Date.now()

          if (restartRounds.has(round)) {
            const pending = engine.sync()
            await new Promise((r) => setTimeout(r, Math.floor(random() * 25)))
            await restartStation()
            await pending
            restarts++
          } else if (reloadRounds.has(round)) {
            const abandoned = engine.sync()
            await new Promise((r) => setTimeout(r, Math.floor(random() * 25)))
            // The page goes away: its database connection closes under the running round.
            db.close()
            db = await openPhoneDb(dbName, phone)
            engine = newEngine(db)
            await abandoned
            reloads++
          } else {
            await engine.sync()
          }
          timing.sync += Date.now() - s0
        }

        // The network heals; everything must drain.
        proxy.enabled = false
        for (let i = 0; i < 30; i++) {
          const report = await engine.sync()
          if (report.ok && (await db.outbox.count()) === 0) break
          await restarting
        }

        // Phone: nothing waiting, nothing refused, a station receipt for every record.
        expect(await db.outbox.where('status').equals('rejected').count()).toBe(0)
        expect(await db.outbox.count()).toBe(0)
        const written = crew.written
        expect(written.length).toBeGreaterThanOrEqual(MIN_RECORDS)
        const ids = written.map((r) => r.id)
        expect(new Set(ids).size).toBe(ids.length)
        const receipts = await Promise.all(ids.map((id) => receiptOf(db, id)))
        expect(receipts.filter((r) => r === null)).toHaveLength(0)

        // Station: exactly one row per record, nothing else from this phone.
        const rows = await store.db
          .selectFrom('records')
          .select(['id', 'type', 'din'])
          .where('device_id', '=', phone.deviceId)
          .execute()
        expect(rows.length).toBe(ids.length)
        expect(new Set(rows.map((r) => r.id))).toEqual(new Set(ids))
        const dins = rows.filter((r) => r.type === 'donation').map((r) => r.din)
        expect(new Set(dins).size).toBe(dins.length)
        // The station's last sequence for the device is the phone's last number, every number answered once.
        const device = await store.db
          .selectFrom('devices')
          .select('last_seq')
          .where('id', '=', phone.deviceId)
          .executeTakeFirstOrThrow()
        const marks = await dexieOutboxPort(db).sequenceMarks()
        expect(Number(device.last_seq)).toBe(marks.settled)
        const answers = await store.db
          .selectFrom('push_results')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('device_id', '=', phone.deviceId)
          .executeTakeFirstOrThrow()
        expect(Number(answers.n)).toBe(Number(device.last_seq))

        expect(restarts).toBe(2)
        expect(reloads).toBe(3)
        const faults = Object.fromEntries(Object.entries(proxy.counts).filter(([, n]) => n > 0))
        for (const f of ['drop-before', 'drop-after', 'error-500', 'rate-limit', 'twice', 'stale-reply'] as const)
          expect(proxy.counts[f]).toBeGreaterThan(0)
        outcomes.push({
          seed,
          records: written.length,
          rounds: ROUNDS,
          faults,
          restarts,
          reloads,
          ms: Date.now() - started,
          timing: { ...timing, station: proxy.upstreamMs },
        })
      } finally {
        db.close()
        await proxy.close()
      }
    },
    120_000,
  )
})
