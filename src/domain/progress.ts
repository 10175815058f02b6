// Progress toward a target (docs/domain.md, "Targets and progress"): actual against target, the
// pace expected by a date, a status, and for shares what it takes to reach the target share by the end of the period.
import { daysBetween, daysInMonth, formatIsoDate, parseIsoDate } from './dates'
import type { IndicatorCounts, Indicators } from './indicators'
import type { Metric, Target } from './records'
import { RATE_SCALE } from './record-codes'
import { isShareMetric, periodDays } from './targets'

/**
 * What has been collected toward a target so far. Counts (and the per-1,000 rate, which grows
 * over a period like a count) give their value in the target's unit; shares give their parts so
 * that "what it takes" can be counted in donations: `part` of `whole` (rural-mobile whole-blood
 * donations of all whole-blood donations; deferrals of donations + deferrals; …).
 */
export type MetricActual =
  | { kind: 'count'; value: number }
  /** `scale`: a rate per that many of the whole (RATE_SCALE); absent, a share in percent. */
  | { kind: 'share'; part: number; whole: number; scale?: number }

/**
 * The actual of `metric` in counts (already scoped to the target's channel, site, team or
 * drive). Null for per_1000 without a population.
 */
export function metricActual(metric: Metric, counts: IndicatorCounts, population?: number | null): MetricActual | null {
  const count = (value: number): MetricActual => ({ kind: 'count', value })
  const share = (part: number, whole: number): MetricActual => ({ kind: 'share', part, whole })
  switch (metric) {
    case 'donations':
      return count(counts.donations)
    case 'whole_blood_donations':
      return count(counts.wholeBloodDonations)
    case 'whole_blood_units':
      return count(counts.wholeBloodUnits)
    case 'apheresis_donations':
      return count(counts.apheresisDonations)
    case 'apheresis_doses':
      return count(counts.apheresisDoses)
    case 'bus_trips':
      return count(counts.busTrips)
    case 'rhd_negative_donations':
      return count(counts.rhdNegativeDonations)
    case 'per_1000':
      return population != null && population > 0 ? count((counts.donations / population) * 1000) : null
    case 'rate_400ml':
      return share(counts.wholeBlood400, counts.wholeBloodDonations)
    case 'rural_mobile_share':
      return share(counts.ruralMobileWholeBlood, counts.wholeBloodDonations)
    case 'rural_donor_share':
      return share(counts.ruralDonorDonations, counts.donations)
    case 'repeat_donor_share':
      return share(counts.repeatDonorDonations, counts.donations)
    case 'deferral_rate':
      return share(counts.deferrals, counts.donations + counts.deferrals)
    // Retention figures need the station's whole history (retentionActual in retention.ts).
    case 'first_time_share':
    case 'return_12m_share':
    case 'deferrals_per_10k':
    case 'reactions_per_1000':
    case 'donations_per_drive':
    case 'donations_per_crew_hour':
    case 'conversion_400':
      return null
  }
}

/** The volume a metric's pace follows: the count itself, or a share's whole. */
export function paceVolume(metric: Metric, counts: IndicatorCounts): number {
  const a = metricActual(metric, counts, 1)
  if (!a) return counts.donations
  return a.kind === 'share' ? a.whole : metric === 'per_1000' ? counts.donations : a.value
}

/** Last year's volume by calendar month, January first (12 numbers), for a seasonal pace. */
export type MonthlyHistory = readonly number[]

export type ProgressStatus = 'ahead' | 'on_track' | 'behind'

export interface ProgressInput {
  target: Pick<Target, 'period' | 'metric' | 'comparison' | 'value'>
  /** What the metric stands at, or the counts (or indicators) it is read from, scoped to the target. */
  actual: MetricActual | IndicatorCounts | Indicators
  /** Population for per_1000 from counts (Indicators carry their own). */
  population?: number | null
  /** Records collected up to and including this station-local date are in `actual`. */
  asOf: string
  /**
   * Last year's monthly series of the metric's volume (for a share: its whole, e.g. whole-blood
   * donations). When given, the pace follows last year's months instead of the calendar.
   */
  history?: MonthlyHistory
  /** Half-width of the on-track band, relative to what is expected by now (0.05 = ±5 %). */
  tolerance?: number
}

