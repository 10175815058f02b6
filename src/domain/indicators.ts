// Collection indicators (defined in docs/domain.md, "Indicators") over any set of field records.
//
// Two layers: counts (plain sums that can be kept as running aggregates on a phone and merged
// across phones, drives or months) and indicators (the rates derived from counts). Voids and
// corrections are resolved first by effectiveRecords(); only donations, deferrals and drives count.
import { BLOOD_GROUPS, bloodGroupOf, emptyCounts, type IndicatorCounts } from './indicator-counts'
import type { Deferral, Donation, Drive, FieldRecord, Metric } from './records'

// The counts' shape and the blood groups (indicator-counts.ts), for code that imports them from here.
export { BLOOD_GROUPS, bloodGroupOf, emptyCounts } from './indicator-counts'
export type { BloodGroup, IndicatorCounts } from './indicator-counts'

export interface IndicatorContext {
  /** Channels whose whole blood counts toward the rural-mobile share (Channel.ruralMobile). */
  ruralMobileChannelIds: ReadonlySet<string>
  /** Population served, for donations per 1,000; null or absent leaves per1000 null. */
  population?: number | null
}

/** Counts plus the rates derived from them. Rates are fractions in [0, 1], null when the denominator is 0. */
export interface Indicators extends IndicatorCounts {
  /** 400 ml whole-blood donations ÷ whole-blood donations. */
  rate400ml: number | null
  /** Whole-blood donations on rural-mobile channels ÷ whole-blood donations. */
  ruralMobileShare: number | null
  /** Donations by rural-household donors ÷ donations. */
  ruralDonorShare: number | null
  /** Donations by donors with an earlier donation ÷ donations. */
  repeatDonorShare: number | null
  /** Donations ÷ population × 1000. */
  per1000: number | null
  /** Deferrals ÷ (donations + deferrals). */
  deferralRate: number | null
  population: number | null
}

/** Records that carry indicator weight once voids and corrections are resolved. */
export type CountedRecord = Donation | Deferral | Drive
/** What effectiveRecords() returns: every record type except voids and corrections. */
export type EffectiveRecord = Exclude<FieldRecord, { type: 'void' } | { type: 'correction' }>

const SCALAR_KEYS = [
  'donations',
  'wholeBloodDonations',
  'wholeBlood400',
  'wholeBlood300',
  'wholeBlood200',
  'wholeBloodUnits',
  'apheresisDonations',
  'apheresisDoses',
  'ruralMobileWholeBlood',
  'ruralDonorDonations',
  'repeatDonorDonations',
  'deferrals',
  'rhdNegativeDonations',
  'busTrips',
  'ruralBusTrips',
] as const satisfies readonly (keyof IndicatorCounts)[]

// Keys that reach zero are deleted so that "added then removed" equals "never added".
function bump(map: Record<string, number>, key: string, by: number): void {
  const next = (map[key] ?? 0) + by
  if (next === 0) delete map[key]
  else map[key] = next
}

/** Sum of two count sets (e.g. two phones, two months); neither argument is changed. */
export function mergeCounts(a: IndicatorCounts, b: IndicatorCounts): IndicatorCounts {
  const out = emptyCounts()
  for (const key of SCALAR_KEYS) out[key] = a[key] + b[key]
  for (const src of [a, b]) {
    for (const [id, n] of Object.entries(src.byChannel)) bump(out.byChannel, id, n)
    for (const [id, n] of Object.entries(src.byTeam)) bump(out.byTeam, id, n)
    for (const g of BLOOD_GROUPS) out.byBloodGroup[g] += src.byBloodGroup[g]
  }
  return out
}

/** Adds `from` to `into` (sign -1: takes it away), mutated and returned: mergeCounts without a new object. */
export function addCountsInto(into: IndicatorCounts, from: IndicatorCounts, sign: 1 | -1 = 1): IndicatorCounts {
  for (const key of SCALAR_KEYS) into[key] += sign * from[key]
  for (const [id, n] of Object.entries(from.byChannel)) bump(into.byChannel, id, sign * n)
  for (const [id, n] of Object.entries(from.byTeam)) bump(into.byTeam, id, sign * n)
  for (const g of BLOOD_GROUPS) into.byBloodGroup[g] += sign * from.byBloodGroup[g]
  return into
}

