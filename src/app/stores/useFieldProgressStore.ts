// The phone's progress screen: this phone's drives today against their targets, and the station's
// month and year as of the last sync plus what this phone has not synced yet. Reads only running
// aggregates (drive tallies, the pulled station totals) and the records that are not in those
// totals (the outbox, and receipts newer than the totals), never every record on the phone, and
// re-reads by itself when any of it changes (a save, a sync, a pull).
import { liveQuery, type Subscription } from 'dexie'
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { isoDateOf } from '../../domain/dates'
import { emptyCounts, type IndicatorContext } from '../../domain/indicators'
import type { Correction, Drive, FieldRecord, Population, Target } from '../../domain/records'
import type { StationTotals } from '../../domain/sync-protocol'
import { type FieldDb, fieldDb } from '../db'
import { RECORD_TABLE } from '../db/schema'
import { driveTallyKey } from '../db/tallies'
import { META_KEYS, type OutboxRow, RECEIPT_PREFIX, type Receipt } from '../sync/dexie-ports'
import {
  confirmedAfter, type DriveCard, driveCard, type Family, notSentByDrive, receiptsMayBeNewer, recordState, refusedCount,
  type StationCard, stationCard, targetsElsewhere,
} from '../field/progress-model'

export interface FieldProgress {
  today: string
  /** Station time of the last pull (ISO), null before the first. */
  lastSyncAt: string | null
  drives: DriveCard[]
  month: StationCard
  year: StationCard
  /** Records the station refused that change figures; counted nowhere until resolved. */
  refused: number
  /** Targets running today shown only on the station dashboard (quarters, custom periods, sites). */
  elsewhere: number
}

export interface ProgressReadOptions {
  /** A drive to show even when it is not today's. */
  driveId?: string | null
  /** Station-local today (tests); default: now in the station's time zone. */
  today?: string
}

/** Receipts of records the station confirmed after computing `computedAt` (read only when some may be). */
async function confirmedLate(db: FieldDb, deviceId: string | null, computedAt: string | null): Promise<Map<string, Receipt>> {
  const late = new Map<string, Receipt>()
  const [settledRow, pulledRow] = await Promise.all([
    db.syncMeta.get(`${META_KEYS.settledSeq}:${deviceId ?? ''}`),
    db.syncMeta.get(META_KEYS.deviceLastSeq),
  ])
  const settled = typeof settledRow?.value === 'number' ? settledRow.value : 0
  const pulled = typeof pulledRow?.value === 'number' ? pulledRow.value : null
  if (!receiptsMayBeNewer(settled, pulled)) return late
  const rows = await db.syncMeta.where('key').startsWith(RECEIPT_PREFIX).toArray()
  for (const row of rows) {
    const receipt = row.value as Receipt
    if (confirmedAfter(receipt.receivedAt, computedAt)) late.set(receipt.recordId, receipt)
  }
  return late
}

/**
 * The families (a counted record, its voids and corrections) of every record the totals do not
 * hold: waiting, refused, or confirmed after the totals. Indexed reads only.
 */
async function unsyncedFamilies(db: FieldDb, outbox: OutboxRow[], late: Map<string, Receipt>): Promise<Family[]> {
  const states = new Map<string, 'pending' | 'rejected'>()
  const touched: FieldRecord[] = []
  for (const row of outbox) {
    if (!row.record || !row.recordId) continue
    if (states.get(row.recordId) !== 'pending') states.set(row.recordId, row.status)
    touched.push(row.record)
  }
  // Records confirmed after the totals: read them from their tables.
  const lateByType = new Map<FieldRecord['type'], string[]>()
  for (const r of late.values()) {
    if (!states.has(r.recordId)) lateByType.set(r.recordType, [...(lateByType.get(r.recordType) ?? []), r.recordId])
  }
  for (const [type, ids] of lateByType) {
    const table = db[RECORD_TABLE[type]] as FieldDb['voids']
    for (const rec of await table.bulkGet(ids)) if (rec) touched.push(rec as FieldRecord)
  }

  // The counted record each touched record belongs to; a correction may point at a correction.
  const targetIds = touched.filter((r) => r.type === 'void' || r.type === 'correction').map((r) => (r as { targetId: string }).targetId)
  const correctionOf = new Map<string, Correction>()
  let lookup = [...new Set(targetIds)]
  for (let depth = 0; lookup.length > 0 && depth < 8; depth++) {
    const found = (await db.corrections.bulkGet(lookup)).filter((c): c is Correction => !!c && !correctionOf.has(c.id))
    for (const c of found) correctionOf.set(c.id, c)
    lookup = found.map((c) => c.targetId)
  }
  const rootOf = (id: string): string => {
    let at = id
    for (let i = 0; i < 8 && correctionOf.has(at); i++) at = correctionOf.get(at)!.targetId
    return at
  }
  const roots = new Set<string>()
  for (const r of touched) {
    if (r.type === 'donation' || r.type === 'deferral' || r.type === 'drive') roots.add(r.id)
    else if (r.type === 'void' || r.type === 'correction') roots.add(rootOf(r.targetId))
  }
  if (roots.size === 0) return []

  const ids = [...roots]
  const [donations, deferrals, drives, corrections] = await Promise.all([
    db.donations.bulkGet(ids), db.deferrals.bulkGet(ids), db.drives.bulkGet(ids),
    db.corrections.where('targetId').anyOf(ids).toArray(),
  ])
  const voids = await db.voids.where('targetId').anyOf([...ids, ...corrections.map((c) => c.id)]).toArray()
  const members = new Map<string, FieldRecord[]>()
  ids.forEach((id, i) => {
    const original = donations[i] ?? deferrals[i] ?? drives[i]
    if (original) members.set(id, [original])
  })
  for (const c of corrections) members.get(c.targetId)?.push(c)
  const correctionRoot = new Map(corrections.map((c) => [c.id, c.targetId]))
  for (const v of voids) members.get(correctionRoot.get(v.targetId) ?? v.targetId)?.push(v)

  const lateIds = new Set(late.keys())
  return [...members.values()].map((family) => family.map((record) => ({ record, state: recordState(record.id, states, lateIds) })))
}

