// The phone's sync engine: push the outbox in sequence order, then pull reference data by the
// station's cursor. Pure TypeScript over injected ports (ports.ts); no Dexie, no fetch, no Vue here.
//
// What keeps every record exactly once (docs/sync-protocol.md, "Client behaviour"):
// - an outbox entry leaves only in the same transaction that stores the station's receipt for it;
// - a reply counts only for the request it answers: the compact answer echoes device, batch id and
//   first/last seq (anything else is ignored); an old station's answer counts only for entries it
//   names by seq AND mutationId; only an echoed answer may raise a wipe alarm or renumber;
// - a whole-request refusal counts only when it is the station's own (its mark and our request id,
//   ../net/http.ts); a middlebox's 4xx is transient and never sets a record aside;
// - everything unanswered stays pending and is sent again;
// - the station answers a resend as `duplicate`, so resending is always safe;
// - a rejected record moves to "needs attention" and never holds back the ones behind it.
import { newId } from '../../domain/ids'
import { SCHEMA_VERSION } from '../../domain/record-codes'
import {
  expandCompactAnswer,
  isCompactAnswer,
  type MutationResult,
  PUSH_MAX_MUTATIONS,
  type PushAnswer,
  type PushRequest,
} from '../../domain/sync-protocol'
import { RequestError, toRequestError } from '../net/errors'
import type {
  Clock,
  EncodedPush,
  OutboxEntry,
  OutboxPort,
  ReferenceSink,
  SyncMeta,
  SyncMetaPort,
  SyncTransport,
} from './ports'

export interface SyncEngineDeps {
  outbox: OutboxPort
  transport: SyncTransport
  reference: ReferenceSink
  meta: SyncMetaPort
  clock: Clock
  /** This phone's enrolled device id, or null when it is not enrolled (nothing is sent). */
  deviceId: () => string | null | Promise<string | null>
  /** Milliseconds from a steady clock, to time push answers (defaults to performance.now). */
  monotonic?: () => number
}

export interface SyncEngineOptions {
  /** Most mutations per push request (the station takes at most PUSH_MAX_MUTATIONS). */
  batchSize?: number
  /** Mutations in the first push request; later ones follow how fast the station answers. */
  initialBatchSize?: number
  /**
   * How long one push answer should take at most. Batches grow while answers come well within it
   * and shrink to fit it otherwise, so a batch stays far inside the transport's timeout (20 s) and
   * a push the station committed is not sent again because the phone gave up waiting.
   */
  targetPushMs?: number
  /** Push requests per round, so one round never runs for ever. */
  maxBatchesPerRound?: number
  /** Pull pages per round; the rest comes next round. */
  maxPullPages?: number
  /** The schema version sent with every push (the app's; a test may pretend to be older). */
  schemaVersion?: number
}

export interface PushReport {
  batches: number
  confirmed: number
  rejected: number
  /** Entries still pending when the push stopped. */
  remaining: boolean
  renumbered: number
}

export interface PullReport {
  pages: number
  applied: number
  keptLocal: number
  reset: boolean
  /** The station said there was nothing more. */
  complete: boolean
  deviceLastSeq: number | null
}

export interface SyncReport {
  ok: boolean
  push: PushReport
  pull: PullReport | null
  error: RequestError | null
  /** Storage wipe / station restore detected in this round (also kept in SyncMeta). */
  storageWipe: SyncMeta['storageWipe']
  stationBehind: SyncMeta['stationBehind']
}

export interface SyncEngine {
  /** One round: push everything it can, then pull. Never throws; the report says what happened. */
  sync(): Promise<SyncReport>
}

// Statuses after which a batch is split to find the one record the station refuses outright.
const SPLIT_STATUSES = new Set([400, 413, 422])
/** Never shrink a batch below this for slowness alone (one-record batches are only for refusals). */
const MIN_ADAPTIVE_BATCH = 10

