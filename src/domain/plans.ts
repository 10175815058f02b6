// Drive plans (issue 15): where the buses go next, what the station expects of each trip, and how
// the plans and the drives done keep pace with the year's trip target. Pure: the server stores and
// counts, the station pages and the phone show, all through these shapes and sums.
import * as v from 'valibot'
import { addMonths, daysBetween, daysInMonth, parseIsoDate } from './dates'
import { DinText, IsoDate, RecordId } from './records'
import { type EligibilityHistory, nextEligibleDate } from './eligibility'

/** One planned drive. Crew, teams and the bag range may still be open when it is planned. */
export const DrivePlanSchema = v.object({
  id: RecordId,
  stationId: RecordId,
  date: IsoDate,
  siteId: RecordId,
  channelId: RecordId,
  busCode: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(20)), ''),
  teamIds: v.optional(v.pipe(v.array(RecordId), v.maxLength(8)), []),
  staffIds: v.optional(v.pipe(v.array(RecordId), v.maxLength(12)), []),
  /** One of staffIds, or null while the crew is open. */
  leaderStaffId: v.optional(v.nullable(RecordId), null),
  expectedDonors: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2000)),
  /** Bag numbers to load: first and last DIN (bodies or with check character), both or neither. */
  dinFirst: v.optional(v.union([v.literal(''), DinText]), ''),
  dinLast: v.optional(v.union([v.literal(''), DinText]), ''),
  note: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200)), ''),
})
export type DrivePlan = v.InferOutput<typeof DrivePlanSchema>

/** Why a plan does not hang together (null when it does); the schema checks each field alone. */
export function drivePlanProblem(p: DrivePlan): { field: keyof DrivePlan; message: string } | null {
  if ((p.dinFirst === '') !== (p.dinLast === ''))
    return { field: p.dinFirst === '' ? 'dinFirst' : 'dinLast', message: 'give both ends of the bag range, or neither' }
  if (p.leaderStaffId && !p.staffIds.includes(p.leaderStaffId))
    return { field: 'leaderStaffId', message: 'the leader must be one of the crew' }
  return null
}

/** The plan of `date` a phone opens a drive from: the first of that day (by site name order of the caller). */
export function plansOn<T extends Pick<DrivePlan, 'date'>>(plans: readonly T[], date: string): T[] {
  return plans.filter((p) => p.date === date)
}

// ── Planned vs done ─────────────────────────────────────────────────────────────────────────────

/** One month of a year: plans and the drives actually done, overall and on rural-mobile channels. */
export interface PlanMonth {
  month: string // YYYY-MM
  plannedTrips: number
  plannedRuralTrips: number
  plannedDonations: number
  doneTrips: number
  doneRuralTrips: number
  doneDonations: number
}

export function emptyPlanMonths(year: number): PlanMonth[] {
  return Array.from({ length: 12 }, (_, i) => ({
    month: `${year}-${String(i + 1).padStart(2, '0')}`,
    plannedTrips: 0,
    plannedRuralTrips: 0,
    plannedDonations: 0,
    doneTrips: 0,
    doneRuralTrips: 0,
    doneDonations: 0,
  }))
}

/** Pace of the year's trip target, and what it takes to reach it by the year's end. */
export interface TripPace {
  /** The target's value (trips in the year), null without a year target on bus trips. */
  target: number | null
  /** Trips done in the target's scope from 1 January through asOf. */
  done: number
  /** Trips the target's even pace expects by asOf (target × elapsed days ÷ days of the year). */
  expectedByNow: number | null
  /** Trips still planned in the scope up to 31 December: after asOf, and asOf's not yet done. */
  plannedAhead: number
  /** Trips still needed to reach the target (0 once reached). */
  tripsNeeded: number | null
  /** Of those, not yet covered by a plan. */
  tripsUnplanned: number | null
  /** Whole weeks left after asOf (at least 1 while the year runs), and trips a week they take. */
  weeksLeft: number
  tripsPerWeek: number | null
  /** Donations a trip of the scope brought this year (null before the first trip). */
  donationsPerTrip: number | null
  /** tripsNeeded × donationsPerTrip: the donations those trips bring at this year's yield. */
  donationsNeeded: number | null
}

export interface TripPaceInput {
  year: number
  asOf: string
  target: number | null
  done: number
  doneDonations: number
  plannedAhead: number
}

