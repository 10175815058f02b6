// The first screen's reads (the lock screen over the donor form) on plain IndexedDB, so a cold
// start does not load, compile and open Dexie before anyone can unlock. Read-only, and only on
// the database this app version declares: it never creates or upgrades it. A missing database,
// another version, or anything unexpected answers null, and the caller takes the Dexie path
// (which creates or upgrades). The rows and their order are the ones the Dexie reads give
// (tests/app/db/boot-read.test.ts compares them).
import type { IndicatorCounts } from '../../domain/indicator-counts'
import { emptyCounts } from '../../domain/indicator-counts'
import type { LookbackFlag } from '../../domain/lookback'
import type { PinAttempts } from '../../domain/pin-attempts'
import type {
  Channel,
  Correction,
  Donation,
  Deferral,
  Drive,
  RosterEntry,
  Site,
  Station,
  Team,
} from '../../domain/records'
import type { DriveMemory } from './drive-memory'
import type { DriveRecords } from './drives'
import { coversAll, inNameOrder, NAME_ORDER_KEY, type NameOrder } from './name-order'
import { driveTallyKey, liveUses } from './record-versions'
import type { DeviceInfo, DonorDraftRow, DriveCrewRow, ReferenceRow, SyncMetaRow, TallyRow } from './schema'

export const FIELD_DB_NAME = 'bloodbus'
/** The newest Dexie version schema.ts declares (tests/app/db/boot-read.test.ts keeps them equal). */
export const FIELD_DB_VERSION = 15
/** syncMeta key: staff id → their wrong PINs since the last good one. */
export const PIN_ATTEMPTS_KEY = 'pinAttempts'
/** syncMeta key of the last pull's station time (sync-meta.ts META_KEYS.lastPullServerTime). */
export const LAST_PULL_KEY = 'lastPullAt'

/** The phone's enrollment and reference data (db/reference.ts's shape). */
export interface PhoneReference {
  device: DeviceInfo | null
  stations: Station[]
  /** In pinyin order. */
  sites: Site[]
  channels: Channel[]
  teams: Team[]
  /** In pinyin order. */
  roster: RosterEntry[]
  /** Station time (ISO) of the last applied pull page, null before the first. */
  lastPullAt: string | null
}

export type PinAttemptsByStaff = Record<string, PinAttempts>

/** The database the app uses now (tests point it elsewhere through db/index.ts useFieldDb). */
let dbName = FIELD_DB_NAME
let connection: { name: string; db: Promise<IDBDatabase | null> } | null = null

/** db/index.ts: the app's database changed name (tests); the next boot read opens that one. */
export function bootReadsFrom(name: string): void {
  if (name === dbName) return
  dbName = name
  void closeBootConnection()
}

/** Closes the plain connection (Dexie's own opens beside it; a version change closes it too). */
export async function closeBootConnection(): Promise<void> {
  const open = connection
  connection = null
  ;(await open?.db)?.close()
}

/** The database as this version declares it, opened without a version (never creating one), or null. */
function openDeclared(): Promise<IDBDatabase | null> {
  if (connection?.name === dbName) return connection.db
  const name = dbName
  const db = new Promise<IDBDatabase | null>((resolve) => {
    let request: IDBOpenDBRequest
    try {
      request = indexedDB.open(name)
    } catch {
      resolve(null)
      return
    }
    // No database yet: abort the creation; Dexie makes it.
    request.onupgradeneeded = () => request.transaction?.abort()
    request.onerror = (e) => {
      e.preventDefault()
      resolve(null)
    }
    request.onblocked = () => resolve(null)
    request.onsuccess = () => {
      const opened = request.result
      // Dexie's IndexedDB version is its own ×10; any other is an older or newer app's.
      if (opened.version !== FIELD_DB_VERSION * 10) {
        opened.close()
        resolve(null)
        return
      }
      // Dexie upgrading or deleting the database (another tab, a test) must not wait on this one.
      opened.onversionchange = () => {
        opened.close()
        if (connection?.name === name) connection = null
      }
      resolve(opened)
    }
  })
  connection = { name, db }
  // A failed open is not kept: the next read tries again (or the Dexie path answers).
  void db.then((d) => {
    if (!d && connection?.db === db) connection = null
  })
  return db
}

