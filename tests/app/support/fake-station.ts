// A protocol-faithful station in memory and a transport that plays a script of network faults,
// for engine unit tests. The real server is exercised by tests/server/sync-faults.test.ts.
import { SCHEMA_VERSION } from '../../../src/domain/records'
import {
  compactPushResponse,
  type MutationResult,
  type PullChange,
  type DinClash,
  type PushAnswer,
  type RejectCode,
  type PullResponse,
  type PushRequest,
  type PushResponse,
} from '../../../src/domain/sync-protocol'
import { RequestError } from '../../../src/app/net/errors'
import type { EncodedPush, SyncTransport } from '../../../src/app/sync/ports'

export interface StationRow {
  record: { id: string; type: string } & Record<string, unknown>
  deviceId: string
  seq: number
  mutationId: string
  receivedAt: string
}

export class FakeStation {
  readonly rows = new Map<string, StationRow>()
  /** Record ids in the order the station stored them. */
  readonly arrivals: string[] = []
  readonly lastSeq = new Map<string, number>()
  readonly mutations = new Map<string, { seq: number; recordId: string | null; result: MutationResult }>()
  /** Reference changes, in cursor order. */
  readonly changes: PullChange[] = []
  maxSchemaVersion = SCHEMA_VERSION
  /** Refuse a push whose first new seq does not follow lastSeq (as the real station does). */
  strictSequence = true
  /** Record ids the station refuses, with the code and message it gives. */
  readonly refuse = new Map<string, { code: RejectCode; message: string; clash?: DinClash }>()
  clock = () => new Date('2023-06-14T12:00:00.000Z')
  /** Answer in the old per-item form, as a station from before the compact answer does. */
  oldAnswers = false
  /** Every 409 the station answered. */
  conflicts = 0

  /** As the real station answers: compact when the phone names its batch (and this station is new). */
  answer(req: PushRequest): PushAnswer {
    const res = this.push(req)
    return req.batchId && !this.oldAnswers ? compactPushResponse({ ...req, batchId: req.batchId }, res) : res
  }

  push(req: PushRequest): PushResponse {
    let last = this.lastSeq.get(req.deviceId) ?? 0
    if (req.schemaVersion > this.maxSchemaVersion) {
      return {
        lastSeq: last,
        results: req.mutations.map((m) => ({
          status: 'rejected' as const,
          seq: m.seq,
          mutationId: m.mutationId,
          recordId: (m.record as { id: string }).id,
          code: 'schema_too_new' as const,
          message: 'this station is older than the app',
        })),
      }
    }
    if (this.strictSequence) {
      const firstNew = req.mutations.find((m) => !this.mutations.has(m.mutationId))
      // A hole the phone declares (it knows the station holds `last`) is skipped, as the real station does.
      if (firstNew && firstNew.seq > last + 1 && req.afterSeq === last && !this.oldAnswers) last = firstNew.seq - 1
      if (firstNew && firstNew.seq !== last + 1) {
        this.conflicts++
        throw new RequestError('sequence_gap', `expected seq ${last + 1}, got ${firstNew.seq}`, {
          status: 409,
          code: 'sequence_gap',
          lastSeq: last,
        })
      }
    }
    const results: MutationResult[] = []
    for (const m of req.mutations) {
      const known = this.mutations.get(m.mutationId)
      const record = m.record as StationRow['record']
      if (known) {
        results.push(
          known.result.status === 'rejected'
            ? { ...known.result, seq: m.seq }
            : { ...known.result, seq: m.seq, status: 'duplicate' },
        )
        continue
      }
      if (this.strictSequence && m.seq !== last + 1) {
        this.conflicts++
        throw new RequestError('sequence_gap', `expected seq ${last + 1}, got ${m.seq}`, {
          status: 409,
          code: 'sequence_gap',
          lastSeq: last,
        })
      }
      last = Math.max(last, m.seq)
      let result: MutationResult
      const refused = this.refuse.get(record.id)
      if (refused) {
        result = { status: 'rejected', seq: m.seq, mutationId: m.mutationId, recordId: record.id, ...refused }
      } else if (this.rows.has(record.id)) {
        result = {
          status: 'duplicate',
          seq: m.seq,
          mutationId: m.mutationId,
          recordId: record.id,
          receivedAt: this.rows.get(record.id)!.receivedAt,
        }
      } else {
        const receivedAt = this.clock().toISOString()
        this.rows.set(record.id, { record, deviceId: req.deviceId, seq: m.seq, mutationId: m.mutationId, receivedAt })
        this.arrivals.push(record.id)
        result = { status: 'applied', seq: m.seq, mutationId: m.mutationId, recordId: record.id, receivedAt }
      }
      this.mutations.set(m.mutationId, { seq: m.seq, recordId: record.id, result })
      results.push(result)
    }
    this.lastSeq.set(req.deviceId, last)
    return { lastSeq: last, results }
  }