export function tripPace(input: TripPaceInput): TripPace {
  const { year, asOf, target, done, doneDonations, plannedAhead } = input
  const yearStart = `${year}-01-01`
  const yearEnd = `${year}-12-31`
  const yearDays = daysBetween(yearStart, yearEnd) + 1
  const clamped = asOf < yearStart ? null : asOf > yearEnd ? yearEnd : asOf
  const elapsed = clamped === null ? 0 : daysBetween(yearStart, clamped) + 1
  const daysLeft = yearDays - elapsed
  const weeksLeft = daysLeft <= 0 ? 0 : Math.max(1, Math.ceil(daysLeft / 7))
  const donationsPerTrip = done > 0 ? doneDonations / done : null
  const tripsNeeded = target === null ? null : Math.max(0, Math.ceil(target - done))
  return {
    target,
    done,
    expectedByNow: target === null ? null : Math.round((target * elapsed) / yearDays),
    plannedAhead,
    tripsNeeded,
    tripsUnplanned: tripsNeeded === null ? null : Math.max(0, tripsNeeded - plannedAhead),
    weeksLeft,
    tripsPerWeek: tripsNeeded === null || weeksLeft === 0 ? null : Math.round((tripsNeeded / weeksLeft) * 10) / 10,
    donationsPerTrip: donationsPerTrip === null ? null : Math.round(donationsPerTrip * 10) / 10,
    donationsNeeded:
      tripsNeeded === null || donationsPerTrip === null ? null : Math.round(tripsNeeded * donationsPerTrip),
  }
}

/** The first and last day of a YYYY-MM month. */
export function monthSpan(month: string): { from: string; to: string } {
  const { year, month: m } = parseIsoDate(`${month}-01`)
  return { from: `${month}-01`, to: `${month}-${String(daysInMonth(year, m)).padStart(2, '0')}` }
}

// ── Recruitment lists ───────────────────────────────────────────────────────────────────────────

export const RECRUITMENT_REASONS = ['area', 'rhd_negative', 'emergency_team'] as const
export type RecruitmentReason = (typeof RECRUITMENT_REASONS)[number]

/** A donor the station knows, as the recruitment list weighs them. */
export interface RecruitmentCandidate {
  donorKey: string
  history: EligibilityHistory
  /** Gave at a site of the plan's area (or at its site). */
  inArea: boolean
  rhdNegative: boolean
  emergencyTeam: boolean
}

export interface RecruitmentChoice {
  donorKey: string
  reasons: RecruitmentReason[]
  /** The first day the history allows whole blood again (null: no wait). */
  eligibleOn: string | null
}

/**
 * Whom to invite to a drive on `date`: donors of the area whose history allows whole blood by then
 * and who have not given in `monthsSince` months; RhD-negative donors and emergency-team members of
 * the whole station eligible by then, for call-up whatever their last gift. Permanently deferred
 * donors never appear. Area first, then call-up, each by last donation (longest ago first).
 */
export function chooseRecruits(
  candidates: readonly RecruitmentCandidate[],
  date: string,
  monthsSince: number,
): RecruitmentChoice[] {
  const notSince = addMonths(date, -monthsSince)
  const out: (RecruitmentChoice & { last: string })[] = []
  for (const c of candidates) {
    const next = nextEligibleDate(c.history, 'whole_blood')
    if (next.permanent || (next.on !== null && next.on > date)) continue
    const last = c.history.lastDonationOn ?? ''
    const reasons: RecruitmentReason[] = []
    if (c.inArea && last !== '' && last <= notSince) reasons.push('area')
    if (c.rhdNegative) reasons.push('rhd_negative')
    if (c.emergencyTeam) reasons.push('emergency_team')
    if (reasons.length > 0) out.push({ donorKey: c.donorKey, reasons, eligibleOn: next.on, last })
  }
  const rank = (x: { reasons: RecruitmentReason[] }) => (x.reasons.includes('area') ? 0 : 1)
  return out
    .sort(
      (a, b) => rank(a) - rank(b) || (a.last < b.last ? -1 : a.last > b.last ? 1 : a.donorKey < b.donorKey ? -1 : 1),
    )
    .map(({ last: _last, ...rest }) => rest)
}

/** A row of the exported list: identity from the station's records, never from a phone. */
export interface RecruitmentRow {
  donorKey: string
  name: string
  phone: string
  abo: string
  rhd: string
  lastDonationOn: string | null
  lastSiteName: string
  donationCount: number
  eligibleOn: string | null
  reasons: RecruitmentReason[]
}

export const RECRUITMENT_MONTHS_DEFAULT = 6
export const RECRUITMENT_MONTHS_MAX = 120
