// Retention and quality figures of a period and channel (issue 15, item 3; docs/indicators-retention.md).
// SQL aggregates over the projected columns of counted records (as corrected, voids left out), with
// the indexes of migrations 0015, 0016 and (PostgreSQL) 0018; bodies are read only for the period's drives and closes and for a
// donor's two donations on one day. retentionFigures() in the domain defines the figures; the
// server test checks this equals it over the seed year on both engines.
import { PostgresAdapter, sql } from 'kysely'
import { addDays, isIsoDate } from '../../domain/dates'
import { computeProgress, type Progress } from '../../domain/progress'
import type { Donation, Drive, DriveClose, RetentionMetric, Target } from '../../domain/records'
import { type RetentionFigures, retentionActual } from '../../domain/retention'
import type { Db } from '../db/store'
import { Refusal } from './refusal'

export interface RetentionQueryInput {
  from: string
  to: string
  /** 12-month return counts only first donations whose 365 days have passed by this day. */
  asOf: string
  channelId: string | null
}

export interface RetentionReport extends RetentionQueryInput {
  figures: RetentionFigures
}

const MAX_DAYS = 366 * 5
const CHUNK = 500

/** from/to/channel/asOf from a query string, checked; `today` is the station's day (default asOf). */
export async function retentionQueryFromInput(
  db: Db,
  stationId: string,
  query: Record<string, string | undefined>,
  today: string,
): Promise<RetentionQueryInput> {
  const from = query.from ?? ''
  const to = query.to ?? ''
  const asOf = query.asOf ?? today
  if (!isIsoDate(from) || !isIsoDate(to)) throw new Refusal('invalid_period', 'from and to must be dates (YYYY-MM-DD)')
  if (!isIsoDate(asOf)) throw new Refusal('invalid_period', 'asOf must be a date (YYYY-MM-DD)')
  if (to < from) throw new Refusal('invalid_period', 'the period ends before it starts')
  if (addDays(from, MAX_DAYS) < to) throw new Refusal('invalid_period', 'a report covers at most five years')
  const channelId = query.channel || null
  if (channelId !== null) {
    const known =
      channelId.length <= 64 &&
      (await db
        .selectFrom('channels')
        .select('id')
        .where('station_id', '=', stationId)
        .where('id', '=', channelId)
        .executeTakeFirst())
    if (!known) throw new Refusal('invalid_scope', 'channel is not a channel of this station')
  }
  return { from, to, asOf, channelId }
}

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** SQLite: weight in the effective body (a correction's replacement, or the donation's own), the expression of index records_weight (migration 0015), verbatim. PostgreSQL uses LIGHT_PG. */
const WEIGHT_SQLITE = sql<number>`coalesce(json_extract(w.body, '$.vitals.weightKg'), json_extract(w.body, '$.replacement.vitals.weightKg'))`

/** A donation or correction under 50 kg: the condition of partial index records_light (migration 0018), verbatim. */
const LIGHT_PG = sql.raw(`type in ('donation', 'correction')
  and (coalesce(body::json #>> '{vitals,weightKg}', body::json #>> '{replacement,vitals,weightKg}')::real) < 50`)

/** `day` + 365 days as an ISO date, in SQL. */
function yearAfter(db: Db, day: ReturnType<typeof sql.ref>) {
  return isPostgres(db)
    ? sql<string>`to_char(${day}::date + 365, 'YYYY-MM-DD')`
    : sql<string>`date(${day}, '+365 days')`
}

interface FirstRow {
  channel_id: string
  kind: 'bus' | 'fixed'
  due: number
  back: number
  tie_donor: string | null
  n: number
}

const emptyFigure = () => ({ n: 0, r: 0 })

interface ByDriveRow {
  drive_id: string | null
  n: number
  wb: number
  wb400: number
}

/**
 * PostgreSQL: the first donations of the period added up by channel, site, on a drive or not, due,
 * back and tie donor (a few hundred groups), then the site's kind. Same rows as firstQ. Hashed:
 * the planner guesses rn = 1 keeps 0.5% of the rows and would sort all ~80,000 first donations by
 * their text keys (collation compares, on disk); with sorts off it hashes them (CPU 310 -> 190 ms
 * over the seed year). SET LOCAL needs a transaction of its own: inside a caller's, plain plan.
 */
