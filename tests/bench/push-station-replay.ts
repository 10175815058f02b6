// The station's share of a push, alone: 10,000 records of a bus crew (the records BusCrew writes,
// numbered and batched as the phone sends them: 100, 200, 400, then 500 a request, gzip, batchId and
// afterSeq) sent straight to a station process, on SQLite and, when TEST_DATABASE_URL (or
// BENCH_DATABASE_URL) names one, on PostgreSQL. Prints the station's CPU time (user + system, read
// in its process by push-station-profile.mjs) for the first push after it started (what
// push-browser measures: code not yet optimised) and for a second phone's push right after (warm).
// No browser and no phone database, so it runs in a fraction of push-browser's time and moves
// less with the machine's load. BENCH_STATION_DIR=<checkout> runs the station from another
// checkout (e.g. main's, for a before/after on one machine); BENCH_PROFILE=<dir> writes the last
// push's profile (push-station.cpuprofile).
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import pg from 'pg'
import { newId } from '../../src/domain/ids'
import { type FieldRecord, SCHEMA_VERSION } from '../../src/domain/records'
import { openStore } from '../../src/server/db/store'
import type { RunningStation } from '../../src/server/server'
import { seededRandom } from '../support/fault-proxy'
import { BusCrew, StationProcess, tempDataDir } from '../server/sync-phone'
import { TestStation } from '../server/support/station'
import { stationMeter } from './push-station'
import { summarize, table } from './summary'

const RECORDS = Number(process.env.BENCH_PUSH_RECORDS ?? 10_000)
const PUSHES = 2

interface Push {
  cpuMs: number
  wallMs: number
  records: number
  requests: number
}

async function onEngine(engine: 'sqlite' | 'postgres', databaseUrl: string | null): Promise<Push[]> {
  const data = tempDataDir()
  const schema = `bench_push_station_${randomUUID().slice(0, 8)}`
  const postgres = engine === 'postgres' && databaseUrl ? { url: databaseUrl, schema } : null
  const store = await openStore(postgres ? { databaseUrl: postgres.url, pgSchema: schema } : { dataDir: data.dir })
  const from = process.env.BENCH_STATION_DIR
  const cwd = process.cwd()
  if (from) process.chdir(from)
  const station = new StationProcess(data.dir, postgres)
  if (from) process.chdir(cwd)
  const meter = stationMeter()
  try {
    await meter.launch(() => station.start())
    const t = new TestStation(engine, { ...store, dispose: () => store.close() }, {
      url: station.url,
      close: async () => {},
    } as unknown as RunningStation)
    const pushes: Push[] = []
    for (let p = 0; p < PUSHES; p++) {
      const setup = await t.createStation(`bench${p}`)
      const phone = await t.enroll(setup, 'bench phone')
      const crew = new BusCrew(setup, phone.deviceId, seededRandom(2023 + p), () => new Date())
      // The records as the crew makes them, without the phone's database (push-browser has that part).
      const records: FieldRecord[] = []
      const next = (crew as unknown as { next(): FieldRecord[] }).next.bind(crew)
      while (records.length < RECORDS) records.push(...next())
      const bodies: Buffer[] = []
      let seq = 0
      for (let i = 0, size = 100; i < records.length; size = Math.min(500, size * 2)) {
        const batch = records.slice(i, i + size)
        i += batch.length
        const afterSeq = seq
        const mutations = batch.map((record) => ({ seq: ++seq, mutationId: newId(), record }))
        const body = { deviceId: phone.deviceId, schemaVersion: SCHEMA_VERSION, batchId: newId(), afterSeq, mutations }
        bodies.push(gzipSync(JSON.stringify(body)))
      }
      await meter.start()
      const t0 = performance.now()
      for (const body of bodies) {
        const res = await fetch(`${station.url}/api/v1/sync/push`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${phone.token}`,
            'Content-Type': 'application/json',
            'Content-Encoding': 'gzip',
          },
          body: body as unknown as BodyInit,
        })
        const answer = (await res.json()) as { rejected?: unknown[] }
        if (res.status !== 200 || (answer.rejected?.length ?? 0) > 0)
          throw new Error(`push answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`)
      }
      const wallMs = performance.now() - t0
      const cpuMs = await meter.stop()
      pushes.push({ cpuMs, wallMs, records: records.length, requests: bodies.length })
    }
    return pushes
  } finally {
    await station.dispose()
    await store.close()
    if (postgres) {
      const client = new pg.Client({ connectionString: postgres.url })
      await client.connect()
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      } finally {
        await client.end()
      }
    }
    data.remove()
    meter.dispose()
  }
}

export default async function pushStationReplay(): Promise<void> {
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? null
  const engines: Array<['sqlite' | 'postgres', string | null]> = [['sqlite', null]]
  if (pgUrl) engines.push(['postgres', pgUrl])
  const rows: string[][] = []
  for (const [engine, url] of engines) {
    const [cold, warm] = await onEngine(engine, url)
    const per10k = (p: Push) => ((p.cpuMs / p.records) * 10).toFixed(2)
    summarize([
      {
        bench: 'push-station',
        figure: `station CPU per 10,000 records pushed, ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, first push after start (s)`,
        result: per10k(cold!),
        target: '',
        ok: null,
      },
    ])
    for (const [label, p] of [
      ['first push after start', cold!],
      ['second phone, right after', warm!],
    ] as const) {
      rows.push([
        engine,
        label,
        String(p.records),
        String(p.requests),
        (p.cpuMs / 1000).toFixed(2),
        per10k(p),
        (p.wallMs / 1000).toFixed(2),
        String(Math.round(p.records / (p.wallMs / 1000))),
      ])
    }
  }
  console.log(
    `\nThe station alone: pushes replayed to its process${process.env.BENCH_STATION_DIR ? ` (from ${process.env.BENCH_STATION_DIR})` : ''}\n`,
  )
  console.log(
    table(
      ['engine', 'push', 'records', 'requests', 'station CPU (s)', 'per 10,000 (s)', 'wall (s)', 'records/s'],
      rows,
    ),
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await pushStationReplay()
