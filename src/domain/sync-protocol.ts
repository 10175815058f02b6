// Wire shapes of the sync protocol (docs/sync-protocol.md), validated on both ends.
import * as v from 'valibot'
import {
  ChannelSchema,
  FieldRecordSchema,
  IsoDate,
  IsoDateTime,
  PopulationSchema,
  RecordId,
  RosterEntrySchema,
  SiteSchema,
  StationSchema,
  TargetSchema,
  TeamSchema,
} from './records'
import type { IndicatorCounts, Indicators } from './indicators'
import { DrivePlanSchema } from './plans'
import { LookbackFlagSchema } from './lookback'
import { REJECT_CODES } from './reject-codes'

export const PUSH_MAX_MUTATIONS = 500

/** One outbox entry: the device's sequence number, a mutation id, and the record itself. */
export const MutationSchema = v.object({
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  mutationId: RecordId,
  record: v.unknown(), // validated per item so one bad record never blocks the batch
})
export type Mutation = v.InferOutput<typeof MutationSchema>

export const PushRequestSchema = v.object({
  deviceId: RecordId,
  schemaVersion: v.pipe(v.number(), v.integer(), v.minValue(1)),
  mutations: v.pipe(v.array(MutationSchema), v.minLength(1), v.maxLength(PUSH_MAX_MUTATIONS)),
  /**
   * A fresh id per request (the phone's, also sent as the X-Blood-Bus-Request header). With it the
   * station answers in the compact form that echoes device and batch; without it, the old form.
   */
  batchId: v.optional(RecordId),
  /**
   * The last seq the phone knows the station answered for. When the station's last seq is exactly
   * this, the numbers between it and the first mutation are a hole the phone never fills (an entry
   * set aside or voided on the phone), and the batch is taken without a 409.
   */
  afterSeq: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
})
export type PushRequest = v.InferOutput<typeof PushRequestSchema>

// REJECT_CODES live in reject-codes.ts (error-codes.ts names them without these schemas).
export { REJECT_CODES, type RejectCode } from './reject-codes'

/**
 * What a `duplicate_din` refusal names: the station's record that holds the bag number, so the
 * phone can say which donor, drive and time clashed (names come from the phone's own records).
 */
export const DinClashSchema = v.object({
  din: v.string(),
  /** The donation that holds the number (the original's id, also when a correction gave it). */
  recordId: v.string(),
  driveId: v.nullable(v.string()),
  /** The drive's date, bus and site, as the station has them (the phone may not hold that drive). */
  driveDate: v.nullable(v.string()),
  busCode: v.nullable(v.string()),
  siteId: v.nullable(v.string()),
  collectedOn: v.nullable(v.string()),
  collectedAt: v.nullable(v.string()),
  donorKey: v.nullable(v.string()),
  /** The phone that sent it (null for an import). */
  deviceId: v.nullable(v.string()),
})
export type DinClash = v.InferOutput<typeof DinClashSchema>

export const MutationResultSchema = v.variant('status', [
  v.object({
    status: v.picklist(['applied', 'duplicate'] as const),
    seq: v.number(),
    mutationId: RecordId,
    recordId: RecordId,
    /** Server receipt: when the station stored the record (server clock). */
    receivedAt: IsoDateTime,
  }),
  v.object({
    status: v.literal('rejected'),
    seq: v.number(),
    mutationId: RecordId,
    recordId: v.nullable(v.string()),
    code: v.picklist(REJECT_CODES),
    message: v.string(),
    /** With duplicate_din: the record that holds the bag number (absent from older stations). */
    clash: v.optional(DinClashSchema),
  }),
])
export type MutationResult = v.InferOutput<typeof MutationResultSchema>

export const PushResponseSchema = v.object({
  /** Highest sequence number the server has taken from this device (after this batch). */
  lastSeq: v.number(),
  results: v.array(MutationResultSchema),
})
export type PushResponse = v.InferOutput<typeof PushResponseSchema>

// ---------------------------------------------------------------------------------------------
// Whose answer is it (docs/sync-protocol.md, "Whose answer is it"). Every /api answer of the
// station carries STATION_MARK_HEADER, and echoes the request id a phone sent in REQUEST_ID_HEADER: a phone counts a
// 4xx as the station's refusal only with both, and a reply echoing another request is ignored.

