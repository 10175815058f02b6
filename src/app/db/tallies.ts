// Running indicator counts per drive, updated inside the same transaction as the record that
// changes them, so the drive screens and progress never rescan every record. (Rows per day and per
// month were kept too until issue 13; nothing read them, so saves no longer write them. Old rows
// stay where they are, unread.)
import { addToCounts, emptyCounts, type IndicatorContext, type IndicatorCounts } from '../../domain/indicators'
import type { Deferral, Donation, Drive } from '../../domain/records'
import { fieldDb, type FieldDb } from './index'
import type { TallyRow } from './schema'

import { driveTallyKey } from './record-versions'

export { driveTallyKey }
export function tallyKeys(rec: Donation | Deferral | Drive): string[] {
  const driveId = rec.type === 'drive' ? rec.id : rec.driveId
  return driveId ? [driveTallyKey(driveId)] : []
}

/**
 * What counting `rec` needs to know: whether its channel is a rural-mobile one. One point read of
 * that channel (channel rows are kept under the channel's id), not the whole table.
 */
export async function indicatorContext(db: FieldDb, rec: Donation | Deferral | Drive): Promise<IndicatorContext> {
  const channel = await db.channels.get(rec.channelId)
  return { ruralMobileChannelIds: new Set(channel?.value.ruralMobile ? [channel.value.id] : []) }
}

/** The tally rows a record changes, as stored now (or empty), with what counting needs; a read only. */
export interface TallyChange {
  ctx: IndicatorContext
  rows: TallyRow[]
}

export async function readTalliesOf(db: FieldDb, rec: Donation | Deferral | Drive): Promise<TallyChange> {
  const keys = tallyKeys(rec)
  const [ctx, found] = await Promise.all([indicatorContext(db, rec), db.tallies.bulkGet(keys)])
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
