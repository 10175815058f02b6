// Clinic reports (issue 14): bags whose bleed flags them for the lab, the follow-up calls to donors
// after a reaction (marked done at the station, table reaction_follow_ups, migration 0011), and
// reaction rates per 1,000 donations by type, by site kind (bus vs fixed) and first-time vs repeat.
import * as v from 'valibot'
import { bleedFlags, type BleedFlag, DEFAULT_BLEED_LIMITS } from '../../domain/bleed'
import { isoDateOf } from '../../domain/dates'
import { FOLLOW_UP_KINDS, type FollowUpKind, followUpsFor, per1000, REACTION_CODES } from '../../domain/haemovigilance'
import type { AdverseReaction, Bleed, Correction, Donation, Product } from '../../domain/records'
import type { Db } from '../db/store'
import { describeIssues, Refusal } from './refusal'
import { nowIso } from '../time'
import type { Account } from './accounts'
import { getStationRow, stationFromRow } from './stations'

export interface FlaggedBag {
  donationId: string
  din: string
  collectedOn: string
  collectedAt: string
  driveId: string | null
  siteId: string | null
  product: Product
  bleed: Bleed
  /** Minutes from start to end, when both were recorded. */
  minutes: number | null
  flags: BleedFlag[]
}

/** The counted donation a row stands for: its own body, or its winning correction's replacement. */
async function currentBodies(
  db: Db,
  rows: ReadonlyArray<{ id: string; body: string; corrected_by: string | null }>,
): Promise<Map<string, Donation>> {
  const correctionIds = rows.flatMap((r) => (r.corrected_by ? [r.corrected_by] : []))
  const corrections = new Map<string, string>()
  for (let i = 0; i < correctionIds.length; i += 500) {
    const found = await db
      .selectFrom('records')
      .select(['id', 'body'])
      .where('id', 'in', correctionIds.slice(i, i + 500))
      .execute()
    for (const c of found) corrections.set(c.id, c.body)
  }
  const out = new Map<string, Donation>()
  for (const r of rows) {
    const corrected = r.corrected_by ? corrections.get(r.corrected_by) : undefined
    const rec = corrected
      ? ((JSON.parse(corrected) as Correction).replacement as Donation)
      : (JSON.parse(r.body) as Donation)
    if (rec.type === 'donation') out.set(r.id, rec)
  }
  return out
}

/** Donations of [from, to] (not voided, as corrected) whose bleed flags the bag, by the station's limits. */
export async function flaggedBags(db: Db, stationId: string, from: string, to: string): Promise<FlaggedBag[]> {
  const station = stationFromRow(await getStationRow(db, stationId))
  const limits = station.bleedLimits ?? DEFAULT_BLEED_LIMITS
  const rows = await db
    .selectFrom('records')
    .select(['id', 'body', 'corrected_by'])
    .where('station_id', '=', stationId)
    .where('type', '=', 'donation')
    .where('effective_type', '=', 'donation')
    .where('voided', '=', 0)
    .where('collected_on', '>=', from)
    .where('collected_on', '<=', to)
    .where((eb) => eb.or([eb('body', 'like', '%"bleed"%'), eb('corrected_by', 'is not', null)]))
    .execute()
  const bodies = await currentBodies(db, rows)
  const out: FlaggedBag[] = []
  for (const [id, d] of bodies) {
    if (!d.bleed) continue
    const flags = bleedFlags(d.product, d.bleed, limits)
    if (flags.length === 0) continue
    const minutes =
      d.bleed.startedAt && d.bleed.endedAt
        ? Math.round((Date.parse(d.bleed.endedAt) - Date.parse(d.bleed.startedAt)) / 6000) / 10
        : null
    out.push({
      donationId: id,
      din: d.din,
      collectedOn: d.collectedOn,
      collectedAt: d.collectedAt,
      driveId: d.driveId,
      siteId: d.siteId,
      product: d.product,
      bleed: d.bleed,
      minutes,
      flags,
    })
  }
  // Newest bleed first (its start, else the donation's time), then by id for a stable order.
  const when = (b: FlaggedBag) => `${b.collectedOn} ${b.bleed.startedAt ?? b.collectedAt}`
  return out.sort((a, b) => (when(a) !== when(b) ? (when(a) < when(b) ? 1 : -1) : a.donationId < b.donationId ? -1 : 1))
}

// ---------------------------------------------------------------------------------------------
// Follow-up calls

