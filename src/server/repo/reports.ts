// Indicator reports from SQL: GROUP BY over the projected columns of counted records (donations,
// deferrals, drives not voided, as corrected) gives the domain's IndicatorCounts; the rates come
// from indicatorsFromCounts(), so the server reports exactly what the domain code computes.
import { type Expression, type ExpressionBuilder, SqliteAdapter, type SqlBool, sql } from 'kysely'
import { addDays, daysInMonth, isIsoDate, parseIsoDate } from '../../domain/dates'
import {
  bloodGroupOf,
  emptyCounts,
  type IndicatorContext,
  type IndicatorCounts,
  type Indicators,
  indicatorsFromCounts,
} from '../../domain/indicators'
import { type Abo, type Drive, type RhD, type Scope, ScopeSchema } from '../../domain/records'
import type { Database, RecordsTable } from '../db/schema'
import type { Db } from '../db/store'
import { parseOrRefuse, Refusal } from './refusal'

export interface ReportFilter {
  from: string
  to: string
  scope: Scope
}

/** Rural-mobile channels of the station and the population of `year` (null if unknown). */
export async function indicatorContext(db: Db, stationId: string, year: number | null): Promise<IndicatorContext> {
  const channels = await db
    .selectFrom('channels')
    .select('id')
    .where('station_id', '=', stationId)
    .where('rural_mobile', '=', 1)
    .execute()
  const population =
    year === null
      ? null
      : ((
          await db
            .selectFrom('populations')
            .select('population')
            .where('station_id', '=', stationId)
            .where('year', '=', year)
            .where('deleted', '=', 0)
            .executeTakeFirst()
        )?.population ?? null)
  return { ruralMobileChannelIds: new Set(channels.map((c) => c.id)), population }
}

/** The population year of a period: its year when it lies in one calendar year, else none. */
export function populationYear(from: string, to: string): number | null {
  const a = parseIsoDate(from).year
  return a === parseIsoDate(to).year ? a : null
}

interface CountRow {
  month: string | null
  team: string | null
  effective_type: string | null
  channel_id: string | null
  product: string | null
  volume_ml: number | null
  doses: number | null
  household: string | null
  repeat_donor: number | null
  rhd: string | null
  abo: string | null
  n: number
}

interface TeamRow {
  month: string | null
  team: string | null
  channel_id: string | null
  member_team: string
  n: number
}

const MONTH = sql<string>`substr(r.collected_on, 1, 7)`

type WithR = Database & { r: RecordsTable }

function scopeFilter(scope: Scope): (eb: ExpressionBuilder<WithR, 'r'>) => Expression<SqlBool> {
  return (eb) => {
    switch (scope.kind) {
      case 'station':
        return sql<SqlBool>`1 = 1`
      case 'channel':
        return eb('r.channel_id', '=', scope.id!)
      case 'site':
        return eb('r.site_id', '=', scope.id!)
      case 'drive':
        return eb('r.drive_id', '=', scope.id!)
      case 'team':
        return eb.exists(
          eb
            .selectFrom('record_teams as st')
            .select('st.team_id')
            .whereRef('st.record_id', '=', 'r.id')
            .where('st.team_id', '=', scope.id!),
        )
    }
  }
}

// Counted records as the partial indexes of migration 0016 hold them: the predicates are written
// with literals, so both engines can prove a query reads only indexed rows (a bound parameter
// cannot prove `voided = 0`). COUNTED_TYPES are every effective_type a projection writes.
const NOT_VOIDED = sql<SqlBool>`r.voided = 0`
const COUNTED_TYPES = sql<SqlBool>`r.effective_type in ('donation', 'deferral', 'drive')`
const IS_DONATION = sql<SqlBool>`r.effective_type = 'donation'`

/** Counted records of the station in [from, to] and scope (voided ones and uncounted types left out). */
function countedRecords(db: Db, stationId: string, filter: ReportFilter) {
  return db
    .selectFrom('records as r')
    .where('r.station_id', '=', stationId)
    .where(NOT_VOIDED)
    .where('r.effective_type', 'is not', null)
    .where(COUNTED_TYPES)
    .where('r.collected_on', '>=', filter.from)
    .where('r.collected_on', '<=', filter.to)
    .where(scopeFilter(filter.scope) as never)
}