async function firstByGroupPg(db: Db, stationId: string, q: RetentionQueryInput): Promise<FirstRow[]> {
  const query = sql<FirstRow>`select g.channel_id,
      case when g.on_drive = 1 and (s.kind is null or s.kind <> 'fixed_site') then 'bus' else 'fixed' end as kind,
      g.due, g.back, g.tie_donor, sum(g.n)::int as n
    from (
      select d.channel_id, d.site_id,
        case when d.drive_id is not null then 1 else 0 end as on_drive,
        case when d.collected_on <= ${addDays(q.asOf, -365)} then 1 else 0 end as due,
        case when d.next_on is not null and d.next_on <= to_char(d.collected_on::date + 365, 'YYYY-MM-DD') then 1 else 0 end as back,
        case when d.next_on = d.collected_on then d.donor_key end as tie_donor,
        count(*) as n
      from (
        select donor_key, collected_on, channel_id, site_id, drive_id,
          row_number() over w as rn, lead(collected_on) over w as next_on
        from records
        where station_id = ${stationId} and effective_type = 'donation' and voided = 0
        window w as (partition by donor_key order by collected_on, id)
      ) d
      where d.rn = 1 and d.collected_on >= ${q.from} and d.collected_on <= ${q.to}
      group by 1, 2, 3, 4, 5, 6
    ) g
    left join sites s on s.id = g.site_id
    group by 1, 2, 3, 4, 5`
  return withPlanner(db, sql`set local enable_sort = off`, async (d) => (await query.execute(d)).rows)
}

/**
 * Runs `fn` in a transaction of its own with planner settings (SET LOCAL) for PostgreSQL; inside
 * a caller's transaction (where SET LOCAL would outlive the query) with the plain settings.
 */
async function withPlanner<T>(db: Db, settings: ReturnType<typeof sql>, fn: (d: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db)
  return db.transaction().execute(async (trx) => {
    await settings.execute(trx)
    return fn(trx)
  })
}

/**
 * PostgreSQL: whole-blood donations under 50 kg, from partial index records_light (migration 0018:
 * donations and corrections under 50 kg, a few thousand, with the columns read here; its condition
 * is LIGHT_PG verbatim), so no JSON body is parsed at report time. An uncorrected donation by its
 * own body; a corrected one by its winning correction's (a handful, looked up by id: PostgreSQL has
 * no statistics on the weight and joined them against the whole table). Same rows as the SQLite join.
 */
async function lightDonationsPg(
  db: Db,
  stationId: string,
  q: RetentionQueryInput,
): Promise<{ id: string; volume_ml: number | null }[]> {
  const channel = q.channelId === null ? sql`` : sql`and channel_id = ${q.channelId}`
  const counted = sql`voided = 0 and effective_type = 'donation' and product = 'whole_blood'
    and collected_on >= ${q.from} and collected_on <= ${q.to} ${channel}`
  const own = sql<{ id: string; volume_ml: number | null }>`select id, volume_ml from records
    where station_id = ${stationId} and ${LIGHT_PG} and corrected_by is null and ${counted}`.execute(db)
  const corrections = (
    await sql<{ id: string; target_id: string }>`select id, target_id from records
      where station_id = ${stationId} and ${LIGHT_PG} and target_id is not null`.execute(db)
  ).rows
  const winner = new Map(corrections.map((c) => [c.target_id, c.id]))
  const corrected: { id: string; volume_ml: number | null }[] = []
  for (const part of chunks([...winner.keys()])) {
    const rows = await db
      .selectFrom('records')
      .select(['id', 'volume_ml', 'corrected_by'])
      .where('station_id', '=', stationId)
      .where('id', 'in', part)
      .where(sql<boolean>`${counted}`)
      .execute()
    for (const r of rows) if (r.corrected_by !== null && winner.get(r.id) === r.corrected_by) corrected.push(r)
  }
  return [...(await own).rows, ...corrected]
}

/**
 * The figures of retentionFigures() (src/domain/retention.ts) from SQL aggregates: the domain
 * defines them, the server test checks this equals it over the seed year.
 */
