// What the records the pulled station totals do not hold add to them, summed by cell: the shape
// the progress model (progress-model.ts) reads and the phone keeps (db/progress-delta.ts). Pure,
// and small: the donor form's save, which adds a new record's cell, imports it.
import {
  addToCounts,
  collectionDate,
  emptyCounts,
  type IndicatorContext,
  type IndicatorCounts,
} from '../../domain/indicators'
import type { FieldRecord } from '../../domain/records'

/**
 * The families' effects summed by what the cards and targets tell apart (collection date,
 * channel, site, drive and teams): thousands of records the totals do not hold fall in a few dozen
 * cells. The phone keeps this sum as it changes (db/progress-delta.ts), so the screen reads the
 * cells, never the records behind them; each card and target adds the cells it covers.
 */
/**
 * Where a counted record falls, as the period and scope checks see it: all a cell keeps of its
 * records (a whole record a row made the progress read several times slower on a slow phone).
 */
export interface CellPlace {
  type: 'donation' | 'deferral' | 'drive'
  /** Collection date (a drive's date). */
  date: string | null
  channelId: string
  siteId: string | null
  driveId: string | null
  teamIds: string[]
}

/** Where a record falls; null for records no figure counts (only donations, deferrals, drives). */
export function placeOf(rec: FieldRecord): CellPlace | null {
  if (rec.type !== 'donation' && rec.type !== 'deferral' && rec.type !== 'drive') return null
  return {
    type: rec.type,
    date: collectionDate(rec),
    channelId: rec.channelId,
    siteId: rec.siteId,
    driveId: rec.type === 'drive' ? rec.id : rec.driveId,
    teamIds: [...new Set(rec.teamIds)].sort(),
  }
}

export interface EffectCell {
  /** cellKey of its records. */
  key: string
  place: CellPlace
  /** Its records once the phone synced, less as the totals hold them (signed). */
  counts: IndicatorCounts
  /**
   * Records that add to the totals (waiting or confirmed after them) of families whose every
   * version falls in this cell: most families, kept here rather than as a group of one cell.
   */
  records: number
}

/**
 * Families whose versions fall in the same cells (two or more: a correction that moved a record),
 * and their records that add to the totals: a family counts once in a period or scope that any
 * version of its record falls in.
 */
export interface VersionGroup {
  /** The versions' cell keys, sorted and joined. */
  key: string
  /** Where each version falls, one per cell. */
  places: CellPlace[]
  addedFigures: number
}

export interface EffectSummary {
  cells: EffectCell[]
  groups: VersionGroup[]
  /** Records the station refused that would change the figures (counted nowhere). */
  refused: number
}

/** What a period or scope check can tell apart of a counted record; null for other records. */
export function cellKey(rec: FieldRecord): string | null {
  const place = placeOf(rec)
  return place && placeKey(place)
}

function placeKey(p: CellPlace): string {
  return [p.type, p.date, p.channelId, p.siteId, p.driveId, p.teamIds.join(',')].join('\u0000')
}

/** A summary being summed, by key. */
export interface EffectSum {
  cells: Map<string, EffectCell>
  groups: Map<string, VersionGroup>
  refused: number
}

export function emptyEffectSum(): EffectSum {
  return { cells: new Map(), groups: new Map(), refused: 0 }
}

/** Adds (sign 1) or takes away (sign -1) what `rec`, an effective record, counts in its cell. */
export function addToEffectCell(sum: EffectSum, rec: FieldRecord, ctx: IndicatorContext, sign: 1 | -1): void {
  const place = placeOf(rec)
  if (place === null) return
  const key = placeKey(place)
  let cell = sum.cells.get(key)
  if (!cell) sum.cells.set(key, (cell = { key, place, counts: emptyCounts(), records: 0 }))
  addToCounts(cell.counts, rec, ctx, sign)
}

/** Adds (sign 1) or takes away (sign -1) `addedFigures` records under the cells of `versions`. */
export function addToVersionGroup(sum: EffectSum, versions: readonly FieldRecord[], added: number, sign: 1 | -1): void {
  const byCell = new Map<string, CellPlace>()
  for (const v of versions) {
    const place = placeOf(v)
    if (place === null) continue
    const key = placeKey(place)
    if (!byCell.has(key)) byCell.set(key, place)
  }
  if (byCell.size === 0) return // matches no period: counts nowhere
  if (byCell.size === 1) {
    const [key, place] = [...byCell][0]!
    let cell = sum.cells.get(key)
    if (!cell) sum.cells.set(key, (cell = { key, place, counts: emptyCounts(), records: 0 }))
    cell.records += sign * added
    return
  }
  const key = [...byCell.keys()].sort().join('\u0001')
  const group = sum.groups.get(key)
  if (group) group.addedFigures += sign * added
  else sum.groups.set(key, { key, places: [...byCell.values()], addedFigures: sign * added })
}
