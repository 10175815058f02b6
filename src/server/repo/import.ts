// Bulk loading into a station (CLI import, the generated seed year, the demo station): reference
// data by id, the roster, then field records through the same checks as a push, a chunk per
// transaction. Idempotent: loading the same bundle twice leaves the same rows.
import { addDays } from '../../domain/dates'
import type { Channel, FieldRecord, Population, RosterEntry, Site, Team } from '../../domain/records'
import { sql } from 'kysely'
import type { Store } from '../db/store'
import { nowIso, stationToday } from '../time'
import { rebuildEligibility, refreshEligibility } from './eligibility'
import { ingestRecords, type ItemOutcome } from './ingest'
import { channelFromRow, populationFromRow, rosterFromRow, siteFromRow, teamFromRow } from './reference'
import { getStationRow, lockStation, takeChangeSeqs } from './stations'

export interface ImportBundle {
  sites?: readonly Site[]
  channels?: readonly Channel[]
  teams?: readonly Team[]
  populations?: readonly Population[]
  roster?: readonly RosterEntry[]
  records: readonly unknown[]
}

export interface ImportSummary {
  reference: { inserted: number; updated: number; unchanged: number }
  applied: number
  duplicate: number
  rejected: number
  /** The first rejections, with their codes (all of them are counted above). */
  rejections: { index: number; recordId: string | null; code: string; message: string }[]
}

const CHUNK = 2000
/** Above this many donors touched, one pass over the station beats donor-by-donor updates. */
const REBUILD_ABOVE = 2000
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** Replaces one station id by another everywhere in a JSON-able value (ids are unique UUIDs). */
export function rebaseStation<T>(value: T, fromId: string, toId: string): T {
  if (fromId === toId) return value
  return JSON.parse(JSON.stringify(value).split(fromId).join(toId)) as T
}

