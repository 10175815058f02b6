// The drives of this phone with their close time: what a new drive's bag range is checked against.
import type { DriveOnPhone } from '../field/drive-open'
import { fieldDb, type FieldDb } from './index'

export async function drivesOnPhone(db: FieldDb = fieldDb()): Promise<DriveOnPhone[]> {
  return db.transaction('r', db.drives, db.driveCloses, async () => {
    const [drives, closes] = await Promise.all([db.drives.toArray(), db.driveCloses.toArray()])
    const closedAt = new Map(closes.map((c) => [c.driveId, c.closedAt]))
    return drives.map((drive) => ({ drive, closedAt: closedAt.get(drive.id) ?? null }))
  })
}
