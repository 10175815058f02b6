// Drive plans (issue 15): the station's calendar of drives, pulled by phones from today on; the
// year's planned vs done trips and donations with the pace of the trip target; recruitment lists
// for a planned drive, with donor identities that stay at the station; the station's own donor flags.
import { type SqlBool, sql } from 'kysely'
import * as v from 'valibot'
import { donorKey } from '../../domain/donor-key'
import { newId } from '../../domain/ids'
import {
  chooseRecruits,
  type DrivePlan,
  drivePlanProblem,
  DrivePlanSchema,
  emptyPlanMonths,
  type PlanMonth,
  type RecruitmentCandidate,
  type RecruitmentRow,
  type TripPace,
  tripPace,
} from '../../domain/plans'
import type { Target } from '../../domain/records'
import type { EligibilityHistory } from '../../domain/eligibility'
import type { Database } from '../db/schema'
import type { Db } from '../db/store'
import { describeIssues, Refusal } from './refusal'
import { nowIso } from '../time'
import { listTargets } from './reference'
import { isSqlite } from './reports'
import { getStationRow, takeChangeSeqs } from './stations'

type PlanRow = Database['drive_plans']

/** records_tally's key after the station (migration 0016): a GROUP BY in this order streams on SQLite. */
const TALLY_ORDER = [
  'effective_type',
  'collected_on',
  'channel_id',
  'product',
  'volume_ml',
  'doses',
  'household',
  'repeat_donor',
  'rhd',
  'abo',
] as const

export const planFromRow = (r: PlanRow): DrivePlan => ({
  id: r.id,
  stationId: r.station_id,
  date: r.plan_date,
  siteId: r.site_id,
  channelId: r.channel_id,
  busCode: r.bus_code,
  teamIds: JSON.parse(r.team_ids) as string[],
  staffIds: JSON.parse(r.staff_ids) as string[],
  leaderStaffId: r.leader_staff_id,
  expectedDonors: Number(r.expected_donors),
  dinFirst: r.din_first,
  dinLast: r.din_last,
  note: r.note,
})

const Range = v.object({
  from: v.optional(DrivePlanSchema.entries.date),
  to: v.optional(DrivePlanSchema.entries.date),
})

/** Plans of the station in [from, to] (either end open), by date. */
export async function listPlans(db: Db, stationId: string, query: unknown = {}): Promise<DrivePlan[]> {
  const parsed = v.safeParse(Range, query)
  if (!parsed.success) throw new Refusal('invalid_request', `from/to: ${describeIssues(parsed.issues)}`)
  let q = db.selectFrom('drive_plans').selectAll().where('station_id', '=', stationId).where('deleted', '=', 0)
  if (parsed.output.from) q = q.where('plan_date', '>=', parsed.output.from)
  if (parsed.output.to) q = q.where('plan_date', '<=', parsed.output.to)
  return (await q.orderBy('plan_date').orderBy('id').execute()).map(planFromRow)
}

async function livePlan(db: Db, stationId: string, id: string): Promise<PlanRow> {
  const row = await db
    .selectFrom('drive_plans')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('id', '=', id)
    .where('deleted', '=', 0)
    .executeTakeFirst()
  if (!row) throw new Refusal('not_found', 'drive plan not found')
  return row
}

/** Every id the plan names is a live row of this station. */
async function checkReferences(db: Db, stationId: string, plan: DrivePlan): Promise<void> {
  const exists = async (table: 'sites' | 'channels' | 'teams' | 'staff', ids: readonly string[]) => {
    if (ids.length === 0) return true
    const rows = await db
      .selectFrom(table)
      .select('id')
      .where('station_id', '=', stationId)
      .where('deleted', '=', 0)
      .where('id', 'in', [...ids])
      .execute()
    return rows.length === new Set(ids).size
  }
  const refuse = (message: string) => {
    throw new Refusal('invalid_plan', message)
  }
  if (!(await exists('sites', [plan.siteId]))) refuse('siteId: no such site at this station')
  if (!(await exists('channels', [plan.channelId]))) refuse('channelId: no such channel at this station')
  if (!(await exists('teams', plan.teamIds))) refuse('teamIds: a team is not of this station')
  if (!(await exists('staff', plan.staffIds))) refuse('staffIds: a staff member is not of this station')
}