const TALLY_COLUMNS = [
  'effective_type',
  'channel_id',
  'product',
  'volume_ml',
  'doses',
  'household',
  'repeat_donor',
  'rhd',
  'abo',
] as const

/** SQLite (which groups by sorting every row) or PostgreSQL (which hashes). */
export function isSqlite(db: Db): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter
}

/**
 * The same count rows grouped twice, for SQLite: first by day in the order of records_tally
 * (type, date, then the counted columns), which SQLite streams without sorting, then the few
 * thousand day groups by the report's key. Sorting every row of a year was most of a report's
 * time; PostgreSQL hashes the flat GROUP BY faster than this.
 */
function byDayFirst(db: Db, counted: ReturnType<typeof countedRecords>, byMonth: boolean) {
  const day = counted
    .select(['r.effective_type', 'r.collected_on'])
    .select(TALLY_COLUMNS.slice(1).map((c) => `r.${c}` as const))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .groupBy(['r.effective_type', 'r.collected_on', ...TALLY_COLUMNS.slice(1).map((c) => `r.${c}` as const)])
  const q = db
    .selectFrom(day.as('d'))
    .select(TALLY_COLUMNS.map((c) => `d.${c}` as const))
    .select(sql<number>`sum(d.n)`.as('n'))
    .groupBy(TALLY_COLUMNS.map((c) => `d.${c}` as const))
    .select(sql<null>`null`.as('team'))
  const month = sql<string>`substr(d.collected_on, 1, 7)`
  return byMonth ? q.select(month.as('month')).groupBy(month) : q.select(sql<null>`null`.as('month'))
}

/**
 * Grouped count rows of counted records in [from, to] and scope, optionally split by month and by
 * team (a record with two teams appears once under each). `memberTeams: false` leaves out the
 * donations-per-team rows (a caller that derives them from team-split rows).
 */
