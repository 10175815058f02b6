// The storage side of the PIPL purge (sync/purge.ts decides when): blanking a confirmed donor
// identity's personal fields, and the receipt that says it was done.
import type { FieldDb } from './index'
import { outboxCountOf } from './outbox'
import { allReceipts, receiptRow, serverClockOffset } from './sync-meta'

/**
 * Station time now and the confirmation time at or before which identities are blanked, from the
 * clock offset seen at the last pull (read in the purge's own transaction).
 */
export type PurgeClock = (serverClockOffsetMs: number | null) => { now: Date; cutoff: Date }

/**
 * Blanks name, ID number, phone (and a consent signature) of the donor identities and identity
 * corrections the station confirmed at or before the clock's cutoff and that are not queued again;
 * marks their receipts purged. Returns how many records were blanked.
 */
export async function blankConfirmedIdentities(db: FieldDb, clock: PurgeClock): Promise<number> {
  return db.transaction('rw', [db.syncMeta, db.donorIdentities, db.corrections, db.outbox], async () => {
    const { now, cutoff } = clock(await serverClockOffset(db))
    const receipts = (await allReceipts(db)).filter(
      (r) =>
        (r.recordType === 'donor_identity' || r.recordType === 'correction') &&
        !r.purgedAt &&
        Date.parse(r.receivedAt) <= cutoff.getTime(),
    )
    let purged = 0
    for (const receipt of receipts) {
      // A record queued again (sent again after a refusal) is not confirmed in its latest form.
      if ((await outboxCountOf(db, receipt.recordId)) > 0) continue
      const correction = receipt.recordType === 'correction' ? await db.corrections.get(receipt.recordId) : undefined
      if (correction?.replacement.type === 'donor_identity') {
        await db.corrections.put({
          ...correction,
          replacement: { ...correction.replacement, name: '', idNumber: '', phone: '' },
          purgedAt: now.toISOString(),
        } as typeof correction)
        purged++
      }
      const identity =
        receipt.recordType === 'donor_identity' ? await db.donorIdentities.get(receipt.recordId) : undefined
      if (identity) {
        // The consent signature is identity data too (schema 3): it goes with the name.
        const { consentSignature: _signature, ...rest } = identity as typeof identity & { consentSignature?: string }
        await db.donorIdentities.put({
          ...rest,
          name: '',
          idNumber: '',
          phone: '',
          purgedAt: now.toISOString(),
        } as typeof identity)
        purged++
      }
      await db.syncMeta.put(receiptRow({ ...receipt, purgedAt: now.toISOString() }))
    }
    return purged
  })
}