/** Creates (no id) or updates (merging the given fields into the plan) a plan; takes a change sequence. */
export async function savePlan(db: Db, stationId: string, input: unknown, id?: string): Promise<DrivePlan> {
  const body = v.safeParse(v.record(v.string(), v.unknown()), input)
  if (!body.success) throw new Refusal('invalid_request', 'the body must be a JSON object')
  const { id: givenId, stationId: _s, ...fields } = body.output
  const base = id ? planFromRow(await livePlan(db, stationId, id)) : {}
  const planId = id ?? (givenId === undefined ? newId() : givenId)
  const parsed = v.safeParse(DrivePlanSchema, { ...base, ...fields, id: planId, stationId })
  if (!parsed.success) throw new Refusal('invalid_plan', describeIssues(parsed.issues))
  const plan = parsed.output
  const problem = drivePlanProblem(plan)
  if (problem) throw new Refusal('invalid_plan', `${problem.field}: ${problem.message}`)
  await checkReferences(db, stationId, plan)
  if (!id) {
    const taken = await db.selectFrom('drive_plans').select('id').where('id', '=', plan.id).executeTakeFirst()
    if (taken) throw new Refusal('id_taken', 'this id cannot be used; leave it out or send a new UUID')
  }
  const seq = await takeChangeSeqs(db, stationId)
  const row = rowOf(plan, seq)
  if (id) await db.updateTable('drive_plans').set(row).where('id', '=', id).execute()
  else await db.insertInto('drive_plans').values(row).execute()
  return plan
}

/** Many plans at once, already checked (the demo's year of plans); one change sequence each. */
export async function insertPlans(db: Db, stationId: string, plans: readonly DrivePlan[]): Promise<void> {
  if (plans.length === 0) return
  let seq = await takeChangeSeqs(db, stationId, plans.length)
  const rows = plans.map((p) => rowOf({ ...p, stationId }, seq++))
  for (let i = 0; i < rows.length; i += 200)
    await db
      .insertInto('drive_plans')
      .values(rows.slice(i, i + 200))
      .execute()
}

function rowOf(plan: DrivePlan, seq: number): PlanRow {
  return {
    id: plan.id,
    station_id: plan.stationId,
    plan_date: plan.date,
    site_id: plan.siteId,
    channel_id: plan.channelId,
    bus_code: plan.busCode,
    team_ids: JSON.stringify(plan.teamIds),
    staff_ids: JSON.stringify(plan.staffIds),
    leader_staff_id: plan.leaderStaffId,
    expected_donors: plan.expectedDonors,
    din_first: plan.dinFirst,
    din_last: plan.dinLast,
    note: plan.note,
    change_seq: seq,
    deleted: 0,
  }
}

/** A tombstone: phones holding the plan drop it on their next pull. */
export async function deletePlan(db: Db, stationId: string, id: string): Promise<void> {
  await livePlan(db, stationId, id)
  const seq = await takeChangeSeqs(db, stationId)
  await db.updateTable('drive_plans').set({ deleted: 1, change_seq: seq }).where('id', '=', id).execute()
}

// ── Planned vs done ─────────────────────────────────────────────────────────────────────────────

export interface PlanSummary {
  year: number
  asOf: string
  months: PlanMonth[]
  /** The year target on bus trips the pace is measured against (null: none set). */
  target: Target | null
  pace: TripPace
}

function inScope(
  scope: Target['scope'] | undefined,
  row: { channel_id: string | null; site_id: string | null },
): boolean {
  if (!scope || scope.kind === 'station') return true
  if (scope.kind === 'channel') return row.channel_id === scope.id
  if (scope.kind === 'site') return row.site_id === scope.id
  return true
}

/**
 * Plans and done drives of `year` per month (trips, and donations: expected on plans, taken on
 * drives), and the pace of the year's bus-trip target: a station or channel target (a rural-mobile
 * channel first), counted in its scope.
 */
