// Writing field records. A record, its outbox entry and the running tallies change in ONE
// IndexedDB transaction: either all of it is on the phone or none of it is, and the screen says
// "saved" only after the transaction committed. Records are never edited or deleted here.
import * as v from 'valibot'
import {
  deferralReasonsProblem,
  FieldRecordSchema,
  type Correction,
  type Deferral,
  type Donation,
  type DonorIdentity,
  type Drive,
  type FieldRecord,
} from '../../domain/records'
import { DEFAULT_ELIGIBILITY, type EligibilityHistory, intervalEndsOn } from '../../domain/eligibility'
import { newId } from '../../domain/ids'
import { fieldDb, type FieldDb } from './index'
import { RECORD_TABLE, type OutboxRow } from './schema'
import type { IndicatorContext, IndicatorCounts } from '../../domain/indicators'
import { applyToTallies, readTalliesOf, tallyKeys, type TallyChange, writeTallies } from './tallies'

export const FIELD_RECORD_ERRORS = [
  'invalid_record',
  'unknown_drive',
  'drive_closed',
  'drive_already_closed',
  'duplicate_din',
  'unknown_target',
  'already_voided',
  'not_voidable',
  'not_correctable',
  'same_day_donation',
  'override_not_leader',
  'override_required',
] as const
export type FieldRecordErrorCode = (typeof FIELD_RECORD_ERRORS)[number]

/** A record the phone refuses to store; `code` maps to a message in the user's language. */
export class FieldRecordError extends Error {
  constructor(
    readonly code: FieldRecordErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'FieldRecordError'
  }
}

export interface SavedRecord {
  seq: number
  mutationId: string
  record: FieldRecord
}

/** Every table a save may read or write, so the transaction covers all of it. */
function saveScope(db: FieldDb) {
  return [
    db.drives,
    db.driveCloses,
    db.donations,
    db.deferrals,
    db.donorIdentities,
    db.adverseReactions,
    db.voids,
    db.corrections,
    db.outbox,
    db.tallies,
    db.channels,
    db.eligibility,
  ]
}

/** Validate, check the drive's rules, and store the record with its outbox entry atomically. */
export async function saveFieldRecord(record: FieldRecord, db: FieldDb = fieldDb()): Promise<SavedRecord> {
  const [saved] = await saveFieldRecords([record], db)
  return saved!
}

/**
 * Several records that belong together (a donor identity and the donation) in ONE transaction,
 * each with its own outbox entry in the given order.
 */
export async function saveFieldRecords(records: FieldRecord[], db: FieldDb = fieldDb()): Promise<SavedRecord[]> {
  return (await saveFieldBatch(records, db)).saved
}

export interface SaveOptions {
  /** Key of the donor form's draft (db/drafts.ts) to delete in the same transaction as the records. */
  clearDraft?: string
}

export interface SavedBatch {
  saved: SavedRecord[]
  /** The running tallies this batch changed, as committed with it (key → counts). */
  tallies: Map<string, IndicatorCounts>
}

/**
 * The tally rows this tab's saves last committed, per database, with the indicator context they
 * were counted with: the next save writes its tallies from them in the same round as its reads,
 * instead of a second round after reading them. The save still reads the rows, ahead of its own
 * writes in the same transaction; if another tab (or anything) changed them meanwhile, the read
 * differs, the transaction aborts before it commits, and the save runs again reading first.
 */
const committed = new WeakMap<FieldDb, { ctx: IndicatorContext; rows: Map<string, IndicatorCounts> }>()

class StaleTallies extends Error {}

const sameContext = (a: IndicatorContext, b: IndicatorContext): boolean =>
  a.ruralMobileChannelIds.size === b.ruralMobileChannelIds.size &&
  [...a.ruralMobileChannelIds].every((id) => b.ruralMobileChannelIds.has(id))

/** The tally rows `rec` changes as this tab last committed them, or null when any is not known. */
function knownTallies(db: FieldDb, rec: Donation | Deferral | Drive): TallyChange | null {
  const known = committed.get(db)
  if (!known) return null
  const rows = []
  for (const key of tallyKeys(rec)) {
    const counts = known.rows.get(key)
    if (!counts) return null
    rows.push({ key, counts: structuredClone(counts) })
  }
  return { ctx: known.ctx, rows }
}