type Reader = (tx: IDBTransaction) => Promise<unknown>[]

/** Runs the reads in one read-only transaction; null when the database is not this version's. */
async function readRound<T extends unknown[]>(stores: string[], reads: (tx: IDBTransaction) => Promise<unknown>[]) {
  const db = await openDeclared()
  if (!db) return null
  let tx: IDBTransaction
  try {
    tx = db.transaction(stores, 'readonly')
  } catch {
    return null
  }
  return (await Promise.all((reads as Reader)(tx))) as T
}

function result<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'))
  })
}

const get = <T>(tx: IDBTransaction, store: string, key: IDBValidKey): Promise<T | undefined> =>
  result(tx.objectStore(store).get(key) as IDBRequest<T | undefined>)
const getAll = <T>(tx: IDBTransaction, store: string): Promise<T[]> =>
  result(tx.objectStore(store).getAll() as IDBRequest<T[]>)

const sortedUnique = (keys: readonly string[]): string[] =>
  [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

/** Dexie's `where(index).anyOf(keys).toArray()`: by key, then primary key, each row once per key. */
function anyOf<T>(tx: IDBTransaction, store: string, index: string, keys: readonly string[]): Promise<T[]> {
  const source = tx.objectStore(store).index(index)
  return Promise.all(sortedUnique(keys).map((k) => result(source.getAll(k) as IDBRequest<T[]>))).then((lists) =>
    lists.flat(),
  )
}

/**
 * anyOf() for the ids of records made on one drive, in one request instead of one per key: ids
 * are UUIDv7, time-ordered, so those ids lie close together and the index range from the lowest
 * to the highest holds little else (what other drives wrote meanwhile, left out here). Same rows
 * in the same order. A drive's load read each of its records' voids, corrections, reactions and
 * flags one request at a time: over a hundred requests for 25 donations, each a task on the main
 * thread at a cold start, which ran after the lock screen's first render and held up the form's.
 */
function anyOfIds<T>(tx: IDBTransaction, store: string, index: string, ids: readonly string[]): Promise<T[]> {
  const unique = sortedUnique(ids)
  if (unique.length === 0) return Promise.resolve([])
  const wanted = new Set(unique)
  const keyPath = tx.objectStore(store).index(index).keyPath as string
  const keyOf = (row: T): unknown =>
    keyPath.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], row)
  const range = IDBKeyRange.bound(unique[0], unique.at(-1))
  return result(tx.objectStore(store).index(index).getAll(range) as IDBRequest<T[]>).then((rows) =>
    rows.filter((row) => wanted.has(keyOf(row) as string)),
  )
}

/** db/reference.ts readReference, or null (also when the names have no stored order: Dexie stores it). */
export async function bootReadReference(): Promise<PhoneReference | null> {
  const stores = ['device', 'stations', 'sites', 'channels', 'teams', 'roster', 'syncMeta']
  const rows = await readRound<
    [
      DeviceInfo | undefined,
      ReferenceRow<Station>[],
      ReferenceRow<Site>[],
      ReferenceRow<Channel>[],
      ReferenceRow<Team>[],
      ReferenceRow<RosterEntry>[],
      SyncMetaRow | undefined,
      SyncMetaRow | undefined,
    ]
  >(stores, (tx) => [
    get(tx, 'device', 'device'),
    getAll(tx, 'stations'),
    getAll(tx, 'sites'),
    getAll(tx, 'channels'),
    getAll(tx, 'teams'),
    getAll(tx, 'roster'),
    get(tx, 'syncMeta', LAST_PULL_KEY),
    get(tx, 'syncMeta', NAME_ORDER_KEY),
  ])
  if (!rows) return null
  const [device, stations, siteRows, channelRows, teamRows, rosterRows, lastPull, nameOrder] = rows
  const order = nameOrder?.value as NameOrder | undefined
  if (
    !coversAll(
      order,
      rosterRows.map((r) => r.value),
      siteRows.map((r) => r.value),
    )
  )
    return null
  return phoneReferenceOf({ device, stations, siteRows, channelRows, teamRows, rosterRows, lastPull }, order)
}

