// Pure helpers over stored field records (no Dexie): the first screen uses them through the boot
// reads (db/boot-read.ts) and the drive store without loading the database library.
import type { Correction, Deferral, Donation, DonorIdentity } from '../../domain/records'

export const FIELD_RECORD_ERRORS = [
  'invalid_record',
  'unknown_drive',
  'drive_closed',
  'drive_already_closed',
  'duplicate_din',
  'unknown_target',
  'already_voided',
  'not_voidable',
  'not_correctable',
  'same_day_donation',
  'override_not_leader',
  'override_required',
] as const
export type FieldRecordErrorCode = (typeof FIELD_RECORD_ERRORS)[number]

/** A record the phone refuses to store; `code` maps to a message in the user's language. */
export class FieldRecordError extends Error {
  constructor(
    readonly code: FieldRecordErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'FieldRecordError'
  }
}

/** The running tally row of one drive. */
export const driveTallyKey = (driveId: string): string => `drive:${driveId}`

export function correctionsByTarget(corrections: Correction[]): Map<string, Correction[]> {
  const byTarget = new Map<string, Correction[]>()
  for (const c of corrections) {
    const list = byTarget.get(c.targetId)
    if (list) list.push(c)
    else byTarget.set(c.targetId, [c])
  }
  return byTarget
}

export function byCreation(a: Correction, b: Correction): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1
}

/** The newest of `corrections` (all of `rec`)'s replacement, or the record itself. */
export function newestVersion<T extends Donation | Deferral | DonorIdentity>(rec: T, corrections: Correction[]): T {
  const newest = [...corrections].sort(byCreation).at(-1)
  return (newest?.replacement as T | undefined) ?? rec
}

/** Where a bag number is used on this phone: the donation it belongs to and that donation's drive. */
export interface DinUse {
  din: string
  donationId: string
  driveId: string | null
}

/** The uses among these donations and corrections whose donation was not voided. */
export function liveUses(originals: Donation[], corrections: Correction[], voided: ReadonlySet<string>): DinUse[] {
  const uses: DinUse[] = []
  for (const o of originals) if (!voided.has(o.id)) uses.push({ din: o.din, donationId: o.id, driveId: o.driveId })
  for (const c of corrections) {
    if (c.replacement.type !== 'donation' || voided.has(c.targetId)) continue
    uses.push({ din: c.replacement.din, donationId: c.targetId, driveId: c.replacement.driveId })
  }
  return uses
}