export async function planSummary(db: Db, stationId: string, year: number, asOf: string): Promise<PlanSummary> {
  const from = `${year}-01-01`
  const to = `${year}-12-31`
  const rural = new Set(
    (
      await db
        .selectFrom('channels')
        .select('id')
        .where('station_id', '=', stationId)
        .where('rural_mobile', '=', 1)
        .execute()
    ).map((c) => c.id),
  )
  const targets = (await listTargets(db, stationId)).filter(
    (t) =>
      t.metric === 'bus_trips' &&
      t.period.kind === 'year' &&
      t.period.start === from &&
      (t.scope.kind === 'station' || t.scope.kind === 'channel' || t.scope.kind === 'site'),
  )
  const rank = (t: Target) => (t.scope.kind === 'channel' && rural.has(t.scope.id ?? '') ? 0 : 1)
  const target = targets.sort((a, b) => rank(a) - rank(b))[0] ?? null

  const months = emptyPlanMonths(year)
  const monthOf = (date: string) => months[Number(date.slice(5, 7)) - 1]!
  let plannedAhead = 0
  let plannedToday = 0
  const plans = await db
    .selectFrom('drive_plans')
    .select(['plan_date', 'channel_id', 'site_id', 'expected_donors'])
    .where('station_id', '=', stationId)
    .where('deleted', '=', 0)
    .where('plan_date', '>=', from)
    .where('plan_date', '<=', to)
    .execute()
  for (const p of plans) {
    const m = monthOf(p.plan_date)
    m.plannedTrips++
    if (rural.has(p.channel_id)) m.plannedRuralTrips++
    m.plannedDonations += Number(p.expected_donors)
    if (p.plan_date > asOf && inScope(target?.scope, p)) plannedAhead++
    if (p.plan_date === asOf && inScope(target?.scope, p)) plannedToday++
  }

  // Drives and the donations taken on drives, by month, channel and site (counted records only).
  // Literal predicates as records_tally (migration 0016) is written, so only its rows are read.
  const onDrives = db
    .selectFrom('records')
    .where('station_id', '=', stationId)
    .where(sql<SqlBool>`voided = 0`)
    .where('effective_type', 'is not', null)
    .where(sql<SqlBool>`effective_type in ('drive', 'donation')`)
    .where('collected_on', '>=', from)
    .where('collected_on', '<=', to)
    .where((eb) => eb.or([eb('effective_type', '=', 'drive'), eb('drive_id', 'is not', null)]))
  const month = sql<string>`substr(collected_on, 1, 7)`
  const done = isSqlite(db)
    ? // SQLite groups by sorting every row: first by day in records_tally's order (streamed), then the day groups.
      await db
        .selectFrom(
          onDrives
            .select(['effective_type', 'collected_on', 'channel_id', 'site_id'])
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .groupBy([...TALLY_ORDER, 'site_id'])
            .as('d'),
        )
        .select(['effective_type', 'channel_id', 'site_id'])
        .select([month.as('month'), sql<number>`sum(n)`.as('n')])
        .groupBy(['effective_type', 'channel_id', 'site_id', 'month'])
        .execute()
    : await onDrives
        .select(['effective_type', 'channel_id', 'site_id'])
        .select((eb) => [month.as('month'), eb.fn.countAll<number>().as('n')])
        .groupBy(['effective_type', 'channel_id', 'site_id', 'month'])
        .execute()
  let scopeTrips = 0
  let scopeDonations = 0
  for (const r of done) {
    const n = Number(r.n)
    const m = months[Number(String(r.month).slice(5, 7)) - 1]
    if (!m) continue
    const scoped = inScope(target?.scope, r) && String(r.month) <= asOf.slice(0, 7)
    if (r.effective_type === 'drive') {
      m.doneTrips += n
      if (r.channel_id !== null && rural.has(r.channel_id)) m.doneRuralTrips += n
      if (scoped) scopeTrips += n
    } else {
      m.doneDonations += n
      if (scoped) scopeDonations += n
    }
  }
  // Today's plans still ahead: those not yet matched by a drive of today in the scope.
  const doneToday = await db
    .selectFrom('records')
    .select(['channel_id', 'site_id'])
    .where('station_id', '=', stationId)
    .where('voided', '=', 0)
    .where('collected_on', '=', asOf)
    .where('effective_type', '=', 'drive')
    .execute()
  plannedAhead += Math.max(0, plannedToday - doneToday.filter((r) => inScope(target?.scope, r)).length)
  const pace = tripPace({
    year,
    asOf,
    target: target?.value ?? null,
    done: scopeTrips,
    doneDonations: scopeDonations,
    plannedAhead,
  })
  return { year, asOf, months, target, pace }
}