export async function importBundle(
  store: Store,
  stationId: string,
  bundle: ImportBundle,
  opts: { onProgress?: (done: number, total: number) => void } = {},
): Promise<ImportSummary> {
  const summary: ImportSummary = {
    reference: { inserted: 0, updated: 0, unchanged: 0 },
    applied: 0,
    duplicate: 0,
    rejected: 0,
    rejections: [],
  }
  await store.db.transaction().execute(async (trx) => {
    await lockStation(trx, stationId)
    const count = (kind: 'inserted' | 'updated' | 'unchanged') => {
      summary.reference[kind]++
    }
    for (const site of bundle.sites ?? []) {
      const row = await trx.selectFrom('sites').selectAll().where('id', '=', site.id).executeTakeFirst()
      const value = { ...site, stationId }
      if (row && same(siteFromRow(row), value) && row.deleted === 0) {
        count('unchanged')
        continue
      }
      const seq = await takeChangeSeqs(trx, stationId)
      const data = {
        station_id: stationId,
        name: value.name,
        kind: value.kind,
        area: value.area,
        change_seq: seq,
        deleted: 0 as const,
      }
      if (row) {
        await trx.updateTable('sites').set(data).where('id', '=', site.id).execute()
        count('updated')
      } else {
        await trx
          .insertInto('sites')
          .values({ id: site.id, ...data })
          .execute()
        count('inserted')
      }
    }
    for (const channel of bundle.channels ?? []) {
      const row = await trx.selectFrom('channels').selectAll().where('id', '=', channel.id).executeTakeFirst()
      const value = { ...channel, stationId }
      if (row && same(channelFromRow(row), value) && row.deleted === 0) {
        count('unchanged')
        continue
      }
      const seq = await takeChangeSeqs(trx, stationId)
      const data = {
        station_id: stationId,
        code: value.code,
        name_zh: value.nameZh,
        name_en: value.nameEn,
        rural_mobile: value.ruralMobile ? (1 as const) : (0 as const),
        change_seq: seq,
        deleted: 0 as const,
      }
      if (row) {
        await trx.updateTable('channels').set(data).where('id', '=', channel.id).execute()
        count('updated')
      } else {
        await trx
          .insertInto('channels')
          .values({ id: channel.id, ...data })
          .execute()
        count('inserted')
      }
    }
    for (const team of bundle.teams ?? []) {
      const row = await trx.selectFrom('teams').selectAll().where('id', '=', team.id).executeTakeFirst()
      const value = { ...team, stationId }
      if (row && same(teamFromRow(row), value) && row.deleted === 0) {
        count('unchanged')
        continue
      }
      const seq = await takeChangeSeqs(trx, stationId)
      const data = {
        station_id: stationId,
        code: value.code,
        name_zh: value.nameZh,
        name_en: value.nameEn,
        change_seq: seq,
        deleted: 0 as const,
      }
      if (row) {
        await trx.updateTable('teams').set(data).where('id', '=', team.id).execute()
        count('updated')
      } else {
        await trx
          .insertInto('teams')
          .values({ id: team.id, ...data })
          .execute()
        count('inserted')
      }
    }
    for (const p of bundle.populations ?? []) {
      const row = await trx
        .selectFrom('populations')
        .selectAll()
        .where('station_id', '=', stationId)
        .where('year', '=', p.year)
        .executeTakeFirst()
      const value = { ...p, stationId }
      if (row && same(populationFromRow(row), value) && row.deleted === 0) {
        count('unchanged')
        continue
      }
      const seq = await takeChangeSeqs(trx, stationId)
      if (row) {
        await trx
          .updateTable('populations')
          .set({ population: p.population, change_seq: seq, deleted: 0 })
          .where('station_id', '=', stationId)
          .where('year', '=', p.year)
          .execute()
        count('updated')
      } else {
        await trx
          .insertInto('populations')
          .values({ station_id: stationId, year: p.year, population: p.population, change_seq: seq, deleted: 0 })
          .execute()
        count('inserted')
      }
    }
    for (const member of bundle.roster ?? []) {
      const row = await trx.selectFrom('staff').selectAll().where('id', '=', member.id).executeTakeFirst()
      const value = { ...member, stationId }
      if (row && same(rosterFromRow(row), value) && row.deleted === 0) {
        count('unchanged')
        continue
      }
      const seq = await takeChangeSeqs(trx, stationId)
      const data = {
        station_id: stationId,
        name: value.name,
        role: value.role,
        pin_hash: value.pinHash,
        active: value.active ? (1 as const) : (0 as const),
        change_seq: seq,
        deleted: 0 as const,
      }
      if (row) {
        await trx.updateTable('staff').set(data).where('id', '=', member.id).execute()
        count('updated')
      } else {
        await trx
          .insertInto('staff')
          .values({ id: member.id, ...data })
          .execute()
        count('inserted')
      }
    }
    await trx.updateTable('stations').set({ totals_stale: 1 }).where('id', '=', stationId).execute()
  })

  const station = await getStationRow(store.db, stationId)
  const today = stationToday(station.time_zone)
  const records = bundle.records
  const bulk = records.length > REBUILD_ABOVE
  const donorKeys = new Set<string>()
  for (let start = 0; start < records.length; start += CHUNK) {
    const part = records.slice(start, start + CHUNK)
    const outcomes: ItemOutcome[] = await store.db.transaction().execute(async (trx) => {
      await lockStation(trx, stationId)
      const result = await ingestRecords(
        trx,
        { stationId, deviceId: null, receivedAt: nowIso(), latestCollectionDate: addDays(today, 1) },
        part.map((record) => ({ record })),
      )
      if (bulk) for (const key of result.donorKeys) donorKeys.add(key)
      else await refreshEligibility(trx, stationId, result.donorKeys, today)
      if (result.countsChanged)
        await trx.updateTable('stations').set({ totals_stale: 1 }).where('id', '=', stationId).execute()
      return result.outcomes
    })
    outcomes.forEach((o, i) => {
      if (o.status === 'rejected') {
        summary.rejected++
        if (summary.rejections.length < 50)
          summary.rejections.push({ index: start + i, recordId: o.recordId, code: o.code, message: o.message })
      } else {
        summary[o.status]++
      }
    })
    opts.onProgress?.(Math.min(start + CHUNK, records.length), records.length)
    // A table that grows from empty keeps PostgreSQL's planner on sequential scans until it is
    // analysed: refresh its statistics as it doubles.
    const chunkNo = start / CHUNK + 1
    if (store.engine === 'postgres' && (chunkNo & (chunkNo - 1)) === 0) {
      await sql`analyze records (id, station_id, din, donor_key, target_id, type)`.execute(store.db)
    }
  }
  if (bulk && donorKeys.size > 0) {
    await store.db.transaction().execute(async (trx) => {
      await lockStation(trx, stationId)
      if (donorKeys.size > REBUILD_ABOVE) await rebuildEligibility(trx, stationId, today)
      else await refreshEligibility(trx, stationId, donorKeys, today)
    })
  }
  if (bulk && summary.applied > 0 && store.engine === 'postgres') {
    // Fresh statistics on every column and the visibility map set, so the reports' index-only scans
    // touch no heap and their plans do not wait for autovacuum (the retention report took 0.85-1.3 s
    // on the same import depending on whether it had run).
    await sql`vacuum (analyze) records`.execute(store.db)
  }
  return summary
}

/** Staff named by records (authors, drive crews, sign-offs) that the roster lacks, as roster entries. */
export function rosterForRecords(
  records: readonly FieldRecord[],
  stationId: string,
  pinHash: string,
  known: ReadonlySet<string> = new Set(),
): RosterEntry[] {
  const roles = new Map<string, RosterEntry['role']>()
  const note = (id: string, role: RosterEntry['role']) => {
    const current = roles.get(id)
    if (!current || (current === 'collector' && role === 'leader')) roles.set(id, role)
  }
  for (const rec of records) {
    note(rec.authorStaffId, 'collector')
    if (rec.type === 'drive') {
      for (const id of rec.staffIds) note(id, 'collector')
      note(rec.leaderStaffId, 'leader')
    }
    if (rec.type === 'drive_close') note(rec.signedOffBy, 'leader')
    // Schema 2: the leader who approved an override (also in a correction's replacement).
    const overridden = rec.type === 'correction' ? rec.replacement : rec
    if (overridden.type === 'donation' && overridden.override) note(overridden.override.approvedBy, 'leader')
  }
  let n = 0
  const out: RosterEntry[] = []
  for (const [id, role] of [...roles].sort(([a], [b]) => a.localeCompare(b))) {
    if (known.has(id)) continue
    n++
    out.push({
      id,
      stationId,
      name: `${role === 'leader' ? '车长' : '采血员'} ${String(n).padStart(2, '0')}`,
      role,
      pinHash,
      active: true,
    })
  }
  return out
}
