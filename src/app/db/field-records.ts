// Writing field records. A record, its outbox entry and the running tallies change in ONE
// IndexedDB transaction: either all of it is on the phone or none of it is, and the screen says
// "saved" only after the transaction committed. Records are never edited or deleted here.
import { Dexie, type ObservabilitySet, RangeSet } from 'dexie'
import * as v from 'valibot'
import {
  deferralReasonsProblem,
  type Channel,
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
import { RECORD_TABLE, type OutboxRow, type ReferenceRow, type TallyRow } from './schema'
import { addToCounts, emptyCounts, type IndicatorCounts } from '../../domain/indicators'
import type { EligibilityEntry } from '../../domain/sync-protocol'
import { applyToTallies, readTalliesOf, tallyKeys, writeTallies } from './tallies'
import { noteCommitted } from './save-notice'
import { addSavedRecords, beginFamilyChange, cellWith, endFamilyChange, newRecordEffect } from './progress-delta'
import { cellKey, type EffectCell } from '../field/progress-cells'
import { byCreation, type DinUse, FieldRecordError, liveUses, newestVersion } from './record-versions'

export { FIELD_RECORD_ERRORS, FieldRecordError, type FieldRecordErrorCode } from './record-versions'
export { correctionsByTarget, newestVersion, type DinUse } from './record-versions'

/** This module's saves, for the drive store's on-demand import. */
export type FieldRecordSaves = typeof import('./field-records')

export interface SavedRecord {
  seq: number
  mutationId: string
  record: FieldRecord
}

/** Every table a save may read or write, so the transaction covers all of it (voids, corrections, closes). */
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
    // What progress adds (db/progress-delta.ts): its rows, and what a void's or correction's family reads.
    db.progressCells,
    db.progressGroups,
    db.syncMeta,
    db.receiptBatches,
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

/** What the donor form saves: the donor's identity and at most one donation or deferral. */
type VisitRecord = DonorIdentity | Donation | Deferral
const isVisitRecord = (r: FieldRecord): r is VisitRecord =>
  r.type === 'donor_identity' || r.type === 'donation' || r.type === 'deferral'

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
  // The donor form's save, the one a person at the table waits for, goes straight to IndexedDB
  // (saveVisit); inside another Dexie transaction, or before the database is open, Dexie's way.
  if (
    recs.every(isVisitRecord) &&
    recs.filter((r) => r.type !== 'donor_identity').length <= 1 &&
    db.isOpen() &&
    !Dexie.currentTransaction
  )
    return saveVisit(recs, entries, db, options)
  return saveInOneTransaction(recs, entries, db, options)
}