// ── Donor flags (station only) ──────────────────────────────────────────────────────────────────

export interface DonorFlag {
  donorKey: string
  emergencyTeam: boolean
  updatedAt: string
  /** Name and phone from the donor's newest identity record at the station, if any. */
  name: string
  phone: string
}

const FlagInput = v.pipe(
  v.object({
    idNumber: v.optional(v.pipe(v.string(), v.trim(), v.toUpperCase(), v.regex(/^(\d{17}[\dX]|\d{15})$/))),
    donorKey: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/))),
    emergencyTeam: v.boolean(),
  }),
  v.check((x) => (x.idNumber === undefined) !== (x.donorKey === undefined), 'give idNumber or donorKey'),
)

/** Marks a donor (by resident ID number or donor key) as a member of the emergency team, or not. */
export async function setDonorFlag(
  db: Db,
  stationId: string,
  input: unknown,
  accountId: string | null,
): Promise<DonorFlag> {
  const parsed = v.safeParse(FlagInput, input)
  if (!parsed.success) throw new Refusal('invalid_donor_flag', describeIssues(parsed.issues))
  const station = await getStationRow(db, stationId)
  const key = parsed.output.donorKey ?? (await donorKey(parsed.output.idNumber!, station.donor_key_salt))
  const row = {
    station_id: stationId,
    donor_key: key,
    emergency_team: parsed.output.emergencyTeam ? (1 as const) : (0 as const),
    updated_at: nowIso(),
    updated_by: accountId,
  }
  await db
    .insertInto('donor_flags')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['station_id', 'donor_key']).doUpdateSet({
        emergency_team: row.emergency_team,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
      }),
    )
    .execute()
  const ids = await identitiesOf(db, stationId, [key])
  return {
    donorKey: key,
    emergencyTeam: row.emergency_team === 1,
    updatedAt: row.updated_at,
    name: ids.get(key)?.name ?? '',
    phone: ids.get(key)?.phone ?? '',
  }
}

/** The station's emergency-team members. */
export async function listDonorFlags(db: Db, stationId: string): Promise<DonorFlag[]> {
  const rows = await db
    .selectFrom('donor_flags')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('emergency_team', '=', 1)
    .orderBy('updated_at', (ob) => ob.desc())
    .execute()
  const ids = await identitiesOf(
    db,
    stationId,
    rows.map((r) => r.donor_key),
  )
  return rows.map((r) => ({
    donorKey: r.donor_key,
    emergencyTeam: true,
    updatedAt: r.updated_at,
    name: ids.get(r.donor_key)?.name ?? '',
    phone: ids.get(r.donor_key)?.phone ?? '',
  }))
}

// ── Recruitment lists ───────────────────────────────────────────────────────────────────────────

const CHUNK = 500

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK))
  return out
}

/** Name and phone of each donor's newest identity record at the station (as corrected). */
async function identitiesOf(
  db: Db,
  stationId: string,
  keys: readonly string[],
): Promise<Map<string, { name: string; phone: string; createdAt: string }>> {
  const out = new Map<string, { name: string; phone: string; createdAt: string }>()
  for (const part of chunks([...new Set(keys)])) {
    const rows = await db
      .selectFrom('records')
      .select(['id', 'donor_key', 'body', 'corrected_by'])
      .where('station_id', '=', stationId)
      .where('type', '=', 'donor_identity')
      .where('voided', '=', 0)
      .where('donor_key', 'in', part)
      .execute()
    const correctionIds = rows.flatMap((r) => (r.corrected_by ? [r.corrected_by] : []))
    const corrections = new Map<string, Record<string, unknown>>()
    for (const ids of chunks(correctionIds)) {
      for (const c of await db.selectFrom('records').select(['id', 'body']).where('id', 'in', ids).execute()) {
        const replacement = (JSON.parse(c.body) as { replacement?: Record<string, unknown> }).replacement
        if (replacement?.type === 'donor_identity') corrections.set(c.id, replacement)
      }
    }
    for (const r of rows) {
      const body = (r.corrected_by ? corrections.get(r.corrected_by) : undefined) ?? JSON.parse(r.body)
      const identity = body as { name?: string; phone?: string; createdAt?: string }
      const createdAt = identity.createdAt ?? ''
      const seen = out.get(r.donor_key!)
      if (seen && seen.createdAt >= createdAt) continue
      out.set(r.donor_key!, { name: identity.name ?? '', phone: identity.phone ?? '', createdAt })
    }
  }
  return out
}

export interface RecruitmentList {
  plan: DrivePlan
  monthsSince: number
  /** Sites whose donors count as the plan's area (the plan's site and the sites of its area). */
  siteIds: string[]
  rows: RecruitmentRow[]
}

/**
 * Whom to invite to a planned drive (domain chooseRecruits): donors who gave at the plan's site or
 * at sites of its area, RhD-negative donors and emergency-team members of the station.
 */
export async function recruitmentList(
  db: Db,
  stationId: string,
  planId: string,
  monthsSince: number,
): Promise<RecruitmentList> {
  const plan = planFromRow(await livePlan(db, stationId, planId))
  const site = await db
    .selectFrom('sites')
    .select(['id', 'area'])
    .where('station_id', '=', stationId)
    .where('id', '=', plan.siteId)
    .executeTakeFirst()
  const areaSites = site?.area
    ? await db
        .selectFrom('sites')
        .select('id')
        .where('station_id', '=', stationId)
        .where('deleted', '=', 0)
        .where('area', '=', site.area)
        .execute()
    : []
  const siteIds = [...new Set([plan.siteId, ...areaSites.map((s) => s.id)])]
  const siteNames = new Map(
    (await db.selectFrom('sites').select(['id', 'name']).where('station_id', '=', stationId).execute()).map((s) => [
      s.id,
      s.name,
    ]),
  )

  // Who may be invited: donors who gave in the area, RhD-negative donors, the emergency team. One
  // pass over records_donor_donations (migration 0017), in donor order, instead of a search
  // per site and a scan for RhD-negative donations. Literal predicates, so the partial index is
  // usable; the drive's date is inside the aggregates: in WHERE it would make SQLite take a date index.
  const keys = new Set<string>()
  const byDate = sql`collected_on <= ${plan.date}`
  const given = await db
    .selectFrom('records')
    .select('donor_key')
    .where('station_id', '=', stationId)
    .where(sql<SqlBool>`voided = 0`)
    .where(sql<SqlBool>`effective_type = 'donation'`)
    .where('donor_key', 'is not', null)
    .groupBy('donor_key')
    .having(
      sql<SqlBool>`max(case when ${byDate} and site_id in (${sql.join(siteIds)}) then 1 else 0 end) = 1
        or max(case when ${byDate} and rhd = 'neg' then 1 else 0 end) = 1`,
    )
    .execute()
  for (const r of given) keys.add(r.donor_key!)
  const flagged = new Set(
    (
      await db
        .selectFrom('donor_flags')
        .select('donor_key')
        .where('station_id', '=', stationId)
        .where('emergency_team', '=', 1)
        .execute()
    ).map((f) => f.donor_key),
  )
  for (const k of flagged) keys.add(k)

  // Their donations up to the drive's date: where they gave, the last one and its blood group.
  interface Donor {
    inArea: boolean
    rhdNegative: boolean
    last: string
    lastSite: string | null
    abo: string
    rhd: string
    count: number
  }
  const donors = new Map<string, Donor>()
  const inArea = new Set(siteIds)
  for (const part of chunks([...keys])) {
    // By donor key alone (records_donor_donations); the date is checked here: with it in SQL, SQLite
    // walks a date index.
    const rows = await db
      .selectFrom('records')
      .select(['donor_key', 'site_id', 'collected_on', 'abo', 'rhd'])
      .where('station_id', '=', stationId)
      .where(sql<SqlBool>`voided = 0`)
      .where(sql<SqlBool>`effective_type = 'donation'`)
      .where('donor_key', 'is not', null)
      .where('donor_key', 'in', part)
      .execute()
    for (const r of rows) {
      if (r.collected_on === null || r.collected_on > plan.date) continue
      const key = r.donor_key!
      let d = donors.get(key)
      if (!d) {
        d = { inArea: false, rhdNegative: false, last: '', lastSite: null, abo: '', rhd: '', count: 0 }
        donors.set(key, d)
      }
      d.count++
      if (r.site_id !== null && inArea.has(r.site_id)) d.inArea = true
      if (r.rhd === 'neg') d.rhdNegative = true
      const on = r.collected_on ?? ''
      if (on >= d.last) {
        d.last = on
        d.lastSite = r.site_id
        d.abo = r.abo ?? ''
        d.rhd = r.rhd ?? ''
      }
    }
  }
  const wanted = [...donors.entries()]
  const none: Donor = { inArea: false, rhdNegative: false, last: '', lastSite: null, abo: '', rhd: '', count: 0 }
  for (const key of flagged) if (!donors.has(key)) wanted.push([key, none])

  // Deferrals and the last donation as the station's eligibility snapshot holds them.
  const history = new Map<string, EligibilityHistory>()
  for (const part of chunks(wanted.map(([k]) => k))) {
    const snap = await db
      .selectFrom('eligibility')
      .select([
        'donor_key',
        'last_donation_on',
        'last_donation_type',
        'apheresis_last_12_months',
        'deferred_until',
        'permanently_deferred',
        'had_reaction',
        'donation_count',
      ])
      .where('station_id', '=', stationId)
      .where('deleted', '=', 0)
      .where('donor_key', 'in', part)
      .execute()
    for (const s of snap)
      history.set(s.donor_key, {
        lastDonationOn: s.last_donation_on,
        lastDonationType: s.last_donation_type as EligibilityHistory['lastDonationType'],
        apheresisLast12Months: Number(s.apheresis_last_12_months),
        deferredUntil: s.deferred_until,
        permanentlyDeferred: s.permanently_deferred === 1,
        hadReaction: s.had_reaction === 1,
        donationCount: Number(s.donation_count),
      })
  }
  const candidates: RecruitmentCandidate[] = wanted.map(([key, d]) => ({
    donorKey: key,
    history: history.get(key) ?? {
      lastDonationOn: d.last || null,
      lastDonationType: null,
      apheresisLast12Months: 0,
      deferredUntil: null,
      permanentlyDeferred: false,
      hadReaction: false,
      donationCount: d.count,
    },
    inArea: d.inArea,
    rhdNegative: d.rhdNegative,
    emergencyTeam: flagged.has(key),
  }))
  const chosen = chooseRecruits(candidates, plan.date, monthsSince)
  const identities = await identitiesOf(
    db,
    stationId,
    chosen.map((c) => c.donorKey),
  )
  const byKey = new Map(wanted)
  const historyOf = new Map(candidates.map((c) => [c.donorKey, c.history]))
  return {
    plan,
    monthsSince,
    siteIds,
    rows: chosen.map((c) => {
      const d = byKey.get(c.donorKey)!
      const h = historyOf.get(c.donorKey)
      return {
        donorKey: c.donorKey,
        name: identities.get(c.donorKey)?.name ?? '',
        phone: identities.get(c.donorKey)?.phone ?? '',
        abo: d.abo,
        rhd: d.rhd,
        lastDonationOn: d.last || h?.lastDonationOn || null,
        lastSiteName: d.lastSite ? (siteNames.get(d.lastSite) ?? '') : '',
        donationCount: Math.max(d.count, h?.donationCount ?? 0),
        eligibleOn: c.eligibleOn,
        reasons: c.reasons,
      }
    }),
  }
}
