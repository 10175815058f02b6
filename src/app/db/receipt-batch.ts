// A push batch's receipts as one row (Dexie version 14's receiptBatches) and back: pure, so the
// schema's upgrade and the settle build the same rows. sync-meta.ts reads them.
import type { FieldRecordType } from '../../domain/records'
import type { ReceiptBatchRow } from './schema'

/** Before Dexie version 14: one receipt per confirmed record, under `receipt:<recordId>` in syncMeta. */
export const RECEIPT_PREFIX = 'receipt:'

/** The station's receipt of one confirmed record, as the readers see it (one entry of a batch row). */
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

/** Records whose receipts the purge looks at (their personal fields are blanked in time). */
const PURGED_TYPES: ReadonlySet<FieldRecordType> = new Set(['donor_identity', 'correction'])

/** A receipt time as a number that sorts right; one that does not parse counts as newest. */
function stationMs(receivedAt: string): number {
  const t = Date.parse(receivedAt)
  return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t
}

/**
 * The receipts of a batch, as its own columns: one row a settled batch, however many records it
 * holds. Written by the settle that removes the batch's outbox entries, in the same transaction.
 */
export function receiptBatchRow(receipts: readonly Receipt[], settledAt: string): ReceiptBatchRow {
  const times: string[] = []
  const timeIndex = new Map<string, number>()
  const row: ReceiptBatchRow = {
    firstSeq: Infinity,
    lastSeq: -Infinity,
    newestAt: -Infinity,
    settledAt,
    times,
    recordIds: [],
    recordTypes: [],
    mutationIds: [],
    seqs: [],
    timeOf: [],
    duplicates: [],
  }
  for (const [i, r] of receipts.entries()) {
    let at = timeIndex.get(r.receivedAt)
    if (at === undefined) {
      at = times.push(r.receivedAt) - 1
      timeIndex.set(r.receivedAt, at)
      row.newestAt = Math.max(row.newestAt, stationMs(r.receivedAt))
    }
    row.firstSeq = Math.min(row.firstSeq, r.seq)
    row.lastSeq = Math.max(row.lastSeq, r.seq)
    row.recordIds.push(r.recordId)
    row.recordTypes.push(r.recordType)
    row.mutationIds.push(r.mutationId)
    row.seqs.push(r.seq)
    row.timeOf.push(at)
    if (r.status === 'duplicate') row.duplicates.push(i)
    if (r.purgedAt) (row.purged ??= {})[r.recordId] = r.purgedAt
  }
  return withPurgeDue(row)
}

/** Sets purgeDueAt from the batch's identities and corrections not purged yet (absent: none). */
export function withPurgeDue(row: ReceiptBatchRow): ReceiptBatchRow {
  let due = Infinity
  for (const [i, type] of row.recordTypes.entries()) {
    if (PURGED_TYPES.has(type) && !row.purged?.[row.recordIds[i]!])
      due = Math.min(due, stationMs(row.times[row.timeOf[i]!]!))
  }
  if (due === Infinity) delete row.purgeDueAt
  else row.purgeDueAt = due
  return row
}

/** The receipts a batch row holds, in the order settled. */
export function receiptsOfBatch(row: ReceiptBatchRow): Receipt[] {
  const duplicate = new Set(row.duplicates)
  return row.recordIds.map((recordId, i) => {
    const purgedAt = row.purged?.[recordId]
    return {
      recordId,
      recordType: row.recordTypes[i]!,
      seq: row.seqs[i]!,
      mutationId: row.mutationIds[i]!,
      status: duplicate.has(i) ? 'duplicate' : 'applied',
      receivedAt: row.times[row.timeOf[i]!]!,
      settledAt: row.settledAt,
      ...(purgedAt ? { purgedAt } : {}),
    }
  })
}
