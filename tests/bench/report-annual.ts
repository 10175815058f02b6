// The station's annual report over the seed year (the Luoyang 2023 profile: 93,560 donations plus
// deferrals, drives, closes, voids and corrections, over 100,000 records) on both storage engines:
// SQLite in a temporary data folder and PostgreSQL (TEST_DATABASE_URL or DATABASE_URL, in a
// schema of its own, dropped afterwards). The year is loaded with the server's own bulk import;
// then the report route a manager's browser calls (GET /api/v1/reports/indicators for the year,
// through the whole Hono app with a signed-in session) and the functions behind the dashboard and
// the phones' running totals are timed: first call and the median of the next ones.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from 'pg'
import { generateSeedYear } from '../../src/domain/generator/seed-year'
import { hashPin } from '../../src/domain/pin'
import { createStationApp } from '../../src/server/app'
import { openStore, type Store } from '../../src/server/db/store'
import { insertAccount, login, prepareAccount } from '../../src/server/repo/accounts'
import { importBundle, rebaseStation, rosterForRecords } from '../../src/server/repo/import'
import { indicatorReport, monthlySeries, periodTotals } from '../../src/server/repo/reports'
import { createStation } from '../../src/server/repo/stations'
import { summarize } from './summary'
import { insertPlans, planSummary, recruitmentList } from '../../src/server/repo/plans'
import { demoPlans } from '../../src/server/demo'

const REPEATS = Number(process.env.BENCH_REPORT_REPEATS ?? 5)
const YEAR = { from: '2023-01-01', to: '2023-12-31' }
const EXPECTED_DONATIONS = 93_560

interface Row {
  engine: string
  measure: string
  first: number
  median: number | null
  note: string
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now()
  const value = await fn()
  return { ms: performance.now() - t0, value }
}

/** First call, then REPEATS more for the median. */
async function series<T>(fn: () => Promise<T>): Promise<{ first: number; median: number | null; value: T }> {
  const first = await timed(fn)
  const rest: number[] = []
  for (let i = 0; i < REPEATS; i++) rest.push((await timed(fn)).ms)
  return { first: first.ms, median: median(rest), value: first.value }
}

