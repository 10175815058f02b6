// The crew rows of a drive worked by several phones (schema.ts, DriveCrewRow).
import type { CrewPart, CrewReport } from '../../domain/drive-crew'
import type { Drive } from '../../domain/records'
import { saveFieldRecord } from './field-records'
import { fieldDb, type FieldDb } from './index'
import type { DriveCrewRow } from './schema'

export async function readDriveCrew(driveId: string, db: FieldDb = fieldDb()): Promise<DriveCrewRow | null> {
  return (await db.driveCrew.get(driveId)) ?? null
}

function leaderRow(driveId: string, leaderDeviceId: string): DriveCrewRow {
  return { driveId, role: 'leader', own: null, leaderDeviceId, handedOut: [], reports: [], reportedAt: null }
}

/**
 * The leader's phone records a block handed out, in one transaction with the check that the phone
 * holds none yet and the block overlaps none handed before (a second tap or a stale screen).
 */
export async function recordHandOut(
  driveId: string,
  leaderDeviceId: string,
  part: CrewPart,
  db: FieldDb = fieldDb(),
): Promise<DriveCrewRow> {
  return db.transaction('rw', db.driveCrew, async () => {
    const row = (await db.driveCrew.get(driveId)) ?? leaderRow(driveId, leaderDeviceId)
    if (row.role !== 'leader') throw new Error('only the leader’s phone hands out bags')
    // Bodies of one series sort by sequence.
    if (
      row.handedOut.some(
        (p) => p.deviceId === part.deviceId || (p.dinFirst <= part.dinLast && part.dinFirst <= p.dinLast),
      )
    )
      throw new Error('this block was handed out already')
    const next = { ...row, handedOut: [...row.handedOut, part] }
    await db.driveCrew.put(next)
    return next
  })
}

/** The leader's phone keeps a phone's report (the newest report of a phone replaces its older one). */
export async function recordReport(
  driveId: string,
  leaderDeviceId: string,
  report: CrewReport,
  db: FieldDb = fieldDb(),
): Promise<DriveCrewRow> {
  return db.transaction('rw', db.driveCrew, async () => {
    const row = (await db.driveCrew.get(driveId)) ?? leaderRow(driveId, leaderDeviceId)
    const next = { ...row, reports: [...row.reports.filter((r) => r.deviceId !== report.deviceId), report] }
    await db.driveCrew.put(next)
    return next
  })
}

/**
 * A joining phone takes the leader's drive (the same record, queued like its own so the station
 * learns the drive from whichever phone syncs first) and its block, in one go.
 */
export async function joinDrive(
  drive: Drive,
  own: CrewPart,
  leaderDeviceId: string,
  db: FieldDb = fieldDb(),
): Promise<void> {
  if (await db.drives.get(drive.id)) throw new Error('already_here')
  await db.driveCrew.put({
    driveId: drive.id,
    role: 'member',
    own,
    leaderDeviceId,
    handedOut: [],
    reports: [],
    reportedAt: null,
  })
  try {
    await saveFieldRecord(drive, db)
  } catch (e) {
    await db.driveCrew.delete(drive.id)
    throw e
  }
}

export async function markReported(driveId: string, db: FieldDb = fieldDb()): Promise<void> {
  await db.driveCrew.update(driveId, { reportedAt: new Date().toISOString() })
}
