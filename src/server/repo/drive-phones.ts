// One drive worked by several phones (issue 14): the station counts it as one trip and shows each
// phone's part: its donations and deferrals (not voided, as corrected), and the block of bags it
// held and used as the leader's close reported it.
import type { Donation, Deferral, Drive, DriveClose } from '../../domain/records'
import type { Db } from '../db/store'
import { Refusal } from './refusal'

export interface DrivePhonePart {
  deviceId: string
  /** The phone's name at the station (Phones page), null for a phone unknown to it. */
  name: string | null
  /** The phone that opened the drive. */
  leader: boolean
  donations: number
  deferrals: number
  /** From the close's crew list; null before the close or for a drive of one phone. */
  label: string | null
  dinFirst: string | null
  dinLast: string | null
  bagsLoaded: number | null
  bagsUsed: number | null
}

export interface DrivePhones {
  driveId: string
  busCode: string
  date: string
  closed: boolean
  phones: DrivePhonePart[]
}

export async function drivePhones(db: Db, stationId: string, driveId: string): Promise<DrivePhones> {
  const driveRow = await db
    .selectFrom('records')
    .select(['body'])
    .where('station_id', '=', stationId)
    .where('id', '=', driveId)
    .where('type', '=', 'drive')
    .executeTakeFirst()
  if (!driveRow) throw new Refusal('not_found', 'no drive with this id at this station')
  const drive = JSON.parse(driveRow.body) as Drive
  const rows = await db
    .selectFrom('records')
    .select(['body', 'effective_type'])
    .where('station_id', '=', stationId)
    .where('drive_id', '=', driveId)
    .where('type', 'in', ['donation', 'deferral'])
    .where('voided', '=', 0)
    .execute()
  const closeRow = await db
    .selectFrom('records')
    .select(['body'])
    .where('station_id', '=', stationId)
    .where('type', '=', 'drive_close')
    .where('target_id', '=', driveId)
    .where('voided', '=', 0)
    .executeTakeFirst()
  const close = closeRow ? (JSON.parse(closeRow.body) as DriveClose) : null
  const parts = new Map<string, DrivePhonePart>()
  const part = (deviceId: string): DrivePhonePart => {
    let p = parts.get(deviceId)
    if (!p) {
      p = {
        deviceId,
        name: null,
        leader: deviceId === drive.deviceId,
        donations: 0,
        deferrals: 0,
        label: null,
        dinFirst: null,
        dinLast: null,
        bagsLoaded: null,
        bagsUsed: null,
      }
      parts.set(deviceId, p)
    }
    return p
  }
  part(drive.deviceId)
  for (const c of close?.crew ?? []) {
    Object.assign(part(c.deviceId), {
      label: c.label,
      dinFirst: c.dinFirst,
      dinLast: c.dinLast,
      bagsLoaded: c.bagsLoaded,
      bagsUsed: c.bagsUsed,
    })
  }
  // The author's phone is in the original's body (a correction keeps the original's row).
  for (const r of rows) {
    const rec = JSON.parse(r.body) as Donation | Deferral
    if (r.effective_type === 'donation') part(rec.deviceId).donations++
    else if (r.effective_type === 'deferral') part(rec.deviceId).deferrals++
  }
  const ids = [...parts.keys()]
  const devices = await db
    .selectFrom('devices')
    .select(['id', 'name'])
    .where('station_id', '=', stationId)
    .where('id', 'in', ids)
    .execute()
  for (const d of devices) parts.get(d.id)!.name = d.name
  return {
    driveId,
    busCode: drive.busCode,
    date: drive.date,
    closed: close !== null,
    phones: [...parts.values()].sort((a, b) => Number(b.leader) - Number(a.leader)),
  }
}