export async function retentionReport(db: Db, stationId: string, q: RetentionQueryInput): Promise<RetentionReport> {
  const inChannel = (channelId: string | null) => !q.channelId || channelId === q.channelId
  const counted = (effectiveType: 'donation' | 'deferral', d: Db = db) => {
    let b = d
      .selectFrom('records as r')
      .where('r.station_id', '=', stationId)
      .where('r.voided', '=', 0)
      .where('r.effective_type', '=', effectiveType)
      .where('r.collected_on', '>=', q.from)
      .where('r.collected_on', '<=', q.to)
    if (q.channelId) b = b.where('r.channel_id', '=', q.channelId)
    return b
  }

  // First-time donations of the period and whether each donor came back within 365 days: every
  // donor's donations in order (index records_donor_donations), the first (rn = 1) and the next one's day.
  const ordered = db
    .selectFrom('records')
    .where('station_id', '=', stationId)
    // Literal, not bound values: SQLite picks a partial index only for a condition it can read.
    .where(sql<boolean>`effective_type = 'donation'`)
    .where(sql<boolean>`voided = 0`)
    .select(['id', 'donor_key', 'collected_on', 'channel_id', 'site_id', 'drive_id'])
    .select(sql<number>`row_number() over w`.as('rn'))
    .select(sql<string | null>`lead(collected_on) over w`.as('next_on'))
    .modifyEnd(sql`window w as (partition by donor_key order by collected_on, id)`)
  const kindSql = sql<string>`case when d.drive_id is not null and (s.kind is null or s.kind <> 'fixed_site') then 'bus' else 'fixed' end`
  const dueSql = sql<number>`case when d.collected_on <= ${addDays(q.asOf, -365)} then 1 else 0 end`
  const backSql = sql<number>`case when d.next_on is not null and d.next_on <= ${yearAfter(db, sql.ref('d.collected_on'))} then 1 else 0 end`
  const tieSql = sql<string | null>`case when d.next_on = d.collected_on then d.donor_key end`
  const firstQ = db
    .selectFrom(ordered.as('d'))
    .leftJoin('sites as s', 's.id', 'd.site_id')
    .where('d.rn', '=', 1)
    .where('d.collected_on', '>=', q.from)
    .where('d.collected_on', '<=', q.to)
    .select([
      'd.channel_id',
      kindSql.as('kind'),
      dueSql.as('due'),
      backSql.as('back'),
      tieSql.as('tie_donor'),
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    // By position: PostgreSQL does not match a bound expression in GROUP BY to the same one selected.
    .groupBy([sql`1`, sql`2`, sql`3`, sql`4`, sql`5`])

  // Donations of the period by drive (null: not on a drive), with their whole-blood and 400 ml
  // counts: the totals and the donations on each drive from one pass. PostgreSQL with
  // random_page_cost 1.1 (data in memory; the usual setting for SSDs) reads index records_tally
  // alone (39 MB) rather than the table with its bodies (165 MB): CPU 150 -> 55 ms over the seed year.
  const byDrive = (d: Db): Promise<ByDriveRow[]> =>
    counted('donation', d)
      .select((eb) => [
        'r.drive_id',
        eb.fn.countAll<number>().as('n'),
        sql<number>`sum(case when r.product = 'whole_blood' then 1 else 0 end)`.as('wb'),
        sql<number>`sum(case when r.product = 'whole_blood' and r.volume_ml = 400 then 1 else 0 end)`.as('wb400'),
      ])
      .groupBy('r.drive_id')
      .execute()
  const pg = isPostgres(db)
  const [firstRaw, drivesRows, light, deferrals, reasons, reactions, driveRows] = await Promise.all([
    pg ? firstByGroupPg(db, stationId, q) : (firstQ.execute() as Promise<unknown[]>),
    // Donations of the period by drive (null: not on a drive), with their whole-blood and 400 ml
    // counts: the totals and the donations on each drive from one pass.
    pg ? withPlanner(db, sql`set local random_page_cost = 1.1`, byDrive) : byDrive(db),
    // Whole-blood donations under 50 kg (not eligible for 400 ml): an uncorrected donation by its
    // own body, a corrected one by its winning correction's.
    pg
      ? lightDonationsPg(db, stationId, q)
      : db
          .selectFrom('records as w')
          .innerJoin('records as r', (j) =>
            j.on((eb) =>
              eb.or([
                eb.and([eb('r.id', '=', eb.ref('w.id')), eb('r.corrected_by', 'is', null)]),
                eb.and([eb('r.id', '=', eb.ref('w.target_id')), eb('r.corrected_by', '=', eb.ref('w.id'))]),
              ]),
            ),
          )
          .where('w.station_id', '=', stationId)
          .where(sql<boolean>`w.type in ('donation', 'correction')`)
          .where(sql<boolean>`${WEIGHT_SQLITE} < 50`)
          .where('r.voided', '=', 0)
          .where('r.effective_type', '=', 'donation')
          .where('r.product', '=', 'whole_blood')
          .where('r.collected_on', '>=', q.from)
          .where('r.collected_on', '<=', q.to)
          .$if(q.channelId !== null, (b) => b.where('r.channel_id', '=', q.channelId!))
          .select(['r.id', 'r.volume_ml'])
          .execute(),
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
      .innerJoin('records as a', 'a.target_id', 'r.id')
      .where('a.type', '=', 'adverse_reaction')
      .where('a.voided', '=', 0)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst(),
    db
      .selectFrom('records as r')
      .where('r.station_id', '=', stationId)
      .where('r.type', '=', 'drive')
      .where('r.voided', '=', 0)
      .where('r.collected_on', '>=', q.from)
      .where('r.collected_on', '<=', q.to)
      .$if(q.channelId !== null, (b) => b.where('r.channel_id', '=', q.channelId!))
      .select(['r.id', 'r.body'])
      .execute(),
  ])
  const totals = drivesRows.reduce(
    (t, r) => ({ n: t.n + Number(r.n), wb: t.wb + Number(r.wb), wb400: t.wb400 + Number(r.wb400) }),
    { n: 0, wb: 0, wb400: 0 },
  )
  const onDrives = drivesRows.filter((r) => r.drive_id !== null)
  const firstRows = (firstRaw as FirstRow[]).map((r) => ({
    ...r,
    due: Number(r.due),
    back: Number(r.back),
    n: Number(r.n),
  }))

  // A donor's two donations on their first day: the earlier by collection time is the first (then by id).
  const tieDonors = [...new Set(firstRows.flatMap((r) => (r.tie_donor ? [r.tie_donor] : [])))]
  const firstOfTie = new Map<string, { channel_id: string; kind: 'bus' | 'fixed' }>()
  for (const part of chunks(tieDonors)) {
    const rows = await db
      .selectFrom('records as r')
      .leftJoin('records as c', 'c.id', 'r.corrected_by')
      .leftJoin('sites as s', 's.id', 'r.site_id')
      .where('r.station_id', '=', stationId)
      .where('r.effective_type', '=', 'donation')
      .where('r.voided', '=', 0)
      .where('r.donor_key', 'in', part)
      .select([
        'r.id',
        'r.donor_key',
        'r.collected_on',
        'r.channel_id',
        'r.drive_id',
        's.kind',
        'r.body',
        'c.body as cbody',
      ])
      .execute()
    const best = new Map<string, { day: string; at: number; id: string; channel_id: string; kind: 'bus' | 'fixed' }>()
    for (const r of rows) {
      const body = r.cbody
        ? (JSON.parse(r.cbody) as { replacement: Donation }).replacement
        : (JSON.parse(r.body) as Donation)
      const at = Date.parse(body.collectedAt)
      const x = {
        day: r.collected_on!,
        at: Number.isNaN(at) ? 0 : at,
        id: r.id,
        channel_id: r.channel_id!,
        kind: (r.drive_id !== null && r.kind !== 'fixed_site' ? 'bus' : 'fixed') as 'bus' | 'fixed',
      }
      const b = best.get(r.donor_key!)
      if (!b || x.day < b.day || (x.day === b.day && (x.at < b.at || (x.at === b.at && x.id < b.id))))
        best.set(r.donor_key!, x)
    }
    for (const [donor, b] of best) firstOfTie.set(donor, b)
  }

  let firstTimeDonations = 0
  const all = emptyFigure()
  const byChannel: Record<string, { n: number; r: number }> = {}
  const bySiteKind = { bus: emptyFigure(), fixed: emptyFigure() }
  for (const row of firstRows) {
    const first = row.tie_donor ? (firstOfTie.get(row.tie_donor) ?? row) : row
    if (!inChannel(first.channel_id)) continue
    firstTimeDonations += row.n
    if (row.due !== 1) continue
    for (const bucket of [all, (byChannel[first.channel_id] ??= emptyFigure()), bySiteKind[first.kind]]) {
      bucket.n += row.n
      bucket.r += row.back * row.n
    }
  }

  const donations = totals.n
  const wholeBlood = totals.wb
  const wb400 = totals.wb400
  const lightIds = new Set(light.map((r) => r.id))
  const light400 = new Set(light.filter((r) => Number(r.volume_ml) === 400).map((r) => r.id)).size
  const eligible400 = wholeBlood - lightIds.size
  const given400 = wb400 - light400

  const deferralCount = Number(deferrals?.n ?? 0)
  const presentations = donations + deferralCount
  const reactionCount = Number(reactions?.n ?? 0)

  // Drives of the period, the donations of the period taken on them, crew-hours of the closed ones.
  const drives = new Map(driveRows.map((r) => [r.id, JSON.parse(r.body) as Drive]))
  const onDrive = new Map(onDrives.filter((r) => drives.has(r.drive_id!)).map((r) => [r.drive_id!, Number(r.n)]))
  const donationsOnDrives = [...onDrive.values()].reduce((a, b) => a + b, 0)
  let crewHours = 0
  let donationsOnClosedDrives = 0
  const closedOnce = new Set<string>()
  for (const part of chunks([...drives.keys()])) {
    const closes = await db
      .selectFrom('records')
      .select(['id', 'body'])
      .where('station_id', '=', stationId)
      .where('type', '=', 'drive_close')
      .where('voided', '=', 0)
      .where('drive_id', 'in', part)
      .orderBy('received_at')
      .orderBy('id')
      .execute()
    for (const row of closes) {
      const close = JSON.parse(row.body) as DriveClose
      const drive = drives.get(close.driveId)
      if (!drive || closedOnce.has(close.driveId)) continue
      closedOnce.add(close.driveId)
      const hours = (instant(close.closedAt) - instant(drive.createdAt)) / 3_600_000
      if (!(hours > 0)) continue
      crewHours += hours * new Set(drive.staffIds).size
      donationsOnClosedDrives += onDrive.get(close.driveId) ?? 0
    }
  }

  const figure = (f: { n: number; r: number }) => ({ firstTimers: f.n, returned: f.r, share: ratio(f.r, f.n) })
  const figures: RetentionFigures = {
    donations,
    firstTimeDonations,
    firstTimeShare: ratio(firstTimeDonations, donations),
    return12m: {
      all: figure(all),
      byChannel: Object.fromEntries(Object.entries(byChannel).map(([k, b]) => [k, figure(b)])),
      bySiteKind: { bus: figure(bySiteKind.bus), fixed: figure(bySiteKind.fixed) },
    },
    presentations,
    deferrals: deferralCount,
    deferralsPer10k: ratio(deferralCount, presentations, 10_000),
    deferralsPer10kByReason: Object.fromEntries(reasons.map((r) => [r.code, (Number(r.n) / presentations) * 10_000])),
    reactions: reactionCount,
    reactionsPer1000: ratio(reactionCount, donations, 1000),
    drives: drives.size,
    donationsOnDrives,
    donationsPerDrive: ratio(donationsOnDrives, drives.size),
    crewHours,
    donationsOnClosedDrives,
    donationsPerCrewHour: ratio(donationsOnClosedDrives, crewHours),
    eligible400,
    given400,
    conversion400: ratio(given400, eligible400),
  }
  return { ...q, figures }
}

const ratio = (a: number, b: number, scale = 1): number | null => (b > 0 ? (a / b) * scale : null)

function instant(iso: string): number {
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? 0 : ms
}

/** Progress of a target on a retention metric over start … `to` (the /progress answer's row). */
export async function retentionProgress(
  db: Db,
  stationId: string,
  target: Target,
  to: string,
  asOf: string,
): Promise<{ target: Target; retention: RetentionFigures; indicators: null; progress: Progress; note: null }> {
  const metric = target.metric as RetentionMetric
  const channelId = target.scope.kind === 'channel' ? target.scope.id : null
  const { figures } = await retentionReport(db, stationId, { from: target.period.start, to, asOf, channelId })
  const progress = computeProgress({ target, actual: retentionActual(metric, figures), asOf })
  return { target, retention: figures, indicators: null, progress, note: null }
}