export function createSyncEngine(deps: SyncEngineDeps, options: SyncEngineOptions = {}): SyncEngine {
  const batchSize = Math.max(1, Math.min(options.batchSize ?? PUSH_MAX_MUTATIONS, PUSH_MAX_MUTATIONS))
  const maxBatches = options.maxBatchesPerRound ?? 40
  const maxPullPages = options.maxPullPages ?? 50
  const schemaVersion = options.schemaVersion ?? SCHEMA_VERSION
  const targetPushMs = options.targetPushMs ?? 5_000
  const { outbox, transport, reference, meta, clock } = deps
  const monotonic = deps.monotonic ?? (() => globalThis.performance?.now() ?? Date.now())
  const nowIso = () => clock.now().toISOString()
  // Kept across rounds: how many mutations the station answers within targetPushMs lately.
  let fitting = Math.min(batchSize, Math.max(1, options.initialBatchSize ?? 100))

  /** Size the next batch by how long this one took (or that it timed out). */
  function adapt(sent: number, elapsedMs: number | null): void {
    if (elapsedMs === null) {
      fitting = Math.max(1, Math.min(fitting, Math.floor(sent / 4)), Math.min(MIN_ADAPTIVE_BATCH, fitting))
    } else if (elapsedMs > targetPushMs) {
      const fits = Math.floor((sent * targetPushMs) / elapsedMs)
      fitting = Math.max(Math.min(MIN_ADAPTIVE_BATCH, fitting), Math.min(fitting, fits))
    } else if (elapsedMs < targetPushMs / 3 && sent >= fitting) {
      fitting = Math.min(batchSize, fitting * 2)
    }
  }

  async function push(deviceId: string, round: RoundState): Promise<PushReport> {
    const report: PushReport = { batches: 0, confirmed: 0, rejected: 0, remaining: false, renumbered: 0 }
    // Lowered while halving a batch the station refused as a whole.
    let splitLimit = batchSize
    let renumbers = 0
    let fruitless = 0
    // The station's "settled" mark, read once and then kept from what each settle wrote; dropped
    // (read again) after anything else that moves entries or marks.
    let settled: number | null = null
    // The next batch, read from the outbox and encoded while this one is on its way (see below).
    let ahead: Ahead | null = null
    // The last answer came quickly (assumed of the first): the next batch is likely to be allowed
    // twice as many, so it is encoded at that size (a slower answer only means encoding it again).
    let quick = true
    /** An answer that settled nothing (stale, misrouted): send again, but not for ever. */
    const noAnswer = async (seqs: number[], why: string) => {
      settled = null
      if (seqs.length > 0) await outbox.noteFailure(seqs, why, nowIso())
      if (++fruitless >= 3) {
        report.remaining = true
        throw new RequestError('bad_response', 'the station answered, but not for the records sent')
      }
    }
    // The receipts of the batch before, still being written while this one is on its way (see
    // below); at most one at a time, and awaited before anything reads or moves pending entries.
    let settling: Promise<void> | null = null
    const finishSettle = async () => {
      const s = settling
      settling = null
      if (s) await s
    }
    let failed = false
    try {
      for (let requests = 0; requests < maxBatches * 2; requests++) {
        const limit = Math.min(fitting, splitLimit)
        const early = ahead
        ahead = null
        const read = early ? ((await early.read.catch(() => null))?.slice(0, limit) ?? null) : null
        if (!read || read.length === 0) await finishSettle()
        // The batch encoded ahead, when it still fits the limit: it is the start of this read (the
        // same entries, made from it), so it goes as it is; a shorter batch than the limit allows
        // only costs a little growth.
        const prepared = read && read.length > 0 && early ? await early.prepared : null
        const ready = prepared && prepared.entries.length <= limit ? prepared : null
        const entries = ready
          ? ready.entries
          : consecutiveRun(read && read.length > 0 ? read : await outbox.pending(limit))
        if (entries.length === 0) {
          await finishSettle()
          return report
        }
        if (report.batches >= maxBatches) {
          await finishSettle()
          report.remaining = true
          return report
        }
        const seqs = entries.map((e) => e.seq)
        if (settled === null) await finishSettle()
        settled ??= (await outbox.sequenceMarks()).settled
        // Made ahead for exactly this afterSeq; anything else (it cannot be, see below) encodes again.
        const request: PushRequest =
          ready && ready.request.afterSeq === settled ? ready.request : pushRequest(deviceId, settled, entries)
        const encoded = request === ready?.request ? await ready.encoded : null
        let answer: PushAnswer
        const started = monotonic()
        const sending = transport.push(request, encoded ?? undefined)
        // While the station works on this batch, the phone reads the next one, the entries after
        // it, as many as the next batch may hold, and encodes it as the next request (afterSeq:
        // this batch's last seq). They are used only if this batch settles whole (then they are
        // exactly what a fresh read would give, bar records saved meanwhile, which go next time:
        // a pending entry never changes; a save, an edit or a fix is a new entry behind the rest);
        // any other outcome (a failure, a split, a renumber, an answer that left entries pending)
        // drops them and reads again.
        const next = outbox.pending(Math.min(batchSize, fitting * 2), seqs.at(-1)!)
        next.catch(() => {
          /* a failed read-ahead only means reading again */
        })
        // Sized as the next limit will likely be: the doubling adapt() gives a quick answer.
        const nextLimit = Math.min(
          quick && entries.length >= fitting ? Math.min(batchSize, fitting * 2) : fitting,
          Math.min(batchSize, splitLimit * 2),
        )
        const upcoming: Ahead = { read: next, prepared: prepare(deviceId, seqs.at(-1)!, next, nextLimit) }
        try {
          answer = await sending
        } catch (err) {
          await finishSettle()
          settled = null
          const error = toRequestError(err)
          if (error.kind === 'timeout') adapt(entries.length, null)
          if (error.code === 'misrouted') {
            await noAnswer(seqs, error.message)
            continue
          }
          if (error.kind === 'sequence_gap' && error.lastSeq !== null && renumbers < 2) {
            renumbers++
            report.renumbered += await recoverSequence(error.lastSeq, entries, round)
            continue
          }
          if (error.kind === 'request_refused' && error.status !== null && SPLIT_STATUSES.has(error.status)) {
            if (entries.length > 1) {
              splitLimit = Math.max(1, Math.floor(entries.length / 2))
              continue
            }
            // One record the station refuses as a request: it needs a person, not another retry.
            // The station stored nothing under its seq, so it does not count as answered there.
            const only = entries[0]!
            await outbox.settle([refusedResult(only, error)], nowIso(), { byStation: false })
            report.rejected++
            continue
          }
          await outbox.noteFailure(seqs, error.message, nowIso())
          report.remaining = true
          throw error
        }
        const elapsed = monotonic() - started
        adapt(entries.length, elapsed)
        quick = elapsed < targetPushMs / 3
        const echoed = isCompactAnswer(answer)
        const results = isCompactAnswer(answer)
          ? expandCompactAnswer(
              {
                deviceId,
                batchId: request.batchId!,
                mutations: entries.map((e) => ({ seq: e.seq, mutationId: e.mutationId, recordId: e.recordId })),
              },
              answer,
            )
          : answer.results
        if (results === null) {
          await noAnswer(seqs, 'an answer for another device or batch was ignored')
          continue
        }
        report.batches++
        splitLimit = Math.min(batchSize, splitLimit * 2)
        if (echoed && answer.lastSeq === seqs.at(-1) && answersEach(entries, results)) {
          // The station holds the whole batch and answered each entry: the next batch (read
          // meanwhile) goes out while this one's receipts are written. Its afterSeq is this
          // batch's last seq, which the station just said it holds. Should the receipts fail to
          // commit, their entries stay pending and are sent again (answered `duplicate`), and the
          // error ends the round when it is awaited.
          await finishSettle()
          const last = seqs.at(-1)!
          settled = Math.max(settled, last)
          ahead = upcoming
          fruitless = 0
          const writing = settleReply(entries, results).then((outcome) => {
            report.confirmed += outcome.confirmed
            report.rejected += outcome.rejected
          })
          writing.catch(() => {
            /* awaited (and thrown) by finishSettle */
          })
          settling = writing
          continue
        }
        await finishSettle()
        const outcome = await settleReply(entries, results)
        report.confirmed += outcome.confirmed
        report.rejected += outcome.rejected
        settled = outcome.settled
        if (outcome.whole) ahead = upcoming
        // Only an answer that echoes this batch may say the station holds more than this phone
        // numbered; it cannot, when it names no seq beyond this batch (the batch's entries are
        // still here or were settled, so this phone has numbered that far).
        if (echoed && answer.lastSeq > seqs.at(-1)!) {
          const after = await outbox.sequenceMarks()
          if (answer.lastSeq > after.issued) round.storageWipe ??= wipeNotice(answer.lastSeq, after.issued)
        }
        if (outcome.schemaRefused) {
          report.remaining = true
          throw new RequestError('schema_mismatch', outcome.schemaRefused)
        }
        if (outcome.confirmed + outcome.rejected === 0) {
          // A reply that answered none of what was sent (an old station's stale reply).
          await noAnswer([], 'the station did not answer for these records')
        } else {
          fruitless = 0
        }
      }
      await finishSettle()
      report.remaining = (await outbox.pending(1)).length > 0
      return report
    } catch (err) {
      failed = true
      // Receipts already on their way still count (their error, if any, yields to this one).
      await (settling as Promise<void> | null)?.catch(() => {})
      throw err
    } finally {
      // Once a round, not once a batch: the sync screen's "last sent" time (never hiding the
      // error that ended the round).
      if (report.batches > 0) {
        const noted = meta.patch({ lastPushAt: nowIso() })
        await (failed ? noted.catch(() => {}) : noted)
      }
    }
  }

  function pushRequest(deviceId: string, afterSeq: number, entries: OutboxEntry[]): PushRequest {
    return {
      deviceId,
      schemaVersion,
      batchId: newId(),
      afterSeq,
      mutations: entries.map((e) => ({ seq: e.seq, mutationId: e.mutationId, record: e.record })),
    }
  }

  /**
   * The next request, made from the read-ahead as soon as it is read: its entries (at most
   * `limit`, a consecutive run), afterSeq the batch before's last seq, and its body encoded by the
   * transport. Never fails: a read or an encoding that failed only means doing it again.
   */
  async function prepare(
    deviceId: string,
    afterSeq: number,
    read: Promise<OutboxEntry[]>,
    limit: number,
  ): Promise<Prepared | null> {
    const entries = consecutiveRun((await read.catch(() => [] as OutboxEntry[])).slice(0, limit))
    if (entries.length === 0) return null
    const request = pushRequest(deviceId, afterSeq, entries)
    const encoded = transport.encodePush ? transport.encodePush(request).catch(() => null) : Promise.resolve(null)
    await encoded
    return { entries, request, encoded }
  }

  /** Match a reply to what was sent; only exact matches settle anything. */
  async function settleReply(entries: OutboxEntry[], results: MutationResult[]) {
    const bySeq = new Map(entries.map((e) => [e.seq, e]))
    const matched: MutationResult[] = []
    let schemaRefused: string | null = null
    const answered = new Set<number>()
    for (const r of results) {
      const e = bySeq.get(r.seq)
      if (!e || e.mutationId !== r.mutationId || answered.has(r.seq)) continue
      if (r.status !== 'rejected' && r.recordId !== e.recordId) continue
      answered.add(r.seq)
      // A station older than this app: keep the record waiting for the station's upgrade.
      if (r.status === 'rejected' && r.code === 'schema_too_new') {
        schemaRefused = r.message
        continue
      }
      matched.push(r)
    }
    const summary =
      matched.length > 0
        ? await outbox.settle(matched, nowIso())
        : { confirmed: 0, rejected: 0, ignored: 0, settled: null }
    const unanswered = entries.filter((e) => !answered.has(e.seq)).map((e) => e.seq)
    if (unanswered.length > 0)
      await outbox.noteFailure(
        unanswered,
        'the station did not answer for this record; it will be sent again',
        nowIso(),
      )
    if (schemaRefused) {
      const refused = entries
        .filter((e) => answered.has(e.seq) && !matched.some((m) => m.seq === e.seq))
        .map((e) => e.seq)
      await outbox.noteFailure(refused, schemaRefused, nowIso())
    }
    return {
      confirmed: summary.confirmed,
      rejected: summary.rejected,
      schemaRefused,
      /** The station's mark after this settle; null when nothing was settled (read it again). */
      settled: summary.settled,
      /** Every entry sent was settled here: nothing of the batch is left pending. */
      whole: summary.confirmed + summary.rejected === entries.length,
    }
  }

  /**
   * 409 sequence_gap: the station's last sequence for this device is `serverLastSeq`, and the
   * pending entries do not follow it. Either way the fix is the same: renumber the pending
   * entries to follow the station's number, keeping their order. Entries the station already
   * holds come back as `duplicate` (it recognises records by id, never by seq), so nothing is
   * doubled; nothing is dropped because nothing leaves the outbox without a receipt.
   */
  async function recoverSequence(serverLastSeq: number, sent: OutboxEntry[], round: RoundState): Promise<number> {
    const marks = await outbox.sequenceMarks()
    if (serverLastSeq > marks.issued) {
      round.storageWipe ??= wipeNotice(serverLastSeq, marks.issued)
    } else if (serverLastSeq < marks.settled) {
      // The station answered for more than it now remembers: it was restored from a backup.
      round.stationBehind ??= { detectedAt: nowIso(), serverLastSeq, localFirstSeq: sent[0]?.seq ?? marks.issued }
    }
    // Otherwise a harmless hole (a save that aborted after taking a number): just close it.
    return outbox.renumberAbove(serverLastSeq)
  }

  function wipeNotice(serverLastSeq: number, localLastSeq: number): NonNullable<SyncMeta['storageWipe']> {
    return { detectedAt: nowIso(), serverLastSeq, localLastSeq }
  }

  async function pull(deviceId: string, round: RoundState): Promise<PullReport> {
    const report: PullReport = {
      pages: 0,
      applied: 0,
      keptLocal: 0,
      reset: false,
      complete: false,
      deviceLastSeq: null,
    }
    let cursor = await reference.cursor()
    while (report.pages < maxPullPages) {
      const page = await transport.pull(cursor)
      // A page meant for another phone (a middlebox mixing connections) is never applied.
      if (page.deviceId !== undefined && page.deviceId !== deviceId)
        throw new RequestError('bad_response', 'an answer meant for another phone was ignored', { code: 'misrouted' })
      if (page.deviceId === deviceId) report.deviceLastSeq = page.deviceLastSeq
      const summary = await reference.applyPage(page)
      report.pages++
      report.applied += summary.applied
      report.keptLocal += summary.keptLocal
      report.reset ||= page.reset
      cursor = page.cursor
      const phoneNow = clock.now()
      const serverNow = Date.parse(page.serverTime)
      await meta.patch({
        lastPullAt: phoneNow.toISOString(),
        serverClockOffsetMs: Number.isFinite(serverNow) ? serverNow - phoneNow.getTime() : null,
      })
      if (!page.more) {
        report.complete = true
        break
      }
    }
    if (report.deviceLastSeq !== null) {
      const marks = await outbox.sequenceMarks()
      if (report.deviceLastSeq > marks.issued) {
        // The station holds records numbered beyond anything this phone remembers: its storage
        // was wiped (or restored). New records must not reuse those numbers.
        round.storageWipe ??= wipeNotice(report.deviceLastSeq, marks.issued)
        await outbox.renumberAbove(report.deviceLastSeq)
      }
    }
    return report
  }

  return {
    async sync(): Promise<SyncReport> {
      const round: RoundState = { storageWipe: null, stationBehind: null }
      let pushReport: PushReport = { batches: 0, confirmed: 0, rejected: 0, remaining: true, renumbered: 0 }
      let pullReport: PullReport | null = null
      let error: RequestError | null = null
      try {
        const deviceId = await deps.deviceId()
        if (!deviceId) throw new RequestError('unauthorized', 'this phone is not enrolled with a station')
        try {
          pushReport = await push(deviceId, round)
        } catch (err) {
          error = toRequestError(err)
        }
        // Reference data is still worth having when only this app's schema or one request was refused.
        if (error === null || error.kind === 'schema_mismatch' || error.kind === 'request_refused') {
          pullReport = await pull(deviceId, round)
        }
      } catch (err) {
        error ??= toRequestError(err)
      }
      try {
        const change: Partial<SyncMeta> = {}
        if (round.storageWipe) change.storageWipe = round.storageWipe
        if (round.stationBehind) change.stationBehind = round.stationBehind
        if (!error && !pushReport.remaining && pullReport?.complete) change.lastCompleteAt = nowIso()
        if (Object.keys(change).length > 0) await meta.patch(change)
      } catch (err) {
        error ??= toRequestError(err)
      }
      return {
        ok: error === null && !pushReport.remaining,
        push: pushReport,
        pull: pullReport,
        error,
        storageWipe: round.storageWipe,
        stationBehind: round.stationBehind,
      }
    },
  }
}

