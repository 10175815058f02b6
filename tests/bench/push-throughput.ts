// Push throughput in Node (the second line beside push-browser.ts, which runs the phone side where
// phones run it): 10,000 records from a phone's sync engine (Dexie over fake-indexeddb, the fetch
// transport with gzip bodies) to a station server in its own process on SQLite. Reports records
// per second and bytes per record: JSON, the gzip body as sent, zlib's gzip of the same JSON, and
// every byte that crossed the TCP connection (headers and answers included).
import 'fake-indexeddb/auto'
import { gzipSync } from 'node:zlib'
import { newId } from '../../src/domain/ids'
import { openStore } from '../../src/server/db/store'
import type { RunningStation } from '../../src/server/server'
import { dexieMetaPort, dexieOutboxPort, dexieReferenceSink } from '../../src/app/sync/dexie-ports'
import { createSyncEngine } from '../../src/app/sync/engine'
import { phoneTransport } from '../../src/app/sync/phone'
import type { SyncTransport } from '../../src/app/sync/ports'
import { seededRandom } from '../support/fault-proxy'
import { countingTunnel } from './tunnel'
import { stationMeter } from './push-station'
import { summarize } from './summary'
import { BusCrew, openPhoneDb, StationProcess, tempDataDir } from '../server/sync-phone'
import { TestStation } from '../server/support/station'

const RECORDS = Number(process.env.BENCH_PUSH_RECORDS ?? 10_000)

export default async function pushThroughput(): Promise<void> {
  const data = tempDataDir()
  const store = await openStore({ dataDir: data.dir })
  const station = new StationProcess(data.dir)
  const meter = stationMeter()
  try {
    await meter.launch(() => station.start())
    const t = new TestStation('sqlite', { ...store, dispose: () => store.close() }, {
      url: station.url,
      close: async () => {},
    } as unknown as RunningStation)
    const setup = await t.createStation('bench')
    const phone = await t.enroll(setup, 'bench phone')
    const db = await openPhoneDb(`bench-${newId()}`, phone)
    const crew = new BusCrew(setup, phone.deviceId, seededRandom(2023), () => new Date())
    const writeStart = Date.now()
    await crew.write(db, RECORDS)
    const writeMs = Date.now() - writeStart

    const tunnel = await countingTunnel(station.port)
    const bodies: Array<{ jsonBytes: number; wireBytes: number; mutations: number }> = []
    let zlibBytes = 0
    const http = phoneTransport(db, {
      baseUrl: `http://127.0.0.1:${tunnel.port}`,
      timeoutMs: 120_000,
      onPushBody: (b) => {
        bodies.push(b)
      },
    })
    // Time on the wire and at the station, apart from the phone's own database work.
    const spent = { push: 0, pull: 0, firstPush: 0, firstPull: 0 }
    const transport: SyncTransport = {
      encodePush: (req) => http.encodePush!(req),
      async push(req, encoded) {
        const t0 = performance.now()
        spent.firstPush ||= t0
        try {
          return await http.push(req, encoded)
        } finally {
          spent.push += performance.now() - t0
        }
      },
      async pull(cursor) {
        const t0 = performance.now()
        spent.firstPull ||= t0
        try {
          return await http.pull(cursor)
        } finally {
          spent.pull += performance.now() - t0
        }
      },
    }
    const engine = createSyncEngine(
      {
        outbox: dexieOutboxPort(db),
        reference: dexieReferenceSink(db),
        meta: dexieMetaPort(db),
        transport,
        clock: { now: () => new Date() },
        deviceId: () => phone.deviceId,
      },
      { maxBatchesPerRound: 1000 },
    )
    // zlib's gzip of exactly the JSON the engine sends, batch by batch, for comparison.
    const pending = await db.outbox.orderBy('seq').toArray()
    for (let i = 0; i < pending.length; i += 500) {
      const batch = pending.slice(i, i + 500)
      const json = JSON.stringify({
        deviceId: phone.deviceId,
        schemaVersion: 1,
        mutations: batch.map((e) => ({ seq: e.seq, mutationId: e.mutationId, record: e.record })),
      })
      zlibBytes += gzipSync(json).length
    }

    await meter.start()
    const started = performance.now()
    const report = await engine.sync()
    const stationCpuMs = await meter.stop()
    const seconds = (performance.now() - started) / 1000
    // From the start of the round to the last outbox entry settled, when the pull begins.
    const pushSeconds = (spent.firstPull - started) / 1000
    if (!report.ok || report.push.confirmed !== pending.length)
      throw new Error(`push did not finish: ${JSON.stringify(report)}`)
    const stored = await store.db
      .selectFrom('records')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('device_id', '=', phone.deviceId)
      .executeTakeFirstOrThrow()
    if (Number(stored.n) !== pending.length) throw new Error(`station holds ${stored.n} of ${pending.length}`)
    await tunnel.close()

    const n = pending.length
    const json = bodies.reduce((s, b) => s + b.jsonBytes, 0)
    const wire = bodies.reduce((s, b) => s + b.wireBytes, 0)
    const per = (bytes: number) => (bytes / n).toFixed(1)
    summarize([
      {
        bench: 'push',
        figure: `push in Node over fake-indexeddb, ${n.toLocaleString('en')} records (records/s, for reference)`,
        result: `${Math.round(n / pushSeconds)}/s`,
        target: '',
        ok: null,
      },
    ])
    console.table({
      'records pushed': { value: n },
      'push requests': { value: bodies.length },
      'push time (s)': { value: pushSeconds.toFixed(2) },
      'records per second (push)': { value: Math.round(n / pushSeconds) },
      '  of which HTTP + station (s)': { value: (spent.push / 1000).toFixed(2) },
      'station CPU time over the round (s)': { value: (stationCpuMs / 1000).toFixed(2) },
      'whole round with the pull after it (s)': { value: seconds.toFixed(2) },
      'saving them on the phone first (s, not counted)': { value: (writeMs / 1000).toFixed(1) },
      'JSON body bytes / record': { value: per(json) },
      'gzip body as sent (CompressionStream) bytes / record': { value: per(wire) },
      'zlib gzip of the same JSON bytes / record': { value: per(zlibBytes) },
      'TCP bytes up / record (headers included)': { value: per(tunnel.bytes.up) },
      'TCP bytes down / record (answers, pull)': { value: per(tunnel.bytes.down) },
    })
    db.close()
  } finally {
    await station.dispose()
    await store.close()
    data.remove()
    meter.dispose()
  }
}
