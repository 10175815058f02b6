// Station reference data that phones pull: sites, channels, teams, staff roster, targets, population.
// Every write takes a new change sequence; a delete keeps the row as a tombstone (records still
// point at it, and phones learn of the delete by cursor).
import * as v from 'valibot'
import { newId } from '../../domain/ids'
import { hashPin, validatePinFormat } from '../../domain/pin'
import {
  type Channel,
  ChannelSchema,
  type Population,
  PopulationSchema,
  type RosterEntry,
  RosterEntrySchema,
  type Site,
  SiteSchema,
  type Target,
  type Team,
  TeamSchema,
} from '../../domain/records'
import { validateTarget } from '../../domain/targets'
import type { Database } from '../db/schema'
import type { Db } from '../db/store'
import { parseOrRefuse, Refusal } from './refusal'
import { takeChangeSeqs } from './stations'

type Row<T extends keyof Database> = Database[T]

// ---------------------------------------------------------------------------------------------
// Row ↔ contract shapes

export const siteFromRow = (r: Row<'sites'>): Site => ({
  id: r.id,
  stationId: r.station_id,
  name: r.name,
  kind: r.kind as Site['kind'],
  area: r.area,
})
export const channelFromRow = (r: Row<'channels'>): Channel => ({
  id: r.id,
  stationId: r.station_id,
  code: r.code,
  nameZh: r.name_zh,
  nameEn: r.name_en,
  ruralMobile: r.rural_mobile === 1,
})
export const teamFromRow = (r: Row<'teams'>): Team => ({
  id: r.id,
  stationId: r.station_id,
  code: r.code,
  nameZh: r.name_zh,
  nameEn: r.name_en,
})
export const rosterFromRow = (r: Row<'staff'>): RosterEntry => ({
  id: r.id,
  stationId: r.station_id,
  name: r.name,
  role: r.role,
  pinHash: r.pin_hash,
  active: r.active === 1,
})
export const targetFromRow = (r: Row<'targets'>): Target => ({
  id: r.id,
  stationId: r.station_id,
  period: { kind: r.period_kind as Target['period']['kind'], start: r.period_start, end: r.period_end },
  scope: { kind: r.scope_kind as Target['scope']['kind'], id: r.scope_id },
  metric: r.metric as Target['metric'],
  comparison: r.comparison as Target['comparison'],
  value: r.value,
})
export const populationFromRow = (r: Row<'populations'>): Population => ({
  stationId: r.station_id,
  year: r.year,
  population: r.population,
})

/** A staff member as the admin API shows it: never the PIN hash. */
export type StaffMember = Omit<RosterEntry, 'pinHash'>
const staffFromRow = (r: Row<'staff'>): StaffMember => {
  const { pinHash: _pinHash, ...rest } = rosterFromRow(r)
  return rest
}

// ---------------------------------------------------------------------------------------------
// Helpers

const Body = v.record(v.string(), v.unknown())

/** The request body as an object, without the fields the server owns. */
function editable(input: unknown): Record<string, unknown> {
  const parsed = v.safeParse(Body, input)
  if (!parsed.success) throw new Refusal('invalid_request', 'the body must be a JSON object')
  const { id: _id, stationId: _stationId, ...rest } = parsed.output
  return rest
}

/** A client may choose the id of a new row (UUID, for retries); otherwise the server makes one. */
function newRowId(input: unknown): string {
  const id = (input as { id?: unknown } | null)?.id
  if (id === undefined) return newId()
  return parseOrRefuse(SiteSchema.entries.id, id, 'invalid_request')
}

async function assertNewId(
  db: Db,
  table: 'sites' | 'channels' | 'teams' | 'staff' | 'targets',
  id: string,
): Promise<void> {
  // One answer whether this station or another holds the id: it names neither the row nor its station.
  const taken = await db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()
  if (taken) throw new Refusal('id_taken', 'this id cannot be used; leave it out or send a new UUID')
}

async function assertCodeFree(
  db: Db,
  table: 'channels' | 'teams',
  stationId: string,
  code: string,
  ownId: string,
): Promise<void> {
  const taken = await db
    .selectFrom(table)
    .select('id')
    .where('station_id', '=', stationId)
    .where('code', '=', code)
    .where('id', '!=', ownId)
    .executeTakeFirst()
  if (taken) throw new Refusal('code_taken', `the code ${code} is taken`)
}

async function liveRow<T extends 'sites' | 'channels' | 'teams' | 'staff' | 'targets'>(
  db: Db,
  table: T,
  stationId: string,
  id: string,
): Promise<Row<T>> {
  const row = await db
    .selectFrom(table as 'sites')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('id', '=', id)
    .where('deleted', '=', 0)
    .executeTakeFirst()
  if (!row) throw new Refusal('not_found', `${table === 'staff' ? 'staff member' : table.slice(0, -1)} not found`)
  return row as unknown as Row<T>
}