/** Whether every count is zero (what was added has all been taken away again). */
export function countsAreZero(counts: IndicatorCounts): boolean {
  return (
    SCALAR_KEYS.every((key) => counts[key] === 0) &&
    Object.keys(counts.byChannel).length === 0 &&
    Object.keys(counts.byTeam).length === 0 &&
    BLOOD_GROUPS.every((g) => counts.byBloodGroup[g] === 0)
  )
}

/**
 * Adds one EFFECTIVE donation, deferral or drive to `counts` (mutated and returned); sign -1
 * removes it. A phone applies a void as remove(old) and a correction as remove(old) + add(new).
 * Other record types are ignored.
 */
export function addToCounts(
  counts: IndicatorCounts,
  rec: FieldRecord,
  ctx: IndicatorContext,
  sign: 1 | -1 = 1,
): IndicatorCounts {
  switch (rec.type) {
    case 'donation': {
      counts.donations += sign
      if (rec.product.type === 'whole_blood') {
        const ml = rec.product.volumeMl
        counts.wholeBloodDonations += sign
        if (ml === 400) counts.wholeBlood400 += sign
        else if (ml === 300) counts.wholeBlood300 += sign
        else counts.wholeBlood200 += sign
        counts.wholeBloodUnits += sign * (ml / 200)
        if (ctx.ruralMobileChannelIds.has(rec.channelId)) counts.ruralMobileWholeBlood += sign
      } else {
        counts.apheresisDonations += sign
        counts.apheresisDoses += sign * rec.product.doses
      }
      if (rec.household === 'rural') counts.ruralDonorDonations += sign
      if (rec.repeatDonor) counts.repeatDonorDonations += sign
      if (rec.rhd === 'neg') counts.rhdNegativeDonations += sign
      bump(counts.byChannel, rec.channelId, sign)
      // A team listed twice on one donation still counts it once.
      for (const teamId of new Set(rec.teamIds)) bump(counts.byTeam, teamId, sign)
      counts.byBloodGroup[bloodGroupOf(rec.abo, rec.rhd)] += sign
      break
    }
    case 'deferral':
      counts.deferrals += sign
      break
    case 'drive':
      counts.busTrips += sign
      if (ctx.ruralMobileChannelIds.has(rec.channelId)) counts.ruralBusTrips += sign
      break
    default:
      break
  }
  return counts
}

function instant(createdAt: string): number {
  const ms = Date.parse(createdAt)
  return Number.isNaN(ms) ? 0 : ms
}

/** True when correction `a` supersedes `b`: later createdAt (as an instant), then larger id. */
function isNewer(a: { createdAt: string; id: string }, b: { createdAt: string; id: string }): boolean {
  const ta = instant(a.createdAt)
  const tb = instant(b.createdAt)
  return ta !== tb ? ta > tb : a.id > b.id
}

/**
 * Resolves voids and corrections; returns the records that count, in input order.
 *
 * - A void or correction points at a target id. A target that is itself a correction stands for
 *   the record that correction corrects (followed to the original), so voiding a correction
 *   voids the corrected record, and correcting a correction corrects the original.
 * - A voided original never counts, corrected or not. A void of a void, or of an unknown id, is
 *   ignored (a void cannot be undone; write the record anew).
 * - Corrections apply to donations and deferrals only; of several, the newest by createdAt (as an
 *   instant), then by id, wins. Its replacement is returned under the ORIGINAL's id, so links to
 *   the record (voids, adverse reactions) keep pointing at it. Corrections of unknown ids, of
 *   drives or of other record types are ignored.
 * - A record id seen twice counts once (the first occurrence).
 */
