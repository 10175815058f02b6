// The retention and quality figures over the seed year (issue 15, item 3) on both storage engines:
// the year loaded with the server's bulk import into SQLite (a temporary folder) and PostgreSQL
// (TEST_DATABASE_URL or DATABASE_URL, a schema of its own, dropped afterwards), then the route a
// manager's browser calls (GET /api/v1/reports/retention, whole Hono app, signed-in session) timed
// for the whole year and for one channel: first call and the median of the next ones. Target < 1 s.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from 'pg'
import { generateSeedYear } from '../../src/domain/generator/seed-year'
import { hashPin } from '../../src/domain/pin'
import type { RetentionFigures } from '../../src/domain/retention'
import { createStationApp } from '../../src/server/app'
import { openStore, type Store } from '../../src/server/db/store'
import { insertAccount, login, prepareAccount } from '../../src/server/repo/accounts'
import { importBundle, rebaseStation, rosterForRecords } from '../../src/server/repo/import'
import { createStation } from '../../src/server/repo/stations'
import { summarize } from './summary'

const REPEATS = Number(process.env.BENCH_REPORT_REPEATS ?? 5)
const TARGET_MS = 1000
const EXPECTED_DONATIONS = 93_560

interface Row {
  engine: string
  measure: string
  first: number
  median: number
  note: string
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now()
  const value = await fn()
  return { ms: performance.now() - t0, value }
}

async function benchEngine(engine: string, store: Store, seed: ReturnType<typeof generateSeedYear>): Promise<Row[]> {
  const station = await createStation(store.db, { code: 'luoyang', name: '洛阳市中心血站', timeZone: 'Asia/Shanghai' })
  const account = { username: 'bench.manager', password: 'bench-password-2023', role: 'manager' as const }
  await insertAccount(store.db, station.id, await prepareAccount(account))
  const fromId = seed.reference.stations[0]!.id
  const reference = rebaseStation(seed.reference, fromId, station.id)
  const records = rebaseStation(seed.records, fromId, station.id)
  const roster = rosterForRecords(records, station.id, await hashPin('2580', { iterations: 1000 }))
  const load = await importBundle(store, station.id, { ...reference, roster, records })
  if (load.rejected > 0) throw new Error(`${engine}: the import refused ${load.rejected} records`)

  const app = createStationApp({ store, staticDir: null })
  const session = await login(store.db, station.id, account.username, account.password)
  const rural = reference.channels.find((c) => c.code === 'rural_mobile')!
  const rows: Row[] = []
  for (const [measure, query] of [
    ['retention figures of the year: GET /api/v1/reports/retention', ''],
    ['retention figures of the year, one channel (rural mobile)', `&channel=${rural.id}`],
  ] as const) {
    const call = async () => {
      const res = await app.request(`/api/v1/reports/retention?from=2023-01-01&to=2023-12-31&asOf=2024-12-31${query}`, {
        headers: { Authorization: `Bearer ${session.token}` },
      })
      if (res.status !== 200) throw new Error(`${engine}: retention route answered ${res.status} ${await res.text()}`)
      return (await res.json()) as { figures: RetentionFigures }
    }
    const first = await timed(call)
    const rest: number[] = []
    for (let i = 0; i < REPEATS; i++) rest.push((await timed(call)).ms)
    const f = first.value.figures
    if (query === '' && f.donations !== EXPECTED_DONATIONS)
      throw new Error(`${engine}: ${f.donations} donations, expected ${EXPECTED_DONATIONS}`)
    rows.push({
      engine,
      measure,
      first: first.ms,
      median: median(rest),
      note: `${f.donations.toLocaleString('en')} donations, 12-month return ${((f.return12m.all.share ?? 0) * 100).toFixed(1)}%`,
    })
  }
  return rows
}

export default async function reportRetention(): Promise<void> {
  const seed = generateSeedYear({ profile: 'luoyang-2023', seed: 2023 })
  const rows: Row[] = []
  const dataDir = mkdtempSync(join(tmpdir(), 'bloodbus-bench-retention-'))
  const sqlite = await openStore({ dataDir })
  try {
    rows.push(...(await benchEngine('SQLite', sqlite, seed)))
  } finally {
    await sqlite.close()
    rmSync(dataDir, { recursive: true, force: true })
  }

  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || ''
  if (url) {
    const schema = `bench_retention_${process.pid}_${Date.now().toString(36)}`
    const pg = await openStore({ databaseUrl: url, pgSchema: schema })
    try {
      rows.push(...(await benchEngine('PostgreSQL', pg, seed)))
    } finally {
      await pg.close()
      const client = new Client({ connectionString: url })
      await client.connect()
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      } finally {
        await client.end()
      }
    }
  } else {
    console.log('PostgreSQL: skipped (set TEST_DATABASE_URL or DATABASE_URL)')
  }

  console.log(
    `\nRetention figures over the seed year, Node ${process.version}, ${REPEATS} repeats after the first call\n`,
  )
  for (const r of rows)
    console.log(
      `${r.engine.padEnd(10)}  ${r.measure.padEnd(64)}  first ${r.first.toFixed(0).padStart(5)} ms  median ${r.median.toFixed(0).padStart(5)} ms  ${r.note}`,
    )
  summarize(
    rows.map((r) => ({
      bench: 'report-retention',
      figure: `${r.engine}: ${r.measure} (median of ${REPEATS}, first call ${r.first.toFixed(0)} ms)`,
      result: `${r.median.toFixed(0)} ms`,
      target: `< ${TARGET_MS} ms`,
      ok: r.median < TARGET_MS,
    })),
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await reportRetention()
