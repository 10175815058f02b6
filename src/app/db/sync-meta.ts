// What sync keeps in the syncMeta key/value table: the keys, the receipts of confirmed records,
// and typed reads of them. The one place these keys are spelled; sync/ and the stores import them.
import { newId } from '../../domain/ids'
import type { FieldRecordType } from '../../domain/records'
import { fieldDb, type FieldDb } from './index'
import type { ReferenceRow } from './schema'

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
} as const

/**
 * Days a confirmed donor identity keeps its personal fields on the phone, by the station's clock
 * (sync/purge.ts; the sync store's setting starts here).
 */
export const PURGE_AFTER_DAYS = 7

/** One receipt per confirmed record, under `receipt:<recordId>` in syncMeta. */
export const RECEIPT_PREFIX = 'receipt:'

export interface Receipt {
  recordId: string
  recordType: FieldRecordType
  seq: number
  mutationId: string
  status: 'applied' | 'duplicate'
  /** Station clock. */
  receivedAt: string
  /** Phone clock when the receipt was stored. */
  settledAt: string
  /** Set once the donor's personal fields were purged from the phone (donor_identity only). */
  purgedAt?: string
}

/** Kept per device id: a phone enrolled again starts a new numbering at the station. */
export function settledSeqKey(deviceId: string): string {
  return `${META_KEYS.settledSeq}:${deviceId}`
}

/** The syncMeta row that holds a receipt. */
export function receiptRow(receipt: Receipt): ReferenceRow<Receipt> {
  return { key: RECEIPT_PREFIX + receipt.recordId, value: receipt }
}

/** Every receipt on the phone, in key order. */
export async function allReceipts(db: FieldDb = fieldDb()): Promise<Receipt[]> {
  const rows = await db.syncMeta.where('key').startsWith(RECEIPT_PREFIX).toArray()
  return rows.map((r) => r.value as Receipt)
}

/** Receipts of confirmed records, newest first. */
export async function recentReceipts(db: FieldDb = fieldDb(), limit = 50): Promise<Receipt[]> {
  // By index: the phone keeps a receipt for every record it ever sent.
  return latestReceipts(db, limit)
}

export async function receiptOf(db: FieldDb, recordId: string): Promise<Receipt | null> {
  const row = await db.syncMeta.get(RECEIPT_PREFIX + recordId)
  return (row?.value as Receipt | undefined) ?? null
}

/** Station time (ISO) of the last applied pull page, null before the first. */
export async function lastPullAt(db: FieldDb = fieldDb()): Promise<string | null> {
  const row = await db.syncMeta.get(META_KEYS.lastPullServerTime)
  return typeof row?.value === 'string' ? row.value : null
}

// Receipts read by the station time of their confirmation: the value.receivedAt index (Dexie
// version 5) answers "the newest" and "those after the totals" without reading every receipt on
// the phone (one per record ever confirmed: a year of a busy phone is 100,000 of them).
/** The index over syncMeta rows whose value is a receipt (other rows have no receivedAt). */
export const RECEIPT_TIME_INDEX = 'value.receivedAt'

const isReceipt = (row: { key: string }): boolean => row.key.startsWith(RECEIPT_PREFIX)

/**
 * Receipts the station confirmed after `after` (its clock, ISO), or every receipt when `after`
 * is null or unreadable. Read by index from a second before `after`: an ISO string written
 * without milliseconds sorts apart from one written with them, so the exact comparison is made
 * on the parsed times.
 */
export async function receiptsConfirmedAfter(db: FieldDb, after: string | null): Promise<Receipt[]> {
  const t = after === null ? NaN : Date.parse(after)
  const rows = Number.isNaN(t)
    ? await db.syncMeta.where('key').startsWith(RECEIPT_PREFIX).toArray()
    : await db.syncMeta
        .where(RECEIPT_TIME_INDEX)
        .above(new Date(t - 1000).toISOString())
        .filter(isReceipt)
        .toArray()
  return rows.map((r) => r.value as Receipt)
}

const time = (r: Receipt): number => Date.parse(r.receivedAt) || 0

/** The newest receipts, newest first (ties: the later sequence first). */
export async function latestReceipts(db: FieldDb, limit: number): Promise<Receipt[]> {
  // The index sorts strings: the limit-th newest by it, then everything from a second before it
  // (where times with and without milliseconds may sort apart), ordered by the parsed time.
  const head = await db.syncMeta.orderBy(RECEIPT_TIME_INDEX).reverse().filter(isReceipt).limit(limit).toArray()
  const last = head.at(-1)?.value as Receipt | undefined
  const rows =
    last && head.length === limit
      ? await db.syncMeta
          .where(RECEIPT_TIME_INDEX)
          .above(new Date(time(last) - 1000).toISOString())
          .filter(isReceipt)
          .toArray()
      : head
  return rows
    .map((r) => r.value as Receipt)
    .sort((a, b) => time(b) - time(a) || b.seq - a.seq)
    .slice(0, limit)
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
