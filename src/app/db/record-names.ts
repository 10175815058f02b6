// Names the sync screen shows for records: the donor's name while the identity is on the phone
// (purged identities have none), and the drive and site a bag-number clash points at.
import type { Drive, FieldRecord, FieldRecordType } from '../../domain/records'
import type { DinClash } from '../../domain/sync-protocol'
import { nextFreeDin } from '../field/din-check'
import { dinUsesInRange } from './field-records'
import { fieldDb, type FieldDb } from './index'
import { RECORD_TABLE } from './schema'

/** Donor keys whose names would help tell these records apart. */
export function donorKeysOf(records: unknown[]): string[] {
  const keys = new Set<string>()
  for (const record of records) {
    const r = record as FieldRecord | null
    if (!r || typeof r !== 'object') continue
    if (r.type === 'donation' || r.type === 'deferral') keys.add(r.donorKey)
    if (r.type === 'correction') keys.add(r.replacement.donorKey)
  }
  return [...keys]
}

/** donorKey → name of the newest identity on the phone that still holds one. */
export async function donorNames(donorKeys: string[], db: FieldDb = fieldDb()): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  if (donorKeys.length === 0) return names
  const rows = await db.donorIdentities.where('donorKey').anyOf(donorKeys).toArray()
  // Ids are UUIDv7: the later id is the newer identity.
  rows.sort((a, b) => (a.id < b.id ? -1 : 1))
  for (const r of rows) if (r.name) names.set(r.donorKey, r.name)
  return names
}

export interface ClashRecords {
  donors: Map<string, string>
  drives: Map<string, Drive>
  sites: Map<string, string>
  deviceId: string | null
}

/** What this phone knows of the donors, drives and sites that bag-number clashes name. */
export async function clashRecords(clashes: DinClash[], db: FieldDb = fieldDb()): Promise<ClashRecords> {
  const driveIds = [...new Set(clashes.flatMap((c) => (c.driveId ? [c.driveId] : [])))]
  const [donors, drives, device] = await Promise.all([
    donorNames([...new Set(clashes.flatMap((c) => (c.donorKey ? [c.donorKey] : [])))], db),
    db.drives.bulkGet(driveIds),
    db.device.get('device'),
  ])
  const driveMap = new Map<string, Drive>()
  for (const d of drives) if (d) driveMap.set(d.id, d)
  const siteIds = [
    ...new Set([
      ...clashes.flatMap((c) => (c.siteId ? [c.siteId] : [])),
      ...[...driveMap.values()].map((d) => d.siteId),
    ]),
  ]
  const siteRows = siteIds.length > 0 ? await db.sites.bulkGet(siteIds) : []
  const sites = new Map<string, string>()
  for (const row of siteRows) if (row) sites.set(row.key, row.value.name)
  return { donors, drives: driveMap, sites, deviceId: device?.deviceId ?? null }
}

/** The bag to offer when a refused donation's number is corrected: the next unused one of its drive. */
export async function suggestedDinFor(
  donation: { driveId: string | null },
  alsoTaken: string[] = [],
  db: FieldDb = fieldDb(),
): Promise<string | null> {
  if (!donation.driveId) return null
  const drive = await db.drives.get(donation.driveId)
  if (!drive) return null
  const uses = await dinUsesInRange(drive.dinFirst, drive.dinLast, db)
  return nextFreeDin(drive, [...uses.map((u) => u.din), ...alsoTaken])
}

/** The records behind receipts (the phone keeps what it sent), to name them on the screen. */
export async function receiptRecords(
  receipts: Array<{ recordId: string; recordType: FieldRecordType }>,
  db: FieldDb = fieldDb(),
): Promise<Map<string, FieldRecord>> {
  const found = new Map<string, FieldRecord>()
  const byTable = new Map<string, string[]>()
  for (const r of receipts) {
    const table = RECORD_TABLE[r.recordType]
    if (!table) continue
    byTable.set(table, [...(byTable.get(table) ?? []), r.recordId])
  }
  await Promise.all(
    [...byTable].map(async ([table, ids]) => {
      const rows = await (db[table as keyof typeof db] as FieldDb['donations']).bulkGet(ids)
      for (const row of rows) if (row) found.set(row.id, row as FieldRecord)
    }),
  )
  return found
}
