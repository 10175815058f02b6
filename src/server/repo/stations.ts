// Stations and their change counter. Every write that a phone must pull takes the next numbers of
// its station's counter inside the writing transaction; the counter row's lock orders those writes,
// so a pull cursor never skips a change that commits late.
import { randomBytes } from 'node:crypto'
import * as v from 'valibot'
import { BleedLimitsSchema } from '../../domain/records'
import { newId } from '../../domain/ids'
import { type Station, StationSchema } from '../../domain/records'
import type { Db } from '../db/store'
import type { StationRow } from '../db/schema'
import { describeIssues, Refusal } from './refusal'
import { nowIso } from '../time'

/**
 * Locks the station's counter row for the rest of the transaction and reserves `count` change
 * sequence numbers; returns the first. Call it first in a write transaction.
 */
export async function takeChangeSeqs(trx: Db, stationId: string, count = 1): Promise<number> {
  const row = await trx
    .updateTable('stations')
    .set((eb) => ({ change_counter: eb('change_counter', '+', count) }))
    .where('id', '=', stationId)
    .returning('change_counter')
    .executeTakeFirst()
  if (!row) throw new Refusal('not_found', 'station not found')
  return Number(row.change_counter) - count + 1
}

/** Takes the station's write lock without using a sequence number. */
export async function lockStation(trx: Db, stationId: string): Promise<void> {
  await takeChangeSeqs(trx, stationId, 0)
}

/** The station as the admin API shows it (no donor key salt). */
export function stationFromRow(row: StationRow): Station {
  const station: Station = { id: row.id, code: row.code, name: row.name, timeZone: row.time_zone }
  if (row.pin_max_attempts !== null && row.pin_max_attempts !== undefined) station.pinMaxAttempts = row.pin_max_attempts
  if (row.donor_rules) station.donorRules = JSON.parse(row.donor_rules) as NonNullable<Station['donorRules']>
  if (row.questionnaire) station.questionnaire = JSON.parse(row.questionnaire) as NonNullable<Station['questionnaire']>
  if (row.bleed_limits) station.bleedLimits = JSON.parse(row.bleed_limits) as NonNullable<Station['bleedLimits']>
  return station
}

/** The station as enrolled phones pull it: with the donor key salt, so phone and server key donors alike. */
export function pulledStation(row: StationRow): Station {
  return { ...stationFromRow(row), donorKeySalt: row.donor_key_salt }
}

export const NewStationSchema = v.object({
  code: StationSchema.entries.code,
  name: StationSchema.entries.name,
  timeZone: v.optional(v.pipe(v.string(), v.check(isTimeZone, 'unknown time zone')), 'Asia/Shanghai'),
})
export type NewStation = v.InferInput<typeof NewStationSchema>

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

export async function createStation(db: Db, input: NewStation): Promise<Station> {
  const parsed = v.safeParse(NewStationSchema, input)
  if (!parsed.success) throw new Refusal('invalid_station', parsed.issues.map((i) => i.message).join('; '))
  const existing = await db
    .selectFrom('stations')
    .select('id')
    .where('code', '=', parsed.output.code)
    .executeTakeFirst()
  if (existing) throw new Refusal('station_exists', `a station with code ${parsed.output.code} exists`)
  const station: Station = { id: newId(), ...parsed.output }
  await db
    .insertInto('stations')
    .values({
      id: station.id,
      code: station.code,
      name: station.name,
      time_zone: station.timeZone,
      donor_key_salt: randomBytes(18).toString('base64url'),
      sync_epoch: randomBytes(6).toString('hex'),
      change_counter: 1,
      pull_horizon: 0,
      change_seq: 1,
      totals_stale: 1,
      created_at: nowIso(),
    })
    .execute()
  return station
}

export async function getStationRow(db: Db, stationId: string): Promise<StationRow> {
  const row = await db.selectFrom('stations').selectAll().where('id', '=', stationId).executeTakeFirst()
  if (!row) throw new Refusal('not_found', 'station not found')
  return row
}

export async function findStationByCode(db: Db, code: string): Promise<StationRow | undefined> {
  return db.selectFrom('stations').selectAll().where('code', '=', code).executeTakeFirst()
}

/** The station's donor rules (overridable checks, override reasons); null goes back to the defaults. Phones pull them. */
export const DonorRulesSchema = v.nullable(StationSchema.entries.donorRules.wrapped)

export async function setDonorRules(db: Db, stationId: string, input: unknown): Promise<Station> {
  const parsed = v.safeParse(DonorRulesSchema, input)
  if (!parsed.success) throw new Refusal('invalid_station', parsed.issues.map((i) => i.message).join('; '))
  const rules = parsed.output
  if (rules && new Set(rules.overrideReasons.map((r) => r.code)).size !== rules.overrideReasons.length)
    throw new Refusal('invalid_station', 'override reason codes must be unique')
  const seq = await takeChangeSeqs(db, stationId)
  await db
    .updateTable('stations')
    .set({ donor_rules: rules ? JSON.stringify(rules) : null, change_seq: seq })
    .where('id', '=', stationId)
    .execute()
  return stationFromRow(await getStationRow(db, stationId))
}

/** The station's health questionnaire; null goes back to the default set. Phones pull it with the station row. */
export const StationQuestionnaireSchema = v.nullable(StationSchema.entries.questionnaire.wrapped)

export async function setQuestionnaire(db: Db, stationId: string, input: unknown): Promise<Station> {
  const parsed = v.safeParse(StationQuestionnaireSchema, input)
  if (!parsed.success) throw new Refusal('invalid_station', describeIssues(parsed.issues))
  const seq = await takeChangeSeqs(db, stationId)
  await db
    .updateTable('stations')
    .set({ questionnaire: parsed.output ? JSON.stringify(parsed.output) : null, change_seq: seq })
    .where('id', '=', stationId)
    .execute()
  return stationFromRow(await getStationRow(db, stationId))
}

/** The station's whole-blood bleed limits (clinic); null goes back to the defaults. Phones pull them. */
export const BleedLimitsInput = v.nullable(BleedLimitsSchema)

export async function setBleedLimits(db: Db, stationId: string, input: unknown): Promise<Station> {
  const parsed = v.safeParse(BleedLimitsInput, input)
  if (!parsed.success) throw new Refusal('invalid_station', describeIssues(parsed.issues))
  const seq = await takeChangeSeqs(db, stationId)
  await db
    .updateTable('stations')
    .set({ bleed_limits: parsed.output ? JSON.stringify(parsed.output) : null, change_seq: seq })
    .where('id', '=', stationId)
    .execute()
  return stationFromRow(await getStationRow(db, stationId))
}

const StationSettings = v.object({
  name: v.optional(StationSchema.entries.name),
  /** null goes back to the default. */
  pinMaxAttempts: v.optional(v.nullable(v.unwrap(StationSchema.entries.pinMaxAttempts))),
})

/** Name and PIN lockout count; phones get them with the station row at the next pull. */
export async function updateStation(db: Db, stationId: string, input: unknown): Promise<Station> {
  const parsed = v.safeParse(StationSettings, input)
  if (!parsed.success) throw new Refusal('invalid_station', describeIssues(parsed.issues))
  const { name, pinMaxAttempts } = parsed.output
  const seq = await takeChangeSeqs(db, stationId)
  await db
    .updateTable('stations')
    .set({
      change_seq: seq,
      ...(name === undefined ? {} : { name }),
      ...(pinMaxAttempts === undefined ? {} : { pin_max_attempts: pinMaxAttempts }),
    })
    .where('id', '=', stationId)
    .execute()
  return stationFromRow(await getStationRow(db, stationId))
}
