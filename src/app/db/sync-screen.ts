// What the sync screen lists, each read in one go so a live query re-runs it whole: the outbox with
// what names its records, and the latest receipts with the records behind them.
import type { Donation, FieldRecord } from '../../domain/records'
import { fieldDb, type FieldDb } from './index'
import {
  clashRecords,
  type ClashRecords,
  donorKeysOf,
  donorNames,
  receiptRecords,
  suggestedDinFor,
} from './record-names'
import type { OutboxRow } from './schema'
import { type Receipt, recentReceipts } from './sync-meta'

export interface OutboxView {
  /** Every outbox row, by seq. */
  rows: OutboxRow[]
  /** donorKey → name, while the identity is on the phone. */
  donors: Map<string, string>
  /** For refused bag numbers: the donor, drive and site that hold them; null before the first read. */
  known: ClashRecords | null
  /** seq → the next unused bag to offer, for donations refused as duplicate_din. */
  suggestions: Map<number, string | null>
}

export const EMPTY_OUTBOX_VIEW: OutboxView = { rows: [], donors: new Map(), known: null, suggestions: new Map() }

export async function readOutboxView(db: FieldDb = fieldDb()): Promise<OutboxView> {
  const rows = await db.outbox.orderBy('seq').toArray()
  const clashes = rows.flatMap((r) => (r.status === 'rejected' && r.rejectClash ? [r.rejectClash] : []))
  const [donors, known, suggestions] = await Promise.all([
    donorNames(donorKeysOf(rows.map((r) => r.record)), db),
    clashRecords(clashes, db),
    Promise.all(
      rows
        .filter((r) => r.status === 'rejected' && r.rejectCode === 'duplicate_din' && r.recordType === 'donation')
        .map(
          async (r) => [r.seq!, await suggestedDinFor(r.record as Donation, [(r.record as Donation).din], db)] as const,
        ),
    ),
  ])
  return { rows, donors, known, suggestions: new Map(suggestions) }
}

export interface ReceiptsView {
  /** Newest first. */
  list: Receipt[]
  /** recordId → the record the phone sent. */
  records: Map<string, FieldRecord>
  donors: Map<string, string>
}

export const EMPTY_RECEIPTS_VIEW: ReceiptsView = { list: [], records: new Map(), donors: new Map() }

export async function readReceiptsView(db: FieldDb = fieldDb(), limit = 30): Promise<ReceiptsView> {
  const list = await recentReceipts(db, limit)
  const records = await receiptRecords(list, db)
  const donors = await donorNames(donorKeysOf([...records.values()]), db)
  return { list, records, donors }
}
