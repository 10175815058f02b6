// The drives of this phone: the list, one drive with everything recorded on it, and their close
// times (what a new drive's bag range is checked against).
import type { IndicatorCounts } from '../../domain/indicators'
import type {
  AdverseReaction,
  Correction,
  Deferral,
  Donation,
  DonorIdentity,
  Drive,
  DriveClose,
  Void,
} from '../../domain/records'
import type { DriveOnPhone } from '../field/drive-open'
import { dinUsesInRange, type DinUse } from './field-records'
import { fieldDb, type FieldDb } from './index'
import { driveTallyKey, readTally } from './tallies'
import type { DriveCrewRow } from './schema'

export async function drivesOnPhone(db: FieldDb = fieldDb()): Promise<DriveOnPhone[]> {
  return db.transaction('r', db.drives, db.driveCloses, async () => {
    const [drives, closes] = await Promise.all([db.drives.toArray(), db.driveCloses.toArray()])
    const closedAt = new Map(closes.map((c) => [c.driveId, c.closedAt]))
    return drives.map((drive) => ({ drive, closedAt: closedAt.get(drive.id) ?? null }))
  })
}

export interface DriveSummaryRows {
  drive: Drive
  close: DriveClose | null
  tally: IndicatorCounts
}

/** The newest drives of this phone (by creation), each with its close and running tally. */
export async function recentDrives(limit = 60, db: FieldDb = fieldDb()): Promise<DriveSummaryRows[]> {
  const all = await db.drives.orderBy('createdAt').reverse().limit(limit).toArray()
  return Promise.all(
    all.map(async (d) => ({
      drive: d,
      close: (await db.driveCloses.where('driveId').equals(d.id).first()) ?? null,
      tally: await readTally(driveTallyKey(d.id), db),
    })),
  )
}

/** One drive and every record that hangs on it, as stored (the drive store builds its entries). */
export interface DriveRecords {
  drive: Drive
  donations: Donation[]
  deferrals: Deferral[]
  close: DriveClose | null
  tally: IndicatorCounts
  voids: Void[]
  /** Corrections of the drive's donations and deferrals. */
  corrections: Correction[]
  reactions: AdverseReaction[]
  /** Identities of the drive's donors (every version). */
  identities: DonorIdentity[]
  /** Corrections of those identities. */
  identityFixes: Correction[]
  /** Bag numbers of the drive's range used anywhere on the phone. */
  dinUses: DinUse[]
  /** Several phones on the drive (issue 14): this phone's crew row, null for a drive of one phone. */
  crew: DriveCrewRow | null
}

/** Reads the drive and everything on it in a fixed number of queries, whatever its size; null if unknown. */
export async function readDriveRecords(driveId: string, db: FieldDb = fieldDb()): Promise<DriveRecords | null> {
  // The drive and what hangs on it by its id in one round (a cold start waits on each round).
  const [row, donations, deferrals, closeRow, tally, crew] = await Promise.all([
    db.drives.get(driveId),
    db.donations.where('driveId').equals(driveId).toArray(),
    db.deferrals.where('driveId').equals(driveId).toArray(),
    db.driveCloses.where('driveId').equals(driveId).first(),
    readTally(driveTallyKey(driveId), db),
    db.driveCrew.get(driveId),
  ])
  if (!row) return null
  const ids = [...donations, ...deferrals].map((o) => o.id)
  const any = <T>(query: () => Promise<T[]>): Promise<T[]> => (ids.length > 0 ? query() : Promise.resolve([]))
  const [voids, corrections, reactions, identities, dinUses] = await Promise.all([
    any(() => db.voids.where('targetId').anyOf(ids).toArray()),
    any(() => db.corrections.where('targetId').anyOf(ids).toArray()),
    any(() =>
      db.adverseReactions
        .where('donationId')
        .anyOf(donations.map((d) => d.id))
        .toArray(),
    ),
    any(() =>
      db.donorIdentities
        .where('donorKey')
        .anyOf([...new Set([...donations, ...deferrals].map((o) => o.donorKey))])
        .toArray(),
    ),
    dinUsesInRange(row.dinFirst, row.dinLast, db),
  ])
  // Corrected names and numbers: one more read, only when there are identities.
  const identityFixes =
    identities.length > 0
      ? await db.corrections
          .where('targetId')
          .anyOf(identities.map((i) => i.id))
          .toArray()
      : []
  return {
    drive: row,
    donations,
    deferrals,
    close: closeRow ?? null,
    tally,
    crew: crew ?? null,
    voids,
    corrections,
    reactions,
    identities,
    identityFixes,
    dinUses,
  }
}
