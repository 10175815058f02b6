// Drive plans' pure parts: who is invited to a planned drive, the pace of the trip target and what
// it takes, and a plan's checks.
import { describe, expect, it } from 'vitest'
import { addDays, addMonths } from '../../src/domain/dates'
import type { EligibilityHistory } from '../../src/domain/eligibility'
import {
  chooseRecruits,
  type DrivePlan,
  drivePlanProblem,
  type RecruitmentCandidate,
  tripPace,
} from '../../src/domain/plans'

const history = (over: Partial<EligibilityHistory> = {}): EligibilityHistory => ({
  lastDonationOn: null,
  lastDonationType: 'whole_blood',
  apheresisLast12Months: 0,
  deferredUntil: null,
  permanentlyDeferred: false,
  hadReaction: false,
  donationCount: 1,
  ...over,
})
const candidate = (donorKey: string, over: Partial<RecruitmentCandidate>, h: Partial<EligibilityHistory>) => ({
  donorKey,
  inArea: false,
  rhdNegative: false,
  emergencyTeam: false,
  history: history(h),
  ...over,
})

describe('chooseRecruits', () => {
  const date = '2026-12-20'
  it('invites area donors eligible by the date and not given for N months; call-up whatever their last gift', () => {
    const chosen = chooseRecruits(
      [
        candidate('area-13m', { inArea: true }, { lastDonationOn: addMonths(date, -13) }),
        candidate('area-11m', { inArea: true }, { lastDonationOn: addMonths(date, -11) }),
        candidate('area-5m', { inArea: true }, { lastDonationOn: addMonths(date, -5) }), // interval not over
        candidate('area-deferred', { inArea: true }, { lastDonationOn: '2024-01-01', deferredUntil: '2026-12-20' }),
        candidate('area-permanent', { inArea: true }, { lastDonationOn: '2024-01-01', permanentlyDeferred: true }),
        candidate('far-old', {}, { lastDonationOn: '2024-01-01' }),
        candidate('neg-7m', { rhdNegative: true }, { lastDonationOn: addMonths(date, -7) }),
        candidate('neg-3m', { rhdNegative: true }, { lastDonationOn: addMonths(date, -3) }), // interval not over
        candidate('team-and-area', { inArea: true, emergencyTeam: true }, { lastDonationOn: addMonths(date, -24) }),
        candidate(
          'team-apheresis',
          { emergencyTeam: true },
          { lastDonationOn: addMonths(date, -1), lastDonationType: 'apheresis_platelets' },
        ),
      ],
      date,
      12,
    )
    expect(chosen.map((c) => [c.donorKey, c.reasons])).toEqual([
      ['team-and-area', ['area', 'emergency_team']],
      ['area-13m', ['area']],
      ['neg-7m', ['rhd_negative']],
      ['team-apheresis', ['emergency_team']],
    ])
    // The day after a deferral ends, and the first day after the platelets → whole blood interval.
    expect(chosen.find((c) => c.donorKey === 'team-apheresis')!.eligibleOn).toBe(addDays(addMonths(date, -1), 28))
  })

  it('N = 0 invites every eligible donor of the area', () => {
    const chosen = chooseRecruits([candidate('a', { inArea: true }, { lastDonationOn: addMonths(date, -7) })], date, 0)
    expect(chosen.map((c) => c.donorKey)).toEqual(['a'])
  })
})

describe('tripPace', () => {
  it('expects the even share of the year by today and says what it takes in trips and donations', () => {
    // 2026-07-02 is day 183 of 365: 787 × 183 / 365 = 394.6.
    const pace = tripPace({
      year: 2026,
      asOf: '2026-07-02',
      target: 787,
      done: 380,
      doneDonations: 13_300,
      plannedAhead: 300,
    })
    expect(pace).toEqual({
      target: 787,
      done: 380,
      expectedByNow: 395,
      plannedAhead: 300,
      tripsNeeded: 407,
      tripsUnplanned: 107,
      weeksLeft: 26,
      tripsPerWeek: 15.7,
      donationsPerTrip: 35,
      donationsNeeded: 14_245,
    })
  })

  it('says nothing is needed once the target is met, and has no pace without a target', () => {
    expect(
      tripPace({ year: 2026, asOf: '2026-12-31', target: 787, done: 800, doneDonations: 0, plannedAhead: 0 }),
    ).toMatchObject({
      tripsNeeded: 0,
      tripsUnplanned: 0,
      weeksLeft: 0,
      tripsPerWeek: null,
      expectedByNow: 787,
    })
    expect(
      tripPace({ year: 2026, asOf: '2026-03-01', target: null, done: 5, doneDonations: 100, plannedAhead: 2 }),
    ).toMatchObject({
      tripsNeeded: null,
      donationsNeeded: null,
      donationsPerTrip: 20,
    })
  })
})

describe('drivePlanProblem', () => {
  const plan: DrivePlan = {
    id: '018f0000-0000-7000-8000-000000000001',
    stationId: '018f0000-0000-7000-8000-000000000002',
    date: '2026-12-20',
    siteId: '018f0000-0000-7000-8000-000000000003',
    channelId: '018f0000-0000-7000-8000-000000000004',
    busCode: '',
    teamIds: [],
    staffIds: ['018f0000-0000-7000-8000-000000000005'],
    leaderStaffId: null,
    expectedDonors: 30,
    dinFirst: '',
    dinLast: '',
    note: '',
  }
  it('wants both ends of a bag range and a leader on board', () => {
    expect(drivePlanProblem(plan)).toBeNull()
    expect(drivePlanProblem({ ...plan, dinFirst: 'W123426000001' })?.field).toBe('dinLast')
    expect(drivePlanProblem({ ...plan, leaderStaffId: '018f0000-0000-7000-8000-000000000009' })?.field).toBe(
      'leaderStaffId',
    )
  })
})
