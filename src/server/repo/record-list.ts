// The records of a period: donations, deferrals and drives collected in it (in scope), for the
// station's listing, and with the records that point at them (voids, corrections, adverse
// reactions, drive closes) for export, so that an exported file recomputes the same report.
import type { FieldRecord } from '../../domain/records'
import type { Db } from '../db/store'
import { Refusal } from './refusal'
import type { ReportFilter } from './reports'

export const RECORD_LIST_MAX = 2000
const COUNTED_TYPES = ['donation', 'deferral', 'drive']

export interface ListedRecord {
  id: string
  type: string
  receivedAt: string
  deviceId: string | null
  voided: boolean
  /** The correction whose replacement counts instead of the record, if any. */
  correctedBy: string | null
  record: FieldRecord
}

export interface RecordPage {
  records: ListedRecord[]
  /** Pass as ?after= for the next page; null at the end. */
  next: string | null
}

function baseQuery(db: Db, stationId: string, filter: ReportFilter) {
  let q = db
    .selectFrom('records as r')
    .where('r.station_id', '=', stationId)
    .where('r.type', 'in', COUNTED_TYPES)
    .where('r.collected_on', '>=', filter.from)
    .where('r.collected_on', '<=', filter.to)
  const id = filter.scope.id
  switch (filter.scope.kind) {
    case 'channel':
      q = q.where('r.channel_id', '=', id!)
      break
    case 'site':
      q = q.where('r.site_id', '=', id!)
      break
    case 'drive':
      q = q.where('r.drive_id', '=', id!)
      break
    case 'team':
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('record_teams as st')
            .select('st.team_id')
            .whereRef('st.record_id', '=', 'r.id')
            .where('st.team_id', '=', id!),
        ),
      )
      break
    case 'station':
      break
  }
  return q
}

export async function listRecords(
  db: Db,
  stationId: string,
  filter: ReportFilter,
  page: { limit: number; after: string | null },
): Promise<RecordPage> {
  let q = baseQuery(db, stationId, filter).select([
    'r.id',
    'r.type',
    'r.received_at',
    'r.device_id',
    'r.voided',
    'r.corrected_by',
    'r.body',
    'r.collected_on',
  ])
  if (page.after) {
    const m = /^(\d{4}-\d{2}-\d{2})\|([0-9a-f-]{36})$/.exec(page.after)
    if (!m) throw new Refusal('invalid_request', 'after is not a cursor this listing gave')
    const [, on, id] = m as unknown as [string, string, string]
    q = q.where((eb) =>
      eb.or([eb('r.collected_on', '>', on), eb.and([eb('r.collected_on', '=', on), eb('r.id', '>', id)])]),
    )
  }
  const rows = await q
    .orderBy('r.collected_on')
    .orderBy('r.id')
    .limit(page.limit + 1)
    .execute()
  const more = rows.length > page.limit
  const shown = rows.slice(0, page.limit)
  const last = shown.at(-1)
  return {
    records: shown.map((r) => ({
      id: r.id,
      type: r.type,
      receivedAt: r.received_at,
      deviceId: r.device_id,
      voided: r.voided === 1,
      correctedBy: r.corrected_by,
      record: JSON.parse(r.body) as FieldRecord,
    })),
    next: more && last ? `${last.collected_on}|${last.id}` : null,
  }
}

/**
 * Every record of the period, as stored: the counted records, then whatever points at them
 * (to any depth). Donor identity records are left out (personal data stays on the server).
 */
export async function exportRecords(db: Db, stationId: string, filter: ReportFilter): Promise<FieldRecord[]> {
  const base = await baseQuery(db, stationId, filter)
    .select(['r.id', 'r.body'])
    .orderBy('r.collected_on')
    .orderBy('r.id')
    .execute()
  const out: FieldRecord[] = base.map((r) => JSON.parse(r.body) as FieldRecord)
  let frontier = base.map((r) => r.id)
  const seen = new Set(frontier)
  while (frontier.length > 0) {
    const next: string[] = []
    for (let i = 0; i < frontier.length; i += 500) {
      // Looked up by target_id alone, station and order checked here: with station_id or an
      // ORDER BY in the query SQLite picks another index and scans the whole station per chunk.
      const rows = (
        await db
          .selectFrom('records')
          .select(['id', 'body', 'received_at', 'station_id'])
          .where('target_id', 'in', frontier.slice(i, i + 500))
          .execute()
      )
        .filter((r) => r.station_id === stationId)
        .sort((a, b) =>
          a.received_at < b.received_at
            ? -1
            : a.received_at > b.received_at
              ? 1
              : a.id < b.id
                ? -1
                : a.id > b.id
                  ? 1
                  : 0,
        )
      for (const r of rows) {
        if (seen.has(r.id)) continue
        seen.add(r.id)
        next.push(r.id)
        out.push(JSON.parse(r.body) as FieldRecord)
      }
    }
    frontier = next
  }
  return out
}
