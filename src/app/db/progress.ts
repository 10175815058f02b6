// What the phone's progress screen reads: running aggregates (drive tallies, the station totals
// of the last pull, by month, year and target) and the records those aggregates do not hold yet
// (the outbox, and the receipt batches newer than the totals, by index), never every record or
// receipt on the phone. The cards are made from these by the progress store (field/progress-model.ts).
import Dexie, { type ObservabilitySet, type Table } from 'dexie'
import { emptyCounts, type IndicatorContext, type IndicatorCounts } from '../../domain/indicators'
import { isoDateOf } from '../../domain/dates'
import type { Correction, Drive, FieldRecord, Population, Target } from '../../domain/records'
import type { StationTotals } from '../../domain/sync-protocol'
import { TARGET_TOTALS_PREFIX, type TargetTotals } from '../../domain/target-totals'
import { confirmedAfter, type Family, receiptsMayBeNewer, recordState } from '../field/progress-model'
import { isWaitingRecord } from '../field/waiting'
import type { FieldDb } from './index'
import { META_KEYS, type Receipt, receiptsConfirmedAfter } from './sync-meta'
import { type OutboxRow, RECORD_TABLE } from './schema'
import { driveTallyKey } from './tallies'
import { onCommitted } from './save-notice'

export interface ProgressReadOptions {
  /** A drive to show even when it is not today's. */
  driveId?: string | null
  /** Station-local today (tests); default: now in the station's time zone. */
  today?: string
}

/** Everything the progress screen is made from, read in few round trips. */
export interface ProgressSources {
  today: string
  /** The station's time zone (what "today" was read in). */
  timeZone: string
  /** Station time of the last pull (ISO), null before the first. */
  lastSyncAt: string | null
  targets: Target[]
  ctx: IndicatorContext
  monthTotals: StationTotals | null
  yearTotals: StationTotals | null
  /** When the totals were computed (station clock): which records they hold. */
  computedAt: string | null
  /** The station's own figure of each quarter, custom-period and site target (pulled with the totals). */
  targetTotals: TargetTotals[]
  /** Families of every record the totals do not hold. */
  families: Family[]
  /** Today's drives (and the chosen one), each with its running tally and whether it is closed. */
  drives: Array<{ drive: Drive; counts: IndicatorCounts; closed: boolean }>
  /** Outbox entries that carry a record. */
  waiting: Array<{ recordId: string; record: FieldRecord; status: 'pending' | 'rejected' }>
  /** The drive a waiting record belongs to. */
  driveOf: (record: FieldRecord) => string | null
}

/**
 * Receipts of records the station confirmed after computing `computedAt` (read only when some may
 * be: a push confirmed after the last pull). Only the batch rows whose newest receipt is newer
 * than the totals are read, by index: the batches of that push, not the phone's history.
 */
async function confirmedLate(db: FieldDb, computedAt: string | null): Promise<Map<string, Receipt>> {
  const late = new Map<string, Receipt>()
  for (const receipt of await receiptsConfirmedAfter(db, computedAt)) {
    if (confirmedAfter(receipt.receivedAt, computedAt)) late.set(receipt.recordId, receipt)
  }
  return late
}

/**
 * The records of `table` under `ids` (those that exist). A push's records were mostly made one
 * after another, and record ids are time-ordered (UUIDv7): when the ids' range holds few other
 * records it is read in one request, where a bulkGet makes one request per id (5,000 records
 * confirmed after the totals were 5,000 round trips to the browser's storage process).
 */
async function recordsById(table: Table<FieldRecord, string>, ids: string[]): Promise<FieldRecord[]> {
  if (ids.length < RANGE_READ_FROM) return (await table.bulkGet(ids)).filter((r): r is FieldRecord => !!r)
  let low = ids[0]!
  let high = low
  for (const id of ids) {
    if (id < low) low = id
    if (id > high) high = id
  }
  const range = table.where(':id').between(low, high, true, true)
  if ((await range.count()) > ids.length * 2) return (await table.bulkGet(ids)).filter((r): r is FieldRecord => !!r)
  const wanted = new Set(ids)
  return (await range.toArray()).filter((r) => wanted.has(r.id))
}

/** The records a family is made of (see unsyncedFamilies' join). */
const FAMILY_TYPES: ReadonlySet<FieldRecord['type']> = new Set(['donation', 'deferral', 'drive', 'void', 'correction'])

/** Below this many ids, a bulkGet costs less than counting their range first. */
const RANGE_READ_FROM = 32

