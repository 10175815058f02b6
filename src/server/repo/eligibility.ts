// The donor eligibility snapshot phones pull: one row per pseudonymous donor key, recomputed from
// the donor's counted records whenever a donation, deferral, reaction, void or correction touches
// them. Only rows whose content changed take a new change sequence.
import { addDays } from '../../domain/dates'
import type { EligibilityEntry } from '../../domain/sync-protocol'
import { bulkTable, insertMany } from '../db/bulk'
import type { Database } from '../db/schema'
import type { Db } from '../db/store'
import { takeChangeSeqs } from './stations'

type EligibilityRow = Database['eligibility']

export function eligibilityFromRow(row: EligibilityRow): EligibilityEntry {
  return {
    donorKey: row.donor_key,
    lastDonationOn: row.last_donation_on,
    lastDonationType: row.last_donation_type as EligibilityEntry['lastDonationType'],
    apheresisLast12Months: row.apheresis_last_12_months,
    deferredUntil: row.deferred_until,
    permanentlyDeferred: row.permanently_deferred === 1,
    hadReaction: row.had_reaction === 1,
    donationCount: row.donation_count,
  }
}

const sameEntry = (a: EligibilityEntry, b: EligibilityEntry): boolean => JSON.stringify(a) === JSON.stringify(b)

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

interface DonorRecordRow {
  donor_key: string | null
  effective_type: string | null
  product: string | null
  collected_on: string | null
  deferred_until: string | null
  permanent: number | null
}

/** Snapshot entries from a donor's counted records and the donors who had a reaction. */
function computeEntries(
  records: readonly DonorRecordRow[],
  reacted: Iterable<string | null>,
  today: string,
): Map<string, EligibilityEntry> {
  const yearAgo = addDays(today, -365)
  const entries = new Map<string, EligibilityEntry>()
  for (const r of records) {
    const key = r.donor_key!
    let e = entries.get(key)
    if (!e) {
      e = {
        donorKey: key,
        lastDonationOn: null,
        lastDonationType: null,
        apheresisLast12Months: 0,
        deferredUntil: null,
        permanentlyDeferred: false,
        hadReaction: false,
        donationCount: 0,
      }
      entries.set(key, e)
    }
    if (r.effective_type === 'donation') {
      e.donationCount++
      const on = r.collected_on!
      const product = r.product as NonNullable<EligibilityEntry['lastDonationType']>
      // On the same day the later-deciding product is apheresis (longer interval before whole blood).
      if (
        e.lastDonationOn === null ||
        on > e.lastDonationOn ||
        (on === e.lastDonationOn && product === 'apheresis_platelets')
      ) {
        e.lastDonationOn = on
        e.lastDonationType = product
      }
      if (product === 'apheresis_platelets' && on > yearAgo && on <= today) e.apheresisLast12Months++
    } else if (Number(r.permanent) === 1) {
      e.permanentlyDeferred = true
    } else if (r.deferred_until !== null && (e.deferredUntil === null || r.deferred_until > e.deferredUntil)) {
      e.deferredUntil = r.deferred_until
    }
  }
  for (const key of reacted) {
    const e = key ? entries.get(key) : undefined
    if (e) e.hadReaction = true
  }
  return entries
}

const ELIGIBILITY_UPDATED = [
  'last_donation_on',
  'last_donation_type',
  'apheresis_last_12_months',
  'deferred_until',
  'permanently_deferred',
  'had_reaction',
  'donation_count',
  'change_seq',
  'deleted',
] as const
const ELIGIBILITY_UPSERT = bulkTable('eligibility', ['station_id', 'donor_key', ...ELIGIBILITY_UPDATED], {
  key: ['station_id', 'donor_key'],
  update: ELIGIBILITY_UPDATED,
})