export const STATION_MARK_HEADER = 'X-Blood-Bus'
export const STATION_MARK = '1'
export const REQUEST_ID_HEADER = 'X-Blood-Bus-Request'
/** What a request id may look like (the phone sends a UUID; anything else is not echoed). */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/

/** Inclusive runs of seqs, ascending: [[41, 45], [47, 47]]. */
const SeqRanges = v.array(v.tuple([v.pipe(v.number(), v.integer()), v.pipe(v.number(), v.integer())]))

/**
 * The compact push answer (requests with a batchId): it echoes the device and the batch, confirms
 * seqs as ranges grouped by status and receipt time, and details only what was refused.
 */
export const CompactPushResponseSchema = v.object({
  deviceId: RecordId,
  batchId: RecordId,
  /** First and last seq of the batch as sent. */
  first: v.number(),
  last: v.number(),
  /** Highest sequence number the server has taken from this device (after this batch). */
  lastSeq: v.number(),
  confirmed: v.array(
    v.object({
      status: v.picklist(['applied', 'duplicate'] as const),
      receivedAt: IsoDateTime,
      seqs: SeqRanges,
    }),
  ),
  rejected: v.array(
    v.object({
      seq: v.number(),
      recordId: v.nullable(v.string()),
      code: v.picklist(REJECT_CODES),
      message: v.string(),
      /** As in the per-item answer: what holds the bag number of a duplicate_din. */
      clash: v.optional(DinClashSchema),
    }),
  ),
})
export type CompactPushResponse = v.InferOutput<typeof CompactPushResponseSchema>

/** What a phone reads from a push: the compact answer, or the old one from an older station. */
export const PushAnswerSchema = v.union([CompactPushResponseSchema, PushResponseSchema])
export type PushAnswer = CompactPushResponse | PushResponse

export function isCompactAnswer(a: PushAnswer): a is CompactPushResponse {
  return 'batchId' in a && typeof (a as CompactPushResponse).batchId === 'string'
}

/** Server side: the compact answer to `req` from the per-item results (same order as the mutations). */
export function compactPushResponse(
  req: { deviceId: string; batchId: string; mutations: ReadonlyArray<{ seq: number }> },
  res: PushResponse,
): CompactPushResponse {
  const groups = new Map<
    string,
    { status: 'applied' | 'duplicate'; receivedAt: string; seqs: Array<[number, number]> }
  >()
  const rejected: CompactPushResponse['rejected'] = []
  for (const r of res.results) {
    if (r.status === 'rejected') {
      rejected.push({
        seq: r.seq,
        recordId: r.recordId,
        code: r.code,
        message: r.message,
        ...(r.clash ? { clash: r.clash } : {}),
      })
      continue
    }
    const key = `${r.status} ${r.receivedAt}`
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { status: r.status, receivedAt: r.receivedAt, seqs: [] }))
    const run = g.seqs.at(-1)
    if (run && run[1] + 1 === r.seq) run[1] = r.seq
    else g.seqs.push([r.seq, r.seq])
  }
  return {
    deviceId: req.deviceId,
    batchId: req.batchId,
    first: req.mutations[0]!.seq,
    last: req.mutations.at(-1)!.seq,
    lastSeq: res.lastSeq,
    confirmed: [...groups.values()],
    rejected,
  }
}

/**
 * Phone side: the per-item results a compact answer stands for, given the batch that was sent, or
 * null when the answer is not for this batch (another device, another batch, other seqs, a seq
 * outside the batch or answered twice). Ids come from what was sent: the echo proves the match.
 */
