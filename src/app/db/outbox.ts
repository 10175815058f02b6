// The outbox: records waiting for the station server. `seq` (auto-increment) is the device's
// push sequence number. Entries leave only when the server confirmed them (the sync layer).
import { fieldDb, type FieldDb } from './index'
import { isWaitingRecord } from '../field/waiting'

export interface OutboxSummary {
  /** Records waiting to be sent, counted as the crew counts them (field/waiting.ts). */
  pending: number
  rejected: number
  /** ms since epoch of the oldest entry still waiting (pending or rejected), null when empty. */
  oldestCreatedAt: number | null
}

export async function outboxSummary(db: FieldDb = fieldDb()): Promise<OutboxSummary> {
  return db.transaction('r', db.outbox, async () => {
    const [pending, rejected, oldest] = await Promise.all([
      db.outbox
        .where('status')
        .equals('pending')
        .filter((e) => isWaitingRecord(e.recordType))
        .count(),
      db.outbox.where('status').equals('rejected').count(),
      db.outbox.orderBy('createdAt').first(),
    ])
    return { pending, rejected, oldestCreatedAt: oldest?.createdAt ?? null }
  })
}