/** Writes the entries of `keys` that differ from `existing`; keys without an entry become tombstones. */
async function persistEntries(
  trx: Db,
  stationId: string,
  keys: Iterable<string>,
  entries: Map<string, EligibilityEntry>,
  existing: Map<string, EligibilityRow>,
): Promise<number> {
  const upserts: EligibilityEntry[] = []
  const tombstones: string[] = []
  for (const key of keys) {
    const entry = entries.get(key)
    const old = existing.get(key)
    if (entry) {
      if (!old || old.deleted === 1 || !sameEntry(eligibilityFromRow(old), entry)) upserts.push(entry)
    } else if (old && old.deleted === 0) {
      tombstones.push(key)
    }
  }
  const changed = upserts.length + tombstones.length
  if (changed === 0) return 0
  let seq = await takeChangeSeqs(trx, stationId, changed)
  await insertMany(
    trx,
    ELIGIBILITY_UPSERT,
    upserts.map((e) => ({
      station_id: stationId,
      donor_key: e.donorKey,
      last_donation_on: e.lastDonationOn,
      last_donation_type: e.lastDonationType,
      apheresis_last_12_months: e.apheresisLast12Months,
      deferred_until: e.deferredUntil,
      permanently_deferred: e.permanentlyDeferred ? 1 : 0,
      had_reaction: e.hadReaction ? 1 : 0,
      donation_count: e.donationCount,
      change_seq: seq++,
      deleted: 0,
    })),
  )
  for (const key of tombstones) {
    await trx
      .updateTable('eligibility')
      .set({ deleted: 1, change_seq: seq++ })
      .where('station_id', '=', stationId)
      .where('donor_key', '=', key)
      .execute()
  }
  return changed
}

const DONOR_COLUMNS = ['donor_key', 'effective_type', 'product', 'collected_on', 'deferred_until', 'permanent'] as const

/**
 * Brings the snapshot rows of `donorKeys` up to date. `today` (station-local) bounds the
 * apheresis count: donations in the 365 days up to today, as counted when the donor last changed
 * (an over-count as days pass, never an under-count, for the yearly cap).
 */
export async function refreshEligibility(
  trx: Db,
  stationId: string,
  donorKeys: Iterable<string>,
  today: string,
): Promise<number> {
  const keys = [...new Set(donorKeys)]
  let changedTotal = 0
  for (const part of chunks(keys, 400)) {
    // Only station and donor in SQL, the rest filtered here: with `voided = 0` and an effective
    // type in the WHERE, SQLite's planner prefers the wide partial index records_tally (migration
    // 0016) and reads every donation of the station for each chunk. A donor has a few rows.
    const records = (
      await trx
        .selectFrom('records')
        .select([...DONOR_COLUMNS, 'voided'])
        .where('station_id', '=', stationId)
        .where('donor_key', 'in', part)
        .execute()
    ).filter((r) => r.voided === 0 && (r.effective_type === 'donation' || r.effective_type === 'deferral'))
    const reactions = await trx
      .selectFrom('records as r')
      .innerJoin('records as d', 'd.id', 'r.target_id')
      .select('r.donor_key')
      .where('r.station_id', '=', stationId)
      .where('r.type', '=', 'adverse_reaction')
      .where('r.voided', '=', 0)
      .where('d.voided', '=', 0)
      .where('r.donor_key', 'in', part)
      .execute()
    const existingRows = await trx
      .selectFrom('eligibility')
      .selectAll()
      .where('station_id', '=', stationId)
      .where('donor_key', 'in', part)
      .execute()
    const entries = computeEntries(
      records,
      reactions.map((r) => r.donor_key),
      today,
    )
    changedTotal += await persistEntries(
      trx,
      stationId,
      part,
      entries,
      new Map(existingRows.map((r) => [r.donor_key, r])),
    )
  }
  return changedTotal
}

/** Recomputes the whole station's snapshot in one pass (after a bulk import). */
export async function rebuildEligibility(trx: Db, stationId: string, today: string): Promise<number> {
  const records = await trx
    .selectFrom('records')
    .select(DONOR_COLUMNS)
    .where('station_id', '=', stationId)
    .where('voided', '=', 0)
    .where('donor_key', 'is not', null)
    .where('effective_type', 'in', ['donation', 'deferral'])
    .execute()
  const reactions = await trx
    .selectFrom('records as r')
    .innerJoin('records as d', 'd.id', 'r.target_id')
    .select('r.donor_key')
    .where('r.station_id', '=', stationId)
    .where('r.type', '=', 'adverse_reaction')
    .where('r.voided', '=', 0)
    .where('d.voided', '=', 0)
    .execute()
  const existingRows = await trx.selectFrom('eligibility').selectAll().where('station_id', '=', stationId).execute()
  const existing = new Map(existingRows.map((r) => [r.donor_key, r]))
  const entries = computeEntries(
    records,
    reactions.map((r) => r.donor_key),
    today,
  )
  return persistEntries(trx, stationId, new Set([...entries.keys(), ...existing.keys()]), entries, existing)
}
