// The phone's database. Every schema version stays declared forever with its upgrade beside it:
// a phone that skipped app versions still walks each step, and a queued record is never stranded.
import { Dexie, type EntityTable, type Table, type Version } from 'dexie'
import type {
  AdverseReaction,
  Channel,
  Correction,
  Deferral,
  DonorIdentity,
  Donation,
  Drive,
  DriveClose,
  FieldRecord,
  FieldRecordType,
  Population,
  RosterEntry,
  Site,
  Station,
  Target,
  Team,
  Void,
} from '../../domain/records'
import type { DrivePlan } from '../../domain/plans'
import type { LookbackFlag } from '../../domain/lookback'
import type { DinClash, EligibilityEntry } from '../../domain/sync-protocol'
import type { IndicatorCounts } from '../../domain/indicators'
import type { CrewPart, CrewReport } from '../../domain/drive-crew'
import type { EffectCell, VersionGroup } from '../field/progress-cells'
import { RECEIPT_PREFIX, type Receipt, receiptBatchRow } from './receipt-batch'

/** One queued mutation as stored; `seq` is the device's sequence number sent with the push. */
export interface OutboxRow {
  seq?: number
  mutationId: string
  recordId: string
  recordType: FieldRecordType
  record: FieldRecord
  /** ms since epoch, the phone's clock: only for showing the age of unsynced work. */
  createdAt: number
  attempts: number
  lastAttemptAt: number | null
  lastError: string | null
  status: 'pending' | 'rejected'
  /** What a rejection adds (sync/dexie-ports settle): the station's code and when. */
  rejectCode?: string | null
  rejectedAt?: number | null
  /** With duplicate_din: the station's record that holds the bag number. */
  rejectClash?: DinClash | null
}

/** A row of server→phone reference data, stored as the pull delivered it under its pull key. */
export interface ReferenceRow<T> {
  key: string
  value: T
}

/** Running indicator counts for one drive, day or month ("drive:<id>", "day:2023-06-14", "month:2023-06"). */
export interface TallyRow {
  key: string
  counts: IndicatorCounts
}

/** What enrollment gave this phone; a single row under key "device". */
export interface DeviceInfo {
  key: 'device'
  deviceId: string
  stationId: string
  stationCode: string
  /** Bearer token the sync layer sends; absent if the server does not issue one. */
  token: string | null
  enrolledAt: string
}

/** Sync bookkeeping: pull cursor, last pull time (server clock), etc. */
export interface SyncMetaRow {
  key: string
  value: unknown
}

/**
 * The donor form in progress, one per drive and crew member (key "<driveId>:<staffId>"), so a
 * reload, a killed app or a hand-over loses nothing. Phone-only: never synced, never exported,
 * deleted on save (in the save's transaction), on discard, and by the purge (db/drafts.ts).
 */
export interface DonorDraftRow {
  key: string
  driveId: string
  staffId: string
  /** The form's fields as typed (db/drafts.ts keeps PINs out). */
  form: Record<string, unknown>
  /** ms since epoch, the phone's clock: for "draft from 10:42" and the purge. */
  updatedAt: number
}

/**
 * One drive worked by several phones (issue 14): on the leader's phone the blocks of bags it handed
 * out and the reports that came back; on a joining phone its own block. Phone-only, never synced:
 * the leader's close carries the result (DriveClose.crew).
 */
export interface DriveCrewRow {
  driveId: string
  role: 'leader' | 'member'
  /** A joining phone's block of the drive's bags; null on the leader's phone. */
  own: CrewPart | null
  leaderDeviceId: string
  /** Leader: the blocks handed out, in order. */
  handedOut: CrewPart[]
  /** Leader: the reports the phones handed back at the end. */
  reports: CrewReport[]
  /** Joining phone: when it showed its report to the leader (it records no more on the drive). */
  reportedAt: string | null
}

/**
 * The station's receipts of one settled push batch (Dexie version 14): one row per batch instead of
 * one per record, written by the settle that removes the batch's outbox entries. Column arrays, one
 * entry per confirmed record in the order settled; sync-meta.ts reads them as Receipts.
 */