/** saveFieldRecords, also giving back the tallies the transaction wrote (no second read for the screen). */
export async function saveFieldBatch(
  records: FieldRecord[],
  db: FieldDb = fieldDb(),
  options: SaveOptions = {},
): Promise<SavedBatch> {
  const recs = records.map(validated)
  const entries: OutboxRow[] = recs.map((rec) => ({
    mutationId: newId(),
    recordId: rec.id,
    recordType: rec.type,
    record: rec,
    createdAt: Date.now(),
    attempts: 0,
    lastAttemptAt: null,
    lastError: null,
    status: 'pending',
  }))
  try {
    return await saveInOneTransaction(recs, entries, db, options, true)
  } catch (err) {
    if (!(err instanceof StaleTallies)) throw err
    committed.delete(db)
    return saveInOneTransaction(recs, entries, db, options, false)
  }
}

async function saveInOneTransaction(
  recs: FieldRecord[],
  entries: OutboxRow[],
  db: FieldDb,
  { clearDraft }: SaveOptions,
  fromKnownTallies: boolean,
): Promise<SavedBatch> {
  let context: IndicatorContext | null = null
  const batch = await db.transaction('rw', clearDraft ? [...saveScope(db), db.drafts] : saveScope(db), async () => {
    const tallies = new Map<string, IndicatorCounts>()
    // Writes are not awaited one by one: IndexedDB runs a transaction's requests in the order
    // they were made (so later reads see earlier writes), and any failure aborts all of it.
    // Every round trip saved is time the person at the table waits on a slow phone.
    const writes: Array<Promise<unknown>> = []
    const settled = <T>(p: Promise<T>): Promise<T> => {
      p.catch(() => {
        /* the failure that aborted the transaction is reported by the await that saw it */
      })
      return p
    }
    // The form that made these records is saved now: its draft goes with the same commit.
    if (clearDraft) writes.push(settled(db.drafts.delete(clearDraft)))
    const store = (rec: FieldRecord): void => {
      writes.push(settled((db[RECORD_TABLE[rec.type]] as FieldDb['voids']).add(rec as never)))
    }
    // A save of new donations, deferrals and drives only (the donor form's): everything is
    // requested in one round, its checks answered before the commit.
    const plain =
      fromKnownTallies && recs.every((r) => ['donation', 'deferral', 'drive', 'donor_identity'].includes(r.type))
    for (const rec of recs) {
      const counted = rec.type === 'donation' || rec.type === 'deferral' || rec.type === 'drive' ? rec : null
      const known = plain && counted ? knownTallies(db, counted) : null
      if (counted && known) {
        // The checks and the tally reads go out first, this record's writes right behind them:
        // the reads cannot see the writes, and a failed check (or tallies that are not what this
        // tab committed) aborts them all.
        const before = known.rows.map((r) => JSON.stringify(r.counts))
        const check = Promise.all([checkRules(db, rec), readTalliesOf(db, counted)]).then(([, read]) => {
          context = read.ctx
          const same =
            sameContext(read.ctx, known.ctx) &&
            read.rows.length === before.length &&
            read.rows.every((r, i) => r.key === known.rows[i]!.key && JSON.stringify(r.counts) === before[i])
          if (!same) throw new StaleTallies('the tallies changed since this tab last saved')
        })
        store(rec)
        writes.push(settled(check), settled(writeTallies(db, known, counted, 1, tallies)))
      } else if (counted) {
        // The checks and the tally reads go out first, this record's write right behind them in
        // the same round: the reads cannot see the record, and a failed check aborts the write.
        // Their reads are all made before checkRules' first await (a test would find the record
        // "already used" otherwise).
        const ready = Promise.all([checkRules(db, rec), readTalliesOf(db, counted)])
        store(rec)
        const [, change] = await ready
        context = change.ctx
        writes.push(settled(writeTallies(db, change, counted, 1, tallies)))
      } else if (rec.type === 'donor_identity') {
        store(rec)
      } else {
        await checkRules(db, rec)
        store(rec)
        await recountForChange(db, rec, tallies)
      }
    }
    // The outbox entries in one request, in the records' order (their sequence numbers follow it).
    const [seqs] = await Promise.all([db.outbox.bulkAdd(entries, { allKeys: true }), ...writes])
    return {
      saved: entries.map((entry, i) => ({ seq: seqs[i] as number, mutationId: entry.mutationId, record: recs[i]! })),
      tallies,
    }
  })
  // Committed: these are the tally rows as stored now.
  const known = committed.get(db)
  if (context && batch.tallies.size > 0) {
    const rows = known && sameContext(known.ctx, context) ? known.rows : new Map<string, IndicatorCounts>()
    for (const [key, counts] of batch.tallies) rows.set(key, structuredClone(counts))
    committed.set(db, { ctx: context, rows })
  } else if (batch.tallies.size > 0) {
    // Voids and corrections count through applyToTallies: forget rather than follow them.
    committed.delete(db)
  }
  return batch
}

