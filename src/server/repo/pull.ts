// GET /api/v1/sync/pull: everything a phone needs, by the station's change sequence (never a
// clock). Each pulled table row carries the sequence of its last write; a page is the rows with
// sequence after the cursor and at most the counter value read when the page began (every write
// with a sequence up to that value has committed, because writers take sequences under the
// station's row lock), so a page never skips a change that commits late.
import type { PullChange, PullEntity, PullResponse, StationTotals } from '../../domain/sync-protocol'
import type { Database } from '../db/schema'
import type { Db, Store } from '../db/store'
import { nowIso, stationToday } from '../time'
import { eligibilityFromRow } from './eligibility'
import { lookbackFromRow } from './lookback'
import { channelFromRow, populationFromRow, rosterFromRow, siteFromRow, targetFromRow, teamFromRow } from './reference'
import { periodTotals } from './reports'
import { romanisedSite, romanisedStaff } from './romanise'
import { planFromRow } from './plans'
import { getStationRow, lockStation, pulledStation, takeChangeSeqs } from './stations'
import { lastTargetChange, planTargetTotals, writeTargetTotals } from './target-totals'
import { RETENTION_METRICS } from '../../domain/records'

export const PULL_DEFAULT_LIMIT = 1000
export const PULL_MAX_LIMIT = 5000

interface Cursor {
  epoch: string
  seq: number
}

export function formatCursor(c: Cursor): string {
  return `${c.epoch}.${c.seq}`
}

export function parseCursor(text: string | undefined): Cursor | null {
  const m = /^([0-9a-f]{12})\.(\d{1,15})$/.exec(text ?? '')
  return m ? { epoch: m[1]!, seq: Number(m[2]) } : null
}

interface FeedRow {
  seq: number
  change: PullChange
}

type PulledTable =
  | 'staff'
  | 'sites'
  | 'channels'
  | 'teams'
  | 'targets'
  | 'populations'
  | 'eligibility'
  | 'station_totals'
  | 'drive_plans'
  | 'lookback_flags'

interface Feed {
  table: PulledTable
  entity: PullEntity
  key: (row: never) => string
  value: (row: never) => unknown
  /** A live row the phone must not hold: sent as a delete, left out of a reset. */
  hidden?: { column: 'active'; value: 0 }
  /** Rows dated before the station's today in this column are past: sent as deletes, left out of a reset. */
  fromToday?: 'plan_date'
  /** Sent only to phones that ask for it by name (`?with=`): an older phone refuses an unknown entity. */
  optIn?: string
  /** Rows whose `column` is one of `values` reach only phones that ask by name; to others they are deletes. */
  newValues?: { column: 'metric'; values: readonly string[]; optIn: string }
}

// Sites and staff carry their pinyin for search on the phone. Only active staff reach a phone: a
// deactivated member is a delete there, so nobody can unlock with their PIN.
const FEEDS: Feed[] = [
  {
    table: 'sites',
    entity: 'site',
    key: (r: Database['sites']) => r.id,
    value: (r: Database['sites']) => romanisedSite(siteFromRow(r)),
  },
  { table: 'channels', entity: 'channel', key: (r: Database['channels']) => r.id, value: channelFromRow },
  { table: 'teams', entity: 'team', key: (r: Database['teams']) => r.id, value: teamFromRow },
  {
    table: 'targets',
    entity: 'target',
    key: (r: Database['targets']) => r.id,
    value: targetFromRow,
    // An older phone's schema refuses the retention metrics (issue 15): it never holds such a target.
    newValues: { column: 'metric', values: RETENTION_METRICS, optIn: 'retention' },
  },
  {
    table: 'staff',
    entity: 'roster',
    key: (r: Database['staff']) => r.id,
    value: (r: Database['staff']) => romanisedStaff(rosterFromRow(r)),
    hidden: { column: 'active', value: 0 },
  },
  {
    table: 'populations',
    entity: 'population',
    key: (r: Database['populations']) => String(r.year),
    value: populationFromRow,
  },
  {
    table: 'eligibility',
    entity: 'eligibility',
    key: (r: Database['eligibility']) => r.donor_key,
    value: eligibilityFromRow,
  },
  {
    table: 'station_totals',
    entity: 'totals',
    key: (r: Database['station_totals']) => r.key,
    value: (r: Database['station_totals']) => JSON.parse(r.value),
  },
  // Drive plans from today on (a phone opens today's drive from its plan); past ones leave the phone.
  {
    table: 'drive_plans',
    entity: 'plan',
    key: (r: Database['drive_plans']) => r.id,
    value: planFromRow,
    fromToday: 'plan_date',
  },
  {
    table: 'lookback_flags',
    entity: 'lookback',
    key: (r: Database['lookback_flags']) => r.id,
    value: lookbackFromRow,
    optIn: 'lookback',
  },
]

/** Recomputes the running totals when records changed or the month turned since they were made. */
export async function ensureTotals(store: Store, stationId: string, now = new Date()): Promise<void> {
  const station = await getStationRow(store.db, stationId)
  const today = stationToday(station.time_zone, now)
  const [monthRow, targetSeq] = await Promise.all([
    store.db
      .selectFrom('station_totals')
      .select(['value', 'change_seq'])
      .where('station_id', '=', stationId)
      .where('key', '=', 'month')
      .executeTakeFirst(),
    lastTargetChange(store.db, stationId),
  ])
  const monthStart = monthRow ? (JSON.parse(monthRow.value) as StationTotals).period.start : null
  // A target saved or deleted since the totals were made changes which targets are counted.
  const targetsChanged = targetSeq > Number(monthRow?.change_seq ?? 0)
  if (station.totals_stale === 0 && monthStart === `${today.slice(0, 7)}-01` && !targetsChanged) return
  await store.db.transaction().execute(async (trx) => {
    await refreshTotals(trx, stationId, today)
  })
}

