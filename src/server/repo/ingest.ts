// Taking field records into the station database: each record is checked against the shared
// schema and the station's data, stored once as an immutable row, and its effect on reports
// (projected columns of the record it voids or corrects) applied in the same transaction.
//
// Voids and corrections follow src/domain/indicators.ts effectiveRecords(): a target that is a
// correction stands for the record it corrects; voiding any of them voids the original; of several
// corrections the newest by createdAt, then id, wins.
import * as v from 'valibot'
import {
  type Deferral,
  deferralReasonCodes,
  deferralReasonsProblem,
  type Donation,
  type DonorIdentity,
  type Drive,
  type FieldRecord,
  FieldRecordSchema,
} from '../../domain/records'
import { expiredLots, expiredLotsUsed } from '../../domain/rapid-tests'
import type { DinClash, RejectCode } from '../../domain/sync-protocol'
import { canonicalJson } from '../canonical-json'
import type { NewRecordRow, RecordsTable } from '../db/schema'
import { bulkTable, insertMany } from '../db/bulk'
import type { Db } from '../db/store'
import { containsNul, TOO_DEEP_VALUE } from '../http/body'
import { detectLookbacks } from './lookback'
import { describeIssues, Refusal } from './refusal'
import { type KnownReferences, loadKnownReferences } from './reference'
import { dinInRange } from '../../domain/din'
import { partsOverlap } from '../../domain/drive-crew'

export type ItemOutcome =
  | { status: 'applied' | 'duplicate'; recordId: string; receivedAt: string }
  | { status: 'rejected'; recordId: string | null; code: RejectCode; message: string; clash?: DinClash }

export interface IngestContext {
  stationId: string
  /** Device that pushed the records; null for CLI imports. */
  deviceId: string | null
  receivedAt: string
  /**
   * The last collection date (collectedOn, a drive's date) taken: tomorrow in the station's time
   * zone, so a phone whose clock runs a little ahead is not refused, a year typo is.
   */
  latestCollectionDate: string
}

export interface IngestItem {
  record: unknown
  /** The device's sequence number of the mutation that carried it. */
  seq?: number | null
  /** The caller knows no string of the record holds NUL (its request's text had none). */
  nulFree?: boolean
}

export interface IngestResult {
  outcomes: ItemOutcome[]
  /** Donors whose eligibility snapshot may have changed. */
  donorKeys: Set<string>
  /** Something that reports count was added, voided or corrected. */
  countsChanged: boolean
}

/** What the batch needs to know of a record already stored (or accepted earlier in the batch). */
interface KnownRecord {
  stationId: string
  type: string
  body: string
  receivedAt: string
  voided: boolean
  /** For a correction: the original it corrects. */
  rootId: string | null
  donorKey: string | null
}

type Base = Donation | Deferral
type Projection = Omit<
  NewRecordRow,
  'id' | 'station_id' | 'type' | 'device_id' | 'seq' | 'body' | 'received_at' | 'voided' | 'corrected_by'
> & { override_reason: string | null; override_by: string | null }

const EMPTY_PROJECTION: Projection = {
  collected_on: null,
  channel_id: null,
  site_id: null,
  drive_id: null,
  donor_key: null,
  effective_type: null,
  product: null,
  volume_ml: null,
  doses: null,
  household: null,
  repeat_donor: null,
  rhd: null,
  abo: null,
  din: null,
  deferred_until: null,
  permanent: null,
  target_id: null,
  override_reason: null,
  override_by: null,
}

/** Projected columns of a donation or deferral as it counts (its own body, or the winning correction's replacement). */
export function baseProjection(rec: Base): Projection {
  const common = {
    ...EMPTY_PROJECTION,
    collected_on: rec.collectedOn,
    channel_id: rec.channelId,
    site_id: rec.siteId,
    drive_id: rec.driveId,
    donor_key: rec.donorKey,
    effective_type: rec.type,
    household: rec.household,
    repeat_donor: rec.repeatDonor ? (1 as const) : (0 as const),
  }
  if (rec.type === 'deferral') return { ...common, deferred_until: rec.until, permanent: rec.until === null ? 1 : 0 }
  return {
    ...common,
    product: rec.product.type,
    volume_ml: rec.product.type === 'whole_blood' ? rec.product.volumeMl : null,
    doses: rec.product.type === 'apheresis_platelets' ? rec.product.doses : null,
    rhd: rec.rhd,
    abo: rec.abo,
    din: rec.din,
    override_reason: rec.override?.reasonCode ?? null,
    override_by: rec.override?.approvedBy ?? null,
  }
}

type ReasonRow = { record_id: string; station_id: string; position: number; code: string }

/** The reason rows of a donation or deferral as it counts (none for a donation); schema-1 deferrals give [reasonCode]. */
function reasonRows(recordId: string, stationId: string, rec: Base): ReasonRow[] {
  if (rec.type !== 'deferral') return []
  return deferralReasonCodes(rec).map((code, position) => ({
    record_id: recordId,
    station_id: stationId,
    position,
    code,
  }))
}

