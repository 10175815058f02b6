// Lookback after sync (issue 15, item 2): a donation taken offline on one phone may turn out, once
// the station holds every phone's records, to come from a donor another phone had deferred, or to
// be the second donation of one donor inside the donation interval. The later donation is flagged
// for the lab, whichever record reached the station first. Pure: the server feeds it the donor's
// records and stores what it finds (src/server/repo/lookback.ts).
import * as v from 'valibot'
import { addDuration } from './dates'
import { DEFAULT_ELIGIBILITY, type EligibilityConfig, type ProductType } from './eligibility'
import { IsoDateTime, RecordId } from './records'

export const LOOKBACK_REASONS = ['deferral_before_donation', 'interval'] as const
export type LookbackReason = (typeof LOOKBACK_REASONS)[number]
export const LOOKBACK_STATUSES = ['open', 'released', 'confirmed'] as const
export type LookbackStatus = (typeof LOOKBACK_STATUSES)[number]
/** What the lab decides: release the donation for use, or confirm the hold (discard). */
export const LOOKBACK_DECISIONS = ['released', 'confirmed'] as const

/** A counted donation or deferral of one donor, as the lookback compares them. */
export interface LookbackRecord {
  id: string
  type: 'donation' | 'deferral'
  /** The phone that sent it; null for imported records (one source: they saw each other). */
  deviceId: string | null
  collectedOn: string
  /** A donation's collectedAt, a deferral's createdAt: orders records of one day. */
  at: string
  /** Donations: the product, for the interval. */
  product?: ProductType
  /** Deferrals: last day (null: permanent). */
  until?: string | null
}

export interface LookbackFinding {
  /** The later donation, held for the lab. */
  donationId: string
  /** The deferral or earlier donation that makes it doubtful. */
  causeId: string
  reason: LookbackReason
}

function instant(iso: string): number {
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? 0 : ms
}

/** Whether `a` was taken before `b`: by day, then instant, then id. */
function precedes(a: LookbackRecord, b: LookbackRecord): boolean {
  if (a.collectedOn !== b.collectedOn) return a.collectedOn < b.collectedOn
  const ta = instant(a.at)
  const tb = instant(b.at)
  return ta !== tb ? ta < tb : a.id < b.id
}

/**
 * The donations of one donor to flag: each donation preceded by a deferral still running on its day,
 * or by a donation whose interval had not ended, recorded on another phone (a phone sees its own
 * records, so a clash on one phone was seen and let through there). Only pairs with a record of
 * `fresh` (just received) are returned, so a batch finds what it newly makes known.
 */
export function findLookbacks(
  records: readonly LookbackRecord[],
  fresh: ReadonlySet<string>,
  config: EligibilityConfig = DEFAULT_ELIGIBILITY,
): LookbackFinding[] {
  const found: LookbackFinding[] = []
  for (const donation of records) {
    if (donation.type !== 'donation') continue
    for (const cause of records) {
      if (cause.id === donation.id) continue
      if (!fresh.has(donation.id) && !fresh.has(cause.id)) continue
      if (cause.deviceId === donation.deviceId) continue
      if (!precedes(cause, donation)) continue
      if (cause.type === 'deferral') {
        if (cause.until === null || cause.until === undefined || cause.until >= donation.collectedOn)
          found.push({ donationId: donation.id, causeId: cause.id, reason: 'deferral_before_donation' })
        continue
      }
      const product = donation.product ?? 'whole_blood'
      const previous = cause.product ?? 'whole_blood'
      const endsOn = addDuration(cause.collectedOn, config.intervals[previous][product])
      if (donation.collectedOn < endsOn) found.push({ donationId: donation.id, causeId: cause.id, reason: 'interval' })
    }
  }
  return found
}

/** A flag as phones pull it (entity `lookback`): no donor data, only the records and the lab's decision. */
export const LookbackFlagSchema = v.object({
  id: RecordId,
  donationId: RecordId,
  causeId: RecordId,
  reason: v.picklist(LOOKBACK_REASONS),
  status: v.picklist(LOOKBACK_STATUSES),
  flaggedAt: IsoDateTime,
  decidedAt: v.nullable(IsoDateTime),
})
export type LookbackFlag = v.InferOutput<typeof LookbackFlagSchema>

/** One of the two records of a flag as the station's lab list shows it. */
export const LookbackRecordSummarySchema = v.object({
  id: v.string(),
  type: v.picklist(['donation', 'deferral'] as const),
  collectedOn: v.string(),
  at: v.string(),
  deviceId: v.nullable(v.string()),
  deviceName: v.nullable(v.string()),
  driveId: v.nullable(v.string()),
  busCode: v.nullable(v.string()),
  siteName: v.nullable(v.string()),
  din: v.nullable(v.string()),
  /** Deferrals: reason codes and last day (null: permanent). */
  reasonCodes: v.array(v.string()),
  until: v.nullable(v.string()),
  voided: v.boolean(),
})
export type LookbackRecordSummary = v.InferOutput<typeof LookbackRecordSummarySchema>

/** A flag on the station's lab list: the two records side by side and who decided. */
export const LookbackListItemSchema = v.object({
  ...LookbackFlagSchema.entries,
  decidedBy: v.nullable(v.string()),
  note: v.nullable(v.string()),
  donation: LookbackRecordSummarySchema,
  cause: LookbackRecordSummarySchema,
})
export type LookbackListItem = v.InferOutput<typeof LookbackListItemSchema>

export const LookbackDecisionSchema = v.object({
  decision: v.picklist(LOOKBACK_DECISIONS),
  note: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(500)), ''),
})
export type LookbackDecision = v.InferOutput<typeof LookbackDecisionSchema>
