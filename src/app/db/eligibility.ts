// A donor as this phone knows them: the station's eligibility snapshot (as of the last pull) and
// the donations recorded here, with which of them are voided or still queued.
import type { Donation } from '../../domain/records'
import type { EligibilityEntry } from '../../domain/sync-protocol'
import { fieldDb, type FieldDb } from './index'
import { META_KEYS } from './sync-meta'

export interface DonorOnPhone {
  /** The station's snapshot row, undefined when the station did not know the donor at the last pull. */
  snapshot: EligibilityEntry | undefined
  donations: Donation[]
  /** Ids of those donations that were voided. */
  voided: Set<string>
  /** Ids of those donations still in the outbox (not yet in any snapshot). */
  queued: Set<string>
  /** The station's donor snapshots are still downloading (a new phone): a missing donor proves nothing. */
  historyIncomplete: boolean
}

export async function donorOnPhone(donorKey: string, db: FieldDb = fieldDb()): Promise<DonorOnPhone> {
  const [row, donations, downloading] = await Promise.all([
    db.eligibility.where('value.donorKey').equals(donorKey).first(),
    db.donations.where('donorKey').equals(donorKey).toArray(),
    db.syncMeta.get(META_KEYS.historyIncomplete),
  ])
  const ids = donations.map((d) => d.id)
  const [voids, queued] = await Promise.all([
    db.voids.where('targetId').anyOf(ids).toArray(),
    db.outbox.where('recordId').anyOf(ids).toArray(),
  ])
  return {
    snapshot: row?.value,
    donations,
    voided: new Set(voids.map((v) => v.targetId)),
    queued: new Set(queued.map((e) => e.recordId)),
    historyIncomplete: downloading?.value === true,
  }
}