/**
 * The families (a counted record, its voids and corrections) of every record the totals do not
 * hold: waiting, refused, or confirmed after the totals. The outbox and the late receipts carry
 * those records; a void or correction written after its record is never held by the totals when
 * its record is not, so only families whose original the totals DO hold (a waiting void of a sent
 * donation) are completed from the tables, by index.
 */
async function unsyncedFamilies(db: FieldDb, outbox: OutboxRow[], late: Map<string, Receipt>): Promise<Family[]> {
  const states = new Map<string, 'pending' | 'rejected'>()
  const touched = new Map<string, FieldRecord>()
  for (const row of outbox) {
    if (!row.record || !row.recordId) continue
    if (states.get(row.recordId) !== 'pending') states.set(row.recordId, row.status)
    // A refused record fixed and sent again is queued under its own id: the newest entry stands.
    touched.set(row.recordId, row.record)
  }
  // Records confirmed after the totals: read them from their tables, those that change figures
  // only (a family holds no donor identity, reaction or close: reading them was half the read).
  const lateByType = new Map<FieldRecord['type'], string[]>()
  for (const r of late.values()) {
    if (FAMILY_TYPES.has(r.recordType) && !touched.has(r.recordId)) {
      const ids = lateByType.get(r.recordType)
      if (ids) ids.push(r.recordId)
      else lateByType.set(r.recordType, [r.recordId])
    }
  }
  for (const [type, ids] of lateByType) {
    const table = db[RECORD_TABLE[type]] as unknown as Table<FieldRecord, string>
    for (const rec of await recordsById(table, ids)) touched.set(rec.id, rec)
  }

  // The counted record each touched record belongs to; a correction may point at a correction.
  const correctionOf = new Map<string, Correction>()
  for (const r of touched.values()) if (r.type === 'correction') correctionOf.set(r.id, r)
  let lookup = [
    ...new Set(
      [...touched.values()].flatMap((r) =>
        (r.type === 'void' || r.type === 'correction') && !touched.has(r.targetId) ? [r.targetId] : [],
      ),
    ),
  ]
  for (let depth = 0; lookup.length > 0 && depth < 8; depth++) {
    const found = (await db.corrections.bulkGet(lookup)).filter((c): c is Correction => !!c && !correctionOf.has(c.id))
    for (const c of found) correctionOf.set(c.id, c)
    lookup = found.map((c) => c.targetId).filter((id) => !correctionOf.has(id))
  }
  const rootOf = (id: string): string => {
    let at = id
    for (let i = 0; i < 8 && correctionOf.has(at); i++) at = correctionOf.get(at)!.targetId
    return at
  }
  const members = new Map<string, Map<string, FieldRecord>>()
  const join = (root: string, rec: FieldRecord) => {
    let m = members.get(root)
    if (!m) {
      m = new Map()
      members.set(root, m)
    }
    m.set(rec.id, rec)
  }
  for (const r of touched.values()) {
    if (r.type === 'donation' || r.type === 'deferral' || r.type === 'drive') join(r.id, r)
    else if (r.type === 'void' || r.type === 'correction') join(rootOf(r.targetId), r)
  }

  // Families whose original the totals hold: the original and its other voids and corrections.
  const older = [...members.keys()].filter((id) => !touched.has(id))
  if (older.length > 0) {
    const [donations, deferrals, corrections] = await Promise.all([
      db.donations.bulkGet(older),
      db.deferrals.bulkGet(older),
      db.corrections.where('targetId').anyOf(older).toArray(),
    ])
    const voids = await db.voids
      .where('targetId')
      .anyOf([...older, ...corrections.map((c) => c.id)])
      .toArray()
    older.forEach((id, i) => {
      const original = donations[i] ?? deferrals[i]
      if (original) join(id, original)
      else members.delete(id) // a void of a reaction or a donor identity: no figure changes
    })
    for (const c of corrections) if (members.has(c.targetId)) join(c.targetId, c)
    const correctionRoot = new Map(corrections.map((c) => [c.id, c.targetId]))
    for (const v of voids) {
      const root = correctionRoot.get(v.targetId) ?? v.targetId
      if (members.has(root)) join(root, v)
    }
  }

  const lateIds = new Set(late.keys())
  return [...members.values()]
    .filter((family) =>
      [...family.values()].some((r) => r.type === 'donation' || r.type === 'deferral' || r.type === 'drive'),
    )
    .map((family) => [...family.values()].map((record) => ({ record, state: recordState(record.id, states, lateIds) })))
}