async function softDelete(
  db: Db,
  table: 'sites' | 'channels' | 'teams' | 'staff' | 'targets',
  stationId: string,
  id: string,
): Promise<void> {
  await liveRow(db, table, stationId, id)
  const seq = await takeChangeSeqs(db, stationId)
  await db.updateTable(table).set({ deleted: 1, change_seq: seq }).where('id', '=', id).execute()
}

// ---------------------------------------------------------------------------------------------
// Sites

export async function listSites(db: Db, stationId: string): Promise<Site[]> {
  const rows = await db
    .selectFrom('sites')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('deleted', '=', 0)
    .orderBy('name')
    .execute()
  return rows.map(siteFromRow)
}

export async function saveSite(db: Db, stationId: string, input: unknown, id?: string): Promise<Site> {
  const base = id ? siteFromRow(await liveRow(db, 'sites', stationId, id)) : { id: newRowId(input), stationId }
  const site = parseOrRefuse(SiteSchema, { ...base, ...editable(input), id: base.id, stationId }, 'invalid_site')
  if (!id) await assertNewId(db, 'sites', site.id)
  const seq = await takeChangeSeqs(db, stationId)
  const row = {
    id: site.id,
    station_id: stationId,
    name: site.name,
    kind: site.kind,
    area: site.area,
    change_seq: seq,
    deleted: 0 as const,
  }
  if (id) await db.updateTable('sites').set(row).where('id', '=', id).execute()
  else await db.insertInto('sites').values(row).execute()
  return site
}

export const deleteSite = (db: Db, stationId: string, id: string): Promise<void> =>
  softDelete(db, 'sites', stationId, id)

// ---------------------------------------------------------------------------------------------
// Channels

export async function listChannels(db: Db, stationId: string): Promise<Channel[]> {
  const rows = await db
    .selectFrom('channels')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('deleted', '=', 0)
    .orderBy('code')
    .execute()
  return rows.map(channelFromRow)
}

export async function saveChannel(db: Db, stationId: string, input: unknown, id?: string): Promise<Channel> {
  const base = id ? channelFromRow(await liveRow(db, 'channels', stationId, id)) : { id: newRowId(input), stationId }
  const channel = parseOrRefuse(
    ChannelSchema,
    { ...base, ...editable(input), id: base.id, stationId },
    'invalid_channel',
  )
  if (!id) await assertNewId(db, 'channels', channel.id)
  await assertCodeFree(db, 'channels', stationId, channel.code, channel.id)
  const seq = await takeChangeSeqs(db, stationId)
  const row = {
    id: channel.id,
    station_id: stationId,
    code: channel.code,
    name_zh: channel.nameZh,
    name_en: channel.nameEn,
    rural_mobile: channel.ruralMobile ? (1 as const) : (0 as const),
    change_seq: seq,
    deleted: 0 as const,
  }
  if (id) await db.updateTable('channels').set(row).where('id', '=', id).execute()
  else await db.insertInto('channels').values(row).execute()
  return channel
}

export const deleteChannel = (db: Db, stationId: string, id: string): Promise<void> =>
  softDelete(db, 'channels', stationId, id)

// ---------------------------------------------------------------------------------------------
// Teams

export async function listTeams(db: Db, stationId: string): Promise<Team[]> {
  const rows = await db
    .selectFrom('teams')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('deleted', '=', 0)
    .orderBy('code')
    .execute()
  return rows.map(teamFromRow)
}

export async function saveTeam(db: Db, stationId: string, input: unknown, id?: string): Promise<Team> {
  const base = id ? teamFromRow(await liveRow(db, 'teams', stationId, id)) : { id: newRowId(input), stationId }
  const team = parseOrRefuse(TeamSchema, { ...base, ...editable(input), id: base.id, stationId }, 'invalid_team')
  if (!id) await assertNewId(db, 'teams', team.id)
  await assertCodeFree(db, 'teams', stationId, team.code, team.id)
  const seq = await takeChangeSeqs(db, stationId)
  const row = {
    id: team.id,
    station_id: stationId,
    code: team.code,
    name_zh: team.nameZh,
    name_en: team.nameEn,
    change_seq: seq,
    deleted: 0 as const,
  }
  if (id) await db.updateTable('teams').set(row).where('id', '=', id).execute()
  else await db.insertInto('teams').values(row).execute()
  return team
}

export const deleteTeam = (db: Db, stationId: string, id: string): Promise<void> =>
  softDelete(db, 'teams', stationId, id)

