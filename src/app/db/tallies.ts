// Running indicator counts per drive, per day and per month, updated inside the same transaction
// as the record that changes them, so tallies and progress never rescan every record.
import {
  addToCounts,
  collectionDate,
  emptyCounts,
  type IndicatorContext,
  type IndicatorCounts,
} from '../../domain/indicators'
import type { Deferral, Donation, Drive } from '../../domain/records'
import { fieldDb, type FieldDb } from './index'
import type { TallyRow } from './schema'

export const driveTallyKey = (driveId: string): string => `drive:${driveId}`
export const dayTallyKey = (date: string): string => `day:${date}`
export const monthTallyKey = (date: string): string => `month:${date.slice(0, 7)}`

export function tallyKeys(rec: Donation | Deferral | Drive): string[] {
  const date = collectionDate(rec)
  const keys = date ? [dayTallyKey(date), monthTallyKey(date)] : []
  const driveId = rec.type === 'drive' ? rec.id : rec.driveId
  if (driveId) keys.push(driveTallyKey(driveId))
  return keys
}

export async function indicatorContext(db: FieldDb): Promise<IndicatorContext> {
  const channels = await db.channels.toArray()
  return { ruralMobileChannelIds: new Set(channels.filter((c) => c.value.ruralMobile).map((c) => c.value.id)) }
}

/** The tally rows a record changes, as stored now (or empty), with what counting needs; a read only. */
export interface TallyChange {
  ctx: IndicatorContext
  rows: TallyRow[]
}

export async function readTalliesOf(db: FieldDb, rec: Donation | Deferral | Drive): Promise<TallyChange> {
  const keys = tallyKeys(rec)
  const [ctx, found] = await Promise.all([indicatorContext(db), db.tallies.bulkGet(keys)])
  return { ctx, rows: keys.map((key, i) => found[i] ?? { key, counts: emptyCounts() }) }
}

/**
 * Counts `rec` in (sign 1) or out (sign -1) of the rows read by readTalliesOf and writes them back;
 * call inside the record's transaction. `touched` receives the new counts of each tally written,
 * so a screen can show them without reading again.
 */
export function writeTallies(
  db: FieldDb,
  change: TallyChange,
  rec: Donation | Deferral | Drive,
  sign: 1 | -1,
  touched?: Map<string, IndicatorCounts>,
): Promise<unknown> {
  for (const row of change.rows) {
    addToCounts(row.counts, rec, change.ctx, sign)
    touched?.set(row.key, row.counts)
  }
  return db.tallies.bulkPut(change.rows)
}

/** Add (sign 1) or remove (sign -1) one effective record: readTalliesOf then writeTallies. */
export async function applyToTallies(
  db: FieldDb,
  rec: Donation | Deferral | Drive,
  sign: 1 | -1,
  touched?: Map<string, IndicatorCounts>,
): Promise<void> {
  await writeTallies(db, await readTalliesOf(db, rec), rec, sign, touched)
}

export async function readTally(key: string, db: FieldDb = fieldDb()): Promise<IndicatorCounts> {
  return (await db.tallies.get(key))?.counts ?? emptyCounts()
}
