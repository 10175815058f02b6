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
export interface EffectCell {
  /** cellKey of `rec`. */
  key: string
  /** One of the cell's records: what the period and scope checks read (they read only the cell's key). */
  rec: FieldRecord
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
  /** One version per cell. */
  versions: FieldRecord[]
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
  if (rec.type !== 'donation' && rec.type !== 'deferral' && rec.type !== 'drive') return null
  const driveId = rec.type === 'drive' ? rec.id : rec.driveId
  const teams = [...new Set(rec.teamIds)].sort().join(',')
  return [rec.type, collectionDate(rec), rec.channelId, rec.siteId, driveId, teams].join('\u0000')
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
  const key = cellKey(rec)
  if (key === null) return
  let cell = sum.cells.get(key)
  if (!cell) sum.cells.set(key, (cell = { key, rec, counts: emptyCounts(), records: 0 }))
  addToCounts(cell.counts, rec, ctx, sign)
}

/** Adds (sign 1) or takes away (sign -1) `addedFigures` records under the cells of `versions`. */
export function addToVersionGroup(sum: EffectSum, versions: readonly FieldRecord[], added: number, sign: 1 | -1): void {
  const byCell = new Map<string, FieldRecord>()
  for (const v of versions) {
    const key = cellKey(v)
    if (key !== null && !byCell.has(key)) byCell.set(key, v)
  }
  if (byCell.size === 0) return // matches no period: counts nowhere
  if (byCell.size === 1) {
    const [key, rec] = [...byCell][0]!
    let cell = sum.cells.get(key)
    if (!cell) sum.cells.set(key, (cell = { key, rec, counts: emptyCounts(), records: 0 }))
    cell.records += sign * added
    return
  }
  const key = [...byCell.keys()].sort().join('\u0001')
  const group = sum.groups.get(key)
  if (group) group.addedFigures += sign * added
  else sum.groups.set(key, { key, versions: [...byCell.values()], addedFigures: sign * added })
}