/** Everything the progress screen shows, read from the phone's database. */
export async function readFieldProgress(db: FieldDb, opts: ProgressReadOptions = {}): Promise<FieldProgress> {
  const device = await db.device.get('device')
  const stations = await db.stations.toArray()
  const station = stations.map((r) => r.value).find((s) => s.id === device?.stationId) ?? stations[0]?.value
  const today = opts.today ?? isoDateOf(new Date(), station?.timeZone ?? 'Asia/Shanghai')

  const [channels, targetRows, populationRow, totalsRows, lastPull, outbox, todays] = await Promise.all([
    db.channels.toArray(),
    db.targets.toArray(),
    db.population.get(today.slice(0, 4)),
    db.stationTotals.bulkGet(['month', 'year']),
    db.syncMeta.get(META_KEYS.lastPullServerTime),
    db.outbox.toArray() as Promise<OutboxRow[]>,
    db.drives.where('date').equals(today).toArray(),
  ])
  const [monthTotals, yearTotals] = totalsRows.map((r) => (r?.value ?? null) as StationTotals | null)
  const targets: Target[] = targetRows.map((r) => r.value)
  const ctx: IndicatorContext = {
    ruralMobileChannelIds: new Set(channels.filter((c) => c.value.ruralMobile).map((c) => c.value.id)),
    population: (populationRow?.value as Population | undefined)?.population ?? null,
  }

  const computedAt = yearTotals?.computedAt ?? monthTotals?.computedAt ?? null
  const late = await confirmedLate(db, device?.deviceId ?? null, computedAt)
  const families = await unsyncedFamilies(db, outbox, late)

  let drives: Drive[] = todays
  if (opts.driveId && !drives.some((d) => d.id === opts.driveId)) {
    const extra = await db.drives.get(opts.driveId)
    if (extra) drives = [extra, ...drives]
  }
  const driveIds = drives.map((d) => d.id)
  const [tallies, closes] = await Promise.all([
    db.tallies.bulkGet(driveIds.map(driveTallyKey)),
    driveIds.length > 0 ? db.driveCloses.where('driveId').anyOf(driveIds).toArray() : Promise.resolve([]),
  ])
  const notSent = notSentByDrive(families)
  const closed = new Set(closes.map((c) => c.driveId))
  const driveCards = drives
    .map((drive, i) => driveCard({
      drive, closed: closed.has(drive.id), counts: tallies[i]?.counts ?? emptyCounts(), notSent: notSent.get(drive.id) ?? 0, targets, today,
    }))
    // The chosen drive first, then open ones, then the latest opened.
    .sort((a, b) => Number(b.drive.id === opts.driveId) - Number(a.drive.id === opts.driveId)
      || Number(a.closed) - Number(b.closed) || b.drive.createdAt.localeCompare(a.drive.createdAt))

  return {
    today,
    lastSyncAt: typeof lastPull?.value === 'string' ? lastPull.value : null,
    drives: driveCards,
    month: stationCard({ kind: 'month', today, totals: monthTotals, families, targets, ctx }),
    year: stationCard({ kind: 'year', today, totals: yearTotals, families, targets, ctx }),
    refused: refusedCount(families),
    elsewhere: targetsElsewhere(targets, today),
  }
}

export const useFieldProgressStore = defineStore('fieldProgress', () => {
  const progress = shallowRef<FieldProgress | null>(null)
  const error = ref<string | null>(null)
  /** performance.now() when the last figures arrived (the bench reads it). */
  const readyAt = ref<number | null>(null)
  let subscription: Subscription | null = null

  /** Show progress (live: re-read whenever the records, the outbox or the pulled data change). */
  function watch(opts: ProgressReadOptions = {}, db: FieldDb = fieldDb()): void {
    stop()
    subscription = liveQuery(() => readFieldProgress(db, opts)).subscribe({
      next: (value) => {
        progress.value = value
        error.value = null
        readyAt.value = performance.now()
      },
      error: (err: unknown) => { error.value = err instanceof Error ? err.message : String(err) },
    })
  }

  function stop(): void {
    subscription?.unsubscribe()
    subscription = null
  }

  /** One read without watching (tests, the bench). */
  async function load(opts: ProgressReadOptions = {}, db: FieldDb = fieldDb()): Promise<FieldProgress> {
    const value = await readFieldProgress(db, opts)
    progress.value = value
    readyAt.value = performance.now()
    return value
  }

  return { progress, error, readyAt, watch, stop, load }
})
