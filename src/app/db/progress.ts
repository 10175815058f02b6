// What the phone's progress screen reads: running aggregates (drive tallies, the station totals
// of the last pull, by month, year and target, and what the records those totals do not hold add
// to them, kept by cell: db/progress-delta.ts) and the outbox (what waits, per drive), never every
// record or receipt on the phone. The cards are made from these by the progress store
// (field/progress-model.ts).
import Dexie, { type ObservabilitySet } from 'dexie'
import { emptyCounts, type IndicatorContext, type IndicatorCounts } from '../../domain/indicators'
import { isoDateOf } from '../../domain/dates'
import type { Drive, FieldRecord, Population, Target } from '../../domain/records'
import type { StationTotals } from '../../domain/sync-protocol'
import { TARGET_TOTALS_PREFIX, type TargetTotals } from '../../domain/target-totals'
import type { EffectSummary } from '../field/progress-model'
import { isWaitingRecord } from '../field/waiting'
import type { FieldDb } from './index'
import { META_KEYS } from './sync-meta'
import { type OutboxRow, RECORD_TABLE } from './schema'
import { markerFits, type ProgressDeltaMarker, readKeptSummary, rebuildProgressDelta } from './progress-delta'
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
  /** What every record the totals do not hold adds to them, as the phone keeps it (db/progress-delta.ts). */
  unsynced: EffectSummary
  /** Today's drives (and the chosen one), each with its running tally and whether it is closed. */
  drives: Array<{ drive: Drive; counts: IndicatorCounts; closed: boolean }>
  /** Outbox entries that carry a record. */
  waiting: Array<{ recordId: string; record: FieldRecord; status: 'pending' | 'rejected' }>
  /** The drive a waiting record belongs to. */
  driveOf: (record: FieldRecord) => string | null
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
    db.progressCells,
    db.progressGroups,
    ...Object.values(RECORD_TABLE).map((name) => db[name]),
  ]
}

/**
 * The progress screen's sources, read from the phone's database in one readonly transaction: on a
 * slow phone, opening a transaction for each of the two dozen reads cost more than the reads.
 * Inside it, only Dexie's own promises are awaited (an await of anything else loses the transaction).
 * When what progress adds is not kept for these totals (a pull brought new ones, an upgraded
 * phone), it is built first, in a read-write transaction of its own, and the read made again.
 */
export async function readProgressSources(db: FieldDb, opts: ProgressReadOptions = {}): Promise<ProgressSources> {
  const first = await db.transaction('r', progressTables(db), () => readSources(db, opts))
  if (first) return first
  // Another tab's pull may move the totals between the build and the read: build again for those.
  for (let tries = 0; tries < 5; tries++) {
    const kept = await db.transaction('r', progressTables(db), () => keptFor(db))
    await rebuildProgressDelta(db, kept.computedAt, kept.ctx)
    const again = await db.transaction('r', progressTables(db), () => readSources(db, opts))
    if (again) return again
  }
  throw new Error('the station totals kept changing while progress was read')
}

/** The totals' computedAt and the counting context the kept sum must fit. */
async function keptFor(db: FieldDb): Promise<{ computedAt: string | null; ctx: IndicatorContext }> {
  const [channels, totalsRows] = await Promise.all([db.channels.toArray(), db.stationTotals.bulkGet(['month', 'year'])])
  const [month, year] = totalsRows.map((r) => (r?.value ?? null) as StationTotals | null)
  return {
    computedAt: year?.computedAt ?? month?.computedAt ?? null,
    ctx: { ruralMobileChannelIds: new Set(channels.filter((c) => c.value.ruralMobile).map((c) => c.value.id)) },
  }
}

/** The sources, or null when the kept sum does not fit the totals (it must be built first). */
async function readSources(db: FieldDb, opts: ProgressReadOptions): Promise<ProgressSources | null> {
  // Few round trips: everything that does not depend on another read is read at once.
  const [device, stations, channels, targetRows, totalsRows, targetTotalsRows, lastPull, marker, outbox] =
    await Promise.all([
      db.device.get('device'),
      db.stations.toArray(),
      db.channels.toArray(),
      db.targets.toArray(),
      db.stationTotals.bulkGet(['month', 'year']),
      // One row per target the station counts apart (bounded by the targets, not the records).
      db.stationTotals.where('key').startsWith(TARGET_TOTALS_PREFIX).toArray(),
      db.syncMeta.get(META_KEYS.lastPullServerTime),
      db.syncMeta.get(META_KEYS.progressDelta),
      // What waits to be sent, per drive (the sync badge's count): the queue, not the records sent.
      db.outbox.toArray() as Promise<OutboxRow[]>,
    ])
  const station = stations.map((r) => r.value).find((s) => s.id === device?.stationId) ?? stations[0]?.value
  const timeZone = station?.timeZone ?? 'Asia/Shanghai'
  const today = opts.today ?? isoDateOf(new Date(), timeZone)
  const [monthTotals, yearTotals] = totalsRows.map((r) => (r?.value ?? null) as StationTotals | null)
  const ctx: IndicatorContext = {
    ruralMobileChannelIds: new Set(channels.filter((c) => c.value.ruralMobile).map((c) => c.value.id)),
  }
  const computedAt = yearTotals?.computedAt ?? monthTotals?.computedAt ?? null
  const kept = marker?.value as ProgressDeltaMarker | undefined
  if (!markerFits(kept, computedAt, ctx)) return null

  const [populationRow, todays, unsynced] = await Promise.all([
    db.population.get(today.slice(0, 4)),
    db.drives.where('date').equals(today).toArray(),
    readKeptSummary(db, kept),
  ])
  ctx.population = (populationRow?.value as Population | undefined)?.population ?? null

  let drives: Drive[] = todays
  if (opts.driveId && !drives.some((d) => d.id === opts.driveId)) {
    const extra = await db.drives.get(opts.driveId)
    if (extra) drives = [extra, ...drives]
  }
  const driveIds = drives.map((d) => d.id)
  const [tallies, closes, driveOf] = await Promise.all([
    db.tallies.bulkGet(driveIds.map(driveTallyKey)),
    db.driveCloses.where('driveId').anyOf(driveIds).toArray(),
    waitingDriveResolver(db, outbox),
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
    unsynced,
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