/**
 * The drive each waiting record belongs to, for its drive card: a donation's or a close's own, a
 * reaction's donation's, a void's or correction's target's, and a donor identity's (or its
 * correction's) the donation or deferral saved with it. Targets not in the outbox are read by id.
 */
async function waitingDriveResolver(db: FieldDb, outbox: OutboxRow[]): Promise<(rec: FieldRecord) => string | null> {
  const byId = new Map<string, FieldRecord>()
  for (const row of outbox) if (row.record) byId.set(row.record.id, row.record)
  const refOf = (r: FieldRecord): string | null =>
    r.type === 'void' || r.type === 'correction' ? r.targetId : r.type === 'adverse_reaction' ? r.donationId : null
  let wanted = [
    ...new Set(outbox.flatMap((row) => (row.record && isWaitingRecord(row.record.type) ? [refOf(row.record)] : []))),
  ].filter((id): id is string => id !== null && !byId.has(id))
  for (let depth = 0; wanted.length > 0 && depth < 8; depth++) {
    const found = (
      await Promise.all([
        db.donations.bulkGet(wanted),
        db.deferrals.bulkGet(wanted),
        db.corrections.bulkGet(wanted),
        db.adverseReactions.bulkGet(wanted),
        db.donorIdentities.bulkGet(wanted),
      ])
    )
      .flat()
      .filter((r): r is NonNullable<typeof r> => !!r) as FieldRecord[]
    for (const r of found) byId.set(r.id, r)
    wanted = [...new Set(found.map(refOf))].filter((id): id is string => id !== null && !byId.has(id))
  }
  // A donor identity belongs to the visit saved with it: the same donor's donation or deferral
  // written closest in time.
  // Only those a waiting void or correction points at (identities themselves are not counted).
  const targets = new Set([...byId.values()].map(refOf))
  const identities = [...byId.values()].filter(
    (r): r is Extract<FieldRecord, { type: 'donor_identity' }> => r.type === 'donor_identity' && targets.has(r.id),
  )
  const visitDrive = new Map<string, string | null>()
  if (identities.length > 0) {
    const keys = [...new Set(identities.map((i) => i.donorKey))]
    const visits = [
      ...(await db.donations.where('donorKey').anyOf(keys).toArray()),
      ...(await db.deferrals.where('donorKey').anyOf(keys).toArray()),
    ]
    for (const i of identities) {
      const at = Date.parse(i.createdAt)
      const near = visits
        .filter((v) => v.donorKey === i.donorKey)
        .sort((a, b) => Math.abs(Date.parse(a.createdAt) - at) - Math.abs(Date.parse(b.createdAt) - at))[0]
      visitDrive.set(i.id, near?.driveId ?? null)
    }
  }
  const driveOf = (r: FieldRecord | undefined, depth = 0): string | null => {
    if (!r || depth > 8) return null
    switch (r.type) {
      case 'drive':
        return r.id
      case 'drive_close':
      case 'donation':
      case 'deferral':
        return r.driveId
      case 'donor_identity':
        return visitDrive.get(r.id) ?? null
      default: {
        const ref = refOf(r)
        return ref ? driveOf(byId.get(ref), depth + 1) : null
      }
    }
  }
  return (rec) => driveOf(rec)
}

/**
 * Awaits one of this file's async helpers inside the transaction: awaiting their native promise
 * directly loses Dexie's transaction zone, and the reads after it would open transactions of their own.
 */
function within<T>(work: Promise<T>): Promise<T> {
  return Dexie.Promise.resolve(work)
}

/** The tables the progress screen reads. */
function progressTables(db: FieldDb) {
  return [
    db.device,
    db.stations,
    db.channels,
    db.targets,
    db.stationTotals,
    db.syncMeta,
    db.receiptBatches,
    db.outbox,
    db.population,
    db.tallies,
    ...Object.values(RECORD_TABLE).map((name) => db[name]),
  ]
}

/**
 * The progress screen's sources, read from the phone's database in one readonly transaction: on a
 * slow phone, opening a transaction for each of the two dozen reads cost more than the reads.
 * Inside it, only Dexie's own promises are awaited (an await of anything else loses the transaction).
 */
export function readProgressSources(db: FieldDb, opts: ProgressReadOptions = {}): Promise<ProgressSources> {
  return db.transaction('r', progressTables(db), () => readSources(db, opts))
}

