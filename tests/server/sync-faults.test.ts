// Fault injection: the real phone sync engine (Dexie ports over fake-indexeddb, fetch transport)
// against the real station server (child process, on SQLite and on PostgreSQL) through proxies that
// break the network at random, reproducibly by seed: drops, 5xx, 429s, stalls past the timeout,
// doubled requests, stale replies, a captive portal's HTML 400/401 and a proxy's JSON 403, and
// replies swapped between the phones (with and without the station's headers). The station is
// killed and restarted mid-push, the phone "reloads" mid-push and its clock is a day off, and the
// crew leaves holes in the numbering (an entry voided on the phone before it went). At the end
// every record is on the station exactly once and confirmed on the phone, nothing was set aside,
// no false alarm was raised, and the station never had to answer 409.
import 'fake-indexeddb/auto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { newId } from '../../src/domain/ids'
import type { DonorIdentity } from '../../src/domain/records'
import type { FieldDb } from '../../src/app/db'
import { saveFieldRecords } from '../../src/app/db/field-records'
import { dexieMetaPort, dexieOutboxPort } from '../../src/app/sync/dexie-ports'
import { receiptOf } from '../../src/app/db/sync-meta'
import { createPhoneSyncEngine } from '../../src/app/sync/phone'
import type { SyncEngine } from '../../src/app/sync/engine'
import { FaultProxy, ReplyMixer, seededRandom } from '../support/fault-proxy'
import { BusCrew, openPhoneDb, StationProcess, tempDataDir } from './sync-phone'
import { ENGINES, PG_URL, type TestStore } from './support/engines'
import { type Engine, openStore } from '../../src/server/db/store'
import { type Phone, type StationSetup, TestStation } from './support/station'
import type { RunningStation } from '../../src/server/server'

// Six phones at once per engine: every clock skew twice; more seeds cost the suite time, not coverage.
const SEEDS = [11, 23, 37, 41, 53, 67]
const ROUNDS = 100
const MIN_RECORDS = 300
const CLIENT_TIMEOUT_MS = 1500
const DAY = 86_400_000

interface SeedOutcome {
  engine: Engine
  seed: number
  records: number
  holes: number
  faults: Record<string, number>
  swapped: number
  restarts: number
  reloads: number
  ms: number
}

