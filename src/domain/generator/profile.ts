// The shape of a seed-year profile: the published figures a synthetic year must reproduce, and
// the invented detail (sites, months, donor mix) that makes the year look like real work.
import type { SiteKind } from '../records'
import type { SEED_CHANNEL_CODES, SEED_TEAM_CODES } from '../records'

export type ChannelCode = (typeof SEED_CHANNEL_CODES)[number]
export type TeamCode = (typeof SEED_TEAM_CODES)[number]

/** Monthly weights, January first. */
export type MonthWeights = readonly [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
]

export interface DonorMix {
  /** Share of men among this program's donors. */
  maleShare: number
  /** Share of donors with rural household registration (before the exact adjustment). */
  ruralHouseholdShare: number
  /** Share of donors who had donated before the year (before the exact adjustment). */
  priorDonorShare: number
  ageRange: readonly [number, number]
  /**
   * Whole blood: share of a donor's first donations followed by a second one ≥ 6 months later in
   * the year. Apheresis: unused (apheresis donors follow their own schedules).
   */
  secondDonationShare: number
}

export interface SiteGroup {
  kind: SiteKind
  /** One name per site; the count of sites is the length. */
  names: readonly string[]
  /** County or district of each site, same order (or one area for all). */
  areas: readonly string[]
}

/**
 * One way donations come in: a channel, where (sites, drives or fixed sites), when (months,
 * weekdays) and who (donor mix). Several programs may share a channel (army drives and street
 * collection are both counted under street_fixed).
 */
export interface CollectionProgram {
  code: string
  channel: ChannelCode
  product: 'whole_blood' | 'apheresis'
  /** Donations of the year; 'rest' takes what the month totals leave (one program only). */
  donations: number | 'rest'
  /** Number of drives (bus trips); null for fixed-site collection outside any drive. */
  drives: number | null
  sites: SiteGroup
  /** How the year's donations spread over months; null for the 'rest' program. */
  monthWeights: MonthWeights | null
  weekdaysOnly: boolean
  /** For collection on any day: how much more likely a Saturday or Sunday is. */
  weekendWeight: number
  /** Every donation of the program counts for this team (e.g. army drives → military). */
  team: TeamCode | null
  donors: DonorMix
}

export interface DeferralReasonProfile {
  /** A code of the deferral catalogue (src/domain/deferral-reasons.ts), whose duration sets `until`. */
  code: string
  /** Relative frequency among deferrals. */
  weight: number
}

export interface SeedYearProfile {
  id: string
  year: number
  station: { code: string; name: string; timeZone: string; utcOffset: string }
  /** Population for donations per 1,000. */
  population: number
  /** ISBT 128 facility identification number (5 characters) printed on the bags. */
  dinFacility: string
  /** Donations per calendar month; the 12 add up to the year's donations. */
  monthTotals: readonly number[]
  wholeBlood: { ml400: number; ml300: number; ml200: number }
  apheresis: { donations: number; twoDoseDonations: number }
  /** Exact counts the year must reproduce. */
  ruralDonorDonations: number
  repeatDonorDonations: number
  programs: readonly CollectionProgram[]
  teams: {
    /** Donations credited to county emergency teams (donors of the listed programs). */
    countyEmergency: { donations: number; programs: readonly string[] }
    volunteers: { donations: number; programs: readonly string[] }
    /** RhD-negative donors; all their donations count for the rare blood type team. */
    rareBloodType: { wholeBlood: number; apheresis: number; streetShare: number }
  }
  /** ABO shares among donors (RhD is positive except for the rare-type team). */
  aboShares: Readonly<Record<'A' | 'B' | 'O' | 'AB', number>>
  deferrals: { count: number; linkedShare: number; reasons: readonly DeferralReasonProfile[] }
  busFleet: readonly string[]
  /**
   * Donor reactions per donation (national haemovigilance guideline types): the rate at fixed
   * sites and on buses, scaled for first-time and repeat donors; a few donations have two.
   */
  reactions: { fixedSite: number; bus: number; firstTimeFactor: number; repeatFactor: number; secondShare: number }
  /**
   * The visit on the bus (issue 14): share of Hb screens by copper sulphate (else the
   * haemoglobinometer), and the bleed: short draws, failed venipunctures, minutes of a 400 ml bleed.
   */
  clinic: {
    copperSulphateShare: number
    shortDrawShare: number
    failedVenipunctureShare: number
    bleedMinutes: { mean: number; sd: number }
  }
  /**
   * The health questionnaire (issue 14): share answered on a kiosk (else the crew phone in donor
   * mode), confidential self-exclusions per donation, and the contact consent donors give.
   */
  questionnaire: {
    kioskShare: number
    selfExclusionShare: number
    contact: { sms: number; wechat: number; none: number }
  }
  /** Entries voided (wrong bag labelled, re-entered) and ABO corrections after laboratory typing. */
  voidedEntries: number
  aboCorrections: number
}