// ---------------------------------------------------------------------------------------------
// Staff (the roster phones pull: PIN hash only, never the PIN)

const PinInput = v.object({ pin: v.string() })

/** Checks and hashes a PIN (slow: do it before opening a transaction). */
export async function preparePin(input: unknown, iterations?: number): Promise<string> {
  const { pin } = parseOrRefuse(PinInput, input, 'invalid_pin')
  const problem = validatePinFormat(pin)
  if (problem) throw new Refusal('invalid_pin', `the PIN is not acceptable (${problem}): 4–8 digits, not 1111 or 1234`)
  return hashPin(pin, iterations === undefined ? {} : { iterations })
}

const StaffInput = v.object({
  name: RosterEntrySchema.entries.name,
  role: RosterEntrySchema.entries.role,
  active: v.optional(v.boolean(), true),
})

export async function listStaff(db: Db, stationId: string): Promise<StaffMember[]> {
  const rows = await db
    .selectFrom('staff')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('deleted', '=', 0)
    .orderBy('name')
    .execute()
  return rows.map(staffFromRow)
}

/** New staff member; `pinHash` from preparePin. */
export async function createStaff(db: Db, stationId: string, input: unknown, pinHash: string): Promise<StaffMember> {
  const id = newRowId(input)
  const { pin: _pin, ...rest } = editable(input)
  const staff = parseOrRefuse(StaffInput, rest, 'invalid_staff')
  await assertNewId(db, 'staff', id)
  const seq = await takeChangeSeqs(db, stationId)
  const row = {
    id,
    station_id: stationId,
    name: staff.name,
    role: staff.role,
    pin_hash: pinHash,
    active: staff.active ? (1 as const) : (0 as const),
    change_seq: seq,
    deleted: 0 as const,
  }
  await db.insertInto('staff').values(row).execute()
  return staffFromRow(row)
}

/** Name, role or active (deactivated staff stay on the roster so phones refuse their PIN). */
export async function updateStaff(db: Db, stationId: string, id: string, input: unknown): Promise<StaffMember> {
  const current = staffFromRow(await liveRow(db, 'staff', stationId, id))
  const { pin: pin, ...rest } = editable(input)
  if (pin !== undefined) throw new Refusal('invalid_staff', 'set a PIN with POST …/staff/:id/pin')
  const staff = parseOrRefuse(
    StaffInput,
    { name: current.name, role: current.role, active: current.active, ...rest },
    'invalid_staff',
  )
  const seq = await takeChangeSeqs(db, stationId)
  await db
    .updateTable('staff')
    .set({ name: staff.name, role: staff.role, active: staff.active ? 1 : 0, change_seq: seq })
    .where('id', '=', id)
    .execute()
  return staffFromRow(await liveRow(db, 'staff', stationId, id))
}

export async function setStaffPin(db: Db, stationId: string, id: string, pinHash: string): Promise<StaffMember> {
  await liveRow(db, 'staff', stationId, id)
  const seq = await takeChangeSeqs(db, stationId)
  await db.updateTable('staff').set({ pin_hash: pinHash, change_seq: seq }).where('id', '=', id).execute()
  return staffFromRow(await liveRow(db, 'staff', stationId, id))
}

export const deleteStaff = (db: Db, stationId: string, id: string): Promise<void> =>
  softDelete(db, 'staff', stationId, id)

// ---------------------------------------------------------------------------------------------
// Targets (validated by the domain rules: share 0–100, period order, no overlapping duplicate)

export async function listTargets(db: Db, stationId: string): Promise<Target[]> {
  const rows = await db
    .selectFrom('targets')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('deleted', '=', 0)
    .orderBy('period_start')
    .orderBy('metric')
    .execute()
  return rows.map(targetFromRow)
}

