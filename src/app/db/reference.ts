// This phone's enrollment and the station's reference data as last pulled, read in one round
// (the device store's start), with the staff and sites in their stored pinyin order.
import { fieldDb, type FieldDb } from './index'
import { coversAll, NAME_ORDER_KEY, nameOrderOf, type NameOrder } from './name-order'
import { type PhoneReference, phoneReferenceOf } from './boot-read'
import type { DeviceInfo } from './schema'
import { META_KEYS } from './sync-meta'

export type { PhoneReference }

/** What enrollment gave this phone, null before it. */
export async function deviceInfo(db: FieldDb = fieldDb()): Promise<DeviceInfo | null> {
  return (await db.device.get('device')) ?? null
}

/** Keeps what enrollment gave this phone (a new enrollment replaces it). */
export async function saveDeviceInfo(info: DeviceInfo, db: FieldDb = fieldDb()): Promise<void> {
  await db.device.put(info)
}

export async function readReference(db: FieldDb = fieldDb()): Promise<PhoneReference> {
  const [device, stations, siteRows, channelRows, teamRows, rosterRows, lastPull, nameOrder] = await Promise.all([
    db.device.get('device'),
    db.stations.toArray(),
    db.sites.toArray(),
    db.channels.toArray(),
    db.teams.toArray(),
    db.roster.toArray(),
    db.syncMeta.get(META_KEYS.lastPullServerTime),
    db.syncMeta.get(NAME_ORDER_KEY),
  ])
  const roster = rosterRows.map((r) => r.value)
  const sites = siteRows.map((r) => r.value)
  let order = nameOrder?.value as NameOrder | undefined
  if (!coversAll(order, roster, sites)) {
    // Names that came before pulls stored an order (an older app version): sort once, keep it.
    order = nameOrderOf(roster, sites)
    void db.syncMeta.put({ key: NAME_ORDER_KEY, value: order }).catch(() => {
      /* sorted again next start */
    })
  }
  return phoneReferenceOf({ device, stations, siteRows, channelRows, teamRows, rosterRows, lastPull }, order)
}