function validated(record: FieldRecord): FieldRecord {
  const parsed = v.safeParse(FieldRecordSchema, record)
  if (parsed.success) return parsed.output
  const issue = parsed.issues[0]
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? ''
  throw new FieldRecordError('invalid_record', `${path ? `${path}: ` : ''}${issue.message}`)
}

async function checkRules(db: FieldDb, rec: FieldRecord): Promise<void> {
  switch (rec.type) {
    case 'donation':
    case 'deferral':
      if (rec.type === 'deferral') {
        const problem = deferralReasonsProblem(rec)
        if (problem) throw new FieldRecordError('invalid_record', problem)
      }
      // Independent reads go out together: one round trip instead of several on a slow phone.
      await Promise.all([
        rec.driveId ? requireOpenDrive(db, rec.driveId) : null,
        rec.type === 'donation' ? requireUnusedDin(db, rec, null) : null,
        rec.type === 'donation' ? requireDonorMayGive(db, rec) : null,
        rec.type === 'donation' && rec.override ? requireLeaderApproval(db, rec) : null,
      ])
      return
    case 'drive_close':
      if (!(await db.drives.get(rec.driveId)))
        throw new FieldRecordError('unknown_drive', 'no such drive on this phone')
      if ((await db.driveCloses.where('driveId').equals(rec.driveId).count()) > 0) {
        throw new FieldRecordError('drive_already_closed', 'this drive is already closed')
      }
      return
    case 'adverse_reaction': {
      if (!(await db.donations.get(rec.donationId)))
        throw new FieldRecordError('unknown_target', 'no such donation on this phone')
      if (await isVoided(db, rec.donationId)) throw new FieldRecordError('already_voided', 'the donation was voided')
      return
    }
    case 'void': {
      const target = await findRecord(db, rec.targetId)
      if (!target) throw new FieldRecordError('unknown_target', 'no such record on this phone')
      if (!['donation', 'deferral', 'adverse_reaction', 'donor_identity'].includes(target.type)) {
        throw new FieldRecordError('not_voidable', `a ${target.type} cannot be voided`)
      }
      if (await isVoided(db, rec.targetId))
        throw new FieldRecordError('already_voided', 'this record is already voided')
      return
    }
    case 'correction': {
      const target = await findRecord(db, rec.targetId)
      if (!target) throw new FieldRecordError('unknown_target', 'no such record on this phone')
      if (rec.replacement.type === 'donor_identity' || target.type === 'donor_identity') {
        // A donor's name, ID number, phone or household, corrected: the same identity record, still there.
        if (
          target.type !== 'donor_identity' ||
          rec.replacement.type !== 'donor_identity' ||
          rec.replacement.id !== target.id
        )
          throw new FieldRecordError('not_correctable', 'a donor identity is corrected by an identity with its id')
        if (!target.idNumber && !target.name)
          throw new FieldRecordError('not_correctable', 'the identity was purged from this phone')
        if (await isVoided(db, rec.targetId))
          throw new FieldRecordError('already_voided', 'this record is already voided')
        return
      }
      if (
        (target.type !== 'donation' && target.type !== 'deferral') ||
        rec.replacement.type !== target.type ||
        rec.replacement.id !== target.id
      ) {
        throw new FieldRecordError(
          'not_correctable',
          'a correction replaces a donation or deferral with one of the same kind and id',
        )
      }
      if (await isVoided(db, rec.targetId))
        throw new FieldRecordError('already_voided', 'this record is already voided')
      // Closing a drive seals its bag count, not its mistakes: a correction within the same drive
      // is allowed after the close; moving a record onto another drive needs that drive open.
      if (rec.replacement.driveId && rec.replacement.driveId !== target.driveId)
        await requireOpenDrive(db, rec.replacement.driveId)
      else if (rec.replacement.driveId) await requireDrive(db, rec.replacement.driveId)
      if (rec.replacement.type === 'donation') await requireUnusedDin(db, rec.replacement, target.id)
      return
    }
    case 'drive':
    case 'donor_identity':
      return
  }
}