async function countRows(
  db: Db,
  stationId: string,
  filter: ReportFilter,
  opts: { byMonth: boolean; byTeam: boolean; memberTeams?: boolean },
): Promise<{ rows: CountRow[]; teamRows: TeamRow[] }> {
  const base = countedRecords(db, stationId, filter)

  const grouped = opts.byTeam ? base.innerJoin('record_teams as g', 'g.record_id', 'r.id') : base
  const cols = [
    'r.effective_type',
    'r.channel_id',
    'r.product',
    'r.volume_ml',
    'r.doses',
    'r.household',
    'r.repeat_donor',
    'r.rhd',
    'r.abo',
  ] as const
  let main = grouped
    .select(cols)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .groupBy([...cols])
  main = opts.byMonth ? main.select(MONTH.as('month')).groupBy(MONTH) : main.select(sql<null>`null`.as('month'))
  main = opts.byTeam
    ? (main as unknown as typeof main).select(sql<string>`g.team_id`.as('team')).groupBy(sql`g.team_id`)
    : main.select(sql<null>`null`.as('team'))
  const mainRows = !opts.byTeam && isSqlite(db) ? byDayFirst(db, base, opts.byMonth) : main

  let teams = grouped
    .innerJoin('record_teams as t', 't.record_id', 'r.id')
    .where(IS_DONATION)
    .select(['r.channel_id', 't.team_id as member_team'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .groupBy(['r.channel_id', 't.team_id'])
  teams = opts.byMonth ? teams.select(MONTH.as('month')).groupBy(MONTH) : teams.select(sql<null>`null`.as('month'))
  teams = opts.byTeam
    ? teams.select(sql<string>`g.team_id`.as('team')).groupBy(sql`g.team_id`)
    : teams.select(sql<null>`null`.as('team'))
  const [rows, teamRows] = (await Promise.all([
    mainRows.execute(),
    opts.memberTeams === false ? Promise.resolve([]) : teams.execute(),
  ])) as unknown as [CountRow[], TeamRow[]]
  return {
    rows: rows.map((r) => ({
      ...r,
      n: Number(r.n),
      volume_ml: r.volume_ml === null ? null : Number(r.volume_ml),
      doses: r.doses === null ? null : Number(r.doses),
      repeat_donor: r.repeat_donor === null ? null : Number(r.repeat_donor),
    })),
    teamRows: teamRows.map((r) => ({ ...r, n: Number(r.n) })),
  }
}

/**
 * Donations per member team from team-split rows (a record once under each of its teams): the
 * teamRows countRows() gives without the split, without a second join.
 */
function memberTeamRows(split: CountRow[]): TeamRow[] {
  const out = new Map<string, TeamRow>()
  for (const r of split) {
    if (r.effective_type !== 'donation' || r.team === null) continue
    const key = JSON.stringify([r.month, r.channel_id, r.team])
    const seen = out.get(key)
    if (seen) seen.n += r.n
    else out.set(key, { month: r.month, team: null, channel_id: r.channel_id, member_team: r.team, n: r.n })
  }
  return [...out.values()]
}

/** Adds n records described by one group row, as addToCounts() would add each. */
function addRow(c: IndicatorCounts, row: CountRow, rural: ReadonlySet<string>): void {
  const n = row.n
  switch (row.effective_type) {
    case 'donation': {
      c.donations += n
      if (row.product === 'whole_blood') {
        const ml = row.volume_ml ?? 0
        c.wholeBloodDonations += n
        if (ml === 400) c.wholeBlood400 += n
        else if (ml === 300) c.wholeBlood300 += n
        else c.wholeBlood200 += n
        c.wholeBloodUnits += n * (ml / 200)
        if (row.channel_id !== null && rural.has(row.channel_id)) c.ruralMobileWholeBlood += n
      } else {
        c.apheresisDonations += n
        c.apheresisDoses += n * (row.doses ?? 0)
      }
      if (row.household === 'rural') c.ruralDonorDonations += n
      if (row.repeat_donor === 1) c.repeatDonorDonations += n
      if (row.rhd === 'neg') c.rhdNegativeDonations += n
      if (row.channel_id !== null) c.byChannel[row.channel_id] = (c.byChannel[row.channel_id] ?? 0) + n
      c.byBloodGroup[bloodGroupOf(row.abo as Abo, row.rhd as RhD)] += n
      break
    }
    case 'deferral':
      c.deferrals += n
      break
    case 'drive':
      c.busTrips += n
      if (row.channel_id !== null && rural.has(row.channel_id)) c.ruralBusTrips += n
      break
  }
}

/** Folds group rows into counts under the key `keyOf` gives (null: left out). */
function fold(
  rows: { rows: CountRow[]; teamRows: TeamRow[] },
  rural: ReadonlySet<string>,
  keyOf: (row: { month: string | null; team: string | null; channel_id: string | null }) => string | null,
): Map<string, IndicatorCounts> {
  const out = new Map<string, IndicatorCounts>()
  const get = (key: string): IndicatorCounts => {
    let c = out.get(key)
    if (!c) {
      c = emptyCounts()
      out.set(key, c)
    }
    return c
  }
  for (const row of rows.rows) {
    const key = keyOf(row)
    if (key !== null) addRow(get(key), row, rural)
  }
  for (const row of rows.teamRows) {
    const key = keyOf(row)
    if (key === null) continue
    const c = get(key)
    c.byTeam[row.member_team] = (c.byTeam[row.member_team] ?? 0) + row.n
  }
  return out
}

export interface IndicatorReport {
  from: string
  to: string
  scope: Scope
  counts: IndicatorCounts
  indicators: Indicators
}

export async function indicatorReport(db: Db, stationId: string, filter: ReportFilter): Promise<IndicatorReport> {
  const ctx = await indicatorContext(db, stationId, populationYear(filter.from, filter.to))
  const rows = await countRows(db, stationId, filter, { byMonth: false, byTeam: false })
  const counts = fold(rows, ctx.ruralMobileChannelIds, () => 'all').get('all') ?? emptyCounts()
  return { ...filter, counts, indicators: indicatorsFromCounts(counts, ctx) }
}

export interface MonthlyPoint {
  month: string
  from: string
  to: string
  counts: IndicatorCounts
  indicators: Indicators
}

/** Counts per calendar month of [from, to] (months without records included, as zeros). */
export async function monthlySeries(db: Db, stationId: string, filter: ReportFilter): Promise<MonthlyPoint[]> {
  const rows = await countRows(db, stationId, filter, { byMonth: true, byTeam: false })
  const ctxCache = new Map<number, IndicatorContext>()
  const byMonth = fold(rows, (await indicatorContext(db, stationId, null)).ruralMobileChannelIds, (r) => r.month)
  const out: MonthlyPoint[] = []
  for (let month = filter.from.slice(0, 7); month <= filter.to.slice(0, 7); month = nextMonth(month)) {
    const year = Number(month.slice(0, 4))
    let ctx = ctxCache.get(year)
    if (!ctx) {
      ctx = await indicatorContext(db, stationId, year)
      ctxCache.set(year, ctx)
    }
    const counts = byMonth.get(month) ?? emptyCounts()
    const first = `${month}-01`
    const last = `${month}-${String(daysInMonth(year, Number(month.slice(5, 7)))).padStart(2, '0')}`
    out.push({
      month,
      from: first < filter.from ? filter.from : first,
      to: last > filter.to ? filter.to : last,
      counts,
      indicators: indicatorsFromCounts(counts, ctx),
    })
  }
  return out
}

function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4))
  const m = Number(month.slice(5, 7))
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}