export function expandCompactAnswer(
  sent: {
    deviceId: string
    batchId: string
    mutations: ReadonlyArray<{ seq: number; mutationId: string; recordId: string }>
  },
  a: CompactPushResponse,
): MutationResult[] | null {
  const first = sent.mutations[0]?.seq
  const last = sent.mutations.at(-1)?.seq
  if (a.deviceId !== sent.deviceId || a.batchId !== sent.batchId || a.first !== first || a.last !== last) return null
  const bySeq = new Map(sent.mutations.map((m) => [m.seq, m]))
  const out = new Map<number, MutationResult>()
  for (const g of a.confirmed) {
    for (const [from, to] of g.seqs) {
      if (!(from <= to) || to - from > PUSH_MAX_MUTATIONS) return null
      for (let seq = from; seq <= to; seq++) {
        const m = bySeq.get(seq)
        if (!m || out.has(seq)) return null
        out.set(seq, {
          status: g.status,
          seq,
          mutationId: m.mutationId,
          recordId: m.recordId,
          receivedAt: g.receivedAt,
        })
      }
    }
  }
  for (const r of a.rejected) {
    const m = bySeq.get(r.seq)
    if (!m || out.has(r.seq)) return null
    out.set(r.seq, {
      status: 'rejected',
      seq: r.seq,
      mutationId: m.mutationId,
      recordId: r.recordId,
      code: r.code,
      message: r.message,
      ...(r.clash ? { clash: r.clash } : {}),
    })
  }
  return [...out.values()].sort((x, y) => x.seq - y.seq)
}

/** Eligibility snapshot row: what a phone needs to warn about intervals and deferrals. */
export const EligibilityEntrySchema = v.object({
  donorKey: v.string(),
  lastDonationOn: v.nullable(IsoDate),
  lastDonationType: v.nullable(v.picklist(['whole_blood', 'apheresis_platelets'] as const)),
  /** Apheresis donations in the last 365 days, for the yearly cap. */
  apheresisLast12Months: v.number(),
  deferredUntil: v.nullable(IsoDate),
  permanentlyDeferred: v.boolean(),
  hadReaction: v.boolean(),
  donationCount: v.number(),
})
export type EligibilityEntry = v.InferOutput<typeof EligibilityEntrySchema>

export const PULL_ENTITIES = [
  'station',
  'site',
  'channel',
  'team',
  'target',
  'roster',
  'eligibility',
  'population',
  'totals',
  'plan',
  // Only to phones that pull with ?with=lookback (issue 15).
  'lookback',
] as const
export type PullEntity = (typeof PULL_ENTITIES)[number]
/**
 * Opt-in entities this app pulls (`?with=`); a cursor taken without them starts over once.
 * `retention`: targets on the retention metrics (issue 15), which an older phone's schema refuses.
 */
export const PULL_WITH = 'lookback,retention'

export const PullChangeSchema = v.variant('op', [
  v.object({ op: v.literal('upsert'), entity: v.picklist(PULL_ENTITIES), key: v.string(), value: v.unknown() }),
  v.object({ op: v.literal('delete'), entity: v.picklist(PULL_ENTITIES), key: v.string() }),
])
export type PullChange = v.InferOutput<typeof PullChangeSchema>

export const PullResponseSchema = v.object({
  /** Opaque server-assigned cursor; send it back as ?cursor= next time. */
  cursor: v.string(),
  /** True when the given cursor was too old or unknown: drop local reference data and apply these. */
  reset: v.boolean(),
  /** More changes wait after this page. */
  more: v.boolean(),
  changes: v.array(PullChangeSchema),
  serverTime: IsoDateTime,
  /** Highest sequence the server holds from the calling device (detects a wiped phone database). */
  deviceLastSeq: v.number(),
  /** The calling device (an echo: a phone acts on deviceLastSeq only when it is its own id). */
  deviceId: v.optional(v.string()),
})
export type PullResponse = v.InferOutput<typeof PullResponseSchema>

export const pullValueSchemas = {
  station: StationSchema,
  site: SiteSchema,
  channel: ChannelSchema,
  team: TeamSchema,
  target: TargetSchema,
  roster: RosterEntrySchema,
  eligibility: EligibilityEntrySchema,
  population: PopulationSchema,
  totals: v.unknown(),
  plan: DrivePlanSchema,
  lookback: LookbackFlagSchema,
} as const

export { FieldRecordSchema }

/**
 * Value of a `totals` change (keys 'year' and 'month'): the station's running totals for the
 * current calendar year and month, as the server counts them (IndicatorCounts of
 * src/domain/indicators.ts, by channel and by team). Added for the server; see docs/sync-protocol.md.
 */
export interface StationTotals {
  key: 'year' | 'month'
  period: { kind: 'year' | 'month'; start: string; end: string }
  /** Server time the totals were computed. */
  computedAt: string
  counts: IndicatorCounts
  indicators: Indicators
  byChannel: Record<string, IndicatorCounts>
  byTeam: Record<string, IndicatorCounts>
}