async function saveInOneTransaction(
  recs: FieldRecord[],
  entries: OutboxRow[],
  db: FieldDb,
  { clearDraft }: SaveOptions,
): Promise<SavedBatch> {
  return db.transaction('rw', clearDraft ? [...saveScope(db), db.drafts] : saveScope(db), async () => {
    const tallies = new Map<string, IndicatorCounts>()
    // Writes are not awaited one by one: IndexedDB runs a transaction's requests in the order
    // they were made (so later reads see earlier writes), and any failure aborts all of it.
    const writes: Array<Promise<unknown>> = []
    const settled = <T>(p: Promise<T>): Promise<T> => {
      p.catch(() => {
        /* the failure that aborted the transaction is reported by the await that saw it */
      })
      return p
    }
    // The form that made these records is saved now: its draft goes with the same commit.
    if (clearDraft) writes.push(settled(db.drafts.delete(clearDraft)))
    // Voids and corrections change what their families add to progress: what they added before
    // any of this batch is written, taken away once it all is (outbox entries included).
    const changing = recs.filter((r) => r.type === 'void' || r.type === 'correction')
    const familyChange = changing.length > 0 ? await beginFamilyChange(db, changing) : null
    const store = (rec: FieldRecord): void => {
      writes.push(settled((db[RECORD_TABLE[rec.type]] as FieldDb['voids']).add(rec as never)))
    }
    for (const rec of recs) {
      const counted = rec.type === 'donation' || rec.type === 'deferral' || rec.type === 'drive' ? rec : null
      if (counted) {
        // The checks and the tally reads go out first, this record's write right behind them in
        // the same round: the reads cannot see the record, and a failed check aborts the write.
        // Their reads are all made before checkRules' first await (a test would find the record
        // "already used" otherwise).
        const ready = Promise.all([checkRules(db, rec), readTalliesOf(db, counted)])
        store(rec)
        const [, change] = await ready
        writes.push(settled(writeTallies(db, change, counted, 1, tallies)))
        // Progress: a new record adds its cell, unless a void or correction of this batch changes
        // its family (that change counts it).
        if (!familyChange?.roots.includes(counted.id)) writes.push(settled(addSavedRecords(db, [counted], change.ctx)))
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
    if (familyChange) await endFamilyChange(db, familyChange)
    return {
      saved: entries.map((entry, i) => ({ seq: seqs[i] as number, mutationId: entry.mutationId, record: recs[i]! })),
      tallies,
    }
  })
}

/**
 * The donor form's save as ONE native IndexedDB transaction, every request made in one go: the
 * checks' reads (the drive and its close, the bag number, the donor's donations on this phone and
 * their snapshot row: point reads by index), the channel and tally rows, then the writes (the
 * draft's delete, the records, their outbox entries). The reads are made first, so they cannot see
 * the writes; their answers decide before the transaction commits: a refusal aborts it, writes and
 * all. The tally row is rewritten as soon as its read is back, from what it read (a tab that saved
 * meanwhile is counted with). Dexie's own requests cost a slow phone several times a native put
 * (issue 13); the live queries learn of the change as Dexie's own saves tell them.
 * Durability stays the browser's default (docs/sync-protocol.md: "saved" means on the disk).
 */
async function saveVisit(
  recs: VisitRecord[],
  entries: OutboxRow[],
  db: FieldDb,
  { clearDraft }: SaveOptions,
): Promise<SavedBatch> {
  const outcome = recs.find((r): r is Donation | Deferral => r.type !== 'donor_identity') ?? null
  if (outcome?.type === 'deferral') {
    const problem = deferralReasonsProblem(outcome)
    if (problem) throw new FieldRecordError('invalid_record', problem)
  }
  const donation = outcome?.type === 'donation' ? outcome : null
  const written = new Set<string>(['outbox', ...recs.map((r) => RECORD_TABLE[r.type])])
  if (outcome) for (const name of ['tallies', 'progressCells']) written.add(name)
  if (clearDraft) written.add('drafts')
  const scope = new Set<string>(written)
  if (outcome) for (const name of ['drives', 'driveCloses', 'channels']) scope.add(name)
  if (donation) for (const name of ['donations', 'corrections', 'eligibility', 'voids']) scope.add(name)

  const idb = db.backendDB()
  const tx = idb.transaction([...scope], 'readwrite')
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onabort = () => reject(failure ?? tx.error ?? new Error('the save was aborted'))
  })
  let failure: unknown = null
  const fail = (err: unknown): void => {
    if (failure !== null) return
    failure = err
    try {
      tx.abort()
    } catch {
      /* already finished: onabort reports */
    }
  }
  const read = <T>(req: IDBRequest<T>): Promise<T> =>
    new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
  const tallies = new Map<string, IndicatorCounts>()
  let seqs: Array<Promise<number>> = []
  // A request that throws as it is made (a value that cannot be stored) aborts all the others.
  try {
    if (outcome) {
      const driveId = outcome.driveId
      // The channel first: its answer is in when the tally's comes, and the tally is counted with it.
      let channel: ReferenceRow<Channel> | undefined
      tx.objectStore('channels').get(outcome.channelId).onsuccess = (e) => {
        channel = (e.target as IDBRequest<ReferenceRow<Channel> | undefined>).result
      }
      for (const key of tallyKeys(outcome)) {
        const req = tx.objectStore('tallies').get(key) as IDBRequest<TallyRow | undefined>
        req.onsuccess = () => {
          try {
            const row: TallyRow = req.result ?? { key, counts: emptyCounts() }
            const ctx = { ruralMobileChannelIds: new Set(channel?.value.ruralMobile ? [outcome.channelId] : []) }
            addToCounts(row.counts, outcome, ctx, 1)
            tallies.set(key, row.counts)
            tx.objectStore('tallies').put(row)
          } catch (err) {
            fail(err)
          }
        }
      }
      // What it adds to progress (db/progress-delta.ts): its cell, rewritten the same way once
      // read, after the channel's answer.
      const cells = tx.objectStore('progressCells')
      const key = cellKey(outcome)!
      const cellReq = cells.get(key) as IDBRequest<EffectCell | undefined>
      cellReq.onsuccess = () => {
        try {
          const ctx = { ruralMobileChannelIds: new Set(channel?.value.ruralMobile ? [outcome.channelId] : []) }
          const cell = cellWith(cellReq.result, newRecordEffect([outcome], ctx).cells.get(key)!)
          if (cell) cells.put(cell)
          else cells.delete(key)
        } catch (err) {
          fail(err)
        }
      }
      const checks: Array<Promise<FieldRecordError | null>> = []
      if (driveId) {
        const drive = read(tx.objectStore('drives').get(driveId) as IDBRequest<Drive | undefined>)
        const closes = read(tx.objectStore('driveCloses').index('driveId').count(driveId))
        checks.push(Promise.all([drive, closes]).then(([d, n]) => openDriveRefusal(d, n)))
        if (donation?.override) checks.push(drive.then((d) => leaderRefusal(donation, d)))
      }
      if (donation) {
        const byDin = read(tx.objectStore('donations').index('din').getAll(donation.din) as IDBRequest<Donation[]>)
        const byCorrection = read(
          tx.objectStore('corrections').index('replacement.din').getAll(donation.din) as IDBRequest<Correction[]>,
        )
        const mine = read(
          tx.objectStore('donations').index('donorKey').getAll(donation.donorKey) as IDBRequest<Donation[]>,
        )
        const snapshot = read(
          tx.objectStore('eligibility').index('value.donorKey').get(donation.donorKey) as IDBRequest<
            ReferenceRow<EligibilityEntry> | undefined
          >,
        )
        checks.push(
          Promise.all([byDin, byCorrection, mine, snapshot]).then(async ([originals, corrections, own, snap]) => {
            // Voids matter only for donations found: read only then (a second round, rarely).
            const others = own.filter((d) => d.id !== donation.id)
            const ids = [
              ...new Set([
                ...originals.map((o) => o.id),
                ...corrections.map((c) => c.targetId),
                ...others.map((d) => d.id),
              ]),
            ]
            const voids = tx.objectStore('voids').index('targetId')
            const found = await Promise.all(ids.map((id) => read(voids.count(id))))
            const voided = new Set(ids.filter((_, i) => found[i]! > 0))
            const clash = dinClash(donation, liveUses(originals, corrections, voided), null)
            return clash ?? donorRefusal(donation, others, snap, voided)
          }),
        )
      }
      // The checks decide before the commit: the writes below wait behind these reads.
      void Promise.all(checks).then(
        (refusals) => {
          const refusal = refusals.find((r) => r !== null)
          if (refusal) fail(refusal)
        },
        (err: unknown) => fail(err),
      )
    }
    if (clearDraft) tx.objectStore('drafts').delete(clearDraft)
    for (const rec of recs) tx.objectStore(RECORD_TABLE[rec.type]).add(rec)
    seqs = entries.map((entry) => read(tx.objectStore('outbox').add(entry) as IDBRequest<number>))
    for (const seq of seqs)
      seq.catch(() => {
        /* the transaction's abort reports */
      })
  } catch (err) {
    fail(err)
  }
  await done
  noteCommitted(db.name, [...written])
  // Committed. The live queries (the unsynced count, the drive screens) hear of it after the
  // screen has said "saved".
  setTimeout(() => Dexie.on.storagemutated.fire(everythingIn(db, [...written])), 0)
  const keys = await Promise.all(seqs)
  return {
    saved: entries.map((entry, i) => ({ seq: keys[i]!, mutationId: entry.mutationId, record: recs[i]! })),
    tallies,
  }
}

