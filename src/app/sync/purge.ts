// PIPL: a donor's name, ID number and phone stay on the phone only as long as the drive needs
// them. Once the station confirmed a donor_identity record, and a set number of days have passed
// by the station's clock, those fields are blanked on the phone. The donorKey stays, which is all
// the drive screens, tallies and eligibility checks use. A correction of an identity (a corrected
// name or number) carries the same fields and is blanked by the same rule.
import type { FieldDb } from '../db'
import { purgeDrafts } from '../db/drafts'
import { blankConfirmedIdentities } from '../db/purge'
import { PURGE_AFTER_DAYS } from '../db/sync-meta'
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
  return blankConfirmedIdentities(db, (serverClockOffsetMs) => {
    const now = stationNow({ serverClockOffsetMs }, opts.phoneNow)
    return { now, cutoff: new Date(now.getTime() - afterDays * DAY_MS) }
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