async function requireDrive(db: FieldDb, driveId: string): Promise<void> {
  if (!(await db.drives.get(driveId))) throw new FieldRecordError('unknown_drive', 'no such drive on this phone')
}

/** New donations and deferrals only on an open drive. */
async function requireOpenDrive(db: FieldDb, driveId: string): Promise<void> {
  const [, closes] = await Promise.all([
    requireDrive(db, driveId),
    db.driveCloses.where('driveId').equals(driveId).count(),
  ])
  if (closes > 0) throw new FieldRecordError('drive_closed', 'the drive is closed')
}

/**
 * A bag number is used once on the whole phone, whatever the drive: by any donation recorded here
 * or any correction that gave a donation that number, unless that donation was voided (a void says
 * the record was wrong, its bag claim with it). `selfId` is the donation being corrected, whose own
 * numbers do not count against it. Two point reads by index; the voids are read only on a hit.
 */
async function requireUnusedDin(db: FieldDb, donation: Donation, selfId: string | null): Promise<void> {
  const [originals, corrections] = await Promise.all([
    db.donations.where('din').equals(donation.din).toArray(),
    db.corrections.where('replacement.din').equals(donation.din).toArray(),
  ])
  const uses = await liveDinUses(db, originals, corrections)
  const clash = uses.find((u) => u.donationId !== selfId)
  if (clash) {
    throw new FieldRecordError(
      'duplicate_din',
      clash.driveId === donation.driveId
        ? `bag ${donation.din} is already used on this drive`
        : `bag ${donation.din} is already used on drive ${clash.driveId ?? '-'} of this phone`,
    )
  }
}

/** Where a bag number is used on this phone: the donation it belongs to and that donation's drive. */
export interface DinUse {
  din: string
  donationId: string
  driveId: string | null
}

/** The uses among these donations and corrections whose donation was not voided. */
async function liveDinUses(db: FieldDb, originals: Donation[], corrections: Correction[]): Promise<DinUse[]> {
  if (originals.length === 0 && corrections.length === 0) return []
  const ids = [...new Set([...originals.map((o) => o.id), ...corrections.map((c) => c.targetId)])]
  const voided = new Set((await db.voids.where('targetId').anyOf(ids).toArray()).map((x) => x.targetId))
  const uses: DinUse[] = []
  for (const o of originals) if (!voided.has(o.id)) uses.push({ din: o.din, donationId: o.id, driveId: o.driveId })
  for (const c of corrections) {
    if (c.replacement.type !== 'donation' || voided.has(c.targetId)) continue
    uses.push({ din: c.replacement.din, donationId: c.targetId, driveId: c.replacement.driveId })
  }
  return uses
}

/**
 * Every live use of a bag number from `firstBody` to `lastBody` (bodies without check character,
 * one series): what the donor form checks against and counts the next free bag from.
 */
export async function dinUsesInRange(firstBody: string, lastBody: string, db: FieldDb = fieldDb()): Promise<DinUse[]> {
  // Stored DINs are body + check; bodies of one series sort by sequence.
  const upper = `${lastBody}\uffff`
  return db.transaction('r', db.donations, db.corrections, db.voids, async () => {
    const [originals, corrections] = await Promise.all([
      db.donations.where('din').between(firstBody, upper, true, true).toArray(),
      db.corrections.where('replacement.din').between(firstBody, upper, true, true).toArray(),
    ])
    return liveDinUses(db, originals, corrections)
  })
}

/**
 * A donor gives at most once a day, whatever the product: a donation of theirs already on this
 * phone (any drive, not voided) or the station's snapshot saying they gave today refuses the save.
 * A donation inside the interval after the last one (GB 18467 defaults) needs the leader's
 * override naming the interval. Every read is made before the first await (see saveFieldBatch).
 */
