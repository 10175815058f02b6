// What sync keeps in the syncMeta key/value table: the keys, the receipts of confirmed records,
// and typed reads of them. The one place these keys are spelled; sync/ and the stores import them.
import type { FieldRecordType } from '../../domain/records'
import { fieldDb, type FieldDb } from './index'
import type { ReferenceRow } from './schema'

/** syncMeta keys. */
export const META_KEYS = {
  pullCursor: 'pullCursor',
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
  return (await allReceipts(db))
    .sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : a.receivedAt > b.receivedAt ? -1 : b.seq - a.seq))
    .slice(0, limit)
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