export interface ReceiptBatchRow {
  id?: number
  /** The lowest and highest seq confirmed by the batch. */
  firstSeq: number
  lastSeq: number
  /** Station clock (ms) of the batch's newest receipt: found by index as newer than the totals. */
  newestAt: number
  /** Phone clock (ISO) when the batch settled. */
  settledAt: string
  /** The station's receipt times, as it sent them (one per group of its answer, usually one). */
  times: string[]
  recordIds: string[]
  recordTypes: FieldRecordType[]
  mutationIds: string[]
  seqs: number[]
  /** Per record: its receipt time, an index into `times`. */
  timeOf: number[]
  /** Positions of the records answered `duplicate` (the others were `applied`). */
  duplicates: number[]
  /** recordId → when the purge blanked that donor identity's (or correction's) personal fields. */
  purged?: Record<string, string>
  /**
   * Station clock (ms) of the oldest identity or correction receipt not purged yet; absent when
   * none is left, so the purge's index holds only the batches it still has work in.
   */
  purgeDueAt?: number
}

export class FieldDb extends Dexie {
  drives!: EntityTable<Drive, 'id'>
  driveCloses!: EntityTable<DriveClose, 'id'>
  donations!: EntityTable<Donation, 'id'>
  deferrals!: EntityTable<Deferral, 'id'>
  donorIdentities!: EntityTable<DonorIdentity, 'id'>
  adverseReactions!: EntityTable<AdverseReaction, 'id'>
  voids!: EntityTable<Void, 'id'>
  corrections!: EntityTable<Correction, 'id'>
  outbox!: EntityTable<OutboxRow, 'seq'>
  stations!: Table<ReferenceRow<Station>, string>
  sites!: Table<ReferenceRow<Site>, string>
  channels!: Table<ReferenceRow<Channel>, string>
  teams!: Table<ReferenceRow<Team>, string>
  targets!: Table<ReferenceRow<Target>, string>
  roster!: Table<ReferenceRow<RosterEntry>, string>
  population!: Table<ReferenceRow<Population>, string>
  stationTotals!: Table<ReferenceRow<unknown>, string>
  eligibility!: Table<ReferenceRow<EligibilityEntry>, string>
  tallies!: Table<TallyRow, string>
  device!: Table<DeviceInfo, string>
  syncMeta!: Table<SyncMetaRow, string>
  drafts!: Table<DonorDraftRow, string>
  drivePlans!: Table<ReferenceRow<DrivePlan>, string>
  lookbackFlags!: Table<ReferenceRow<LookbackFlag>, string>
  driveCrew!: Table<DriveCrewRow, string>
  receiptBatches!: EntityTable<ReceiptBatchRow, 'id'>
  progressCells!: Table<EffectCell, string>
  progressGroups!: Table<VersionGroup, string>

  /**
   * The versions the constructor declares, handed to Dexie once at its end (declareVersions):
   * Dexie re-parses every declared version at each `version(n)` and `.stores()` call, which made
   * declaring them one by one quadratic, paid at every cold start. Null once handed over.
   */
  private pendingVersions: PendingVersion[] | null = []

