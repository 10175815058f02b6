// What the records the pulled station totals do not hold add to them (field/progress-model.ts's
// EffectSummary: signed counts and records by cell, version groups, refusals), kept in the phone's
// database as it changes, so the progress screen reads these rows (one per date, channel, site,
// drive and teams) and never the records confirmed since the totals or their receipts.
//
// The sum is relative to one set of totals (their computedAt) and one set of rural-mobile channels,
// written in a marker beside it. It changes where a record's effect changes:
// - a save adds its records (the donor form's own save writes the rows itself, db/field-records.ts);
//   a void or correction changes its family: its effect is taken away and added again;
// - a settle changes nothing when the station confirmed the records after the totals were made
//   (waiting and confirmed-late records add the same); a refusal, or a receipt older than the
//   totals, changes the family;
// - a refused record sent again or taken out of the queue changes its family.
// A pull that brings other totals, or other rural channels, leaves the marker behind: the next
// progress read builds the sum again from the outbox and the receipts newer than the new totals
// (after a pull that followed its push, none).
import Dexie, { type Table } from 'dexie'
import { addCountsInto, countsAreZero, emptyCounts, type IndicatorContext } from '../../domain/indicators'
import type { Correction, FieldRecord } from '../../domain/records'
import {
  addFamilyEffect,
  addToEffectCell,
  addToVersionGroup,
  confirmedAfter,
  type EffectCell,
  type EffectSum,
  type EffectSummary,
  effectSummary,
  emptyEffectSum,
  type Family,
  receiptsMayBeNewer,
  recordState,
  type VersionGroup,
} from '../field/progress-model'
import type { FieldDb } from './index'
import { META_KEYS, type Receipt, receiptsConfirmedAfter, settledSeqKey } from './sync-meta'
import { type OutboxRow, RECORD_TABLE } from './schema'

/** What the kept sum is relative to, and the refusals it counts (syncMeta, META_KEYS.progressDelta). */
export interface ProgressDeltaMarker {
  /** computedAt of the totals the sum adds to (null: no totals pulled yet). */
  computedAt: string | null
  /** Rural-mobile channels the counts were made with. */
  ruralChannelIds: string[]
  refused: number
}

const ruralKey = (ids: Iterable<string>) => [...ids].sort().join(',')

/** Whether the kept sum adds to these totals, counted with these rural channels. */
export function markerFits(
  marker: ProgressDeltaMarker | undefined,
  computedAt: string | null,
  ctx: IndicatorContext,
): marker is ProgressDeltaMarker {
  return (
    !!marker &&
    marker.computedAt === computedAt &&
    ruralKey(marker.ruralChannelIds) === ruralKey(ctx.ruralMobileChannelIds)
  )
}

function markerCtx(marker: ProgressDeltaMarker): IndicatorContext {
  return { ruralMobileChannelIds: new Set(marker.ruralChannelIds) }
}

export function readMarker(db: FieldDb): Promise<ProgressDeltaMarker | undefined> {
  return db.syncMeta.get(META_KEYS.progressDelta).then((row) => row?.value as ProgressDeltaMarker | undefined)
}

/** The kept sum as the progress model reads it (call inside the reader's transaction). */
export async function readKeptSummary(db: FieldDb, marker: ProgressDeltaMarker): Promise<EffectSummary> {
  const [cells, groups] = await Dexie.Promise.all([db.progressCells.toArray(), db.progressGroups.toArray()])
  return { cells, groups, refused: marker.refused }
}