export interface ShareOutlook {
  /** Donations of the kind counted so far, and of all kinds. */
  part: number
  whole: number
  /** All donations (of the share's whole) expected by the period's end at the current pace; null before any. */
  projectedTotal: number | null
  /** projectedTotal − whole: the volume still to come. */
  remainingVolume: number | null
  /** For ≥: how many more donations of the kind it takes (0 when already there). Null for ≤ or with no pace yet. */
  needed: number | null
  /** For ≤: how many more of the kind may still come and keep the share within the target. Null for ≥ or with no pace yet. */
  allowed: number | null
  /** Whether the target share can still be reached within the remaining volume. */
  reachable: boolean | null
  /** `needed` (or `allowed`) spread over the remaining days. */
  perDay: number | null
}

export interface Progress {
  metric: Metric
  comparison: '>=' | '<='
  /** In the target's unit: counts as counts, shares in percent. */
  actual: number
  target: number
  /** actual ÷ target × 100; null for a zero target. */
  percentOfTarget: number | null
  /** Days of the period, days elapsed by `asOf` (both ends included), and days left after it. */
  totalDays: number
  elapsedDays: number
  remainingDays: number
  /** Share of the period's volume expected by now: elapsed days ÷ days, or by last year's months. */
  paceFraction: number
  /** Counts: target × paceFraction. Shares: the target itself (a share is expected to hold all along). */
  expectedByNow: number
  status: ProgressStatus
  /** The comparison holds right now (actual ≥ target, or ≤). */
  met: boolean
  /** ≥: what is still missing (target − actual, at least 0). ≤: the headroom left (target − actual, at least 0). */
  remaining: number
  /** Counts: where the current pace ends at the period's end; null before the period starts. */
  projected: number | null
  /** Counts with ≥: `remaining` spread over the days left. */
  perDayNeeded: number | null
  forShares: ShareOutlook | null
}

export const DEFAULT_TOLERANCE = 0.05

// Guards ceil/floor against binary fractions: 32 % of 9000 is 2880, not 2880.0000000000005.
const EPS = 1e-9

/** Days of `period` elapsed by the end of `asOf`, clamped to the period. */
export function elapsedDaysOf(period: { start: string; end: string }, asOf: string): number {
  const total = periodDays(period)
  return Math.max(0, Math.min(total, daysBetween(period.start, asOf) + 1))
}

/**
 * Share of a period's volume expected by the end of `asOf`. Linear: elapsed days ÷ days.
 * Seasonal (with `history`): every day weighs last year's volume of its month ÷ that month's
 * days, so a month that gave twice as much last year is expected to give twice as much per day;
 * the fraction is the elapsed days' weight ÷ the period's weight. Falls back to linear when the
 * history is not 12 non-negative numbers or gives the period no weight.
 */
export function paceFraction(period: { start: string; end: string }, asOf: string, history?: MonthlyHistory): number {
  const total = periodDays(period)
  const elapsed = elapsedDaysOf(period, asOf)
  const linear = elapsed / total
  if (!history || history.length !== 12 || history.some((x) => !Number.isFinite(x) || x < 0)) return linear
  let all = 0
  let done = 0
  const start = parseIsoDate(period.start)
  const end = parseIsoDate(period.end)
  for (
    let y = start.year, m = start.month;
    y < end.year || (y === end.year && m <= end.month);
    m === 12 ? (y++, (m = 1)) : m++
  ) {
    const dim = daysInMonth(y, m)
    const perDay = history[m - 1]! / dim
    const first = y === start.year && m === start.month ? start.day : 1
    const last = y === end.year && m === end.month ? end.day : dim
    const monthStart = formatIsoDate({ year: y, month: m, day: first })
    all += (last - first + 1) * perDay
    done += Math.max(0, Math.min(last - first + 1, daysBetween(monthStart, asOf) + 1)) * perDay
  }
  return all > 0 ? done / all : linear
}

function statusOf(actual: number, expected: number, comparison: '>=' | '<=', tolerance: number): ProgressStatus {
  const lo = expected * (1 - tolerance)
  const hi = expected * (1 + tolerance)
  if (comparison === '>=') return actual > hi ? 'ahead' : actual >= lo ? 'on_track' : 'behind'
  return actual < lo ? 'ahead' : actual <= hi ? 'on_track' : 'behind'
}

/** Once a period is over there is no catching up: a target not met is behind, whatever the band says. */
function endedStatus(remainingDays: number, met: boolean, status: ProgressStatus): ProgressStatus {
  return remainingDays === 0 && !met ? 'behind' : status
}