/** The next batch while the one before is on its way: read from the outbox, then encoded. */
interface Ahead {
  read: Promise<OutboxEntry[]>
  prepared: Promise<Prepared | null>
}

interface Prepared {
  entries: OutboxEntry[]
  request: PushRequest
  encoded: Promise<EncodedPush | null>
}

interface RoundState {
  storageWipe: SyncMeta['storageWipe']
  stationBehind: SyncMeta['stationBehind']
}

/**
 * Every entry sent has exactly one matching answer that is not a schema refusal: settling the
 * batch leaves none of it pending (bar entries changed on the phone meanwhile).
 */
function answersEach(entries: OutboxEntry[], results: MutationResult[]): boolean {
  if (results.length !== entries.length) return false
  const bySeq = new Map(entries.map((e) => [e.seq, e]))
  for (const r of results) {
    const e = bySeq.get(r.seq)
    if (!e || e.mutationId !== r.mutationId) return false
    if (r.status === 'rejected' ? r.code === 'schema_too_new' : r.recordId !== e.recordId) return false
    bySeq.delete(r.seq)
  }
  return bySeq.size === 0
}

/**
 * The station takes a batch only with consecutive seqs; a hole (an entry set aside, a save that
 * aborted after taking a number) ends the batch, and the next one is renumbered after the 409.
 */
function consecutiveRun(entries: OutboxEntry[]): OutboxEntry[] {
  const end = entries.findIndex((e, i) => i > 0 && e.seq !== entries[i - 1]!.seq + 1)
  return end === -1 ? entries : entries.slice(0, end)
}

function refusedResult(entry: OutboxEntry, error: RequestError): MutationResult {
  return {
    status: 'rejected',
    seq: entry.seq,
    mutationId: entry.mutationId,
    recordId: entry.recordId,
    code: 'invalid_record',
    message: error.message,
  }
}