/** Running totals of a calendar year and month, split by channel and by team, for phones. */
export interface PeriodTotals {
  period: { kind: 'year' | 'month'; start: string; end: string }
  counts: IndicatorCounts
  indicators: Indicators
  byChannel: Record<string, IndicatorCounts>
  byTeam: Record<string, IndicatorCounts>
}

export async function periodTotals(
  db: Db,
  stationId: string,
  today: string,
): Promise<{ year: PeriodTotals; month: PeriodTotals }> {
  const { year, month } = parseIsoDate(today)
  const yearStart = `${year}-01-01`
  const yearEnd = `${year}-12-31`
  const monthKey = today.slice(0, 7)
  const ctx = await indicatorContext(db, stationId, year)
  const rural = ctx.ruralMobileChannelIds
  const filter: ReportFilter = { from: yearStart, to: yearEnd, scope: { kind: 'station', id: null } }
  const teams = await countRows(db, stationId, filter, { byMonth: true, byTeam: true })
  const plain = await countRows(db, stationId, filter, { byMonth: true, byTeam: false, memberTeams: false })
  plain.teamRows = memberTeamRows(teams.rows)

  const build = (
    kind: 'year' | 'month',
    start: string,
    end: string,
    inPeriod: (m: string | null) => boolean,
  ): PeriodTotals => {
    const counts = fold(plain, rural, (r) => (inPeriod(r.month) ? 'all' : null)).get('all') ?? emptyCounts()
    const byChannel = Object.fromEntries(fold(plain, rural, (r) => (inPeriod(r.month) ? r.channel_id : null)))
    const byTeam = Object.fromEntries(fold(teams, rural, (r) => (inPeriod(r.month) ? r.team : null)))
    return { period: { kind, start, end }, counts, indicators: indicatorsFromCounts(counts, ctx), byChannel, byTeam }
  }
  return {
    year: build('year', yearStart, yearEnd, () => true),
    month: build(
      'month',
      `${monthKey}-01`,
      `${monthKey}-${String(daysInMonth(year, month)).padStart(2, '0')}`,
      (m) => m === monthKey,
    ),
  }
}

// ---------------------------------------------------------------------------------------------
// Deferrals by reason and the leaders' overrides (schema 2)

export interface CountByCode {
  code: string
  n: number
}

export interface OverridesOfDrive {
  driveId: string | null
  date: string | null
  busCode: string | null
  siteId: string | null
  n: number
}

/**
 * Deferrals by reason (a deferral with two reasons counts once in `deferrals` and once under each
 * reason) and donations that went ahead on a leader's override, by reason and by drive. Counted
 * records only (not voided, as corrected), as the indicators count them.
 */
export interface RulesReport {
  from: string
  to: string
  scope: Scope
  deferrals: number
  deferralsByReason: CountByCode[]
  overrides: number
  overridesByReason: CountByCode[]
  overridesByDrive: OverridesOfDrive[]
}

