// The station's annual report over the seed year (the Luoyang 2023 profile: 93,560 donations plus
// deferrals, drives, closes, voids and corrections, over 100,000 records) on both storage engines:
// SQLite in a temporary data folder and PostgreSQL (TEST_DATABASE_URL or DATABASE_URL, in a
// schema of its own, dropped afterwards). The year is loaded with the server's own bulk import;
// then the report route a manager's browser calls (GET /api/v1/reports/indicators for the year,
// through the whole Hono app with a signed-in session) and the functions behind the dashboard and
// the phones' running totals are timed: first call and the median of the next ones.
// Every station report endpoint (issue 15: annual report, dashboard, trend, plans pace,
// recruitment list as CSV and XLSX) is timed through the app with a "< 1 s" target, beside a
// same-run baseline (a plain count of the records table) so a loaded machine can be read.
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
import { insertPlans, planSummary, recruitmentList, type RecruitmentList } from '../../src/server/repo/plans'
import { demoPlans } from '../../src/server/demo'
import { sql } from 'kysely'
import writeXlsxFile from 'write-excel-file/node'
import { recruitmentTable } from '../../src/app/station/plans-model'
import { toCsv } from '../../src/app/station/report-model'

const REPEATS = Number(process.env.BENCH_REPORT_REPEATS ?? 5)
const YEAR = { from: '2023-01-01', to: '2023-12-31' }
const EXPECTED_DONATIONS = 93_560

interface Row {
  engine: string
  measure: string
  first: number
  median: number | null
  note: string
  /** A station page's request(s), held to TARGET_MS (median). */
  target?: boolean
  /** The same run's baseline median, for the ratio. */
  baseline?: number
}

const TARGET_MS = 1000

/** "37× the baseline"; SQLite answers a bare count in well under a millisecond, so no ratio then. */
const ratioText = (ms: number, baseline: number): string =>
  baseline >= 1 ? `${(ms / baseline).toFixed(0)}× the baseline` : `baseline ${baseline.toFixed(2)} ms`

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
  // What autovacuum does to a loaded table before long (statistics, visibility map for index-only scans).
  if (store.engine === 'postgres') await sql`vacuum analyze records`.execute(store.db)
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

  await benchEndpoints(
    engine,
    store,
    session.token,
    plan.id,
    reference.channels.map((c) => c.id),
    rows,
  )
}

/** Every station report endpoint through the app, as the pages call them, each held to TARGET_MS. */
async function benchEndpoints(
  engine: string,
  store: Store,
  token: string,
  planId: string,
  channelIds: string[],
  rows: Row[],
): Promise<void> {
  const app = createStationApp({ store, staticDir: null })
  const get = async <T>(path: string): Promise<T> => {
    const res = await app.request(path, { headers: { Authorization: `Bearer ${token}` } })
    if (res.status !== 200) throw new Error(`${engine}: ${path} answered ${res.status} ${await res.text()}`)
    return (await res.json()) as T
  }
  const year = `from=${YEAR.from}&to=${YEAR.to}`
  // Same-run baseline: the cheapest look at every record, on this engine, at this load.
  const base = await series(() => sql`select count(*) as n from records`.execute(store.db))
  const baseline = base.median ?? base.first
  rows.push({ engine, measure: 'baseline: SELECT count(*) FROM records', ...base, note: 'same run' })

  const endpoint = async (measure: string, fn: () => Promise<string>) => {
    const r = await series(fn)
    rows.push({ engine, measure, first: r.first, median: r.median, note: r.value, target: true, baseline })
  }
  await endpoint('annual report page: GET indicators + rules (year)', async () => {
    const [report] = await Promise.all([
      get<{ counts: { donations: number } }>(`/api/v1/reports/indicators?${year}`),
      get(`/api/v1/reports/rules?${year}`),
    ])
    if (report.counts.donations !== EXPECTED_DONATIONS) throw new Error(`${engine}: ${report.counts.donations}`)
    return `${report.counts.donations.toLocaleString('en')} donations`
  })
  await endpoint(
    `dashboard: GET monthly (year, last year) + indicators of ${channelIds.length} channels + rules`,
    async () => {
      const answers = await Promise.all([
        get(`/api/v1/reports/monthly?${year}`),
        get(`/api/v1/reports/monthly?from=2022-01-01&to=2022-12-31`),
        get(`/api/v1/reports/rules?${year}`),
        ...channelIds.map((id) => get(`/api/v1/reports/indicators?${year}&scope=channel&scopeId=${id}`)),
      ])
      return `${answers.length} requests`
    },
  )
  await endpoint('trend: GET monthly (year)', async () => {
    const r = await get<{ months: unknown[] }>(`/api/v1/reports/monthly?${year}`)
    return `${r.months.length} months`
  })
  await endpoint('plans pace: GET plan-summary (year, as of 2023-07-01)', async () => {
    const r = await get<{ pace: { done: number } }>(`/api/v1/admin/plan-summary?year=2023&asOf=2023-07-01`)
    return `${r.pace.done} rural trips done`
  })
  const recruitment = () => get<RecruitmentList>(`/api/v1/admin/plans/${planId}/recruitment?months=6`)
  const label = (key: string) => key
  await endpoint('recruitment list as CSV: GET recruitment (6 months) + the CSV', async () => {
    const { header, rows: lines } = recruitmentTable((await recruitment()) as never, label)
    const csv = toCsv(header, lines)
    return `${lines.length.toLocaleString('en')} donors, ${(csv.length / 1024).toFixed(0)} KiB`
  })
  await endpoint('recruitment list as XLSX: GET recruitment (6 months) + the XLSX', async () => {
    const { header, rows: lines } = recruitmentTable((await recruitment()) as never, label)
    const data = [
      header.map((value) => ({ value })),
      ...lines.map((r) =>
        r.map((v) =>
          v === null ? null : typeof v === 'number' ? { value: v, type: Number } : { value: String(v), type: String },
        ),
      ),
    ]
    const buffer = await writeXlsxFile([{ data, sheet: 'recruitment' }]).toBuffer()
    return `${lines.length.toLocaleString('en')} donors, ${(buffer.length / 1024).toFixed(0)} KiB`
  })
}

function printTable(rows: Row[]): void {
  const cells = rows.map((r) => [
    r.engine,
    r.measure,
    `${r.first.toFixed(0)} ms`,
    r.median === null ? '' : `${r.median.toFixed(0)} ms`,
    r.baseline === undefined ? r.note : `${r.note}; ${ratioText(r.median ?? r.first, r.baseline)}`,
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
    rows.map((r) => {
      const ms = r.median ?? r.first
      const ratio = r.baseline === undefined ? '' : `, ${ratioText(ms, r.baseline)}`
      return {
        bench: 'report',
        figure: `${r.engine}: ${r.measure} (median of ${REPEATS}, first call ${r.first.toFixed(0)} ms${ratio})`,
        result: `${ms.toFixed(0)} ms`,
        target: r.target ? `< ${TARGET_MS} ms` : '',
        ok: r.target ? ms < TARGET_MS : null,
      }
    }),
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await reportAnnual()
