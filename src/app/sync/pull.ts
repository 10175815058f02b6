// Server→phone reference data by the server's cursor (never the phone's clock). Minimal version
// for the field app; the sync engine builds on it.
import * as v from 'valibot'
import { PullResponseSchema, pullValueSchemas, type PullChange, type PullEntity } from '@domain/sync-protocol'
import { fieldDb, type FieldDb } from '../db'
import { apiFetch, ApiError } from './http'

export const PULL_TABLE = {
  station: 'stations',
  site: 'sites',
  channel: 'channels',
  team: 'teams',
  target: 'targets',
  roster: 'roster',
  eligibility: 'eligibility',
  population: 'population',
  totals: 'stationTotals',
} as const satisfies Record<PullEntity, keyof FieldDb>

export const META_PULL_CURSOR = 'pullCursor'
/** Server time of the last completed pull: what "as of last sync" means on screen. */
export const META_LAST_PULL_AT = 'lastPullAt'
export const META_DEVICE_LAST_SEQ = 'deviceLastSeq'

export interface PullOutcome {
  pages: number
  applied: number
  /** Changes whose value failed the shared schema; skipped so one bad row never blocks the rest. */
  skipped: number
  serverTime: string
}

export async function pullReference(opts: { maxPages?: number } = {}): Promise<PullOutcome> {
  const db = fieldDb()
  const outcome: PullOutcome = { pages: 0, applied: 0, skipped: 0, serverTime: '' }
  for (let page = 0; page < (opts.maxPages ?? 1000); page++) {
    const cursor = (await db.syncMeta.get(META_PULL_CURSOR))?.value
    const query = typeof cursor === 'string' && cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''
    const body = await apiFetch(`/api/v1/sync/pull${query}`)
    const parsed = v.safeParse(PullResponseSchema, body)
    if (!parsed.success) throw new ApiError('bad_response', 'the pull answer is not understood', null)
    const res = parsed.output
    const counts = await applyPullPage(db, res.changes, res.reset, res.cursor, res.serverTime, res.deviceLastSeq)
    outcome.pages++
    outcome.applied += counts.applied
    outcome.skipped += counts.skipped
    outcome.serverTime = res.serverTime
    if (!res.more) break
  }
  return outcome
}

/** Apply one page and move the cursor in the same transaction, so a crash never skips changes. */
export async function applyPullPage(
  db: FieldDb, changes: PullChange[], reset: boolean, cursor: string, serverTime: string, deviceLastSeq: number,
): Promise<{ applied: number, skipped: number }> {
  const tables = Object.values(PULL_TABLE).map((name) => db[name])
  let applied = 0
  let skipped = 0
  await db.transaction('rw', [...tables, db.syncMeta], async () => {
    if (reset) await Promise.all(tables.map((t) => t.clear()))
    for (const change of changes) {
      const table = db[PULL_TABLE[change.entity]]
      if (change.op === 'delete') {
        await table.delete(change.key)
        applied++
        continue
      }
      const value = v.safeParse(pullValueSchemas[change.entity], change.value)
      if (!value.success) { skipped++; continue }
      // Each table holds its own entity's value; the map above keeps them paired.
      await (table as typeof db.stationTotals).put({ key: change.key, value: value.output })
      applied++
    }
    await db.syncMeta.bulkPut([
      { key: META_PULL_CURSOR, value: cursor },
      { key: META_LAST_PULL_AT, value: serverTime },
      { key: META_DEVICE_LAST_SEQ, value: deviceLastSeq },
    ])
  })
  return { applied, skipped }
}