/** The stored rows of the reference as the app uses them (here and db/reference.ts). */
export interface ReferenceRows {
  device: DeviceInfo | undefined
  stations: ReferenceRow<Station>[]
  siteRows: ReferenceRow<Site>[]
  channelRows: ReferenceRow<Channel>[]
  teamRows: ReferenceRow<Team>[]
  rosterRows: ReferenceRow<RosterEntry>[]
  lastPull: SyncMetaRow | undefined
}

/** The phone's reference from its rows, staff and sites in the stored pinyin order. */
export function phoneReferenceOf(rows: ReferenceRows, order: NameOrder): PhoneReference {
  return {
    device: rows.device ?? null,
    stations: rows.stations.map((r) => r.value),
    sites: inNameOrder(
      rows.siteRows.map((r) => r.value),
      order.sites,
    ),
    channels: rows.channelRows.map((r) => r.value),
    teams: rows.teamRows.map((r) => r.value),
    roster: inNameOrder(
      rows.rosterRows.map((r) => r.value),
      order.roster,
    ),
    lastPullAt: typeof rows.lastPull?.value === 'string' ? rows.lastPull.value : null,
  }
}

/** db/pin-attempts.ts readPinAttempts, or null. */
export async function bootReadPinAttempts(): Promise<PinAttemptsByStaff | null> {
  const rows = await readRound<[SyncMetaRow | undefined]>(['syncMeta'], (tx) => [get(tx, 'syncMeta', PIN_ATTEMPTS_KEY)])
  if (!rows) return null
  const value = rows[0]?.value
  return value && typeof value === 'object' ? (value as PinAttemptsByStaff) : {}
}

/** db/drafts.ts readDraft (key "<driveId>:<staffId>"), or undefined when the Dexie path must answer. */
export async function bootReadDraft(key: string): Promise<DonorDraftRow | null | undefined> {
  const rows = await readRound<[DonorDraftRow | undefined]>(['drafts'], (tx) => [get(tx, 'drafts', key)])
  return rows ? (rows[0] ?? null) : undefined
}

/** db/drive-memory.ts readDriveMemory, or null. */
export async function bootReadDriveMemory(recent = 20): Promise<DriveMemory | null> {
  const db = await openDeclared()
  if (!db) return null
  const tx = db.transaction('drives', 'readonly')
  // Dexie's orderBy('createdAt').reverse().limit(n): newest first, ties by id descending.
  const drives = await new Promise<Drive[]>((resolve, reject) => {
    const found: Drive[] = []
    const request = tx.objectStore('drives').index('createdAt').openCursor(null, 'prev')
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'))
    request.onsuccess = () => {
      const cursor = request.result
      if (!cursor || found.length >= recent) {
        resolve(found)
        return
      }
      found.push(cursor.value as Drive)
      cursor.continue()
    }
  })
  const lastDrive = drives[0] ?? null
  const lastDriveClosed = lastDrive
    ? (await result(
        db.transaction('driveCloses', 'readonly').objectStore('driveCloses').index('driveId').count(lastDrive.id),
      )) > 0
    : false
  return { lastDrive, lastDriveClosed, recentSiteIds: [...new Set(drives.map((d) => d.siteId))] }
}