async function readSources(db: FieldDb, opts: ProgressReadOptions): Promise<ProgressSources> {
  // Few round trips: everything that does not depend on another read is read at once.
  const [device, stations, channels, targetRows, totalsRows, targetTotalsRows, lastPull, pulledSeqRow, outbox] =
    await Promise.all([
      db.device.get('device'),
      db.stations.toArray(),
      db.channels.toArray(),
      db.targets.toArray(),
      db.stationTotals.bulkGet(['month', 'year']),
      // One row per target the station counts apart (bounded by the targets, not the records).
      db.stationTotals.where('key').startsWith(TARGET_TOTALS_PREFIX).toArray(),
      db.syncMeta.get(META_KEYS.lastPullServerTime),
      db.syncMeta.get(META_KEYS.deviceLastSeq),
      db.outbox.toArray() as Promise<OutboxRow[]>,
    ])
  const station = stations.map((r) => r.value).find((s) => s.id === device?.stationId) ?? stations[0]?.value
  const timeZone = station?.timeZone ?? 'Asia/Shanghai'
  const today = opts.today ?? isoDateOf(new Date(), timeZone)
  const [populationRow, todays, settledRow] = await Promise.all([
    db.population.get(today.slice(0, 4)),
    db.drives.where('date').equals(today).toArray(),
    db.syncMeta.get(`${META_KEYS.settledSeq}:${device?.deviceId ?? ''}`),
  ])
  const [monthTotals, yearTotals] = totalsRows.map((r) => (r?.value ?? null) as StationTotals | null)
  const ctx: IndicatorContext = {
    ruralMobileChannelIds: new Set(channels.filter((c) => c.value.ruralMobile).map((c) => c.value.id)),
    population: (populationRow?.value as Population | undefined)?.population ?? null,
  }

  const computedAt = yearTotals?.computedAt ?? monthTotals?.computedAt ?? null
  const settled = typeof settledRow?.value === 'number' ? settledRow.value : 0
  const pulled = typeof pulledSeqRow?.value === 'number' ? pulledSeqRow.value : null
  const late = receiptsMayBeNewer(settled, pulled)
    ? await within(confirmedLate(db, computedAt))
    : new Map<string, Receipt>()

  let drives: Drive[] = todays
  if (opts.driveId && !drives.some((d) => d.id === opts.driveId)) {
    const extra = await db.drives.get(opts.driveId)
    if (extra) drives = [extra, ...drives]
  }
  const driveIds = drives.map((d) => d.id)
  const [families, tallies, closes, driveOf] = await Promise.all([
    within(unsyncedFamilies(db, outbox, late)),
    db.tallies.bulkGet(driveIds.map(driveTallyKey)),
    db.driveCloses.where('driveId').anyOf(driveIds).toArray(),
    within(waitingDriveResolver(db, outbox)),
  ])
  const closed = new Set(closes.map((c) => c.driveId))
  return {
    today,
    timeZone,
    lastSyncAt: typeof lastPull?.value === 'string' ? lastPull.value : null,
    targets: targetRows.map((r) => r.value),
    ctx,
    monthTotals: monthTotals ?? null,
    yearTotals: yearTotals ?? null,
    computedAt,
    targetTotals: targetTotalsRows.map((r) => r.value as TargetTotals),
    families,
    drives: drives.map((drive, i) => ({
      drive,
      counts: tallies[i]?.counts ?? emptyCounts(),
      closed: closed.has(drive.id),
    })),
    waiting: outbox.flatMap((row) =>
      row.record && row.recordId ? [{ recordId: row.recordId, record: row.record, status: row.status }] : [],
    ),
    driveOf,
  }
}

/**
 * Calls `changed` whenever a table the progress screen reads may have changed: a Dexie write in
 * this tab, a save (told at its commit, before Dexie's live queries hear of it), or a write in
 * another tab (Dexie passes those on over a BroadcastChannel). Returns the function that stops it.
 */
export function onProgressSourcesChange(db: FieldDb, changed: () => void): () => void {
  const names = new Set(progressTables(db).map((t) => t.name))
  const prefix = `idb://${db.name}/`
  const fromDexie = (parts: ObservabilitySet) => {
    const hit =
      'all' in parts ||
      Object.keys(parts).some((key) => key.startsWith(prefix) && names.has(key.slice(prefix.length).split('/')[0]!))
    if (hit) changed()
  }
  Dexie.on.storagemutated.subscribe(fromDexie)
  const stopSaves = onCommitted((dbName, tables) => {
    if (dbName === db.name && tables.some((t) => names.has(t))) changed()
  })
  return () => {
    Dexie.on.storagemutated.unsubscribe(fromDexie)
    stopSaves()
  }
}
