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
})
export type PushRequest = v.InferOutput<typeof PushRequestSchema>

/** Stable codes a rejected item carries; clients may branch on them. */
export const REJECT_CODES = [
  'invalid_record', // fails the shared schema
  'wrong_station', // record's stationId is not the device's
  'unknown_reference', // channel, site, drive, target record not known
  'duplicate_din', // bag number already used by another donation
  'conflicting_id', // the id exists with different content of another type
  'schema_too_new', // client schema newer than the server understands
  'rule_violation', // a domain rule refused it (e.g. void of a void)
] as const
export type RejectCode = (typeof REJECT_CODES)[number]

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
] as const
export type PullEntity = (typeof PULL_ENTITIES)[number]

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
