// The storage side of the PIPL purge (sync/purge.ts decides when): blanking a confirmed donor
// identity's personal fields, and the receipt that says it was done.
import type { FieldDb } from './index'
import { outboxCountOf } from './outbox'
import { receiptsOfBatch, serverClockOffset, withPurgeDue } from './sync-meta'

/**
 * Station time now and the confirmation time at or before which identities are blanked, from the
 * clock offset seen at the last pull (read in the purge's own transaction).
 */
export type PurgeClock = (serverClockOffsetMs: number | null) => { now: Date; cutoff: Date }

/**
 * Blanks name, ID number, phone (and a consent signature) of the donor identities and identity
 * corrections the station confirmed at or before the clock's cutoff and that are not queued again;
 * marks their receipts purged. Returns how many records were blanked. Reads only the receipt
 * batches that still hold an identity or correction due (their purgeDueAt index), never every receipt.
 */
export async function blankConfirmedIdentities(db: FieldDb, clock: PurgeClock): Promise<number> {
  return db.transaction(
    'rw',
    [db.syncMeta, db.receiptBatches, db.donorIdentities, db.corrections, db.outbox],
    async () => {
      const { now, cutoff } = clock(await serverClockOffset(db))
      const stamp = now.toISOString()
      const batches = await db.receiptBatches.where('purgeDueAt').belowOrEqual(cutoff.getTime()).toArray()
      let purged = 0
      // A record confirmed twice is in two batches: blanked once, both receipts marked.
      const done = new Set<string>()
      for (const batch of batches) {
        const due = receiptsOfBatch(batch).filter(
          (r) =>
            (r.recordType === 'donor_identity' || r.recordType === 'correction') &&
            !r.purgedAt &&
            Date.parse(r.receivedAt) <= cutoff.getTime(),
        )
        let marked = false
        for (const receipt of due) {
          // A record queued again (sent again after a refusal) is not confirmed in its latest form.
          if (!done.has(receipt.recordId) && (await outboxCountOf(db, receipt.recordId)) > 0) continue
          const first = !done.has(receipt.recordId)
          done.add(receipt.recordId)
          const correction =
            first && receipt.recordType === 'correction' ? await db.corrections.get(receipt.recordId) : undefined
          if (correction?.replacement.type === 'donor_identity') {
            await db.corrections.put({
              ...correction,
              replacement: { ...correction.replacement, name: '', idNumber: '', phone: '' },
              purgedAt: stamp,
            } as typeof correction)
            purged++
          }
          const identity =
            first && receipt.recordType === 'donor_identity'
              ? await db.donorIdentities.get(receipt.recordId)
              : undefined
          if (identity) {
            // The consent signature is identity data too (schema 3): it goes with the name.
            const { consentSignature: _signature, ...rest } = identity as typeof identity & {
              consentSignature?: string
            }
            await db.donorIdentities.put({
              ...rest,
              name: '',
              idNumber: '',
              phone: '',
              purgedAt: stamp,
            } as typeof identity)
            purged++
          }
          ;(batch.purged ??= {})[receipt.recordId] = stamp
          marked = true
        }
        if (marked) await db.receiptBatches.put(withPurgeDue(batch))
      }
      return purged
    },
  )
}
