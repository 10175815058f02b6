// The running counts' shape, their zero and the blood groups, apart from the arithmetic over records
// (indicators.ts): the donor form a cold start shows keeps a drive's tally, and needs only these.
import type { Abo, RhD } from './records'

export const BLOOD_GROUPS = ['A+', 'A-', 'B+', 'B-', 'O+', 'O-', 'AB+', 'AB-'] as const
export type BloodGroup = (typeof BLOOD_GROUPS)[number]

export function bloodGroupOf(abo: Abo, rhd: RhD): BloodGroup {
  return `${abo}${rhd === 'neg' ? '-' : '+'}` as BloodGroup
}

export interface IndicatorCounts {
  donations: number
  wholeBloodDonations: number
  wholeBlood400: number
  wholeBlood300: number
  wholeBlood200: number
  /** Σ volume / 200 ml: 400 ml = 2 u, 300 ml = 1.5 u, 200 ml = 1 u. */
  wholeBloodUnits: number
  apheresisDonations: number
  /** Σ therapeutic doses (治疗量) of apheresis platelet donations. */
  apheresisDoses: number
  /** Whole-blood donations on rural-mobile channels. */
  ruralMobileWholeBlood: number
  /** Donations by donors with rural household registration (a donor attribute, not a place). */
  ruralDonorDonations: number
  repeatDonorDonations: number
  deferrals: number
  rhdNegativeDonations: number
  /** Drives (bus trips) not voided. */
  busTrips: number
  /** Drives on rural-mobile channels. */
  ruralBusTrips: number
  /** Donations per channel id; channels with none are absent. */
  byChannel: Record<string, number>
  /** Donations per team id (a donation may count for several teams); teams with none are absent. */
  byTeam: Record<string, number>
  /** Donations per ABO/RhD group; always has all eight keys. */
  byBloodGroup: Record<BloodGroup, number>
}

export function emptyCounts(): IndicatorCounts {
  return {
    donations: 0,
    wholeBloodDonations: 0,
    wholeBlood400: 0,
    wholeBlood300: 0,
    wholeBlood200: 0,
    wholeBloodUnits: 0,
    apheresisDonations: 0,
    apheresisDoses: 0,
    ruralMobileWholeBlood: 0,
    ruralDonorDonations: 0,
    repeatDonorDonations: 0,
    deferrals: 0,
    rhdNegativeDonations: 0,
    busTrips: 0,
    ruralBusTrips: 0,
    byChannel: {},
    byTeam: {},
    byBloodGroup: { 'A+': 0, 'A-': 0, 'B+': 0, 'B-': 0, 'O+': 0, 'O-': 0, 'AB+': 0, 'AB-': 0 },
  }
}