// ---------------------------------------------------------------------------------------------
// Families of the records the totals do not hold

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
 * The families (a counted record, its voids and corrections) of every record in `outbox` or
 * `late` (confirmed after the totals). A void or correction written after its record is never
 * held by the totals when its record is not, so only families whose original the totals DO hold
 * (a waiting void of a sent donation) are completed from the tables, by index.
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
    const [donations, deferrals, corrections] = await Dexie.Promise.all([
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
 * Receipts of records the station confirmed after computing `computedAt`. Only the batch rows
 * whose newest receipt is newer than the totals are read, by index: the batches of the pushes
 * since, not the phone's history.
 */
async function confirmedLate(db: FieldDb, computedAt: string | null): Promise<Map<string, Receipt>> {
  const late = new Map<string, Receipt>()
  for (const receipt of await receiptsConfirmedAfter(db, computedAt)) {
    if (confirmedAfter(receipt.receivedAt, computedAt)) late.set(receipt.recordId, receipt)
  }
  return late
}

// ---------------------------------------------------------------------------------------------
// Building the sum from scratch

/** The tables building or changing the kept sum reads and writes. */
export function progressDeltaTables(db: FieldDb) {
  return [
    db.syncMeta,
    db.device,
    db.outbox,
    db.receiptBatches,
    db.progressCells,
    db.progressGroups,
    ...Object.values(RECORD_TABLE).map((name) => db[name]),
  ]
}

/**
 * Works the sum out from the outbox and the receipts newer than the totals (computedAt), writes it
 * in place of what was kept, with its marker, and gives it back. In its own read-write
 * transaction, or the caller's when it covers progressDeltaTables.
 */
export function rebuildProgressDelta(
  db: FieldDb,
  computedAt: string | null,
  ctx: IndicatorContext,
): Promise<EffectSummary> {
  return db.transaction('rw', progressDeltaTables(db), async () => {
    const [device, outbox, pulledSeqRow] = await Dexie.Promise.all([
      db.device.get('device'),
      db.outbox.toArray() as Promise<OutboxRow[]>,
      db.syncMeta.get(META_KEYS.deviceLastSeq),
    ])
    const settledRow = await db.syncMeta.get(settledSeqKey(device?.deviceId ?? ''))
    const settled = typeof settledRow?.value === 'number' ? settledRow.value : 0
    const pulled = typeof pulledSeqRow?.value === 'number' ? pulledSeqRow.value : null
    const late = receiptsMayBeNewer(settled, pulled) ? await confirmedLate(db, computedAt) : new Map<string, Receipt>()
    const families = await unsyncedFamilies(db, outbox, late)
    const all = effectSummary(families, ctx)
    // Stored as they are kept: a cell that nets to nothing, or a group of no record, is no row.
    const summary: EffectSummary = {
      cells: all.cells.filter((c) => !countsAreZero(c.counts) || c.records !== 0),
      groups: all.groups.filter((g) => g.addedFigures !== 0),
      refused: all.refused,
    }
    const marker: ProgressDeltaMarker = {
      computedAt,
      ruralChannelIds: [...ctx.ruralMobileChannelIds].sort(),
      refused: summary.refused,
    }
    await Dexie.Promise.all([db.progressCells.clear(), db.progressGroups.clear()])
    await Dexie.Promise.all([
      db.progressCells.bulkPut(summary.cells),
      db.progressGroups.bulkPut(summary.groups),
      db.syncMeta.put({ key: META_KEYS.progressDelta, value: marker }),
    ])
    return summary
  })
}

// ---------------------------------------------------------------------------------------------
// Keeping it as records change

/** A kept cell with `change` added (sign -1: taken away); null when nothing is left in it. */
export function cellWith(stored: EffectCell | undefined, change: EffectCell, sign: 1 | -1 = 1): EffectCell | null {
  const counts = addCountsInto(stored ? stored.counts : emptyCounts(), change.counts, sign)
  const records = (stored?.records ?? 0) + sign * change.records
  return countsAreZero(counts) && records === 0
    ? null
    : { key: change.key, place: stored?.place ?? change.place, counts, records }
}

/** A kept group with `change` added (sign -1: taken away); null when no record is left in it. */
export function groupWith(
  stored: VersionGroup | undefined,
  change: VersionGroup,
  sign: 1 | -1 = 1,
): VersionGroup | null {
  const addedFigures = (stored?.addedFigures ?? 0) + sign * change.addedFigures
  return addedFigures === 0 ? null : { key: change.key, places: stored?.places ?? change.places, addedFigures }
}

/** What records the totals cannot hold yet (just saved, waiting, nothing pointing at them) add. */
export function newRecordEffect(recs: readonly FieldRecord[], ctx: IndicatorContext): EffectSum {
  const sum = emptyEffectSum()
  for (const rec of recs) {
    addToEffectCell(sum, rec, ctx, 1)
    addToVersionGroup(sum, [rec], 1, 1)
  }
  return sum
}

/**
 * Adds `change` (sign -1: takes it away) to the kept rows; call inside a transaction over them.
 * Dexie's promises only, no async function: a save runs it beside its checks without awaiting it
 * at once (as an async function there, a test's save transaction committed before its end).
 */
function applyToKept(db: FieldDb, change: EffectSum, sign: 1 | -1 = 1): Promise<unknown> {
  const cellKeys = [...change.cells.keys()]
  const groupKeys = [...change.groups.keys()]
  if (cellKeys.length === 0 && groupKeys.length === 0 && change.refused === 0) return Dexie.Promise.resolve()
  return Dexie.Promise.all([
    db.progressCells.bulkGet(cellKeys),
    db.progressGroups.bulkGet(groupKeys),
    change.refused !== 0 ? readMarker(db) : Dexie.Promise.resolve(undefined),
  ]).then(([cells, groups, marker]) => {
    const putCells: EffectCell[] = []
    const dropCells: string[] = []
    cellKeys.forEach((key, i) => {
      const next = cellWith(cells[i], change.cells.get(key)!, sign)
      if (next) putCells.push(next)
      else dropCells.push(key)
    })
    const putGroups: VersionGroup[] = []
    const dropGroups: string[] = []
    groupKeys.forEach((key, i) => {
      const next = groupWith(groups[i], change.groups.get(key)!, sign)
      if (next) putGroups.push(next)
      else dropGroups.push(key)
    })
    return Dexie.Promise.all([
      putCells.length > 0 ? db.progressCells.bulkPut(putCells) : null,
      dropCells.length > 0 ? db.progressCells.bulkDelete(dropCells) : null,
      putGroups.length > 0 ? db.progressGroups.bulkPut(putGroups) : null,
      dropGroups.length > 0 ? db.progressGroups.bulkDelete(dropGroups) : null,
      marker
        ? db.syncMeta.put({
            key: META_KEYS.progressDelta,
            value: { ...marker, refused: marker.refused + sign * change.refused },
          })
        : null,
    ])
  })
}

/**
 * Adds records just saved that nothing else points at yet (donations, deferrals, drives; others
 * add nothing): inside the save's transaction, which covers the kept rows. The rows are kept
 * whether or not a marker fits (a sum left behind is built again, from scratch, when read).
 */
export function addSavedRecords(db: FieldDb, recs: readonly FieldRecord[], ctx: IndicatorContext): Promise<unknown> {
  return applyToKept(db, newRecordEffect(recs, ctx))
}

/** The counted records (donations, deferrals, drives) that `recs` belong to, through voids and corrections. */
async function rootsOf(db: FieldDb, recs: readonly FieldRecord[]): Promise<string[]> {
  const byId = new Map(recs.map((r) => [r.id, r]))
  const roots = new Set<string>()
  for (const rec of recs) {
    let at: FieldRecord | undefined = rec
    for (let depth = 0; at && depth < 8; depth++) {
      if (at.type === 'donation' || at.type === 'deferral' || at.type === 'drive') {
        roots.add(at.id)
        break
      }
      if (at.type !== 'void' && at.type !== 'correction') break
      const target: string = at.targetId
      at = byId.get(target) ?? (await db.corrections.get(target))
      if (!at) roots.add(target) // the original itself, or a record no figure depends on
    }
  }
  return [...roots]
}

/** The sum of what the families of `roots` add, as their records' states are now. */
async function familiesSum(db: FieldDb, roots: string[], marker: ProgressDeltaMarker): Promise<EffectSum> {
  const sum = emptyEffectSum()
  if (roots.length === 0) return sum
  // Every member: the roots, their corrections (and corrections of those), the voids of all.
  const members = new Set(roots)
  let frontier = roots
  for (let depth = 0; frontier.length > 0 && depth < 8; depth++) {
    const found = await db.corrections.where('targetId').anyOf(frontier).primaryKeys()
    frontier = found.filter((id) => !members.has(id))
    for (const id of frontier) members.add(id)
  }
  for (const id of await db.voids
    .where('targetId')
    .anyOf([...members])
    .primaryKeys())
    members.add(id)
  const [rows, confirmed] = await Dexie.Promise.all([
    db.outbox
      .where('recordId')
      .anyOf([...members])
      .toArray() as Promise<OutboxRow[]>,
    confirmedLate(db, marker.computedAt),
  ])
  rows.sort((a, b) => a.seq! - b.seq!)
  const late = new Map([...confirmed].filter(([id]) => members.has(id)))
  const wanted = new Set(roots)
  const ctx = markerCtx(marker)
  for (const family of await unsyncedFamilies(db, rows, late)) {
    const root = family.find(
      (m) => m.record.type === 'donation' || m.record.type === 'deferral' || m.record.type === 'drive',
    )
    if (root && wanted.has(root.record.id)) addFamilyEffect(sum, family, ctx)
  }
  return sum
}

/** What the families of some records added before a change to them (beginFamilyChange). */
export interface FamilyChange {
  marker: ProgressDeltaMarker
  roots: string[]
  before: EffectSum
}

/**
 * Before a change to the state of `recs` (a void or correction of them saved, a settle, sent again
 * or taken out of the queue): what their families add now. endFamilyChange, once the change is
 * written, puts in the kept sum the difference. Inside a transaction that covers
 * progressDeltaTables. Null without a marker: there is no sum to keep (the first read builds it).
 */
export async function beginFamilyChange(db: FieldDb, recs: readonly FieldRecord[]): Promise<FamilyChange | null> {
  const marker = await readMarker(db)
  if (!marker || recs.length === 0) return null
  const roots = await rootsOf(db, recs)
  return { marker, roots, before: await familiesSum(db, roots, marker) }
}

export async function endFamilyChange(db: FieldDb, change: FamilyChange): Promise<void> {
  const after = await familiesSum(db, change.roots, change.marker)
  await applyToKept(db, change.before, -1)
  await applyToKept(db, after, 1)
}

/** Runs `work`, a change to the state of `recs`, between beginFamilyChange and endFamilyChange. */
export async function withFamilyChange<T>(
  db: FieldDb,
  recs: readonly FieldRecord[],
  work: () => Promise<T>,
): Promise<T> {
  const change = await beginFamilyChange(db, recs)
  const out = await work()
  if (change) await endFamilyChange(db, change)
  return out
}