export function effectiveRecords(records: Iterable<FieldRecord>): EffectiveRecord[] {
  const originals = new Map<string, EffectiveRecord>()
  const corrections = new Map<string, Extract<FieldRecord, { type: 'correction' }>>()
  const voids: Extract<FieldRecord, { type: 'void' }>[] = []
  for (const rec of records) {
    if (rec.type === 'void') voids.push(rec)
    else if (rec.type === 'correction') {
      if (!corrections.has(rec.id) && !originals.has(rec.id)) corrections.set(rec.id, rec)
    } else if (!originals.has(rec.id) && !corrections.has(rec.id)) originals.set(rec.id, rec)
  }

  // The original a target id stands for, or undefined (unknown, a void, or an invalid correction).
  const rootCache = new Map<string, string | undefined>()
  const rootOf = (targetId: string): string | undefined => {
    if (rootCache.has(targetId)) return rootCache.get(targetId)
    const seen = new Set<string>()
    let id = targetId
    let root: string | undefined
    for (;;) {
      const original = originals.get(id)
      if (original) {
        root = original.type === 'donation' || original.type === 'deferral' || seen.size === 0 ? id : undefined
        break
      }
      const correction = corrections.get(id)
      if (!correction || seen.has(id)) break
      seen.add(id)
      id = correction.targetId
    }
    rootCache.set(targetId, root)
    return root
  }

  const voided = new Set<string>()
  for (const v of voids) {
    const root = rootOf(v.targetId)
    if (root !== undefined) voided.add(root)
  }
  const winner = new Map<string, Extract<FieldRecord, { type: 'correction' }>>()
  for (const c of corrections.values()) {
    const root = rootOf(c.targetId)
    if (root === undefined) continue
    const target = originals.get(root)
    if (target?.type !== 'donation' && target?.type !== 'deferral') continue
    const current = winner.get(root)
    if (!current || isNewer(c, current)) winner.set(root, c)
  }

  const out: EffectiveRecord[] = []
  for (const [id, rec] of originals) {
    if (voided.has(id)) continue
    const correction = winner.get(id)
    out.push(correction ? { ...correction.replacement, id } : rec)
  }
  return out
}

/** The calendar date a counted record belongs to (collectedOn, or a drive's date); null for others. */
export function collectionDate(rec: FieldRecord): string | null {
  if (rec.type === 'donation' || rec.type === 'deferral') return rec.collectedOn
  if (rec.type === 'drive') return rec.date
  return null
}

/** Counts of records that are ALREADY effective (see effectiveRecords). */
export function countRecords(records: Iterable<FieldRecord>, ctx: IndicatorContext): IndicatorCounts {
  const counts = emptyCounts()
  for (const rec of records) addToCounts(counts, rec, ctx)
  return counts
}

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null)

export function indicatorsFromCounts(counts: IndicatorCounts, ctx: IndicatorContext): Indicators {
  const population = ctx.population != null && ctx.population > 0 ? ctx.population : null
  return {
    ...counts,
    byChannel: { ...counts.byChannel },
    byTeam: { ...counts.byTeam },
    byBloodGroup: { ...counts.byBloodGroup },
    rate400ml: ratio(counts.wholeBlood400, counts.wholeBloodDonations),
    ruralMobileShare: ratio(counts.ruralMobileWholeBlood, counts.wholeBloodDonations),
    ruralDonorShare: ratio(counts.ruralDonorDonations, counts.donations),
    repeatDonorShare: ratio(counts.repeatDonorDonations, counts.donations),
    per1000: population === null ? null : (counts.donations / population) * 1000,
    deferralRate: ratio(counts.deferrals, counts.donations + counts.deferrals),
    population,
  }
}

/** Effective records → counts → indicators. */
export function computeIndicators(records: Iterable<FieldRecord>, ctx: IndicatorContext): Indicators {
  return indicatorsFromCounts(countRecords(effectiveRecords(records), ctx), ctx)
}

const pct = (x: number | null): number | null => (x === null ? null : x * 100)

/**
 * The value of a target metric, in the unit Target.value uses: counts as counts, shares as an
 * unrounded percent (32.593…), per_1000 as a rate. Null when undefined (no denominator).
 */
export function metricValue(ind: Indicators, metric: Metric): number | null {
  switch (metric) {
    case 'donations':
      return ind.donations
    case 'whole_blood_donations':
      return ind.wholeBloodDonations
    case 'whole_blood_units':
      return ind.wholeBloodUnits
    case 'apheresis_donations':
      return ind.apheresisDonations
    case 'apheresis_doses':
      return ind.apheresisDoses
    case 'rate_400ml':
      return pct(ind.rate400ml)
    case 'rural_mobile_share':
      return pct(ind.ruralMobileShare)
    case 'rural_donor_share':
      return pct(ind.ruralDonorShare)
    case 'repeat_donor_share':
      return pct(ind.repeatDonorShare)
    case 'per_1000':
      return ind.per1000
    case 'deferral_rate':
      return pct(ind.deferralRate)
    case 'bus_trips':
      return ind.busTrips
    case 'rhd_negative_donations':
      return ind.rhdNegativeDonations
    default:
      // Retention figures (retention.ts) are not in the indicators.
      return null
  }
}

/** Rounds for display at a published precision (e.g. 2 decimals for 32.59%). */
export function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals
  return Math.round((x + Number.EPSILON * Math.sign(x)) * f) / f
}