export interface FollowUp {
  reactionId: string
  donationId: string
  kind: FollowUpKind
  dueOn: string
  code: string
  severity: AdverseReaction['severity']
  onset: AdverseReaction['onset'] | null
  occurredAt: string
  din: string | null
  driveId: string | null
  done: { at: string; by: string; byName: string; note: string } | null
}

interface ReactionRow {
  id: string
  body: string
  target_id: string | null
}

/** Reactions (not voided) on counted donations; with the donation's DIN and drive. */
async function reactionsWithDonations(
  db: Db,
  stationId: string,
  filter: { from?: string; to?: string } = {},
): Promise<
  Array<{
    reaction: AdverseReaction
    donation: { din: string | null; driveId: string | null; siteKind: string | null; repeatDonor: boolean }
  }>
> {
  let q = db
    .selectFrom('records as a')
    .innerJoin('records as d', 'd.id', 'a.target_id')
    .leftJoin('sites as s', 's.id', 'd.site_id')
    .select(['a.id', 'a.body', 'a.target_id', 'd.din', 'd.drive_id', 's.kind as site_kind', 'd.repeat_donor'])
    .where('a.station_id', '=', stationId)
    .where('a.type', '=', 'adverse_reaction')
    .where('a.voided', '=', 0)
    .where('d.voided', '=', 0)
    .where('d.effective_type', '=', 'donation')
  if (filter.from) q = q.where('d.collected_on', '>=', filter.from)
  if (filter.to) q = q.where('d.collected_on', '<=', filter.to)
  const rows = (await q.execute()) as Array<
    ReactionRow & { din: string | null; drive_id: string | null; site_kind: string | null; repeat_donor: number | null }
  >
  return rows.map((r) => ({
    reaction: JSON.parse(r.body) as AdverseReaction,
    donation: { din: r.din, driveId: r.drive_id, siteKind: r.site_kind, repeatDonor: r.repeat_donor === 1 },
  }))
}

/**
 * The calls the station owes donors after reactions: at 24 h for moderate or severe ones, at 2–3
 * weeks for delayed reports; `open` only those not marked done. Due first.
 */
export async function listFollowUps(
  db: Db,
  stationId: string,
  opts: { status: 'open' | 'done' | 'all' },
): Promise<FollowUp[]> {
  const station = await getStationRow(db, stationId)
  const reactions = await reactionsWithDonations(db, stationId)
  const done = await db.selectFrom('reaction_follow_ups').selectAll().where('station_id', '=', stationId).execute()
  const doneBy = new Map(done.map((d) => [`${d.reaction_id}/${d.kind}`, d]))
  const out: FollowUp[] = []
  for (const { reaction: r, donation } of reactions) {
    const occurredOn = isoDateOf(new Date(r.occurredAt), station.time_zone)
    for (const due of followUpsFor(r, occurredOn)) {
      const d = doneBy.get(`${r.id}/${due.kind}`)
      if (opts.status === 'open' && d) continue
      if (opts.status === 'done' && !d) continue
      out.push({
        reactionId: r.id,
        donationId: r.donationId,
        kind: due.kind,
        dueOn: due.dueOn,
        code: r.code,
        severity: r.severity,
        onset: r.onset ?? null,
        occurredAt: r.occurredAt,
        din: donation.din,
        driveId: donation.driveId,
        done: d ? { at: d.done_at, by: d.done_by, byName: d.done_by_name, note: d.note } : null,
      })
    }
  }
  return out.sort((a, b) => (a.dueOn !== b.dueOn ? (a.dueOn < b.dueOn ? -1 : 1) : a.reactionId < b.reactionId ? -1 : 1))
}

export const FollowUpDoneSchema = v.object({
  reactionId: v.pipe(v.string(), v.uuid('reactionId must be a record id')),
  kind: v.picklist(FOLLOW_UP_KINDS),
  note: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(500)), ''),
})

/** Marks a follow-up call done (who, when, note); once per reaction and kind. */
export async function markFollowUpDone(db: Db, account: Account, input: unknown): Promise<FollowUp> {
  const parsed = v.safeParse(FollowUpDoneSchema, input)
  if (!parsed.success) throw new Refusal('invalid_request', describeIssues(parsed.issues))
  const { reactionId, kind, note } = parsed.output
  const open = (await listFollowUps(db, account.stationId, { status: 'all' })).find(
    (f) => f.reactionId === reactionId && f.kind === kind,
  )
  if (!open) throw new Refusal('not_found', `reaction ${reactionId} needs no ${kind} call at this station`)
  if (open.done) throw new Refusal('invalid_follow_up', `the ${kind} call of reaction ${reactionId} is already done`)
  const row = {
    reaction_id: reactionId,
    kind,
    station_id: account.stationId,
    done_at: nowIso(),
    done_by: account.id,
    done_by_name: account.username,
    note,
  }
  await db.insertInto('reaction_follow_ups').values(row).execute()
  return { ...open, done: { at: row.done_at, by: row.done_by, byName: row.done_by_name, note } }
}

// ---------------------------------------------------------------------------------------------
// Reaction rates

export const SITE_GROUPS = ['bus', 'fixed'] as const
export const DONOR_GROUPS = ['first_time', 'repeat'] as const

export interface RateCell {
  reactions: number
  donations: number
  per1000: number | null
}

export interface HaemovigilanceReport {
  from: string
  to: string
  donations: number
  reactions: number
  per1000: number | null
  /** Per reaction type (REACTION_CODES, then any other code met), over all donations. */
  byType: Array<{ code: string } & RateCell>
  bySite: Array<{ group: (typeof SITE_GROUPS)[number] } & RateCell>
  byDonor: Array<{ group: (typeof DONOR_GROUPS)[number] } & RateCell>
}

/** A bus: a drive away from a fixed site; a fixed site: no drive, or a drive at a fixed site. */
function siteGroup(driveId: string | null, siteKind: string | null): 'bus' | 'fixed' {
  return driveId !== null && siteKind !== 'fixed_site' ? 'bus' : 'fixed'
}

export async function haemovigilanceReport(
  db: Db,
  stationId: string,
  from: string,
  to: string,
): Promise<HaemovigilanceReport> {
  const counts = await db
    .selectFrom('records as d')
    .leftJoin('sites as s', 's.id', 'd.site_id')
    .select((eb) => [
      eb.case().when('d.drive_id', 'is', null).then(0).else(1).end().as('on_drive'),
      's.kind as site_kind',
      'd.repeat_donor',
      eb.fn.countAll<number>().as('n'),
    ])
    .where('d.station_id', '=', stationId)
    .where('d.effective_type', '=', 'donation')
    .where('d.voided', '=', 0)
    .where('d.collected_on', '>=', from)
    .where('d.collected_on', '<=', to)
    .groupBy(['on_drive', 's.kind', 'd.repeat_donor'])
    .execute()
  const donationsBySite = { bus: 0, fixed: 0 }
  const donationsByDonor = { first_time: 0, repeat: 0 }
  let donations = 0
  for (const c of counts) {
    const n = Number(c.n)
    donations += n
    donationsBySite[siteGroup(Number(c.on_drive) === 1 ? 'drive' : null, c.site_kind)] += n
    donationsByDonor[Number(c.repeat_donor) === 1 ? 'repeat' : 'first_time'] += n
  }
  const reactions = await reactionsWithDonations(db, stationId, { from, to })
  const byCode = new Map<string, number>()
  const reactionsBySite = { bus: 0, fixed: 0 }
  const reactionsByDonor = { first_time: 0, repeat: 0 }
  for (const { reaction, donation } of reactions) {
    byCode.set(reaction.code, (byCode.get(reaction.code) ?? 0) + 1)
    reactionsBySite[siteGroup(donation.driveId, donation.siteKind)]++
    reactionsByDonor[donation.repeatDonor ? 'repeat' : 'first_time']++
  }
  const cell = (r: number, d: number): RateCell => ({ reactions: r, donations: d, per1000: per1000(r, d) })
  const codes = [
    ...REACTION_CODES,
    ...[...byCode.keys()].filter((c) => !(REACTION_CODES as readonly string[]).includes(c)).sort(),
  ]
  return {
    from,
    to,
    donations,
    reactions: reactions.length,
    per1000: per1000(reactions.length, donations),
    byType: codes.map((code) => ({ code, ...cell(byCode.get(code) ?? 0, donations) })),
    bySite: SITE_GROUPS.map((group) => ({ group, ...cell(reactionsBySite[group], donationsBySite[group]) })),
    byDonor: DONOR_GROUPS.map((group) => ({ group, ...cell(reactionsByDonor[group], donationsByDonor[group]) })),
  }
}
