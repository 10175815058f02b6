// PIPL: a donor's name, ID number and phone stay on the phone only as long as the drive needs
// them. Once the station confirmed a donor_identity record, and a set number of days have passed
// by the station's clock, those fields are blanked on the phone. The donorKey stays, which is all
// the drive screens, tallies and eligibility checks use. A correction of an identity (a corrected
// name or number) carries the same fields and is blanked by the same rule.
import type { FieldDb } from '../db'
import { purgeDrafts } from '../db/drafts'
import { allReceipts, META_KEYS, PURGE_AFTER_DAYS, receiptRow } from '../db/sync-meta'
import type { SyncMeta } from './ports'

const DAY_MS = 86_400_000

export interface PurgeOptions {
  afterDays?: number
  /** The phone's clock now; corrected by the last known station offset. */
  phoneNow?: Date
}

/** The station's time as the phone best knows it (phone clock + offset seen at the last pull). */
export function stationNow(meta: Pick<SyncMeta, 'serverClockOffsetMs'>, phoneNow = new Date()): Date {
  return new Date(phoneNow.getTime() + (meta.serverClockOffsetMs ?? 0))
}

/** Blank personal fields of confirmed donor identities older than the limit; returns how many. */
export async function purgeConfirmedIdentities(db: FieldDb, opts: PurgeOptions = {}): Promise<number> {
  const afterDays = opts.afterDays ?? PURGE_AFTER_DAYS
  return db.transaction('rw', [db.syncMeta, db.donorIdentities, db.corrections, db.outbox], async () => {
    const meta = (await db.syncMeta.get(META_KEYS.sync))?.value as Partial<SyncMeta> | undefined
    const now = stationNow({ serverClockOffsetMs: meta?.serverClockOffsetMs ?? null }, opts.phoneNow)
    const cutoff = new Date(now.getTime() - afterDays * DAY_MS).toISOString()
    const receipts = (await allReceipts(db)).filter(
      (r) =>
        (r.recordType === 'donor_identity' || r.recordType === 'correction') &&
        !r.purgedAt &&
        Date.parse(r.receivedAt) <= Date.parse(cutoff),
    )
    let purged = 0
    for (const receipt of receipts) {
      // A record queued again (sent again after a refusal) is not confirmed in its latest form.
      if ((await db.outbox.where('recordId').equals(receipt.recordId).count()) > 0) continue
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

/**
 * Donor form drafts hold a name and an ID number but are never sent, so nothing confirms them:
 * they go after the same number of days without a touch (by the phone's clock, which wrote their
 * time), and at once when their drive is closed. Returns how many went.
 */
export async function purgeStaleDrafts(db: FieldDb, opts: PurgeOptions = {}): Promise<number> {
  const afterDays = opts.afterDays ?? PURGE_AFTER_DAYS
  const now = opts.phoneNow ?? new Date()
  return purgeDrafts(db, now.getTime() - afterDays * DAY_MS)
}
