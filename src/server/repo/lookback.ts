// Lookback after sync: on ingest, the donations and deferrals just stored are compared with every
// counted record of the same donors (src/domain/lookback.ts), and each doubtful later donation is
// held on the station's quarantine list until the lab releases or confirms it. Flags are pulled by
// phones (entity `lookback`), so the phone that took the donation sees the hold.
import type { ProductType } from '../../domain/eligibility'
import { newId } from '../../domain/ids'
import {
  findLookbacks,
  type LookbackDecision,
  LookbackDecisionSchema,
  type LookbackFlag,
  type LookbackListItem,
  type LookbackReason,
  type LookbackRecord,
  type LookbackRecordSummary,
  type LookbackStatus,
  LOOKBACK_STATUSES,
} from '../../domain/lookback'
import { deferralReasonCodes, type Deferral, type Donation, type Drive } from '../../domain/records'
import type { Database } from '../db/schema'
import type { Db } from '../db/store'
import { parseOrRefuse, Refusal } from './refusal'
import { nowIso } from '../time'
import { takeChangeSeqs } from './stations'

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

type Counted = Donation | Deferral

/** The record as it counts: the winning correction's replacement, else its own body. */
async function effectiveBodies(
  trx: Db,
  rows: { id: string; body: string; corrected_by: string | null }[],
): Promise<Map<string, Counted>> {
  const winners = rows.flatMap((r) => (r.corrected_by ? [r.corrected_by] : []))
  const replacement = new Map<string, Counted>()
  for (const part of chunks(winners, 500)) {
    const cs = await trx.selectFrom('records').select(['id', 'body']).where('id', 'in', part).execute()
    for (const c of cs) replacement.set(c.id, (JSON.parse(c.body) as { replacement: Counted }).replacement)
  }
  const out = new Map<string, Counted>()
  for (const r of rows)
    out.set(r.id, (r.corrected_by && replacement.get(r.corrected_by)) || (JSON.parse(r.body) as Counted))
  return out
}

/**
 * Flags the later donations the records `freshIds` (donations and deferrals just stored, in the
 * caller's transaction under the station lock) reveal. Returns how many new flags were written.
 */
export async function detectLookbacks(
  trx: Db,
  stationId: string,
  freshIds: readonly string[],
  donorKeys: ReadonlySet<string>,
): Promise<number> {
  if (freshIds.length === 0 || donorKeys.size === 0) return 0
  const fresh = new Set(freshIds)
  const byDonor = new Map<string, LookbackRecord[]>()
  for (const part of chunks([...donorKeys], 400)) {
    // Type and voided filtered here, not in SQL: see refreshEligibility (records_tally's plan).
    const rows = (
      await trx
        .selectFrom('records')
        .select(['id', 'device_id', 'corrected_by', 'donor_key', 'effective_type', 'voided'])
        .where('station_id', '=', stationId)
        .where('donor_key', 'in', part)
        .execute()
    ).filter((r) => r.voided === 0 && (r.effective_type === 'donation' || r.effective_type === 'deferral'))
    // Only a donor with records from two sources has anything to compare (a phone sees its own
    // records; a bulk import is one source): the bodies of the rest are never read.
    const sources = new Map<string, Set<string | null>>()
    for (const r of rows) {
      const seen = sources.get(r.donor_key!) ?? new Set()
      seen.add(r.device_id)
      sources.set(r.donor_key!, seen)
    }
    const compared = rows.filter((r) => sources.get(r.donor_key!)!.size > 1)
    const withBodies: { id: string; body: string; corrected_by: string | null }[] = []
    for (const ids of chunks(
      compared.map((r) => r.id),
      500,
    )) {
      withBodies.push(
        ...(await trx.selectFrom('records').select(['id', 'body', 'corrected_by']).where('id', 'in', ids).execute()),
      )
    }
    const bodies = await effectiveBodies(trx, withBodies)
    for (const r of compared) {
      const rec = bodies.get(r.id)!
      const item: LookbackRecord =
        rec.type === 'donation'
          ? {
              id: r.id,
              type: 'donation',
              deviceId: r.device_id,
              collectedOn: rec.collectedOn,
              at: rec.collectedAt,
              product: rec.product.type as ProductType,
            }
          : {
              id: r.id,
              type: 'deferral',
              deviceId: r.device_id,
              collectedOn: rec.collectedOn,
              at: rec.createdAt,
              until: rec.until,
            }
      const list = byDonor.get(r.donor_key!) ?? []
      list.push(item)
      byDonor.set(r.donor_key!, list)
    }
  }
  const findings: Array<{ donationId: string; causeId: string; reason: LookbackReason; donorKey: string }> = []
  for (const [donorKey, records] of byDonor) {
    if (!records.some((r) => fresh.has(r.id))) continue
    for (const f of findLookbacks(records, fresh)) findings.push({ ...f, donorKey })
  }
  if (findings.length === 0) return 0
  const existing = new Set<string>()
  for (const part of chunks([...new Set(findings.map((f) => f.donationId))], 500)) {
    const rows = await trx
      .selectFrom('lookback_flags')
      .select(['donation_id', 'cause_id'])
      .where('donation_id', 'in', part)
      .execute()
    for (const r of rows) existing.add(`${r.donation_id}:${r.cause_id}`)
  }
  const fresher = findings.filter((f) => !existing.has(`${f.donationId}:${f.causeId}`))
  if (fresher.length === 0) return 0
  let seq = await takeChangeSeqs(trx, stationId, fresher.length)
  const flaggedAt = nowIso()
  const rows = fresher.map((f) => ({
    id: newId(),
    station_id: stationId,
    donation_id: f.donationId,
    cause_id: f.causeId,
    reason: f.reason,
    donor_key: f.donorKey,
    flagged_at: flaggedAt,
    status: 'open' as const,
    decided_by: null,
    decided_at: null,
    note: null,
    change_seq: seq++,
    deleted: 0 as const,
  }))
  for (const part of chunks(rows, 200)) await trx.insertInto('lookback_flags').values(part).execute()
  return rows.length
}