  constructor(name: string) {
    // No query cache: the app's few live queries re-read cheaply, and every save skips its upkeep.
    super(name, { cache: 'disabled' })

    // ── Version 1 ─────────────────────────────────────────────────────────────────────────────
    this.version(1).stores({
      drives: 'id, date, createdAt',
      driveCloses: 'id, driveId',
      donations: 'id, driveId, [driveId+din], din, donorKey, collectedOn',
      deferrals: 'id, driveId, donorKey, collectedOn',
      donorIdentities: 'id, donorKey, idNumber',
      adverseReactions: 'id, donationId',
      voids: 'id, targetId',
      corrections: 'id, targetId',
      outbox: '++seq, &mutationId, recordId, status, createdAt',
      stations: 'key',
      sites: 'key',
      channels: 'key',
      teams: 'key',
      targets: 'key',
      roster: 'key',
      population: 'key',
      stationTotals: 'key',
      eligibility: 'key, value.donorKey',
      tallies: 'key',
      device: 'key',
      syncMeta: 'key',
    })

    // ── Version 2 ─────────────────────────────────────────────────────────────────────────────
    // A bag number given by a correction is found by index, so a save checks for a used DIN with
    // point reads instead of reading the whole drive. No upgrade function: the rows do not change,
    // and IndexedDB fills a new index from the rows already stored.
    this.version(2).stores({
      corrections: 'id, targetId, [replacement.driveId+replacement.din]',
    })

    // ── Version 3 (din) ───────────────────────────────────────────────────────────────────────
    // A bag number is used once on the whole phone, whatever the drive: a save looks up the DIN a
    // correction gave by index, and the donor form reads the DINs used inside its drive's range.
    // No upgrade function: the rows do not change, and IndexedDB fills the new index itself.
    this.version(3).stores({
      corrections: 'id, targetId, [replacement.driveId+replacement.din], replacement.din',
    })

    // ── Version 4 (donor form drafts) ───────────────────────────────────────────────────────────
    // A half-filled donor form survives a reload, the app being killed and a hand-over (issue 10):
    // one row per drive and crew member, by drive for the purge of closed drives and by age. A new
    // table only: no upgrade function, no existing row changes.
    this.version(4).stores({
      drafts: 'key, driveId, updatedAt',
    })

    // ── Version 5 (speed) ─────────────────────────────────────────────────────────────────────
    // Receipts (`receipt:<recordId>` rows of syncMeta) by the station time they were confirmed:
    // the progress screen reads only those newer than its totals, the sync screen only the
    // newest, instead of every receipt on the phone. Other syncMeta values have no receivedAt and
    // stay out of the index. No upgrade function: IndexedDB fills the new index from the rows.
    this.version(5).stores({
      syncMeta: 'key, value.receivedAt',
    })

    // ── Version 7 (crew: one drive, several phones) ─────────────────────────────────────────────
    // The blocks of bags a leader's phone handed to the other phones of the bus, and a joining
    // phone's own block. A new table only: no upgrade function, no existing row changes.
    this.version(7).stores({
      driveCrew: 'driveId',
    })

    // ── Version 8 (plans) ───────────────────────────────────────────────────────────────────────
    // The station's drive plans from today on, pulled like sites (issue 15); by date, so opening a
    // drive finds today's plans. A new table only: no upgrade function, no existing row changes.
    this.version(8).stores({
      drivePlans: 'key, value.date',
    })

    // ── Version 10 (lookback) ───────────────────────────────────────────────────────────────────
    // Donations the station holds for the lab after sync (issue 15), pulled as entity `lookback`,
    // found by donation. A new table only: no upgrade function.
    this.version(10).stores({
      lookbackFlags: 'key, value.donationId',
    })

    // ── Version 14 (receipts by batch) ─────────────────────────────────────────────────────────
    // One receipt row per settled push batch instead of one syncMeta row per record (10,000
    // records were 10,000 puts, the phone's biggest cost of a push). By the station time of the
    // batch's newest receipt (progress after a failed pull, the sync screen's newest) and by the
    // oldest identity left to purge. The upgrade carries every per-record receipt over, purge marks
    // included, and removes them from syncMeta (whose value.receivedAt index is then empty; left
    // declared, so this version changes no table another version may have changed).
    this.version(14)
      .stores({
        receiptBatches: '++id, newestAt, purgeDueAt',
      })
      .upgrade(carryReceiptsIntoBatches)

    // ── Version 15 (what progress adds, kept) ──────────────────────────────────────────────────
    // What the records the pulled totals do not hold add to them, summed by cell and kept as they
    // change (db/progress-delta.ts), so the progress screen reads a few dozen rows, not the outbox
    // and every record confirmed since the totals. New tables only: no upgrade function. The
    // first progress read on an upgraded phone builds them (no marker in syncMeta yet).
    this.version(15).stores({
      progressCells: 'key',
      progressGroups: 'key',
    })

    // ── Later versions go here, each as `this.version(n).stores({...changed tables}).upgrade(...)`
    // with its upgrade function beside it. Never edit or remove an earlier version.
    // The newest version number also goes in db/boot-read.ts FIELD_DB_VERSION (a test checks it):
    // until then a cold start reads through Dexie, not the plain boot reads.

    // Last in the constructor: every version above goes to Dexie here.
    this.declareVersions()
  }

  /** During the constructor, notes the declaration; Dexie gets it in declareVersions. */
  override version(versionNumber: number): Version {
    const pending = this.pendingVersions
    if (!pending) return super.version(versionNumber)
    let entry = pending.find((v) => v.version === versionNumber)
    if (!entry) {
      entry = { version: versionNumber, stores: {}, upgrades: [] }
      pending.push(entry)
    }
    const noted = entry
    const declared = {
      stores(stores: Record<string, string | null>) {
        Object.assign(noted.stores, stores)
        return declared
      },
      upgrade(fn: UpgradeFn) {
        noted.upgrades.push(fn)
        return declared
      },
    }
    return declared as unknown as Version
  }

  /**
   * Hands the noted versions to Dexie newest first: each `stores()` call re-parses the versions
   * from the one declared on, so newest first parses the small late versions a few times and the
   * big version 1 once, instead of every version again at each step. Dexie keeps the versions
   * sorted and ends with the same schema and upgrades either way (tests/app/db/schema.test.ts).
   */
  private declareVersions(): void {
    const pending = this.pendingVersions ?? []
    this.pendingVersions = null
    for (const v of [...pending].sort((a, b) => b.version - a.version)) {
      const declared = super.version(v.version).stores(v.stores)
      for (const fn of v.upgrades) declared.upgrade(fn)
    }
  }
}

type UpgradeFn = Parameters<Version['upgrade']>[0]

/** Most receipts in one batch row the upgrade makes (a push batch holds at most 500). */
const UPGRADE_BATCH = 500

/**
 * Version 14's upgrade: the per-record receipts (`receipt:<recordId>` in syncMeta) become batch
 * rows, grouped by the settle that wrote them (their settledAt) in seq order, and leave syncMeta.
 */
async function carryReceiptsIntoBatches(tx: Parameters<UpgradeFn>[0]): Promise<void> {
  const meta = tx.table('syncMeta')
  const old = (await meta.where('key').startsWith(RECEIPT_PREFIX).toArray()) as Array<{ value: Receipt }>
  if (old.length === 0) return
  const bySettle = new Map<string, Receipt[]>()
  for (const { value } of old) {
    if (!value || typeof value.recordId !== 'string') continue
    const group = bySettle.get(value.settledAt) ?? []
    group.push(value)
    bySettle.set(value.settledAt, group)
  }
  const rows = [...bySettle.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([settledAt, receipts]) => {
      receipts.sort((a, b) => a.seq - b.seq)
      const out = []
      for (let i = 0; i < receipts.length; i += UPGRADE_BATCH)
        out.push(receiptBatchRow(receipts.slice(i, i + UPGRADE_BATCH), settledAt))
      return out
    })
  await tx.table('receiptBatches').bulkAdd(rows)
  await meta.where('key').startsWith(RECEIPT_PREFIX).delete()
}

interface PendingVersion {
  version: number
  stores: Record<string, string | null>
  upgrades: UpgradeFn[]
}

/** The tables a field record and its outbox entry are written to, in one transaction. */
export const RECORD_TABLE = {
  drive: 'drives',
  drive_close: 'driveCloses',
  donation: 'donations',
  deferral: 'deferrals',
  donor_identity: 'donorIdentities',
  adverse_reaction: 'adverseReactions',
  void: 'voids',
  correction: 'corrections',
} as const satisfies Record<FieldRecordType, keyof FieldDb>