/**
 * Progress of one target as of a date.
 *
 * Status: within ±tolerance of `expectedByNow` is on track; above is ahead and below behind for a
 * ≥ target, the other way round for a ≤ target (a deferral rate under its cap is ahead). When the
 * period is over, a target not met is behind.
 *
 * What it takes, for a share target of s % with `part` of `whole` so far and pace fraction f:
 *   projected total  T = round(whole ÷ f)       the whole at period end if volume keeps its pace
 *   ≥ target: needed  = max(0, ceil(s/100 × T) − part)   more donations of the kind, within T
 *   ≤ target: allowed = max(0, floor(s/100 × T) − part)  more of the kind that still keep it under
 *   reachable: needed ≤ T − whole (≥), or part ≤ floor(s/100 × T) (≤).
 * E.g. 20 of June's 30 days gone, 6,000 whole-blood donations of which 2,568 on rural buses:
 * T = 6,000 × 30/20 = 9,000, ceil(0.32 × 9,000) = 2,880, so 312 more rural-bus donations this
 * month keep the share at 32 % (of 3,000 still to come: reachable). Before the period starts or
 * before any donation there is no pace, and T, needed and allowed are null.
 */
export function computeProgress(input: ProgressInput): Progress {
  const { target, asOf, history } = input
  const given =
    'kind' in input.actual
      ? input.actual
      : metricActual(
          target.metric,
          input.actual,
          input.population ?? ('population' in input.actual ? input.actual.population : null),
        )
  if (!given) throw new TypeError(`${target.metric} needs a population`)
  const tolerance = input.tolerance ?? DEFAULT_TOLERANCE
  const { period, metric, comparison } = target
  const totalDays = periodDays(period)
  const elapsedDays = elapsedDaysOf(period, asOf)
  const remainingDays = totalDays - elapsedDays
  const f = paceFraction(period, asOf, history)
  // A rate (per 1,000, per drive…) is held as a level, like a share, on its own scale.
  const share = isShareMetric(metric) || RATE_SCALE[metric] !== undefined
  if (share !== (given.kind === 'share')) throw new TypeError(`${metric} needs a ${share ? 'share' : 'count'} actual`)

  const base = { metric, comparison, target: target.value, totalDays, elapsedDays, remainingDays, paceFraction: f }
  if (given.kind === 'count') {
    const actual = given.value
    const expectedByNow = target.value * f
    const remaining = Math.max(0, target.value - actual)
    const met = comparison === '>=' ? actual >= target.value : actual <= target.value
    return {
      ...base,
      actual,
      percentOfTarget: target.value > 0 ? (actual / target.value) * 100 : null,
      expectedByNow,
      status: endedStatus(remainingDays, met, statusOf(actual, expectedByNow, comparison, tolerance)),
      met,
      remaining,
      projected: f > 0 ? actual / f : null,
      perDayNeeded: comparison === '>=' && remainingDays > 0 ? remaining / remainingDays : null,
      forShares: null,
    }
  }

  const { part, whole } = given
  const scale = given.scale ?? 100
  const actual = whole > 0 ? (part / whole) * scale : 0
  const projectedTotal = f > 0 && whole > 0 ? Math.max(whole, Math.round(whole / f)) : null
  const remainingVolume = projectedTotal === null ? null : projectedTotal - whole
  let needed: number | null = null
  let allowed: number | null = null
  let reachable: boolean | null = null
  if (projectedTotal !== null && remainingVolume !== null) {
    if (comparison === '>=') {
      needed = Math.max(0, Math.ceil((target.value * projectedTotal) / scale - EPS) - part)
      // A rate's part is no subset of its whole (donations per drive): any number may still come.
      reachable = given.scale === undefined ? needed <= remainingVolume : true
    } else {
      const cap = Math.floor((target.value * projectedTotal) / scale + EPS)
      allowed = Math.max(0, cap - part)
      reachable = part <= cap
    }
  }
  const more = needed ?? allowed
  const met =
    whole > 0
      ? comparison === '>='
        ? actual >= target.value - EPS
        : actual <= target.value + EPS
      : comparison === '<='
  let status: ProgressStatus
  if (whole === 0) status = comparison === '<=' || elapsedDays === 0 ? 'on_track' : 'behind'
  else status = statusOf(actual, target.value, comparison, tolerance)
  status = endedStatus(remainingDays, met, status)
  return {
    ...base,
    actual,
    percentOfTarget: target.value > 0 ? (actual / target.value) * 100 : null,
    expectedByNow: target.value,
    status,
    met,
    remaining: Math.max(0, target.value - actual),
    projected: null,
    perDayNeeded: null,
    forShares: {
      part,
      whole,
      projectedTotal,
      remainingVolume,
      needed,
      allowed,
      reachable,
      perDay: more !== null && remainingDays > 0 ? more / remainingDays : null,
    },
  }
}