async function benchEngine(
  engine: string,
  store: Store,
  seed: ReturnType<typeof generateSeedYear>,
  rows: Row[],
): Promise<void> {
  const station = await createStation(store.db, { code: 'luoyang', name: '洛阳市中心血站', timeZone: 'Asia/Shanghai' })
  const account = { username: 'bench.manager', password: 'bench-password-2023', role: 'manager' as const }
  await insertAccount(store.db, station.id, await prepareAccount(account))
  const fromId = seed.reference.stations[0]!.id
  const reference = rebaseStation(seed.reference, fromId, station.id)
  const records = rebaseStation(seed.records, fromId, station.id)
  const roster = rosterForRecords(records, station.id, await hashPin('2580', { iterations: 1000 }))
  const load = await timed(() =>
    importBundle(store, station.id, {
      sites: reference.sites,
      channels: reference.channels,
      teams: reference.teams,
      populations: reference.populations,
      roster,
      records,
    }),
  )
  if (load.value.rejected > 0) throw new Error(`${engine}: the import refused ${load.value.rejected} records`)
  rows.push({
    engine,
    measure: `bulk import of the seed year (${records.length.toLocaleString('en')} records)`,
    first: load.ms,
    median: null,
    note: `${Math.round(records.length / (load.ms / 1000)).toLocaleString('en')} records/s`,
  })

  const app = createStationApp({ store, staticDir: null })
  const session = await login(store.db, station.id, account.username, account.password)
  const route = await series(async () => {
    const res = await app.request(`/api/v1/reports/indicators?from=${YEAR.from}&to=${YEAR.to}`, {
      headers: { Authorization: `Bearer ${session.token}` },
    })
    if (res.status !== 200) throw new Error(`${engine}: report route answered ${res.status} ${await res.text()}`)
    return (await res.json()) as { counts: { donations: number } }
  })
  if (route.value.counts.donations !== EXPECTED_DONATIONS)
    throw new Error(`${engine}: ${route.value.counts.donations} donations, expected ${EXPECTED_DONATIONS}`)
  rows.push({
    engine,
    measure: 'annual report: GET /api/v1/reports/indicators (whole year)',
    first: route.first,
    median: route.median,
    note: `${route.value.counts.donations.toLocaleString('en')} donations`,
  })

  const fn = await series(() =>
    indicatorReport(store.db, station.id, { ...YEAR, scope: { kind: 'station', id: null } }),
  )
  rows.push({
    engine,
    measure: 'annual report: indicatorReport() (no HTTP)',
    first: fn.first,
    median: fn.median,
    note: `rural-bus share ${(fn.value.indicators.ruralMobileShare! * 100).toFixed(2)}%`,
  })

  const monthly = await series(() =>
    monthlySeries(store.db, station.id, { ...YEAR, scope: { kind: 'station', id: null } }),
  )
  rows.push({
    engine,
    measure: 'dashboard: monthlySeries() of the year',
    first: monthly.first,
    median: monthly.median,
    note: `${monthly.value.length} months`,
  })

  const channels = reference.channels.find((c) => c.code === 'rural_mobile')!
  const channel = await series(() =>
    indicatorReport(store.db, station.id, { ...YEAR, scope: { kind: 'channel', id: channels.id } }),
  )
  rows.push({
    engine,
    measure: 'report of one channel (rural mobile), whole year',
    first: channel.first,
    median: channel.median,
    note: `${channel.value.counts.donations.toLocaleString('en')} donations`,
  })

  const totals = await series(() => periodTotals(store.db, station.id, '2023-12-31'))
  rows.push({
    engine,
    measure: "phones' running totals: periodTotals() (year + month, by channel and team)",
    first: totals.first,
    median: totals.median,
    note: `${totals.value.year.counts.donations.toLocaleString('en')} in the year`,
  })

  // Drive plans (issue 15): a plan for every drive of the year, the summary as of mid-year, and the
  // recruitment list of a rural plan in the second half.
  const asOf = '2023-07-01'
  const plans = demoPlans(records, seed.year, asOf, station.id)
  await store.db.transaction().execute((trx) => insertPlans(trx, station.id, plans))
  const summary = await series(() => planSummary(store.db, station.id, 2023, asOf))
  rows.push({
    engine,
    measure: 'dashboard: planSummary() of the year (planned vs done, trip pace)',
    first: summary.first,
    median: summary.median,
    note: `${summary.value.pace.done} rural trips by ${asOf}, ${plans.length} plans`,
  })
  const plan = plans.find((p) => p.channelId === channels.id && p.date > asOf)!
  const list = await series(() => recruitmentList(store.db, station.id, plan.id, 12))
  rows.push({
    engine,
    measure: 'recruitment list of a rural plan (12 months)',
    first: list.first,
    median: list.median,
    note: `${list.value.rows.length.toLocaleString('en')} donors`,
  })
}

function printTable(rows: Row[]): void {
  const cells = rows.map((r) => [
    r.engine,
    r.measure,
    `${r.first.toFixed(0)} ms`,
    r.median === null ? '' : `${r.median.toFixed(0)} ms`,
    r.note,
  ])
  const head = ['engine', 'measure', 'first', `median of ${REPEATS}`, '']
  const widths = head.map((_, c) => Math.max(...[head, ...cells].map((r) => r[c]!.length)))
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 2 || c === 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd()
  console.log(line(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const r of cells) console.log(line(r))
}

export default async function reportAnnual(): Promise<void> {
  const t0 = performance.now()
  const seed = generateSeedYear({ profile: 'luoyang-2023', seed: 2023 })
  console.log(
    `seed year generated: ${seed.records.length.toLocaleString('en')} records in ${(performance.now() - t0).toFixed(0)} ms`,
  )
  const rows: Row[] = []

  const dataDir = mkdtempSync(join(tmpdir(), 'bloodbus-bench-report-'))
  const sqlite = await openStore({ dataDir })
  try {
    await benchEngine('SQLite', sqlite, seed, rows)
  } finally {
    await sqlite.close()
    rmSync(dataDir, { recursive: true, force: true })
  }

  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || ''
  if (url) {
    const schema = `bench_report_${process.pid}_${Date.now().toString(36)}`
    const pg = await openStore({ databaseUrl: url, pgSchema: schema })
    try {
      await benchEngine('PostgreSQL', pg, seed, rows)
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

  console.log(`\nAnnual report over the seed year, Node ${process.version}, ${REPEATS} repeats after the first call\n`)
  printTable(rows)
  summarize(
    rows.map((r) => ({
      bench: 'report',
      figure: `${r.engine}: ${r.measure} (median of ${REPEATS}, first call ${r.first.toFixed(0)} ms)`,
      result: `${(r.median ?? r.first).toFixed(0)} ms`,
      target: '',
      ok: null,
    })),
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await reportAnnual()
