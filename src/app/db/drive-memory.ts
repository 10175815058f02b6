// What the phone remembers for the next drive, read from the drives it holds (no extra storage):
// the last drive's bus, crew and leader, and the sites of recent drives.
import type { Drive } from '../../domain/records'
import { fieldDb, type FieldDb } from './index'

export interface DriveMemory {
  /** The newest drive opened on this phone. */
  lastDrive: Drive | null
  /** Whether it has been closed. */
  lastDriveClosed: boolean
  /** Sites of recent drives, newest first, each once. */
  recentSiteIds: string[]
}

export async function readDriveMemory(db: FieldDb = fieldDb(), recent = 20): Promise<DriveMemory> {
  const drives = await db.drives.orderBy('createdAt').reverse().limit(recent).toArray()
  const lastDrive = drives[0] ?? null
  const lastDriveClosed = lastDrive ? (await db.driveCloses.where('driveId').equals(lastDrive.id).count()) > 0 : false
  return { lastDrive, lastDriveClosed, recentSiteIds: [...new Set(drives.map((d) => d.siteId))] }
}