describe.each(ENGINES)(
  'sync under network faults, station restarts and phone reloads (real engine, real station on %s)',
  (engine) => {
    let data: ReturnType<typeof tempDataDir>
    let station: StationProcess
    let store: TestStore
    let t: TestStation
    let setup: StationSetup
    const outcomes: SeedOutcome[] = []
    /** Every phone enrolled before any of them syncs (a restart would break an enrollment mid-way). */
    const phones = new Map<number, Phone>()
    const mixer = new ReplyMixer()
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
      const schema = `faults_${randomBytes(5).toString('hex')}`
      // The test opens the same database as the station process to set up and to count rows.
      const opened =
        engine === 'sqlite'
          ? await openStore({ dataDir: data.dir })
          : await openStore({ databaseUrl: PG_URL, pgSchema: schema, pgPoolSize: 4 })
      store = {
        ...opened,
        async dispose() {
          await opened.close()
          if (engine !== 'postgres') return
          const client = new pg.Client({ connectionString: PG_URL })
          await client.connect()
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end())
        },
      }
      station = new StationProcess(data.dir, engine === 'postgres' ? { url: PG_URL, schema } : null)
      target.port = await station.start()
      const running = { url: station.url, close: async () => {} } as unknown as RunningStation
      t = new TestStation(engine, store, running)
      setup = await t.createStation('faults')
      for (const seed of SEEDS) phones.set(seed, await t.enroll(setup, `bus phone ${seed}`))
    }, 120_000)

    afterAll(async () => {
      await station?.dispose()
      await store?.dispose()
      data?.remove()
      if (outcomes.length) console.log(outcomes.map((o) => JSON.stringify(o)).join('\n'))
    })

    /** A record saved on the phone and voided there before it went: its number becomes a hole. */
    async function leaveHole(db: FieldDb, phone: Phone, random: () => number, now: Date): Promise<void> {
      const identity: DonorIdentity = {
        type: 'donor_identity',
        id: newId(),
        stationId: setup.id,
        deviceId: phone.deviceId,
        authorStaffId: setup.staffIds[Math.floor(random() * setup.staffIds.length)]!,
        createdAt: now.toISOString(),
        donorKey: newId().replace(/-/g, ''),
        idNumber: '11010519491231002X',
        name: '李四',
        phone: '13900000000',
        household: 'urban',
      }
      await saveFieldRecords([identity], db)
      const entry = await db.outbox.where('recordId').equals(identity.id).first()
      await db.outbox.delete(entry!.seq!)
    }

    // Six phones syncing at the same time against the same station.
    it.concurrent.each(SEEDS)(
      'seed %i: zero lost, zero doubled, nothing set aside, no 409, every record confirmed',
      async (seed) => {
        const started = Date.now()
        const random = seededRandom(seed * 7919)
        const phone = phones.get(seed)!
        const skew = [DAY, -DAY, 0][SEEDS.indexOf(seed) % 3]!
        const clock = { now: () => new Date(Date.now() + skew) }
        const proxy = new FaultProxy({
          target,
          seed,
          mixer,
          stallMs: CLIENT_TIMEOUT_MS + 200,
          rates: {
            'drop-before': 0.04,
            'drop-after': 0.05,
            'error-500': 0.02,
            'error-500-after': 0.02,
            'rate-limit': 0.02,
            'stall-before': 0.01,
            'stall-after': 0.01,
            twice: 0.04,
            'stale-reply': 0.04,
            'portal-400': 0.04,
            'portal-401': 0.02,
            'proxy-403': 0.02,
            'swap-reply': 0.05,
            'swap-reply-bare': 0.03,
          },
        })
        await proxy.listen()
        const dbName = `phone-${engine}-${seed}-${newId()}`
        let db: FieldDb = await openPhoneDb(dbName, phone)
        const newEngine = (d: FieldDb): SyncEngine =>
          createPhoneSyncEngine(d, { baseUrl: proxy.url, timeoutMs: CLIENT_TIMEOUT_MS, clock, batchSize: 40 })
        let syncEngine = newEngine(db)
        const crew = new BusCrew(setup, phone.deviceId, random, () => clock.now())

        // Which rounds the station dies mid-push and which rounds the phone reloads mid-push.
        // (Restarts on even rounds, reloads on odd ones, so they never fall on the same round.)
        const restartRounds = new Set([10 + 2 * Math.floor(random() * 15), 50 + 2 * Math.floor(random() * 15)])
        const reloadRounds = new Set([
          5 + 2 * Math.floor(random() * 10),
          35 + 2 * Math.floor(random() * 10),
          61 + 2 * Math.floor(random() * 8),
        ])
        let restarts = 0
        let reloads = 0
        let holes = 0

        try {
          for (let round = 0; round < ROUNDS; round++) {
            const roundsLeft = ROUNDS - 20 - round
            const missing = MIN_RECORDS - crew.written.length
            const n = roundsLeft > 0 ? Math.max(2 + Math.floor(random() * 4), Math.ceil(missing / roundsLeft)) : 0
            if (n > 0) await crew.write(db, n)
            if (roundsLeft > 0 && random() < 0.08) {
              await leaveHole(db, phone, random, clock.now())
              holes++
            }

            if (restartRounds.has(round)) {
              const pending = syncEngine.sync()
              await new Promise((r) => setTimeout(r, Math.floor(random() * 25)))
              await restartStation()
              await pending
              restarts++
            } else if (reloadRounds.has(round)) {
              const abandoned = syncEngine.sync()
              await new Promise((r) => setTimeout(r, Math.floor(random() * 25)))
              // The page goes away: its database connection closes under the running round.
              db.close()
              db = await openPhoneDb(dbName, phone)
              syncEngine = newEngine(db)
              await abandoned
              reloads++
            } else {
              await syncEngine.sync()
            }
          }

          // The network heals; everything must drain.
          proxy.enabled = false
          for (let i = 0; i < 30; i++) {
            const report = await syncEngine.sync()
            if (report.ok && (await db.outbox.count()) === 0) break
            await restarting
          }

          // Phone: nothing waiting, nothing refused or set aside, a station receipt for every record, no alarm.
          expect(await db.outbox.where('status').equals('rejected').count()).toBe(0)
          expect(await db.outbox.count()).toBe(0)
          const written = crew.written
          expect(written.length).toBeGreaterThanOrEqual(MIN_RECORDS)
          const ids = written.map((r) => r.id)
          expect(new Set(ids).size).toBe(ids.length)
          const receipts = await Promise.all(ids.map((id) => receiptOf(db, id)))
          expect(receipts.filter((r) => r === null)).toHaveLength(0)
          const meta = await dexieMetaPort(db).get()
          expect(meta.storageWipe).toBeNull()
          expect(meta.stationBehind).toBeNull()

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
          // The station's last sequence is the phone's last answered number; every number it holds was
          // answered once, and the ones it skipped are the phone's holes.
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
          expect(Number(answers.n)).toBe(ids.length)
          expect(Number(device.last_seq) - Number(answers.n)).toBeLessThanOrEqual(holes)
          // Holes, restarts, reloads, swapped and stale replies: the station never had to say 409.
          expect(proxy.stationConflicts).toBe(0)

          expect(restarts).toBe(2)
          expect(reloads).toBe(3)
          for (const f of ['drop-after', 'twice', 'stale-reply', 'portal-400', 'swap-reply'] as const)
            expect(proxy.counts[f]).toBeGreaterThan(0)
          outcomes.push({
            engine,
            seed,
            records: written.length,
            holes,
            faults: Object.fromEntries(Object.entries(proxy.counts).filter(([, n]) => n > 0)),
            swapped: proxy.swapped,
            restarts,
            reloads,
            ms: Date.now() - started,
          })
        } finally {
          db.close()
          await proxy.close()
        }
      },
      300_000,
    )
  },
)