/** A flag as phones pull it. */
export function lookbackFromRow(r: Database['lookback_flags']): LookbackFlag {
  return {
    id: r.id,
    donationId: r.donation_id,
    causeId: r.cause_id,
    reason: r.reason as LookbackReason,
    status: r.status,
    flaggedAt: r.flagged_at,
    decidedAt: r.decided_at,
  }
}

/** The station's quarantine list, newest first; `status` narrows it (default: every flag). */
export async function listLookbacks(db: Db, stationId: string, status?: string): Promise<LookbackListItem[]> {
  if (status !== undefined && !(LOOKBACK_STATUSES as readonly string[]).includes(status))
    throw new Refusal('invalid_request', `status must be one of ${LOOKBACK_STATUSES.join(', ')}`)
  let q = db.selectFrom('lookback_flags').selectAll().where('station_id', '=', stationId).where('deleted', '=', 0)
  if (status) q = q.where('status', '=', status as LookbackStatus)
  const flags = await q.orderBy('flagged_at', 'desc').orderBy('id', 'desc').limit(1000).execute()
  const ids = [...new Set(flags.flatMap((f) => [f.donation_id, f.cause_id]))]
  const summaries = await summarise(db, stationId, ids)
  return flags.flatMap((f) => {
    const donation = summaries.get(f.donation_id)
    const cause = summaries.get(f.cause_id)
    if (!donation || !cause) return []
    return [{ ...lookbackFromRow(f), decidedBy: f.decided_by, note: f.note, donation, cause }]
  })
}

async function summarise(db: Db, stationId: string, ids: string[]): Promise<Map<string, LookbackRecordSummary>> {
  const out = new Map<string, LookbackRecordSummary>()
  const rows: { id: string; body: string; corrected_by: string | null; device_id: string | null; voided: number }[] = []
  for (const part of chunks(ids, 500)) {
    rows.push(
      ...(await db
        .selectFrom('records')
        .select(['id', 'body', 'corrected_by', 'device_id', 'voided'])
        .where('station_id', '=', stationId)
        .where('id', 'in', part)
        .execute()),
    )
  }
  const bodies = await effectiveBodies(db, rows)
  const driveIds = [...new Set([...bodies.values()].flatMap((b) => (b.driveId ? [b.driveId] : [])))]
  const drives = new Map<string, Drive>()
  for (const part of chunks(driveIds, 500)) {
    const ds = await db.selectFrom('records').select(['id', 'body']).where('id', 'in', part).execute()
    for (const d of ds) drives.set(d.id, JSON.parse(d.body) as Drive)
  }
  const siteIds = [...new Set([...bodies.values()].flatMap((b) => (b.siteId ? [b.siteId] : [])))]
  const sites = new Map<string, string>()
  if (siteIds.length > 0) {
    const ss = await db.selectFrom('sites').select(['id', 'name']).where('id', 'in', siteIds).execute()
    for (const s of ss) sites.set(s.id, s.name)
  }
  const deviceIds = [...new Set(rows.flatMap((r) => (r.device_id ? [r.device_id] : [])))]
  const devices = new Map<string, string>()
  if (deviceIds.length > 0) {
    const ds = await db.selectFrom('devices').select(['id', 'name']).where('id', 'in', deviceIds).execute()
    for (const d of ds) devices.set(d.id, d.name)
  }
  for (const r of rows) {
    const b = bodies.get(r.id)!
    out.set(r.id, {
      id: r.id,
      type: b.type,
      collectedOn: b.collectedOn,
      at: b.type === 'donation' ? b.collectedAt : b.createdAt,
      deviceId: r.device_id,
      deviceName: r.device_id ? (devices.get(r.device_id) ?? null) : null,
      driveId: b.driveId,
      busCode: b.driveId ? (drives.get(b.driveId)?.busCode ?? null) : null,
      siteName: b.siteId ? (sites.get(b.siteId) ?? null) : null,
      din: b.type === 'donation' ? b.din : null,
      reasonCodes: b.type === 'deferral' ? deferralReasonCodes(b) : [],
      until: b.type === 'deferral' ? b.until : null,
      voided: r.voided === 1,
    })
  }
  return out
}

/** The lab releases the donation or confirms the hold; records who and when, and phones pull the change. */
export async function decideLookback(
  trx: Db,
  stationId: string,
  flagId: string,
  input: unknown,
  decidedBy: string,
): Promise<LookbackFlag> {
  const decision: LookbackDecision = parseOrRefuse(LookbackDecisionSchema, input)
  const row = await trx
    .selectFrom('lookback_flags')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('id', '=', flagId)
    .executeTakeFirst()
  if (!row || row.deleted === 1) throw new Refusal('not_found', 'lookback flag not found')
  const seq = await takeChangeSeqs(trx, stationId, 1)
  const decidedAt = nowIso()
  await trx
    .updateTable('lookback_flags')
    .set({
      status: decision.decision,
      decided_by: decidedBy,
      decided_at: decidedAt,
      note: decision.note || null,
      change_seq: seq,
    })
    .where('id', '=', flagId)
    .execute()
  const updated = await trx.selectFrom('lookback_flags').selectAll().where('id', '=', flagId).executeTakeFirstOrThrow()
  return lookbackFromRow(updated)
}