/** A change to these tables as Dexie's live queries read it: any row, any index. */
function everythingIn(db: FieldDb, tables: string[]): ObservabilitySet {
  const all = (): RangeSet => new RangeSet(Dexie.minKey, Dexie.maxKey)
  const parts: ObservabilitySet = {}
  for (const name of tables) {
    const table = db.table(name)
    parts[`idb://${db.name}/${name}/`] = all()
    parts[`idb://${db.name}/${name}/:dels`] = all()
    for (const index of table.schema.indexes) if (index.name) parts[`idb://${db.name}/${name}/${index.name}`] = all()
  }
  return parts
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
  const [drive, closes] = await Promise.all([
    db.drives.get(driveId),
    db.driveCloses.where('driveId').equals(driveId).count(),
  ])
  const refusal = openDriveRefusal(drive, closes)
  if (refusal) throw refusal
}

function openDriveRefusal(drive: Drive | undefined, closes: number): FieldRecordError | null {
  if (!drive) return new FieldRecordError('unknown_drive', 'no such drive on this phone')
  if (closes > 0) return new FieldRecordError('drive_closed', 'the drive is closed')
  return null
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
  const refusal = dinClash(donation, await liveDinUses(db, originals, corrections), selfId)
  if (refusal) throw refusal
}

function dinClash(donation: Donation, uses: DinUse[], selfId: string | null): FieldRecordError | null {
  const clash = uses.find((u) => u.donationId !== selfId)
  if (!clash) return null
  return new FieldRecordError(
    'duplicate_din',
    clash.driveId === donation.driveId
      ? `bag ${donation.din} is already used on this drive`
      : `bag ${donation.din} is already used on drive ${clash.driveId ?? '-'} of this phone`,
  )
}

