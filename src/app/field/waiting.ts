// One count of what waits on this phone, for every screen that says it (the sync badge, the
// phone's sync card, the progress screen's drive cards): records the crew wrote, not outbox
// entries. The donor identity saved beside each donation or deferral travels with it and is not
// counted apart: a fresh drive with three donors is 4 records waiting (the drive and the three
// donations or deferrals), on the badge and on the drive's card alike.
import type { FieldRecord, FieldRecordType } from '../../domain/records'

/** A record the crew counts as one thing to send: everything but the donor identity beside a donation or deferral. */
export function isWaitingRecord(type: FieldRecordType): boolean {
  return type !== 'donor_identity'
}

export interface WaitingCount {
  /** Waiting to be sent. */
  waiting: number
  /** Refused by the station; waits for a person in "needs attention". */
  refused: number
}

/**
 * Per drive: its records still on this phone only (one per record id, the newest outbox entry
 * standing), by the same rule as the sync badge. `driveOf` names the drive a record belongs to.
 */
export function waitingByDrive(
  entries: ReadonlyArray<{ recordId: string; record: FieldRecord; status: 'pending' | 'rejected' }>,
  driveOf: (record: FieldRecord) => string | null,
): Map<string, WaitingCount> {
  const state = new Map<string, { record: FieldRecord; status: 'pending' | 'rejected' }>()
  for (const e of entries) {
    if (!isWaitingRecord(e.record.type)) continue
    // A record re-queued after a refusal waits again: pending wins.
    if (state.get(e.recordId)?.status !== 'pending') state.set(e.recordId, { record: e.record, status: e.status })
  }
  const out = new Map<string, WaitingCount>()
  for (const { record, status } of state.values()) {
    const driveId = driveOf(record)
    if (!driveId) continue
    const count = out.get(driveId) ?? { waiting: 0, refused: 0 }
    if (status === 'pending') count.waiting++
    else count.refused++
    out.set(driveId, count)
  }
  return out
}
