// The outbox: records waiting for the station server. `seq` (auto-increment) is the device's
// push sequence number. Entries leave only when the server confirmed them (the sync layer).
import { newId } from '../../domain/ids'
import type { FieldRecord } from '../../domain/records'
import { fieldDb, type FieldDb, type OutboxRow } from './index'
import { isWaitingRecord } from '../field/waiting'
import { withFamilyChange } from './progress-delta'

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

/** A record's entry at the back of the queue: pending, never tried, a new mutation id. */
export function outboxEntry(record: FieldRecord): OutboxRow {
  return {
    mutationId: newId(),
    recordId: record.id,
    recordType: record.type,
    record,
    createdAt: Date.now(),
    attempts: 0,
    lastAttemptAt: null,
    lastError: null,
    status: 'pending',
  }
}

/**
 * Runs `work` in one read-write transaction over every table, so a field save it makes (whatever
 * that touches) nests in it and the queue changes commit with it or not at all.
 */
export function changeOutbox<T>(db: FieldDb, work: () => Promise<T>): Promise<T> {
  return db.transaction('rw', db.tables, work)
}

/** The entry under `seq`, undefined once it left the queue. */
export function outboxRow(db: FieldDb, seq: number): Promise<OutboxRow | undefined> {
  return db.outbox.get(seq)
}

/** Every entry the station refused (status rejected). */
export function rejectedRows(db: FieldDb): Promise<OutboxRow[]> {
  return db.outbox.where('status').equals('rejected').toArray()
}

/** How many entries wait for `recordId` (a record sent again after a refusal counts). */
export function outboxCountOf(db: FieldDb, recordId: string): Promise<number> {
  return db.outbox.where('recordId').equals(recordId).count()
}

/** Every entry in the queue, of any status (the push's "still to send" figure). */
export function outboxCount(db: FieldDb = fieldDb()): Promise<number> {
  return db.outbox.count()
}

/** Every entry in the order it was queued. */
export function outboxInOrder(db: FieldDb = fieldDb()): Promise<OutboxRow[]> {
  return db.outbox.orderBy('seq').toArray()
}

/**
 * Takes the entry `seq` out of the queue (its record stays on the phone). What progress adds
 * changes with it (a refused record no longer waits): inside changeOutbox's transaction.
 */
export async function dropFromOutbox(db: FieldDb, seq: number): Promise<void> {
  const row = await db.outbox.get(seq)
  await withFamilyChange(db, row?.record ? [row.record] : [], () => db.outbox.delete(seq))
}

/** Takes the entry `seq` out and queues `record` again behind everything waiting (changeOutbox's transaction). */
export async function requeue(db: FieldDb, seq: number, record: FieldRecord): Promise<void> {
  const row = await db.outbox.get(seq)
  await withFamilyChange(db, row?.record ? [row.record, record] : [record], async () => {
    await db.outbox.delete(seq)
    await db.outbox.add(outboxEntry(record))
  })
}