const byCount = <T extends { n: number }>(a: T, b: T, key: (x: T) => string): number =>
  b.n - a.n || key(a).localeCompare(key(b))

export async function rulesReport(db: Db, stationId: string, filter: ReportFilter): Promise<RulesReport> {
  // Literal predicates, as the partial indexes of migration 0016 are written (records_tally and,
  // for overrides, records_overrides).
  const counted = (effectiveType: 'donation' | 'deferral') =>
    db
      .selectFrom('records as r')
      .where('r.station_id', '=', stationId)
      .where(NOT_VOIDED)
      .where('r.effective_type', '=', sql.lit(effectiveType))
      .where('r.collected_on', '>=', filter.from)
      .where('r.collected_on', '<=', filter.to)
      .where(scopeFilter(filter.scope) as never)

  const [deferrals, reasons, overrides] = await Promise.all([
    counted('deferral')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst(),
    counted('deferral')
      .innerJoin('record_reasons as rr', 'rr.record_id', 'r.id')
      .select('rr.code')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy('rr.code')
      .execute(),
    counted('donation')
      .where('r.override_reason', 'is not', null)
      .select(['r.override_reason', 'r.drive_id'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy(['r.override_reason', 'r.drive_id'])
      .execute(),
  ])

  const reasonTotals = new Map<string, number>()
  const driveTotals = new Map<string | null, number>()
  for (const o of overrides) {
    const n = Number(o.n)
    reasonTotals.set(o.override_reason!, (reasonTotals.get(o.override_reason!) ?? 0) + n)
    driveTotals.set(o.drive_id, (driveTotals.get(o.drive_id) ?? 0) + n)
  }
  const driveIds = [...driveTotals.keys()].filter((id): id is string => id !== null)
  const drives = new Map<string, Drive>()
  for (let i = 0; i < driveIds.length; i += 500) {
    const rows = await db
      .selectFrom('records')
      .select(['id', 'body'])
      .where('station_id', '=', stationId)
      .where('type', '=', 'drive')
      .where('id', 'in', driveIds.slice(i, i + 500))
      .execute()
    for (const r of rows) drives.set(r.id, JSON.parse(r.body) as Drive)
  }
  return {
    ...filter,
    deferrals: Number(deferrals?.n ?? 0),
    deferralsByReason: reasons
      .map((r) => ({ code: r.code, n: Number(r.n) }))
      .sort((a, b) => byCount(a, b, (x) => x.code)),
    overrides: [...reasonTotals.values()].reduce((a, b) => a + b, 0),
    overridesByReason: [...reasonTotals].map(([code, n]) => ({ code, n })).sort((a, b) => byCount(a, b, (x) => x.code)),
    overridesByDrive: [...driveTotals]
      .map(([driveId, n]) => {
        const d = driveId ? drives.get(driveId) : undefined
        return { driveId, date: d?.date ?? null, busCode: d?.busCode ?? null, siteId: d?.siteId ?? null, n }
      })
      .sort((a, b) => byCount(a, b, (x) => `${x.date ?? ''}${x.driveId ?? ''}`)),
  }
}

// ---------------------------------------------------------------------------------------------
// Query parameters

const MAX_REPORT_DAYS = 366 * 5

/** from/to/scope/scopeId from a query string, checked (invalid_period / invalid_scope on anything wrong). */
export function reportFilterFromQuery(query: Record<string, string | undefined>): ReportFilter {
  const from = query.from ?? ''
  const to = query.to ?? ''
  if (!isIsoDate(from) || !isIsoDate(to)) throw new Refusal('invalid_period', 'from and to must be dates (YYYY-MM-DD)')
  if (to < from) throw new Refusal('invalid_period', 'the period ends before it starts')
  if (addDays(from, MAX_REPORT_DAYS) < to) throw new Refusal('invalid_period', 'a report covers at most five years')
  const scope = parseOrRefuse(
    ScopeSchema,
    { kind: query.scope ?? 'station', id: query.scopeId ?? null },
    'invalid_scope',
  )
  return { from, to, scope }
}