  pull(deviceId: string, cursor: string | null, pageSize = 2): PullResponse {
    const from = cursor === null ? 0 : Number(cursor)
    const reset = cursor !== null && (!Number.isInteger(from) || from > this.changes.length)
    const start = reset ? 0 : from
    const page = this.changes.slice(start, start + pageSize)
    const next = start + page.length
    return {
      cursor: String(next),
      reset,
      more: next < this.changes.length,
      changes: page,
      serverTime: this.clock().toISOString(),
      deviceLastSeq: this.lastSeq.get(deviceId) ?? 0,
      deviceId,
    }
  }
}

export type Fault =
  | 'ok'
  | 'offline' // connection refused before the request
  | 'lost-reply' // the station commits, the reply never arrives
  | 'timeout-after' // the station commits, the client times out
  | 'server-error' // 500 before anything happens
  | 'rate-limited' // 429
  | 'stale-reply' // the station commits, the client gets the previous reply
  | 'twice' // delivered twice, the second reply comes back
  | 'unauthorized' // 401
  | 'bad-request' // 400 for the whole request
  | 'portal-400' // a captive portal's HTML 400 (no station mark): nothing reaches the station
  | 'proxy-401' // a proxy's 401 (no station mark)
  | 'misrouted' // the station's answer to another request (its request id echoed): the station commits
  | 'foreign-reply' // the station commits; the reply is another device's compact answer with a high lastSeq

/** Plays `script` one fault per push (then 'ok'); pulls always go through unless `pullFaults` says otherwise. */
export class ScriptedTransport implements SyncTransport {
  readonly sent: PushRequest[] = []
  readonly pulls: Array<string | null> = []
  private previous: PushAnswer | null = null
  constructor(
    readonly station: FakeStation,
    public script: Fault[] = [],
    public pullFaults: Fault[] = [],
    readonly deviceId = '',
  ) {}

  /** Requests encoded ahead (encodePush), and for each one sent whether it went as encoded ahead. */
  readonly encoded: PushRequest[] = []
  readonly fromEncoded: boolean[] = []

  /** As the HTTP transport does: the body is fixed when it is encoded, whatever happens to the request later. */
  async encodePush(req: PushRequest): Promise<EncodedPush & { body: PushRequest }> {
    this.encoded.push(req)
    return { request: req, body: structuredClone(req) }
  }

  async push(req: PushRequest, encoded?: EncodedPush): Promise<PushAnswer> {
    const made = encoded && encoded.request === req ? (encoded as EncodedPush & { body: PushRequest }).body : null
    this.fromEncoded.push(made !== null)
    const body = made ? structuredClone(made) : structuredClone(req)
    this.sent.push(body)
    const fault = this.script.shift() ?? 'ok'
    switch (fault) {
      case 'offline':
        throw new RequestError('offline', 'cannot reach the station')
      case 'server-error':
        throw new RequestError('server', 'the station answered 500', { status: 500 })
      case 'rate-limited':
        throw new RequestError('rate_limited', 'slow down', { status: 429, retryAfterMs: 2000 })
      case 'unauthorized':
        throw new RequestError('unauthorized', 'device token revoked', { status: 401 })
      case 'portal-400':
        throw new RequestError('not_station', 'HTTP 400 from something on the network other than the station', {
          status: 400,
        })
      case 'proxy-401':
        throw new RequestError('not_station', 'HTTP 401 from something on the network other than the station', {
          status: 401,
        })
      case 'misrouted':
        this.station.answer(body)
        throw new RequestError('bad_response', 'an answer meant for another request was ignored', { code: 'misrouted' })
      case 'foreign-reply': {
        this.station.answer(body)
        const other = '0193a6b2-0000-7000-8000-0000000000ff'
        return {
          deviceId: other,
          batchId: '0193a6b2-0000-7000-8000-0000000000fe',
          first: body.mutations[0]!.seq,
          last: body.mutations.at(-1)!.seq,
          lastSeq: 100_000,
          confirmed: [],
          rejected: [],
        }
      }
      case 'bad-request':
        throw new RequestError('request_refused', 'invalid_request: mutations.0.mutationId', {
          status: 400,
          code: 'invalid_request',
        })
      case 'lost-reply':
        this.station.push(body)
        throw new RequestError('offline', 'the connection dropped during the answer')
      case 'timeout-after':
        this.station.push(body)
        throw new RequestError('timeout', 'no answer within 20 s')
      case 'stale-reply': {
        const real = this.station.answer(body)
        const reply = this.previous ?? { lastSeq: real.lastSeq, results: [] }
        this.previous = real
        return structuredClone(reply)
      }
      case 'twice': {
        this.station.push(structuredClone(body))
        const second = this.station.answer(body)
        this.previous = second
        return structuredClone(second)
      }
      case 'ok': {
        const res = this.station.answer(body)
        this.previous = res
        return structuredClone(res)
      }
    }
  }

  async pull(cursor: string | null): Promise<PullResponse> {
    this.pulls.push(cursor)
    const fault = this.pullFaults.shift() ?? 'ok'
    if (fault === 'offline') throw new RequestError('offline', 'cannot reach the station')
    return structuredClone(this.station.pull(this.deviceId, cursor))
  }
}
