// What the sync engine needs from the rest of the phone, as ports: the engine stays pure
// TypeScript and is tested with in-memory ports and a scripted transport; dexie-ports.ts and
// transport.ts are the real ones.
import type { MutationResult, PullResponse, PushAnswer, PushRequest } from '../../domain/sync-protocol'

/** One outbox row as the engine sees it (the field app's Dexie outbox table). */
export interface OutboxEntry {
  /** Per-device sequence number (the outbox table's auto-increment key). */
  seq: number
  mutationId: string
  recordId: string
  recordType: string
  record: unknown
  /** Phone clock when the record was saved: shown to staff, never used to order or filter. */
  createdAt: string
  attempts: number
  lastAttemptAt: string | null
  lastError: string | null
  status: 'pending' | 'rejected'
  /** Set when status is 'rejected': the server's code and message. */
  rejectCode?: string | null
}

/** What one settle call changed. */
export interface SettleSummary {
  confirmed: number
  rejected: number
  /** Results that matched no pending entry (stale or doubled replies), ignored. */
  ignored: number
  /** The highest seq the station has answered for, after this settle (SequenceMarks.settled). */
  settled: number
}

export interface OutboxPort {
  /**
   * Up to `limit` pending (not rejected) entries, lowest seq first; with `after`, only those with a
   * higher seq (the next batch, read while the one before it is on its way).
   */
  pending(limit: number, after?: number): Promise<OutboxEntry[]>
  /**
   * A send attempt that got no answer for these entries (failure, timeout, no answer for them):
   * count it and remember why. The entries stay pending. Attempts are counted when they end, not
   * before the request leaves, so a batch that goes through rewrites no row (a send cut short by a
   * reload is not counted).
   */
  noteFailure(seqs: number[], message: string, at: string): Promise<void>
  /**
   * Apply per-item results in ONE transaction. applied/duplicate: the local record becomes
   * confirmed with the receipt and the outbox entry goes. rejected: the entry's status becomes
   * 'rejected' with code and message (the "needs attention" list), its attempt counted. A result whose seq does not
   * hold a pending entry with the same mutationId (and recordId) is ignored. `byStation: false`
   * (a record set aside by the phone after the station refused its request as a whole): the
   * station stored nothing under its seq, so the "settled" mark does not move.
   */
  settle(results: MutationResult[], at: string, opts?: { byStation?: boolean }): Promise<SettleSummary>
  /**
   * Give every pending entry a new seq after `after` (after+1, after+2, …), keeping their order,
   * in one transaction, and make sure records saved later are numbered after them too (recovery
   * from a 409 sequence_gap or a wiped phone). Rejected entries in the way move behind them.
   * Returns how many pending entries moved.
   */
  renumberAbove(after: number): Promise<number>
  /**
   * issued: the highest seq this phone's storage knows it gave out (any outbox entry, or one
   * settled earlier). settled: the highest seq the station has answered for (confirmed or
   * rejected). Both survive the outbox entry itself.
   */
  sequenceMarks(): Promise<SequenceMarks>
}

export interface SequenceMarks {
  issued: number
  settled: number
}

export interface ApplyPageSummary {
  /** Changes written. */
  applied: number
  /** Changes not written because a local row has a change the station has not seen yet. */
  keptLocal: number
}

/** Station → phone reference data: sites, channels, targets, roster, eligibility, totals. */
export interface ReferenceSink {
  /** The cursor stored with the last applied page; null before the first pull. */
  cursor(): Promise<string | null>
  /**
   * Apply one pull page and store its cursor in ONE transaction. On `reset`, drop the reference
   * data first. A local row with a pending change is never overwritten.
   */
  applyPage(page: PullResponse): Promise<ApplyPageSummary>
}

/** Bookkeeping the sync screen shows; small, read and written whole. */
export interface SyncMeta {
  lastPushAt: string | null
  lastPullAt: string | null
  /** Last time a whole round (push and pull) ended with nothing left to send. */
  lastCompleteAt: string | null
  /** Station clock minus phone clock at the last pull, in ms (purge ages use station time). */
  serverClockOffsetMs: number | null
  /** The station holds more from this device than this phone ever numbered: its storage was wiped. */
  storageWipe: { detectedAt: string; serverLastSeq: number; localLastSeq: number } | null
  /** The station holds less than this phone sent and it confirmed: the station was restored. */
  stationBehind: { detectedAt: string; serverLastSeq: number; localFirstSeq: number } | null
}

export const EMPTY_SYNC_META: SyncMeta = {
  lastPushAt: null,
  lastPullAt: null,
  lastCompleteAt: null,
  serverClockOffsetMs: null,
  storageWipe: null,
  stationBehind: null,
}

export interface SyncMetaPort {
  get(): Promise<SyncMeta>
  patch(change: Partial<SyncMeta>): Promise<void>
}

/** A push request's body as it will go on the wire (JSON, gzip), made by encodePush ahead of sending. */
export interface EncodedPush {
  /** The request it was made from (the very object: push sends it only for that request). */
  readonly request: PushRequest
}

export interface SyncTransport {
  /**
   * POST /api/v1/sync/push. The compact answer (echoing device and batch) from a current station,
   * the old per-item form from an older one. Throws RequestError on any failure (see ../net/errors.ts).
   * With `encoded` (made by encodePush for this very request) its bytes are sent as they are.
   */
  push(request: PushRequest, encoded?: EncodedPush): Promise<PushAnswer>
  /**
   * Make the request's body now (JSON and gzip), so the engine can prepare the next batch while
   * the station works on the one before. Optional: without it push encodes when it sends.
   */
  encodePush?(request: PushRequest): Promise<EncodedPush>
  /** GET /api/v1/sync/pull?cursor=. Throws RequestError on any failure. */
  pull(cursor: string | null): Promise<PullResponse>
}

export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }
