// Station pages on a phone (issue 15): staff and sites a page at a time with a search, so a station
// of thousands never sends (or renders) them all at once. The unpaged lists stay as they were.
import { sql } from 'kysely'
import type { Site } from '../../domain/records'
import type { Db } from '../db/store'
import { Refusal } from './refusal'
import { rosterFromRow, siteFromRow, type StaffMember } from './reference'

export const PAGE_MAX = 200

export interface PageQuery {
  q: string
  limit: number
  offset: number
}

export interface Page<T> {
  items: T[]
  total: number
  offset: number
  limit: number
}

/** `?q=&limit=&offset=` read and bounded; null when no limit is asked for (the whole list). */
export function pageQuery(query: Record<string, string | undefined>): PageQuery | null {
  if (query.limit === undefined) return null
  const limit = Number(query.limit)
  const offset = query.offset === undefined ? 0 : Number(query.offset)
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX)
    throw new Refusal('invalid_request', `limit must be a whole number from 1 to ${PAGE_MAX}`)
  if (!Number.isInteger(offset) || offset < 0 || offset > 1_000_000)
    throw new Refusal('invalid_request', 'offset must be a whole number from 0')
  const q = (query.q ?? '').trim().slice(0, 80)
  return { q, limit, offset }
}

/** `column` holds `text` anywhere, case-insensitive, its % _ \ taken literally (both engines). */
function like(column: string, text: string) {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`
}

export async function pageSites(db: Db, stationId: string, p: PageQuery): Promise<Page<Site>> {
  let q = db.selectFrom('sites').where('station_id', '=', stationId).where('deleted', '=', 0)
  if (p.q) q = q.where((eb) => eb.or([like('name', p.q), like('area', p.q)]))
  const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const rows = await q.selectAll().orderBy('name').orderBy('id').limit(p.limit).offset(p.offset).execute()
  return { items: rows.map(siteFromRow), total: Number(n), offset: p.offset, limit: p.limit }
}

export async function pageStaff(db: Db, stationId: string, p: PageQuery): Promise<Page<StaffMember>> {
  let q = db.selectFrom('staff').where('station_id', '=', stationId).where('deleted', '=', 0)
  if (p.q) q = q.where(like('name', p.q))
  const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const rows = await q.selectAll().orderBy('name').orderBy('id').limit(p.limit).offset(p.offset).execute()
  return {
    items: rows.map((r) => {
      const { pinHash: _pinHash, ...rest } = rosterFromRow(r)
      return rest
    }),
    total: Number(n),
    offset: p.offset,
    limit: p.limit,
  }
}

/** Years with counted donations or deferrals and how many, newest first (the annual report's default). */
export async function yearsWithRecords(db: Db, stationId: string): Promise<Array<{ year: number; records: number }>> {
  const year = sql<string>`substr(${sql.ref('collected_on')}, 1, 4)`
  const rows = await db
    .selectFrom('records')
    .select([year.as('year'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('station_id', '=', stationId)
    .where('effective_type', 'in', ['donation', 'deferral'])
    .where('voided', '=', 0)
    .groupBy(year)
    .execute()
  return rows
    .map((r) => ({ year: Number(r.year), records: Number(r.n) }))
    .filter((r) => Number.isInteger(r.year))
    .sort((a, b) => b.year - a.year)
}
