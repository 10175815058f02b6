// What staff can do with a record the station refused ("needs attention"). Nothing is edited in
// place: a void or a correction is a new record (saved through the field app's saveFieldRecords,
// with its rules and tallies), and every decision is kept with who, when and why.
//
// The station never stored a refused record, so it cannot take a void or a correction pointing
// at it (it would answer unknown_reference). Hence:
// - void: the void is kept on the phone (tallies drop the record) and nothing goes to the station;
// - fix and resend: the fixed version goes to the station under the record's own id (the station
//   has nothing under it), followed by the correction that says who fixed it and why;
// - send again: the same record is queued again, for refusals that something else has since fixed
//   (a drive that arrived later, a staff member added to the roster).
import { newId } from '../../domain/ids'
import type { Correction, Deferral, Donation, FieldRecord, Void } from '../../domain/records'
import type { FieldDb, OutboxRow } from '../db'
import { saveFieldRecords } from '../db/field-records'
import { changeOutbox, dropFromOutbox, outboxRow, rejectedRows, requeue } from '../db/outbox'
import { type Resolution, saveResolution, storedResolutions } from '../db/sync-meta'

export type { Resolution }

export class AttentionError extends Error {
  constructor(
    readonly code: 'not_rejected' | 'not_voidable' | 'not_correctable',
    message: string,
  ) {
    super(message)
    this.name = 'AttentionError'
  }
}

export interface Actor {
  staffId: string
  /** ISO 8601 with offset. */
  now?: string
}

const VOIDABLE = new Set(['donation', 'deferral', 'adverse_reaction', 'donor_identity'])

async function rejectedEntry(db: FieldDb, seq: number): Promise<OutboxRow> {
  const row = await outboxRow(db, seq)
  if (!row || row.status !== 'rejected')
    throw new AttentionError('not_rejected', 'this record is not waiting for attention')
  return row
}

function authorship(entry: OutboxRow, actor: Actor) {
  const rec = entry.record as FieldRecord
  return {
    id: newId(),
    stationId: rec.stationId,
    deviceId: rec.deviceId,
    authorStaffId: actor.staffId,
    createdAt: actor.now ?? localIso(),
  }
}

async function remember(
  db: FieldDb,
  entry: OutboxRow,
  r: Omit<Resolution, 'recordId' | 'recordType' | 'code' | 'message'>,
): Promise<void> {
  const value: Resolution = {
    recordId: entry.recordId,
    recordType: entry.recordType,
    code: entry.rejectCode ?? null,
    message: entry.lastError,
    ...r,
  }
  await saveResolution(db, value)
}

/** Refused records that point at `recordId` because it was missing: they go again behind it. */
async function requeueDependents(db: FieldDb, recordId: string): Promise<number> {
  const dependents = (await rejectedRows(db))
    .filter((e) => e.rejectCode === 'unknown_reference' && pointsAt(e.record as FieldRecord, recordId))
    .sort((a, b) => a.seq! - b.seq!)
  for (const e of dependents) await requeue(db, e.seq!, e.record as FieldRecord)
  return dependents.length
}

function pointsAt(rec: FieldRecord, id: string): boolean {
  switch (rec.type) {
    case 'donation':
    case 'deferral':
      return rec.driveId === id
    case 'drive_close':
      return rec.driveId === id
    case 'adverse_reaction':
      return rec.donationId === id
    case 'void':
    case 'correction':
      return rec.targetId === id
    default:
      return false
  }
}

/** Void a refused record: a void record on the phone; the refused entry leaves the queue. */
export async function voidRejected(db: FieldDb, seq: number, reason: string, actor: Actor): Promise<Void> {
  return changeOutbox(db, async () => {
    const entry = await rejectedEntry(db, seq)
    if (!VOIDABLE.has(entry.recordType))
      throw new AttentionError('not_voidable', `a ${entry.recordType} cannot be voided`)
    const record: Void = { type: 'void', ...authorship(entry, actor), targetId: entry.recordId, reason }
    const [saved] = await saveFieldRecords([record], db)
    // The station never had the target, so it would refuse the void: it stays on the phone.
    await dropFromOutbox(db, saved!.seq)
    await dropFromOutbox(db, seq)
    await remember(db, entry, {
      how: 'voided',
      resolutionRecordId: record.id,
      staffId: actor.staffId,
      reason,
      at: record.createdAt,
    })
    return record
  })
}

/**
 * Fix a refused donation or deferral: the fixed version is queued under the record's id, then a
 * correction (who, when, why) behind it; records that were refused for want of it follow.
 */
export async function fixAndResend(
  db: FieldDb,
  seq: number,
  replacement: Donation | Deferral,
  reason: string,
  actor: Actor,
): Promise<Correction> {
  return changeOutbox(db, async () => {
    const entry = await rejectedEntry(db, seq)
    if (
      (entry.recordType !== 'donation' && entry.recordType !== 'deferral') ||
      replacement.type !== entry.recordType ||
      replacement.id !== entry.recordId
    ) {
      throw new AttentionError(
        'not_correctable',
        'only a refused donation or deferral can be fixed, with the same kind and id',
      )
    }
    await requeue(db, seq, replacement)
    const correction: Correction = {
      type: 'correction',
      ...authorship(entry, actor),
      targetId: entry.recordId,
      reason,
      replacement,
    }
    await saveFieldRecords([correction], db)
    await requeueDependents(db, entry.recordId)
    await remember(db, entry, {
      how: 'fixed',
      resolutionRecordId: correction.id,
      staffId: actor.staffId,
      reason,
      at: correction.createdAt,
    })
    return correction
  })
}

/** Queue the same record again (behind everything waiting), and what was refused for want of it. */
export async function sendAgain(db: FieldDb, seq: number, actor: Actor, reason = ''): Promise<void> {
  await changeOutbox(db, async () => {
    const entry = await rejectedEntry(db, seq)
    await requeue(db, seq, entry.record as FieldRecord)
    await requeueDependents(db, entry.recordId)
    await remember(db, entry, {
      how: 'sent_again',
      resolutionRecordId: null,
      staffId: actor.staffId,
      reason,
      at: actor.now ?? localIso(),
    })
  })
}

/**
 * Take a refused record that cannot be voided (a drive, a drive close, a void or a correction) out
 * of the queue with a reason; the record itself stays on the phone and in the export.
 */
export async function setAside(db: FieldDb, seq: number, reason: string, actor: Actor): Promise<void> {
  await changeOutbox(db, async () => {
    const entry = await rejectedEntry(db, seq)
    if (VOIDABLE.has(entry.recordType))
      throw new AttentionError('not_voidable', 'void this record instead, so the phone stops counting it')
    await dropFromOutbox(db, seq)
    await remember(db, entry, {
      how: 'set_aside',
      resolutionRecordId: null,
      staffId: actor.staffId,
      reason,
      at: actor.now ?? localIso(),
    })
  })
}

export async function resolutions(db: FieldDb): Promise<Resolution[]> {
  return (await storedResolutions(db)).sort((a, b) => (a.at < b.at ? 1 : -1))
}

/** Now as ISO 8601 with the phone's offset (records carry local time with offset). */
export function localIso(date = new Date()): string {
  const off = -date.getTimezoneOffset()
  const sign = off >= 0 ? '+' : '-'
  const abs = Math.abs(off)
  const local = new Date(date.getTime() + off * 60_000).toISOString().slice(0, 23)
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}