/** Writes the year and month totals and each target's own (takes the station lock). */
export async function refreshTotals(trx: Db, stationId: string, today: string): Promise<void> {
  await lockStation(trx, stationId)
  const totals = await periodTotals(trx, stationId, today)
  const computedAt = nowIso()
  const targets = await planTargetTotals(trx, stationId, today, computedAt)
  const first = await takeChangeSeqs(trx, stationId, 2 + targets.rows.length + targets.gone.length)
  let seq = first
  for (const key of ['year', 'month'] as const) {
    const value: StationTotals = { key, computedAt, ...totals[key] }
    const row = { station_id: stationId, key, value: JSON.stringify(value), change_seq: seq++, deleted: 0 as const }
    await trx
      .insertInto('station_totals')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['station_id', 'key']).doUpdateSet({ value: row.value, change_seq: row.change_seq, deleted: 0 }),
      )
      .execute()
  }
  await writeTargetTotals(trx, stationId, targets, seq)
  await trx.updateTable('stations').set({ totals_stale: 0 }).where('id', '=', stationId).execute()
}

export async function pullChanges(
  store: Store,
  device: { id: string; stationId: string },
  cursorText: string | undefined,
  limit = PULL_DEFAULT_LIMIT,
  optIn: ReadonlySet<string> = new Set(),
  pending: number | null = null,
): Promise<PullResponse> {
  const db = store.db
  await ensureTotals(store, device.stationId)
  const station = await getStationRow(db, device.stationId)
  const upTo = Number(station.change_counter)
  const cursor = parseCursor(cursorText)
  // Unknown, foreign (another epoch: a restored or different database), compacted or future cursor: start over.
  const reset =
    !cursor || cursor.epoch !== station.sync_epoch || cursor.seq < Number(station.pull_horizon) || cursor.seq > upTo
  const after = reset ? 0 : cursor.seq

  const today = stationToday(station.time_zone)
  const feed: FeedRow[] = []
  if (Number(station.change_seq) > after && Number(station.change_seq) <= upTo) {
    feed.push({
      seq: Number(station.change_seq),
      change: { op: 'upsert', entity: 'station', key: station.id, value: pulledStation(station) },
    })
  }
  for (const f of FEEDS) {
    if (f.optIn && !optIn.has(f.optIn)) continue
    let q = db
      .selectFrom(f.table as 'sites')
      .selectAll()
      .where('station_id', '=', station.id)
      .where('change_seq', '>', after)
      .where('change_seq', '<=', upTo)
    if (reset) q = q.where('deleted', '=', 0)
    if (reset && f.hidden) q = q.where(f.hidden.column as 'deleted', '!=', f.hidden.value)
    if (reset && f.fromToday) q = q.where(f.fromToday as 'name', '>=', today)
    const withheld = f.newValues && !optIn.has(f.newValues.optIn) ? f.newValues : undefined
    if (reset && withheld) q = q.where(withheld.column as 'name', 'not in', [...withheld.values])
    const rows = (await q
      .orderBy('change_seq')
      .limit(limit + 1)
      .execute()) as unknown as Database[PulledTable][]
    for (const row of rows) {
      const key = f.key(row as never)
      const fields = row as unknown as Record<string, unknown>
      const hidden =
        (f.hidden !== undefined && fields[f.hidden.column] === f.hidden.value) ||
        (f.fromToday !== undefined && String(fields[f.fromToday]) < today) ||
        (withheld !== undefined && withheld.values.includes(String(fields[withheld.column])))
      feed.push({
        seq: Number(row.change_seq),
        change:
          row.deleted === 1 || hidden
            ? { op: 'delete', entity: f.entity, key }
            : { op: 'upsert', entity: f.entity, key, value: f.value(row as never) },
      })
    }
  }
  feed.sort((a, b) => a.seq - b.seq)
  const more = feed.length > limit
  const page = feed.slice(0, limit)
  const nextSeq = more ? page.at(-1)!.seq : upTo

  const now = nowIso()
  const dev = await db
    .updateTable('devices')
    .set(pending === null ? { last_pull_at: now } : { last_pull_at: now, pending_records: pending, pending_at: now })
    .where('id', '=', device.id)
    .returning('last_seq')
    .executeTakeFirst()
  return {
    cursor: formatCursor({ epoch: station.sync_epoch, seq: nextSeq }),
    reset,
    more,
    changes: page.map((f) => f.change),
    serverTime: now,
    deviceLastSeq: Number(dev?.last_seq ?? 0),
  }
}

/**
 * Drops eligibility tombstones up to `seq` and raises the horizon: a phone whose cursor is older
 * gets a full reset instead of missing a delete.
 */
export async function compactTombstones(store: Store, stationId: string, seq: number): Promise<number> {
  return store.db.transaction().execute(async (trx) => {
    await takeChangeSeqs(trx, stationId, 0)
    const removed = await trx
      .deleteFrom('eligibility')
      .where('station_id', '=', stationId)
      .where('deleted', '=', 1)
      .where('change_seq', '<=', seq)
      .executeTakeFirst()
    const station = await getStationRow(trx, stationId)
    await trx
      .updateTable('stations')
      .set({ pull_horizon: Math.max(Number(station.pull_horizon), seq) })
      .where('id', '=', stationId)
      .execute()
    return Number(removed.numDeletedRows)
  })
}