export async function saveTarget(db: Db, stationId: string, input: unknown, id?: string): Promise<Target> {
  const base = id ? targetFromRow(await liveRow(db, 'targets', stationId, id)) : { id: newRowId(input), stationId }
  const candidate = { ...base, ...editable(input), id: base.id, stationId }
  const existing = await listTargets(db, stationId)
  const scope = (candidate as { scope?: { kind?: unknown; id?: unknown } }).scope
  const drives =
    scope?.kind === 'drive' && typeof scope.id === 'string'
      ? await db
          .selectFrom('records')
          .select('id')
          .where('station_id', '=', stationId)
          .where('type', '=', 'drive')
          .where('id', '=', scope.id)
          .execute()
      : []
  const result = validateTarget(candidate, existing, {
    channels: await listChannels(db, stationId),
    sites: await listSites(db, stationId),
    teams: await listTeams(db, stationId),
    drives,
  })
  if (!result.ok) {
    const overlap = result.errors.find((e) => e.code === 'overlapping_duplicate')
    const message = result.errors.map((e) => `${e.field || 'target'}: ${e.code}`).join('; ')
    throw overlap
      ? new Refusal(
          'overlapping_duplicate',
          `a target for the same scope and metric overlaps this period (${message})`,
          { errors: result.errors },
        )
      : new Refusal('invalid_target', message, { errors: result.errors })
  }
  const t = result.target
  if (!id) await assertNewId(db, 'targets', t.id)
  const seq = await takeChangeSeqs(db, stationId)
  const row = {
    id: t.id,
    station_id: stationId,
    period_kind: t.period.kind,
    period_start: t.period.start,
    period_end: t.period.end,
    scope_kind: t.scope.kind,
    scope_id: t.scope.id,
    metric: t.metric,
    comparison: t.comparison,
    value: t.value,
    change_seq: seq,
    deleted: 0 as const,
  }
  if (id) await db.updateTable('targets').set(row).where('id', '=', id).execute()
  else await db.insertInto('targets').values(row).execute()
  return t
}

export const deleteTarget = (db: Db, stationId: string, id: string): Promise<void> =>
  softDelete(db, 'targets', stationId, id)

// ---------------------------------------------------------------------------------------------
// Population per year (for donations per 1,000)

// The column is a 32-bit integer; no station serves more people than that.
const PopulationInput = v.pipe(
  PopulationSchema,
  v.check((p) => p.population <= 2_000_000_000, 'population is too large'),
)

export async function listPopulations(db: Db, stationId: string): Promise<Population[]> {
  const rows = await db
    .selectFrom('populations')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('deleted', '=', 0)
    .orderBy('year')
    .execute()
  return rows.map(populationFromRow)
}

export async function populationOf(db: Db, stationId: string, year: number): Promise<number | null> {
  const row = await db
    .selectFrom('populations')
    .select('population')
    .where('station_id', '=', stationId)
    .where('year', '=', year)
    .where('deleted', '=', 0)
    .executeTakeFirst()
  return row?.population ?? null
}

export async function savePopulation(db: Db, stationId: string, year: unknown, input: unknown): Promise<Population> {
  const body = editable(input)
  const population = parseOrRefuse(
    PopulationInput,
    { stationId, year, population: body.population },
    'invalid_population',
  )
  const seq = await takeChangeSeqs(db, stationId)
  const existing = await db
    .selectFrom('populations')
    .select('year')
    .where('station_id', '=', stationId)
    .where('year', '=', population.year)
    .executeTakeFirst()
  const row = {
    station_id: stationId,
    year: population.year,
    population: population.population,
    change_seq: seq,
    deleted: 0 as const,
  }
  if (existing) {
    await db
      .updateTable('populations')
      .set(row)
      .where('station_id', '=', stationId)
      .where('year', '=', population.year)
      .execute()
  } else {
    await db.insertInto('populations').values(row).execute()
  }
  return population
}

export async function deletePopulation(db: Db, stationId: string, year: number): Promise<void> {
  const row = await db
    .selectFrom('populations')
    .select('year')
    .where('station_id', '=', stationId)
    .where('year', '=', year)
    .where('deleted', '=', 0)
    .executeTakeFirst()
  if (!row) throw new Refusal('not_found', 'population not found')
  const seq = await takeChangeSeqs(db, stationId)
  await db
    .updateTable('populations')
    .set({ deleted: 1, change_seq: seq })
    .where('station_id', '=', stationId)
    .where('year', '=', year)
    .execute()
}

// ---------------------------------------------------------------------------------------------
// What field records may point at (deleted rows included: a phone may have used them offline)

export interface KnownReferences {
  channels: Map<string, { ruralMobile: boolean }>
  sites: Set<string>
  teams: Set<string>
  staff: Set<string>
}

export async function loadKnownReferences(db: Db, stationId: string): Promise<KnownReferences> {
  const [channels, sites, teams, staff] = await Promise.all([
    db.selectFrom('channels').select(['id', 'rural_mobile']).where('station_id', '=', stationId).execute(),
    db.selectFrom('sites').select('id').where('station_id', '=', stationId).execute(),
    db.selectFrom('teams').select('id').where('station_id', '=', stationId).execute(),
    db.selectFrom('staff').select('id').where('station_id', '=', stationId).execute(),
  ])
  return {
    channels: new Map(channels.map((c) => [c.id, { ruralMobile: c.rural_mobile === 1 }])),
    sites: new Set(sites.map((s) => s.id)),
    teams: new Set(teams.map((t) => t.id)),
    staff: new Set(staff.map((s) => s.id)),
  }
}