/** db/drives.ts readDriveRecords with db/lookback.ts lookbackFlagsOf of its donations, or undefined. */
export async function bootReadDrive(
  driveId: string,
): Promise<{ records: DriveRecords | null; lookback: LookbackFlag[] } | undefined> {
  const first = await readRound<
    [
      Drive | undefined,
      Donation[],
      Deferral[],
      DriveRecords['close'] | undefined,
      TallyRow | undefined,
      DriveCrewRow | undefined,
    ]
  >(['drives', 'donations', 'deferrals', 'driveCloses', 'tallies', 'driveCrew'], (tx) => [
    get(tx, 'drives', driveId),
    result(tx.objectStore('donations').index('driveId').getAll(driveId)),
    result(tx.objectStore('deferrals').index('driveId').getAll(driveId)),
    // Dexie's where('driveId').equals(id).first(): the lowest id among the drive's closes.
    result(tx.objectStore('driveCloses').index('driveId').get(driveId)),
    get(tx, 'tallies', driveTallyKey(driveId)),
    get(tx, 'driveCrew', driveId),
  ])
  if (!first) return undefined
  const [row, donations, deferrals, closeRow, tally, crew] = first
  if (!row) return { records: null, lookback: [] }
  const ids = [...donations, ...deferrals].map((o) => o.id)
  const upper = `${row.dinLast}\uffff`
  const range = IDBKeyRange.bound(row.dinFirst, upper, false, false)
  const second = await readRound<
    [
      DriveRecords['voids'],
      Correction[],
      DriveRecords['reactions'],
      DriveRecords['identities'],
      Donation[],
      Correction[],
      ReferenceRow<LookbackFlag>[],
    ]
  >(['voids', 'corrections', 'adverseReactions', 'donorIdentities', 'donations', 'lookbackFlags'], (tx) => [
    anyOfIds(tx, 'voids', 'targetId', ids),
    anyOfIds(tx, 'corrections', 'targetId', ids),
    anyOfIds(
      tx,
      'adverseReactions',
      'donationId',
      donations.map((d) => d.id),
    ),
    anyOf(
      tx,
      'donorIdentities',
      'donorKey',
      [...donations, ...deferrals].map((o) => o.donorKey),
    ),
    // db/field-records.ts dinUsesInRange: the bags of the drive's range used anywhere on the phone.
    result(tx.objectStore('donations').index('din').getAll(range)),
    result(tx.objectStore('corrections').index('replacement.din').getAll(range)),
    anyOfIds(
      tx,
      'lookbackFlags',
      'value.donationId',
      donations.map((d) => d.id),
    ),
  ])
  if (!second) return undefined
  const [voids, corrections, reactions, identities, dinOriginals, dinCorrections, flagRows] = second
  const third = await readRound<[DriveRecords['voids'], Correction[]]>(['voids', 'corrections'], (tx) => [
    anyOfIds(tx, 'voids', 'targetId', [
      ...new Set([...dinOriginals.map((o) => o.id), ...dinCorrections.map((c) => c.targetId)]),
    ]),
    // Not by range: a returning donor's identities can be a year old, and all corrections since with them.
    anyOf(
      tx,
      'corrections',
      'targetId',
      identities.map((i) => i.id),
    ),
  ])
  if (!third) return undefined
  const [dinVoids, identityFixes] = third
  return {
    records: {
      drive: row,
      donations,
      deferrals,
      close: closeRow ?? null,
      tally: (tally?.counts as IndicatorCounts | undefined) ?? emptyCounts(),
      crew: crew ?? null,
      voids,
      corrections,
      reactions,
      identities,
      identityFixes,
      dinUses: liveUses(dinOriginals, dinCorrections, new Set(dinVoids.map((v) => v.targetId))),
    },
    lookback: flagRows
      .map((r) => r.value)
      .sort((a, b) => (a.flaggedAt < b.flaggedAt ? -1 : a.flaggedAt > b.flaggedAt ? 1 : 0)),
  }
}

// The stores' reads: the plain path above, else (no database yet, another version, an error)
// the Dexie module, loaded only then.

export async function loadReference(): Promise<PhoneReference> {
  return (await bootReadReference().catch(() => null)) ?? (await import('./reference')).readReference()
}

export async function loadPinAttempts(): Promise<PinAttemptsByStaff> {
  return (await bootReadPinAttempts().catch(() => null)) ?? (await import('./pin-attempts')).readPinAttempts()
}

export async function loadDriveMemory(): Promise<DriveMemory> {
  return (await bootReadDriveMemory().catch(() => null)) ?? (await import('./drive-memory')).readDriveMemory()
}

export function draftKey(driveId: string, staffId: string): string {
  return `${driveId}:${staffId}`
}

export async function loadDraft(driveId: string, staffId: string): Promise<DonorDraftRow | null> {
  const found = await bootReadDraft(draftKey(driveId, staffId)).catch(() => undefined)
  return found !== undefined ? found : (await import('./drafts')).readDraft(driveId, staffId)
}

export async function loadDrive(driveId: string): Promise<{ records: DriveRecords | null; lookback: LookbackFlag[] }> {
  const found = await bootReadDrive(driveId).catch(() => undefined)
  if (found) return found
  const [{ readDriveRecords }, { lookbackFlagsOf }] = await Promise.all([import('./drives'), import('./lookback')])
  const records = await readDriveRecords(driveId)
  return { records, lookback: records ? await lookbackFlagsOf(records.donations.map((d) => d.id)) : [] }
}