/** The uses among these donations and corrections whose donation was not voided. */
async function liveDinUses(db: FieldDb, originals: Donation[], corrections: Correction[]): Promise<DinUse[]> {
  if (originals.length === 0 && corrections.length === 0) return []
  const ids = [...new Set([...originals.map((o) => o.id), ...corrections.map((c) => c.targetId)])]
  const voided = new Set((await db.voids.where('targetId').anyOf(ids).toArray()).map((x) => x.targetId))
  return liveUses(originals, corrections, voided)
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
  const refusal = donorRefusal(donation, others, snapshot, voided)
  if (refusal) throw refusal
}

/** `others`: the donor's other donations on this phone; `voided`: which of them were voided. */
function donorRefusal(
  donation: Donation,
  others: Donation[],
  snapshot: ReferenceRow<EligibilityEntry> | undefined,
  voided: ReadonlySet<string>,
): FieldRecordError | null {
  const standing = others.filter((d) => !voided.has(d.id))
  const voidedToday = others.some((d) => voided.has(d.id) && d.collectedOn === donation.collectedOn)
  const last = snapshot?.value.lastDonationOn ?? null
  // A snapshot donation of today that this phone has since voided is that same donation: no refusal for it.
  const snapshotSameDay = last !== null && last >= donation.collectedOn && !voidedToday
  if (standing.some((d) => d.collectedOn === donation.collectedOn) || snapshotSameDay) {
    return new FieldRecordError('same_day_donation', 'this donor has already given today')
  }
  // The latest earlier donation, from this phone or the snapshot.
  const earlier: { on: string; type: Donation['product']['type'] | null }[] = standing.map((d) => ({
    on: d.collectedOn,
    type: d.product.type,
  }))
  if (last !== null && last < donation.collectedOn) earlier.push({ on: last, type: snapshot!.value.lastDonationType })
  const latest = earlier.sort((a, b) => (a.on < b.on ? 1 : a.on > b.on ? -1 : 0))[0]
  if (!latest) return null
  const end = intervalEndsOn(
    { lastDonationOn: latest.on, lastDonationType: latest.type } as EligibilityHistory,
    donation.product.type,
    DEFAULT_ELIGIBILITY,
  )
  if (end !== null && end > donation.collectedOn && !donation.override?.rules.includes('interval')) {
    return new FieldRecordError(
      'override_required',
      "inside the donation interval: the drive leader's override is needed",
    )
  }
  return null
}

/** An override is approved by the leader of the drive the donation is on. */
async function requireLeaderApproval(db: FieldDb, donation: Donation): Promise<void> {
  if (!donation.driveId || !donation.override) return
  const refusal = leaderRefusal(donation, await db.drives.get(donation.driveId))
  if (refusal) throw refusal
}

function leaderRefusal(donation: Donation, drive: Drive | undefined): FieldRecordError | null {
  if (drive && donation.override && drive.leaderStaffId !== donation.override.approvedBy) {
    return new FieldRecordError('override_not_leader', "an override needs the drive leader's approval")
  }
  return null
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