async function requireDonorMayGive(db: FieldDb, donation: Donation): Promise<void> {
  const [mine, snapshot] = await Promise.all([
    db.donations.where('donorKey').equals(donation.donorKey).toArray(),
    db.eligibility.where('value.donorKey').equals(donation.donorKey).first(),
  ])
  const others = mine.filter((d) => d.id !== donation.id)
  const voided =
    others.length > 0
      ? new Set(
          (
            await db.voids
              .where('targetId')
              .anyOf(others.map((d) => d.id))
              .toArray()
          ).map((v) => v.targetId),
        )
      : new Set<string>()
  const standing = others.filter((d) => !voided.has(d.id))
  const voidedToday = others.some((d) => voided.has(d.id) && d.collectedOn === donation.collectedOn)
  const last = snapshot?.value.lastDonationOn ?? null
  // A snapshot donation of today that this phone has since voided is that same donation: no refusal for it.
  const snapshotSameDay = last !== null && last >= donation.collectedOn && !voidedToday
  if (standing.some((d) => d.collectedOn === donation.collectedOn) || snapshotSameDay) {
    throw new FieldRecordError('same_day_donation', 'this donor has already given today')
  }
  // The latest earlier donation, from this phone or the snapshot.
  const earlier: { on: string; type: Donation['product']['type'] | null }[] = standing.map((d) => ({
    on: d.collectedOn,
    type: d.product.type,
  }))
  if (last !== null && last < donation.collectedOn) earlier.push({ on: last, type: snapshot!.value.lastDonationType })
  const latest = earlier.sort((a, b) => (a.on < b.on ? 1 : a.on > b.on ? -1 : 0))[0]
  if (!latest) return
  const end = intervalEndsOn(
    { lastDonationOn: latest.on, lastDonationType: latest.type } as EligibilityHistory,
    donation.product.type,
    DEFAULT_ELIGIBILITY,
  )
  if (end !== null && end > donation.collectedOn && !donation.override?.rules.includes('interval')) {
    throw new FieldRecordError(
      'override_required',
      "inside the donation interval: the drive leader's override is needed",
    )
  }
}

/** An override is approved by the leader of the drive the donation is on. */
async function requireLeaderApproval(db: FieldDb, donation: Donation): Promise<void> {
  if (!donation.driveId || !donation.override) return
  const drive = await db.drives.get(donation.driveId)
  if (drive && drive.leaderStaffId !== donation.override.approvedBy) {
    throw new FieldRecordError('override_not_leader', "an override needs the drive leader's approval")
  }
}

export function correctionsByTarget(corrections: Correction[]): Map<string, Correction[]> {
  const byTarget = new Map<string, Correction[]>()
  for (const c of corrections) {
    const list = byTarget.get(c.targetId)
    if (list) list.push(c)
    else byTarget.set(c.targetId, [c])
  }
  return byTarget
}

/** The newest of `corrections` (all of `rec`)'s replacement, or the record itself. */
export function newestVersion<T extends Donation | Deferral | DonorIdentity>(rec: T, corrections: Correction[]): T {
  const newest = [...corrections].sort(byCreation).at(-1)
  return (newest?.replacement as T | undefined) ?? rec
}

async function findRecord(db: FieldDb, id: string): Promise<FieldRecord | undefined> {
  for (const table of [
    db.donations,
    db.deferrals,
    db.adverseReactions,
    db.donorIdentities,
    db.voids,
    db.corrections,
    db.drives,
    db.driveCloses,
  ]) {
    const found = await (table as FieldDb['voids']).get(id)
    if (found) return found as FieldRecord
  }
  return undefined
}

export async function isVoided(db: FieldDb, id: string): Promise<boolean> {
  return (await db.voids.where('targetId').equals(id).count()) > 0
}

/** The newest correction's replacement, or the record itself. */
export async function effectiveVersion<T extends Donation | Deferral>(db: FieldDb, rec: T): Promise<T> {
  return newestVersion(rec, await db.corrections.where('targetId').equals(rec.id).toArray())
}

function byCreation(a: Correction, b: Correction): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1
}

/** Voids and corrections take a record's effective version out of the tallies (and put the new one in). */
async function recountForChange(db: FieldDb, rec: FieldRecord, touched: Map<string, IndicatorCounts>): Promise<void> {
  if (rec.type === 'void') {
    const target = (await db.donations.get(rec.targetId)) ?? (await db.deferrals.get(rec.targetId))
    if (target) await applyToTallies(db, await effectiveVersion(db, target), -1, touched)
  } else if (rec.type === 'correction') {
    // The correction is already stored, so the previous version is the one before it.
    const target = (await db.donations.get(rec.targetId)) ?? (await db.deferrals.get(rec.targetId))
    // An identity correction changes no figure.
    if (!target || rec.replacement.type === 'donor_identity') return
    const all = (await db.corrections.where('targetId').equals(rec.targetId).toArray()).sort(byCreation)
    const before = (all.filter((c) => c.id !== rec.id).at(-1)?.replacement as Donation | Deferral | undefined) ?? target
    await applyToTallies(db, before, -1, touched)
    await applyToTallies(db, rec.replacement, 1, touched)
  }
}