function projection(rec: FieldRecord, rootId: string | null, reactionDonorKey: string | null): Projection {
  switch (rec.type) {
    case 'donation':
    case 'deferral':
      return baseProjection(rec)
    case 'drive':
      // A drive is in its own drive scope; it counts as a bus trip on its date.
      return {
        ...EMPTY_PROJECTION,
        effective_type: 'drive',
        collected_on: rec.date,
        channel_id: rec.channelId,
        site_id: rec.siteId,
        drive_id: rec.id,
      }
    case 'drive_close':
      return { ...EMPTY_PROJECTION, drive_id: rec.driveId, target_id: rec.driveId }
    case 'adverse_reaction':
      return { ...EMPTY_PROJECTION, target_id: rec.donationId, donor_key: reactionDonorKey }
    case 'donor_identity':
      return { ...EMPTY_PROJECTION, donor_key: rec.donorKey }
    case 'void':
    case 'correction':
      return { ...EMPTY_PROJECTION, target_id: rootId }
  }
}

function teamIdsOf(rec: FieldRecord): string[] {
  if (rec.type === 'donation' || rec.type === 'deferral' || rec.type === 'drive') return [...new Set(rec.teamIds)]
  return []
}

class Rejection extends Error {
  constructor(
    readonly code: RejectCode,
    message: string,
    /** For duplicate_din: the donation holding the bag number. */
    readonly clashOwner: string | null = null,
  ) {
    super(message)
  }
}
const reject = (code: RejectCode, message: string, clashOwner: string | null = null): never => {
  throw new Rejection(code, message, clashOwner)
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

async function loadKnownRecords(db: Db, ids: Set<string>): Promise<Map<string, KnownRecord>> {
  const known = new Map<string, KnownRecord>()
  for (const part of chunks([...ids], 500)) {
    const rows = await db
      .selectFrom('records')
      .select(['id', 'station_id', 'type', 'body', 'received_at', 'voided', 'target_id', 'donor_key'])
      .where('id', 'in', part)
      .execute()
    for (const r of rows) {
      known.set(r.id, {
        stationId: r.station_id,
        type: r.type,
        body: r.body,
        receivedAt: r.received_at,
        voided: r.voided === 1,
        rootId: r.type === 'correction' ? r.target_id : null,
        donorKey: r.donor_key,
      })
    }
  }
  return known
}

/** The live (not voided) donations holding these bag numbers: a voided donation frees its bag. */
async function loadDinOwners(db: Db, stationId: string, dins: Set<string>): Promise<Map<string, string>> {
  const owners = new Map<string, string>()
  for (const part of chunks([...dins], 500)) {
    const rows = await db
      .selectFrom('records')
      .select(['id', 'din'])
      .where('station_id', '=', stationId)
      .where('din', 'in', part)
      .where('voided', '=', 0)
      .execute()
    for (const r of rows) if (r.din) owners.set(r.din, r.id)
  }
  return owners
}

/** Drives among `driveIds` that already have a close (not voided). */
async function loadClosedDrives(db: Db, driveIds: string[]): Promise<Set<string>> {
  const closed = new Set<string>()
  for (const part of chunks([...new Set(driveIds)], 500)) {
    const rows = await db
      .selectFrom('records')
      .select('target_id')
      .where('type', '=', 'drive_close')
      .where('voided', '=', 0)
      .where('target_id', 'in', part)
      .execute()
    for (const r of rows) if (r.target_id) closed.add(r.target_id)
  }
  return closed
}

function recordIdOf(raw: unknown): string | null {
  const id = (raw as { id?: unknown } | null)?.id
  return typeof id === 'string' ? id.slice(0, 80) : null
}

/** The calendar date a record was collected on, where it has one. */
function collectionDateOf(rec: FieldRecord): string | null {
  if (rec.type === 'donation' || rec.type === 'deferral') return rec.collectedOn
  if (rec.type === 'drive') return rec.date
  if (rec.type === 'correction') return rec.replacement.type === 'donor_identity' ? null : rec.replacement.collectedOn
  return null
}

/** Ids a record points at, to load them with the batch. */
function referencedIds(rec: FieldRecord): string[] {
  switch (rec.type) {
    case 'donation':
    case 'deferral':
      return rec.driveId ? [rec.driveId] : []
    case 'drive_close':
      return [rec.driveId]
    case 'adverse_reaction':
      return [rec.donationId]
    case 'void':
      return [rec.targetId]
    case 'correction':
      return rec.replacement.type !== 'donor_identity' && rec.replacement.driveId
        ? [rec.targetId, rec.replacement.driveId]
        : [rec.targetId]
    default:
      return []
  }
}

/**
 * Checks and stores a batch of records in the caller's transaction (which holds the station lock).
 * Never throws for a bad record: each gets its own outcome, and rejected ones change nothing.
 * Four steps: parse each item, load what the batch refers to, check each record in order (an
 * accepted one is known to the next), write the accepted rows.
 */
export async function ingestRecords(trx: Db, ctx: IngestContext, items: readonly IngestItem[]): Promise<IngestResult> {
  const result: IngestResult = { outcomes: [], donorKeys: new Set(), countsChanged: false }
  const parsed = parseItems(items)
  const state = await loadBatch(
    trx,
    ctx.stationId,
    parsed.flatMap((p) => (p.ok ? [p.record] : [])),
  )
  const writes: BatchWrites = {
    rows: [],
    teamRows: [],
    reasonRows: [],
    roots: new Set(),
    batchDonations: new Map(),
    voidedRoots: new Set(),
    clashes: [],
  }
  for (let i = 0; i < parsed.length; i++) {
    const p = parsed[i]!
    if (!p.ok) {
      result.outcomes.push(p.outcome)
      continue
    }
    const rec = p.record
    const body = canonicalJson(rec)
    try {
      const checked = checkRecord(state, ctx, rec, body)
      if (checked.duplicateOf) {
        result.outcomes.push({ status: 'duplicate', recordId: rec.id, receivedAt: checked.duplicateOf.receivedAt })
        continue
      }
      accept(state, writes, result, ctx, rec, body, items[i]!.seq ?? null, checked)
      result.outcomes.push({ status: 'applied', recordId: rec.id, receivedAt: ctx.receivedAt })
    } catch (err) {
      if (!(err instanceof Rejection)) throw err
      if (err.clashOwner) {
        const din =
          rec.type === 'donation' ? rec.din : rec.type === 'correction' ? (rec.replacement as Donation).din : ''
        writes.clashes.push({ outcome: result.outcomes.length, din, owner: err.clashOwner })
      }
      result.outcomes.push({ status: 'rejected', recordId: rec.id, code: err.code, message: err.message })
    }
  }
  await writeBatch(trx, ctx.stationId, writes, result)
  return result
}

type ParsedItem = { ok: true; record: FieldRecord } | { ok: false; outcome: ItemOutcome }

/** Step 1: each item as a record of the shared schema, or its rejection. */
function parseItems(items: readonly IngestItem[]): ParsedItem[] {
  return items.map(({ record: raw, nulFree }): ParsedItem => {
    if (raw === TOO_DEEP_VALUE) {
      return {
        ok: false,
        outcome: {
          status: 'rejected',
          recordId: null,
          code: 'invalid_record',
          message: 'the record is nested too deeply',
        },
      }
    }
    const p = v.safeParse(FieldRecordSchema, raw)
    if (!nulFree && containsNul(raw)) {
      // PostgreSQL text cannot hold NUL; refused on both engines alike.
      return {
        ok: false,
        outcome: {
          status: 'rejected',
          recordId: recordIdOf(raw),
          code: 'invalid_record',
          message: 'text may not contain NUL characters',
        },
      }
    }
    if (!p.success) {
      return {
        ok: false,
        outcome: {
          status: 'rejected',
          recordId: recordIdOf(raw),
          code: 'invalid_record',
          message: describeIssues(p.issues),
        },
      }
    }
    return { ok: true, record: p.output }
  })
}

/** What the batch knows while it checks records in order: the stored rows and those it accepted. */
interface BatchState {
  stationId: string
  known: Map<string, KnownRecord>
  dinOwner: Map<string, string>
  /** The station's channels, sites, teams and roster; null for a batch without a valid record. */
  refs: KnownReferences | null
  closedDrives: Set<string>
}

/** Step 2: the stored records, bag numbers, references and closed drives the batch's records name. */
async function loadBatch(trx: Db, stationId: string, records: FieldRecord[]): Promise<BatchState> {
  const wanted = new Set<string>()
  const dins = new Set<string>()
  for (const rec of records) {
    wanted.add(rec.id)
    for (const id of referencedIds(rec)) wanted.add(id)
    if (rec.type === 'donation') dins.add(rec.din)
    if (rec.type === 'correction' && rec.replacement.type === 'donation') dins.add(rec.replacement.din)
  }
  const known = await loadKnownRecords(trx, wanted)
  // A void or correction naming a stored correction stands for that correction's original: load it too.
  const roots = new Set<string>()
  for (const k of known.values()) if (k.rootId && !known.has(k.rootId)) roots.add(k.rootId)
  if (roots.size > 0) for (const [id, k] of await loadKnownRecords(trx, roots)) known.set(id, k)
  const dinOwner = await loadDinOwners(trx, stationId, dins)
  const refs = records.length > 0 ? await loadKnownReferences(trx, stationId) : null
  const closedDrives = await loadClosedDrives(
    trx,
    records.flatMap((r) => (r.type === 'drive_close' ? [r.driveId] : [])),
  )
  return { stationId, known, dinOwner, refs, closedDrives }
}

function knownOfStation(state: BatchState, id: string): KnownRecord | undefined {
  const k = state.known.get(id)
  return k && k.stationId === state.stationId ? k : undefined
}

function checkCollection(state: BatchState, rec: Base | Drive, references: KnownReferences, what = 'record'): void {
  if (!references.channels.has(rec.channelId))
    reject('unknown_reference', `${what}: channel ${rec.channelId} is not a channel of this station`)
  if (rec.siteId !== null && !references.sites.has(rec.siteId))
    reject('unknown_reference', `${what}: site ${rec.siteId} is not a site of this station`)
  for (const teamId of rec.teamIds) {
    if (!references.teams.has(teamId))
      reject('unknown_reference', `${what}: team ${teamId} is not a team of this station`)
  }
  if (rec.type !== 'drive' && rec.driveId !== null && knownOfStation(state, rec.driveId)?.type !== 'drive') {
    reject('unknown_reference', `${what}: drive ${rec.driveId} is not known; push the drive before its records`)
  }
}

/** Schema 2: a deferral's reasons start with its primary reason; an override is approved by the drive's leader. */
function checkRules(state: BatchState, rec: Base, references: KnownReferences, what = 'record'): void {
  if (rec.type === 'deferral') {
    const problem = deferralReasonsProblem(rec)
    if (problem) reject('invalid_record', `${what}: ${problem}`)
    return
  }
  if (!rec.override) return
  if (!references.staff.has(rec.override.approvedBy))
    reject('unknown_reference', `${what}: approver ${rec.override.approvedBy} is not on the station's roster`)
  const drive = rec.driveId ? knownOfStation(state, rec.driveId) : undefined
  if (drive?.type === 'drive' && (JSON.parse(drive.body) as Drive).leaderStaffId !== rec.override.approvedBy)
    reject('rule_violation', `${what}: an override must be approved by the drive's leader`)
}

/** Clinic (schema 3): rapid tests only with reagent lots in date; the bleed's collector on the roster. */
function checkClinic(state: BatchState, rec: Base, references: KnownReferences, what = 'record'): void {
  if (rec.type === 'donation' && rec.bleed && !references.staff.has(rec.bleed.collectedBy))
    reject('unknown_reference', `${what}: collector ${rec.bleed.collectedBy} is not on the station's roster`)
  if (!rec.rapidTests || !rec.driveId) return
  const drive = knownOfStation(state, rec.driveId)
  if (drive?.type !== 'drive') return
  const expired = expiredLotsUsed(rec.rapidTests, (JSON.parse(drive.body) as Drive).reagentLots, rec.collectedOn)
  if (expired.length > 0)
    reject(
      'reagent_expired',
      `${what}: the ${expired[0]!.test} reagent lot ${expired[0]!.lot} expired on ${expired[0]!.expiresOn}, before ${rec.collectedOn}`,
    )
}

/**
 * Schema 3 (crew): a drive's records may come from any phone of the station (the phones that
 * joined it by QR code), but a phone other than the one that opened the drive uses only bags of
 * the drive's range.
 */
function checkCrewBag(state: BatchState, rec: Donation, what = 'record'): void {
  const drive = rec.driveId ? knownOfStation(state, rec.driveId) : undefined
  if (drive?.type !== 'drive') return
  const body = JSON.parse(drive.body) as Drive
  if (body.deviceId !== rec.deviceId && !dinInRange(rec.din, body.dinFirst, body.dinLast))
    reject(
      'rule_violation',
      `${what}: bag number ${rec.din} is outside the drive's bag range (a phone that joined the drive uses only the drive's bags)`,
    )
}

function checkDin(state: BatchState, din: string, ownerAllowed: string | null): void {
  const owner = state.dinOwner.get(din)
  if (owner !== undefined && owner !== ownerAllowed)
    reject('duplicate_din', `bag number ${din} is already used by donation ${owner}`, owner)
}

interface Checked {
  /** The same record already stored: answered as a duplicate, nothing written. */
  duplicateOf?: KnownRecord
  /** For a void or correction: the original it stands for. */
  rootId: string | null
  /** For an adverse reaction: the donor of its donation. */
  reactionDonorKey: string | null
}

/** Step 3: the station's rules for one record, against what the batch knows; throws a Rejection. */
function checkRecord(state: BatchState, ctx: IngestContext, rec: FieldRecord, body: string): Checked {
  const { stationId } = state
  if (rec.stationId !== stationId || (rec.type === 'correction' && rec.replacement.stationId !== stationId)) {
    reject('wrong_station', 'the record belongs to another station')
  }
  const existing = state.known.get(rec.id)
  if (existing) {
    if (existing.stationId === stationId && existing.body === body)
      return { duplicateOf: existing, rootId: null, reactionDonorKey: null }
    reject('conflicting_id', `a different record with id ${rec.id} is already stored`)
  }
  const collected = collectionDateOf(rec)
  if (collected !== null && collected > ctx.latestCollectionDate)
    reject(
      'invalid_record',
      `the collection date ${collected} is in the future (the station's latest is ${ctx.latestCollectionDate})`,
    )
  const references = state.refs!
  if (!references.staff.has(rec.authorStaffId))
    reject('unknown_reference', `author ${rec.authorStaffId} is not on the station's roster`)

  let rootId: string | null = null
  let reactionDonorKey: string | null = null
  switch (rec.type) {
    case 'donation':
      checkCollection(state, rec, references)
      checkRules(state, rec, references)
      checkClinic(state, rec, references)
      checkCrewBag(state, rec)
      checkDin(state, rec.din, null)
      break
    case 'deferral':
      checkCollection(state, rec, references)
      checkRules(state, rec, references)
      checkClinic(state, rec, references)
      break
    case 'donor_identity':
      break
    case 'drive':
      checkCollection(state, rec, references, 'drive')
      for (const staffId of new Set([...rec.staffIds, rec.leaderStaffId])) {
        if (!references.staff.has(staffId))
          reject('unknown_reference', `drive: staff ${staffId} is not on the station's roster`)
      }
      {
        const expired = expiredLots(rec.reagentLots, rec.date)
        if (expired.length > 0)
          reject(
            'reagent_expired',
            `drive: the ${expired[0]!.test} reagent lot ${expired[0]!.lot} expired on ${expired[0]!.expiresOn}, before the drive's date ${rec.date}`,
          )
      }
      break
    case 'drive_close': {
      const drive = knownOfStation(state, rec.driveId)
      if (drive?.type !== 'drive') reject('unknown_reference', `drive ${rec.driveId} is not known`)
      if (drive!.voided) reject('rule_violation', 'the drive is voided')
      if (state.closedDrives.has(rec.driveId)) reject('rule_violation', 'the drive is already closed')
      if (rec.crew) {
        // Schema 3 (crew): each phone's block lies in the drive's range, and no bag is in two blocks.
        const body = JSON.parse(drive!.body) as Drive
        for (const part of rec.crew) {
          if (
            !dinInRange(part.dinFirst, body.dinFirst, body.dinLast) ||
            !dinInRange(part.dinLast, body.dinFirst, body.dinLast)
          )
            reject('rule_violation', `the bags of phone ${part.deviceId} are outside the drive's bag range`)
        }
        if (partsOverlap(rec.crew)) reject('rule_violation', 'two phones of the drive hold the same bags')
      }
      if (rec.bagsUsed + rec.bagsSpoiled + rec.bagsReturned !== rec.bagsLoaded && rec.discrepancyNote.trim() === '') {
        reject(
          'rule_violation',
          'bags used + spoiled + returned differ from bags loaded: a discrepancy note is required',
        )
      }
      break
    }
    case 'adverse_reaction': {
      const donation = knownOfStation(state, rec.donationId)
      if (donation?.type !== 'donation') reject('unknown_reference', `donation ${rec.donationId} is not known`)
      reactionDonorKey = donation!.donorKey
      break
    }
    case 'void': {
      const target = knownOfStation(state, rec.targetId)
      if (!target) reject('unknown_reference', `record ${rec.targetId} is not known`)
      if (target!.type === 'void') reject('rule_violation', 'a void cannot be voided; write the record anew')
      rootId = target!.type === 'correction' ? target!.rootId : rec.targetId
      break
    }
    case 'correction': {
      const target = knownOfStation(state, rec.targetId)
      if (!target) reject('unknown_reference', `record ${rec.targetId} is not known`)
      rootId = target!.type === 'correction' ? target!.rootId : rec.targetId
      const root = rootId ? knownOfStation(state, rootId) : undefined
      const replacement = rec.replacement
      if (replacement.type === 'donor_identity') {
        // Schema version 2: a donor's name, ID number, phone or household corrected.
        if (root?.type !== 'donor_identity')
          reject('rule_violation', 'an identity replacement corrects a donor identity record')
        if (replacement.id !== rootId)
          reject('rule_violation', 'the replacement identity keeps the id of the identity it corrects')
        if (root!.voided) reject('rule_violation', 'the record is voided and cannot be corrected')
        break
      }
      if (root?.type !== 'donation' && root?.type !== 'deferral')
        reject('rule_violation', 'only donations, deferrals and donor identities can be corrected')
      if (root!.voided) reject('rule_violation', 'the record is voided and cannot be corrected')
      checkCollection(state, replacement, references, 'replacement')
      checkRules(state, replacement, references, 'replacement')
      if (replacement.type === 'donation') {
        checkCrewBag(state, replacement, 'replacement')
        checkDin(state, replacement.din, rootId)
      }
      break
    }
  }
  return { rootId, reactionDonorKey }
}

/** The rows an accepted batch writes, and the bag-number clashes to name in its answers. */
interface BatchWrites {
  rows: NewRecordRow[]
  teamRows: { record_id: string; team_id: string; station_id: string }[]
  reasonRows: ReasonRow[]
  /** Originals whose projection a void or correction changed. */
  roots: Set<string>
  /**
   * Donations (as they count: the newest correction's replacement) accepted in this batch, for
   * naming a clash with one of them before it is stored.
   */
  batchDonations: Map<string, { donation: Donation; deviceId: string | null }>
  /** Originals voided in this batch: their bags are free from the next record on. */
  voidedRoots: Set<string>
  clashes: Array<{ outcome: number; din: string; owner: string }>
}

/** An accepted record: its rows queued, and the batch's knowledge updated for the records after it. */
function accept(
  state: BatchState,
  writes: BatchWrites,
  result: IngestResult,
  ctx: IngestContext,
  rec: FieldRecord,
  body: string,
  seq: number | null,
  { rootId, reactionDonorKey }: Checked,
): void {
  const { stationId } = state
  const proj = projection(rec, rootId, reactionDonorKey)
  writes.rows.push({
    id: rec.id,
    station_id: stationId,
    type: rec.type,
    device_id: ctx.deviceId,
    seq,
    body,
    received_at: ctx.receivedAt,
    ...proj,
    voided: 0,
    corrected_by: null,
  })
  for (const teamId of teamIdsOf(rec))
    writes.teamRows.push({ record_id: rec.id, team_id: teamId, station_id: stationId })
  if (rec.type === 'deferral') writes.reasonRows.push(...reasonRows(rec.id, stationId, rec))
  state.known.set(rec.id, {
    stationId,
    type: rec.type,
    body,
    receivedAt: ctx.receivedAt,
    voided: false,
    rootId,
    donorKey: proj.donor_key ?? null,
  })
  if (rec.type === 'donation') {
    state.dinOwner.set(rec.din, rec.id)
    writes.batchDonations.set(rec.id, { donation: rec, deviceId: ctx.deviceId })
  }
  if (rec.type === 'drive_close') state.closedDrives.add(rec.driveId)
  if (rec.type === 'correction' && rec.replacement.type === 'donation') {
    state.dinOwner.set(rec.replacement.din, rootId!)
    writes.batchDonations.set(rootId!, { donation: rec.replacement, deviceId: ctx.deviceId })
  }
  if (rec.type === 'void' || rec.type === 'correction') {
    writes.roots.add(rootId!)
    if (rec.type === 'void') {
      state.known.get(rootId!)!.voided = true
      writes.voidedRoots.add(rootId!)
      for (const [din, owner] of state.dinOwner) if (owner === rootId) state.dinOwner.delete(din)
      // A row of this batch is stored voided, so a later record of the batch may take its bag.
      const row = writes.rows.find((r) => r.id === rootId)
      if (row) row.voided = 1
    }
  }
  if (rec.type === 'donation' || rec.type === 'deferral') result.donorKeys.add(rec.donorKey)
  if (rec.type === 'adverse_reaction' && reactionDonorKey) result.donorKeys.add(reactionDonorKey)
  if (rec.type === 'donation' || rec.type === 'deferral' || rec.type === 'drive') result.countsChanged = true
}

/** Step 4: name the clashes, store the accepted rows, and reproject the originals they void or correct. */
async function writeBatch(trx: Db, stationId: string, writes: BatchWrites, result: IngestResult): Promise<void> {
  const { rows, clashes } = writes
  if (clashes.length > 0) {
    const named = await describeClashes(trx, stationId, clashes, writes.batchDonations)
    for (const c of clashes) {
      const outcome = result.outcomes[c.outcome]!
      const clash = named.get(`${c.owner}:${c.din}`)
      if (outcome.status === 'rejected' && clash) outcome.clash = clash
    }
  }
  // An original stored in this same batch is written as it counts, voids and corrections
  // included (everything that points at it is in the batch): one insert, no update after it.
  const inBatch = new Map(rows.map((r) => [r.id, r]))
  const storedRoots: string[] = []
  for (const rootId of writes.roots) {
    const row = inBatch.get(rootId)
    if (row) projectInBatch(row, rows, writes, result)
    else storedRoots.push(rootId)
  }
  // Rows voided before this batch are marked now, so the batch's rows may take their bags (the
  // live-DIN index holds only rows not voided); the reprojection below writes the same flag.
  const storedVoided = [...writes.voidedRoots].filter((id) => !inBatch.has(id))
  for (const part of chunks(storedVoided, 500))
    await trx.updateTable('records').set({ voided: 1 }).where('id', 'in', part).execute()
  await insertRows(trx, rows, writes.teamRows)
  await insertMany(trx, REASON_COLUMNS, writes.reasonRows)
  const changed = await reprojectRoots(trx, storedRoots)
  for (const key of changed.donorKeys) result.donorKeys.add(key)
  if (changed.counted) result.countsChanged = true
  // Lookback: donations and deferrals just stored, against every counted record of their donors;
  // so are stored ones a correction just changed (a day moved, another donor), under their new donor.
  const fresh = rows.filter((r) => (r.type === 'donation' || r.type === 'deferral') && r.voided === 0)
  await detectLookbacks(
    trx,
    stationId,
    [...fresh.map((r) => r.id), ...storedRoots],
    new Set([...fresh.flatMap((r) => (r.donor_key ? [r.donor_key] : [])), ...changed.donorKeys]),
  )
}

/** An original accepted in this batch, its projection as its voids and corrections of the batch leave it. */
function projectInBatch(row: NewRecordRow, rows: NewRecordRow[], writes: BatchWrites, result: IngestResult): void {
  const pointing = rows.filter((r) => r.target_id === row.id && (r.type === 'void' || r.type === 'correction'))
  const change = reprojection(
    { ...row, voided: row.voided ?? 0, effective_type: row.effective_type ?? null, donor_key: row.donor_key ?? null },
    pointing,
  )
  if (change.set) Object.assign(row, change.set)
  if (change.teams) {
    writes.teamRows = writes.teamRows.filter((t) => t.record_id !== row.id)
    for (const team_id of change.teams) writes.teamRows.push({ record_id: row.id, team_id, station_id: row.station_id })
  }
  if (change.reasons) {
    writes.reasonRows = writes.reasonRows.filter((r) => r.record_id !== row.id)
    writes.reasonRows.push(...change.reasons)
  }
  if (change.reactionsDonorKey !== undefined) {
    for (const r of rows)
      if (r.type === 'adverse_reaction' && r.target_id === row.id) r.donor_key = change.reactionsDonorKey
  }
  for (const key of change.donorKeys) result.donorKeys.add(key)
  if (change.counted) result.countsChanged = true
}

/** The donation, drive and time of each bag-number clash, from the batch or the stored rows. */
async function describeClashes(
  trx: Db,
  stationId: string,
  clashes: Array<{ din: string; owner: string }>,
  batch: Map<string, { donation: Donation; deviceId: string | null }>,
): Promise<Map<string, DinClash>> {
  const stored = [...new Set(clashes.map((c) => c.owner).filter((id) => !batch.has(id)))]
  const owners = new Map<string, { donation: Donation; deviceId: string | null }>(batch)
  for (const part of chunks(stored, 500)) {
    const rows = await trx
      .selectFrom('records')
      .select(['id', 'body', 'device_id', 'corrected_by'])
      .where('station_id', '=', stationId)
      .where('id', 'in', part)
      .execute()
    const winners = rows.flatMap((r) => (r.corrected_by ? [r.corrected_by] : []))
    const replacement = new Map<string, Donation>()
    if (winners.length > 0) {
      const cs = await trx.selectFrom('records').select(['id', 'body']).where('id', 'in', winners).execute()
      for (const c of cs) replacement.set(c.id, (JSON.parse(c.body) as { replacement: Donation }).replacement)
    }
    for (const r of rows) {
      const donation = (r.corrected_by && replacement.get(r.corrected_by)) || (JSON.parse(r.body) as Donation)
      owners.set(r.id, { donation, deviceId: r.device_id })
    }
  }
  const driveIds = [...new Set([...owners.values()].flatMap((o) => (o.donation.driveId ? [o.donation.driveId] : [])))]
  const drives = new Map<string, Drive>()
  for (const part of chunks(driveIds, 500)) {
    const rows = await trx
      .selectFrom('records')
      .select(['id', 'body'])
      .where('station_id', '=', stationId)
      .where('type', '=', 'drive')
      .where('id', 'in', part)
      .execute()
    for (const r of rows) drives.set(r.id, JSON.parse(r.body) as Drive)
  }
  const named = new Map<string, DinClash>()
  for (const c of clashes) {
    const owner = owners.get(c.owner)
    if (!owner) continue
    const d = owner.donation
    const drive = d.driveId ? drives.get(d.driveId) : undefined
    named.set(`${c.owner}:${c.din}`, {
      din: c.din,
      recordId: c.owner,
      driveId: d.driveId,
      driveDate: drive?.date ?? null,
      busCode: drive?.busCode ?? null,
      siteId: drive?.siteId ?? d.siteId,
      collectedOn: d.collectedOn,
      collectedAt: d.collectedAt,
      donorKey: d.donorKey,
      deviceId: owner.deviceId,
    })
  }
  return named
}

const RECORD_COLUMNS = bulkTable(
  'records',
  [
    'id',
    'station_id',
    'type',
    'device_id',
    'seq',
    'body',
    'received_at',
    'collected_on',
    'channel_id',
    'site_id',
    'drive_id',
    'donor_key',
    'effective_type',
    'product',
    'volume_ml',
    'doses',
    'household',
    'repeat_donor',
    'rhd',
    'abo',
    'din',
    'deferred_until',
    'permanent',
    'target_id',
    'voided',
    'corrected_by',
    'override_reason',
    'override_by',
  ],
  'ignore',
)
const TEAM_COLUMNS = bulkTable('record_teams', ['record_id', 'team_id', 'station_id'])
const REASON_COLUMNS = bulkTable('record_reasons', ['record_id', 'station_id', 'position', 'code'])

async function insertRows(
  trx: Db,
  rows: NewRecordRow[],
  teamRows: { record_id: string; team_id: string; station_id: string }[],
): Promise<void> {
  const inserted = await insertMany(trx, RECORD_COLUMNS, rows)
  if (inserted !== rows.length) {
    // Only a writer outside the station lock (another station reusing an id) gets here: let the client retry.
    throw new Refusal('busy', 'another request stored one of these records at the same moment; send the batch again')
  }
  await insertMany(trx, TEAM_COLUMNS, teamRows)
}

function instant(createdAt: string): number {
  const ms = Date.parse(createdAt)
  return Number.isNaN(ms) ? 0 : ms
}

/** An original as stored: what its reprojection reads. */
type RootRow = Pick<RecordsTable, 'id' | 'station_id' | 'type' | 'body' | 'donor_key' | 'effective_type' | 'voided'>
type Pointer = Pick<RecordsTable, 'id' | 'type' | 'body'>

/** What an original's voids and corrections make of its stored row. */
interface Reprojection {
  /** Columns to write on the original's row; null when nothing changes. */
  set: Partial<RecordsTable> | null
  /** For a donation or deferral: its teams and reasons as it counts now (null: unchanged). */
  teams: string[] | null
  reasons: ReasonRow[] | null
  /** Its adverse reactions follow the donation's donor: the new key, or undefined when it did not move. */
  reactionsDonorKey: string | null | undefined
  donorKeys: string[]
  counted: boolean
}

/**
 * The projected columns of an original donation, deferral or other voidable record, from its own
 * body, its corrections and its voids (`pointing`: every void and correction that names it).
 */
function reprojection(root: RootRow, pointing: readonly Pointer[]): Reprojection {
  const voided = pointing.some((r) => r.type === 'void')
  const counted = root.effective_type !== null
  const donorKeys = root.donor_key ? [root.donor_key] : []
  const unchanged = { teams: null, reasons: null, reactionsDonorKey: undefined }

  let winner: { id: string; createdAt: string; replacement: Base | DonorIdentity } | null = null
  for (const r of pointing) {
    if (r.type !== 'correction') continue
    const c = JSON.parse(r.body) as { id: string; createdAt: string; replacement: Base | DonorIdentity }
    if (!winner) {
      winner = c
      continue
    }
    const ta = instant(c.createdAt)
    const tb = instant(winner.createdAt)
    if (ta !== tb ? ta > tb : c.id > winner.id) winner = c
  }

  if (root.type === 'donor_identity') {
    // The identity row shows its newest correction: its donor key (a corrected ID number keys
    // another donor) and the correction that holds the current name, number, phone and household.
    const current = (winner?.replacement ?? JSON.parse(root.body)) as DonorIdentity
    return {
      ...unchanged,
      set: { voided: voided ? 1 : 0, corrected_by: winner?.id ?? null, donor_key: current.donorKey },
      donorKeys: [...new Set([...donorKeys, current.donorKey])],
      counted,
    }
  }
  if (root.type !== 'donation' && root.type !== 'deferral') {
    return { ...unchanged, set: voided && root.voided === 0 ? { voided: 1 } : null, donorKeys, counted }
  }
  const effective: Base = winner ? (winner.replacement as Base) : (JSON.parse(root.body) as Base)
  const proj = baseProjection(effective)
  const moved = proj.donor_key !== root.donor_key
  if (moved && proj.donor_key) donorKeys.push(proj.donor_key)
  return {
    set: { ...proj, voided: voided ? 1 : 0, corrected_by: winner?.id ?? null },
    teams: [...new Set(effective.teamIds)],
    reasons: reasonRows(root.id, root.station_id, effective),
    reactionsDonorKey: moved ? proj.donor_key : undefined,
    donorKeys,
    counted: true,
  }
}

/**
 * Recomputes the projected columns of stored originals (donations, deferrals, other voidable
 * records) from their own bodies, their corrections and their voids: the rows, their pointers,
 * and the team and reason rows read and replaced a few hundred originals at a time.
 */
export async function reprojectRoots(
  trx: Db,
  rootIds: readonly string[],
): Promise<{ donorKeys: string[]; counted: boolean }> {
  const donorKeys: string[] = []
  let counted = false
  for (const part of chunks([...new Set(rootIds)], 250)) {
    const roots = await trx
      .selectFrom('records')
      .select(['id', 'station_id', 'type', 'body', 'donor_key', 'effective_type', 'voided'])
      .where('id', 'in', part)
      .execute()
    const pointers = await trx
      .selectFrom('records')
      .select(['id', 'type', 'body', 'target_id'])
      .where('target_id', 'in', part)
      .where('type', 'in', ['void', 'correction'])
      .execute()
    const byRoot = new Map<string, Pointer[]>()
    for (const p of pointers) {
      const list = byRoot.get(p.target_id!)
      if (list) list.push(p)
      else byRoot.set(p.target_id!, [p])
    }
    const byId = new Map(roots.map((r) => [r.id, r]))
    const recounted: string[] = []
    const teamRows: { record_id: string; team_id: string; station_id: string }[] = []
    const reasons: ReasonRow[] = []
    for (const id of part) {
      const root = byId.get(id)
      if (!root) continue
      const change = reprojection(root, byRoot.get(id) ?? [])
      donorKeys.push(...change.donorKeys)
      counted ||= change.counted
      if (change.set) await trx.updateTable('records').set(change.set).where('id', '=', id).execute()
      if (change.teams && change.reasons) {
        recounted.push(id)
        for (const team_id of change.teams) teamRows.push({ record_id: id, team_id, station_id: root.station_id })
        reasons.push(...change.reasons)
      }
      if (change.reactionsDonorKey !== undefined) {
        await trx
          .updateTable('records')
          .set({ donor_key: change.reactionsDonorKey })
          .where('type', '=', 'adverse_reaction')
          .where('target_id', '=', id)
          .execute()
      }
    }
    if (recounted.length > 0) {
      await trx.deleteFrom('record_teams').where('record_id', 'in', recounted).execute()
      await trx.deleteFrom('record_reasons').where('record_id', 'in', recounted).execute()
    }
    await insertMany(trx, TEAM_COLUMNS, teamRows)
    await insertMany(trx, REASON_COLUMNS, reasons)
  }
  return { donorKeys: [...new Set(donorKeys)], counted }
}

/** One original, reprojected (see reprojectRoots). */
export async function reprojectRoot(trx: Db, rootId: string): Promise<{ donorKeys: string[]; counted: boolean }> {
  return reprojectRoots(trx, [rootId])
}
