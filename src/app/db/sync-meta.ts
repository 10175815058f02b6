// What sync keeps in the syncMeta key/value table and beside it: the keys, the receipts of
// confirmed records (one row per settled batch, receiptBatches), and typed reads of them. The one
// place these keys are spelled; sync/ and the stores import them.
import { newId } from '../../domain/ids'
import { fieldDb, type FieldDb } from './index'
import type { ReceiptBatchRow } from './schema'
import { type Receipt, receiptsOfBatch } from './receipt-batch'

export { RECEIPT_PREFIX, type Receipt, receiptBatchRow, receiptsOfBatch, withPurgeDue } from './receipt-batch'

/** syncMeta keys. */
export const META_KEYS = {
  pullCursor: 'pullCursor',
  /** The opt-in entities (`?with=`) the stored cursor was taken with. */
  pullWith: 'pullWith',
  /** Station time of the last applied pull page: what "as of last sync" means on screen. */
  lastPullServerTime: 'lastPullAt',
  deviceLastSeq: 'deviceLastSeq',
  /** Highest seq the station has answered for (confirmed or rejected), per device id. */
  settledSeq: 'settledSeq',
  /** The engine's SyncMeta object (sync/ports.ts). */
  sync: 'sync',
  /** Present while the station's feed, pulled from its start, has not reached its end. */
  historyIncomplete: 'historyIncomplete',
  /** What db/progress-delta.ts's kept sum is of: the totals' computedAt, the rural channels, refusals. */
  progressDelta: 'progressDelta',
} as const

/**
 * Days a confirmed donor identity keeps its personal fields on the phone, by the station's clock
 * (sync/purge.ts; the sync store's setting starts here).
 */
export const PURGE_AFTER_DAYS = 7

/** Kept per device id: a phone enrolled again starts a new numbering at the station. */
export function settledSeqKey(deviceId: string): string {
  return `${META_KEYS.settledSeq}:${deviceId}`
}

/** The latest receipt of each record, from batch rows in the order they were settled. */
function latestPerRecord(rows: readonly ReceiptBatchRow[]): Map<string, Receipt> {
  const out = new Map<string, Receipt>()
  for (const row of [...rows].sort((a, b) => (a.id ?? 0) - (b.id ?? 0)))
    for (const r of receiptsOfBatch(row)) out.set(r.recordId, r)
  return out
}

/**
 * Every receipt on the phone, the latest of each record: reads every batch row, which grows with
 * the records sent. For tests and diagnosis only; the screens read by index.
 */
export async function allReceipts(db: FieldDb = fieldDb()): Promise<Receipt[]> {
  return [...latestPerRecord(await db.receiptBatches.toArray()).values()]
}

/** Receipts of confirmed records, newest first. */
export async function recentReceipts(db: FieldDb = fieldDb(), limit = 50): Promise<Receipt[]> {
  return latestReceipts(db, limit)
}

/**
 * The latest receipt of a record, or null. No index names records (it would cost a write per record
 * at every settle), so this reads batch rows newest first until it finds one: for tests and diagnosis.
 */
export async function receiptOf(db: FieldDb, recordId: string): Promise<Receipt | null> {
  const row = await db.receiptBatches
    .reverse()
    .filter((b) => b.recordIds.includes(recordId))
    .first()
  if (!row) return null
  return latestPerRecord([row]).get(recordId) ?? null
}

/** Station time (ISO) of the last applied pull page, null before the first. */
export async function lastPullAt(db: FieldDb = fieldDb()): Promise<string | null> {
  const row = await db.syncMeta.get(META_KEYS.lastPullServerTime)
  return typeof row?.value === 'string' ? row.value : null
}

// Receipts read by the station time of their confirmation: the newestAt index over batch rows
// (Dexie version 14) answers "the newest" and "those after the totals" by reading the few batch
// rows concerned, never every receipt on the phone (a year of a busy phone is 100,000 of them).

/**
 * Receipts the station confirmed after `after` (its clock, ISO), or every receipt when `after` is
 * null or unreadable (then every batch row is read: no totals were ever pulled). The latest of each record.
 */
export async function receiptsConfirmedAfter(db: FieldDb, after: string | null): Promise<Receipt[]> {
  const t = after === null ? NaN : Date.parse(after)
  const rows = Number.isNaN(t)
    ? await db.receiptBatches.toArray()
    : await db.receiptBatches.where('newestAt').above(t).toArray()
  const late = [...latestPerRecord(rows).values()]
  return Number.isNaN(t) ? late : late.filter((r) => !(Date.parse(r.receivedAt) <= t))
}

const time = (r: Receipt): number => Date.parse(r.receivedAt) || 0

/** The newest receipts, newest first (ties: the later sequence first); one per record. */
export async function latestReceipts(db: FieldDb, limit: number): Promise<Receipt[]> {
  if (limit <= 0) return []
  // Batch rows newest first by their newest receipt, until `limit` records already read have a
  // receipt newer than anything the next row holds: no unread row can change the list.
  const seen = new Map<string, number>()
  const rows = await db.receiptBatches
    .orderBy('newestAt')
    .reverse()
    .until((row) => {
      let newer = 0
      for (const t of seen.values()) if (t > row.newestAt) newer++
      if (newer >= limit) return true
      row.recordIds.forEach((id, i) => {
        const t = Date.parse(row.times[row.timeOf[i]!]!) || 0
        seen.set(id, Math.max(t, seen.get(id) ?? -Infinity))
      })
      return false
    })
    .toArray()
  return [...latestPerRecord(rows).values()].sort((a, b) => time(b) - time(a) || b.seq - a.seq).slice(0, limit)
}

/** One decision on a refused record (sync/attention.ts), under `resolution:<recordId>:<id>`. */
export const RESOLUTION_PREFIX = 'resolution:'

export interface Resolution {
  recordId: string
  recordType: string
  how: 'voided' | 'fixed' | 'sent_again' | 'set_aside'
  /** The station's refusal that was resolved. */
  code: string | null
  message: string | null
  /** The void or correction written for it, if any. */
  resolutionRecordId: string | null
  staffId: string
  reason: string
  at: string
}

/** Keeps a decision; a record decided on twice keeps both. */
export async function saveResolution(db: FieldDb, resolution: Resolution): Promise<void> {
  await db.syncMeta.put({ key: `${RESOLUTION_PREFIX}${resolution.recordId}:${newId()}`, value: resolution })
}

/** Every decision kept, in key order. */
export async function storedResolutions(db: FieldDb): Promise<Resolution[]> {
  const rows = await db.syncMeta.where('key').startsWith(RESOLUTION_PREFIX).toArray()
  return rows.map((r) => r.value as Resolution)
}

/** The station's clock minus the phone's as seen at the last pull (the engine's SyncMeta), null before. */
export async function serverClockOffset(db: FieldDb): Promise<number | null> {
  const meta = (await db.syncMeta.get(META_KEYS.sync))?.value as { serverClockOffsetMs?: number | null } | undefined
  return meta?.serverClockOffsetMs ?? null
}
