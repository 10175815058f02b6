// The code lists, limits and plain rules of the records, without valibot: the schemas
// (records.ts) are built from them and re-export them, and code that needs only a list or a rule
// (the donor form a cold start shows) imports them from here and loads no schema code.
import { isIsoDate } from './dates'
import type { Deferral } from './records'

/**
 * Bumped whenever a synced record's shape changes; carried by every push (docs/sync-protocol.md).
 * 2: a donation may carry the leader's `override`, a deferral every reason in `reasonCodes`
 * (both optional, so version-1 records stay valid as they are).
 * 3: the donor's visit on the bus (issue 14): rapid tests, the bleed, reactions to the national
 * haemovigilance guideline, questionnaire, consent, several phones per drive; every new field is
 * optional, so version-1 and version-2 records stay valid as they are (docs/data-format.md).
 */
export const SCHEMA_VERSION = 3

// Dates in records and reference data: real calendar days (no 2026-02-30) within these years, so
// a typo or a phone clock reset to 1970 is refused instead of stored.
export const MIN_RECORD_YEAR = 2000
export const MAX_RECORD_YEAR = 2100
/** Whether a date's or an instant's year lies within the record years. */
export function inRecordYears(text: string): boolean {
  const year = Number(text.slice(0, 4))
  return year >= MIN_RECORD_YEAR && year <= MAX_RECORD_YEAR
}
/** What the IsoDate schema takes: YYYY-MM-DD, a day of the calendar, within the record years. */
export function isRecordDate(text: string): boolean {
  return isIsoDate(text) && inRecordYears(text)
}

export const SITE_KINDS = [
  'village',
  'township',
  'university',
  'agency',
  'enterprise',
  'hospital',
  'army_unit',
  'street',
  'fixed_site',
] as const
export type SiteKind = (typeof SITE_KINDS)[number]

/** Channels of the seed's review; a station may add its own. `rural_mobile` drives the rural-mobile share. */
export const SEED_CHANNEL_CODES = [
  'government_agencies',
  'universities',
  'rural_mobile',
  'medical_staff_month',
  'enterprises',
  'street_fixed',
] as const
export const SEED_TEAM_CODES = [
  'county_emergency',
  'military',
  'apheresis_platelet',
  'rare_blood_type',
  'volunteers',
] as const
export const RURAL_MOBILE_CHANNEL = 'rural_mobile'

export const STAFF_ROLES = ['collector', 'leader', 'manager', 'admin'] as const
export type StaffRole = (typeof STAFF_ROLES)[number]

export const ABO_GROUPS = ['A', 'B', 'O', 'AB'] as const
export type Abo = (typeof ABO_GROUPS)[number]
export const RHD = ['pos', 'neg'] as const
export type RhD = (typeof RHD)[number]
export const HOUSEHOLD_TYPES = ['rural', 'urban'] as const
export type Household = (typeof HOUSEHOLD_TYPES)[number]
export const SEXES = ['M', 'F'] as const
export type Sex = (typeof SEXES)[number]
export const WHOLE_BLOOD_VOLUMES = [200, 300, 400] as const
export type WholeBloodVolume = (typeof WHOLE_BLOOD_VOLUMES)[number]

/** Pre-donation rapid tests (献血前快检) whose reagents carry a lot and an expiry, per drive. */
export const RAPID_TESTS = ['abo_rhd', 'hb', 'alt', 'hbsag'] as const
export type RapidTest = (typeof RAPID_TESTS)[number]
export const HB_METHODS = ['haemoglobinometer', 'copper_sulphate'] as const
export type HbMethod = (typeof HB_METHODS)[number]
export const HBSAG_RESULTS = ['nonreactive', 'reactive'] as const

export const REACTION_SEVERITIES = ['mild', 'moderate', 'severe'] as const
/** Schema 3 (national donor haemovigilance guideline): when the reaction began. */
export const REACTION_ONSETS = ['during', 'after', 'after_leaving'] as const
export type ReactionOnset = (typeof REACTION_ONSETS)[number]
export const REACTION_OUTCOMES = ['recovered', 'recovering', 'sequelae', 'referred', 'unknown'] as const
export type ReactionOutcome = (typeof REACTION_OUTCOMES)[number]

/** Every reason of a deferral, primary first: `reasonCodes`, or `[reasonCode]` for a schema-1 record. */
export function deferralReasonCodes(d: Pick<Deferral, 'reasonCode' | 'reasonCodes'>): string[] {
  return d.reasonCodes && d.reasonCodes.length > 0 ? [...d.reasonCodes] : [d.reasonCode]
}

/** Why a deferral's reasons do not hang together (null when they do): the list starts with reasonCode, no repeats. */
export function deferralReasonsProblem(d: Pick<Deferral, 'reasonCode' | 'reasonCodes'>): string | null {
  if (!d.reasonCodes) return null
  if (d.reasonCodes[0] !== d.reasonCode) return 'reasonCodes must start with reasonCode'
  if (new Set(d.reasonCodes).size !== d.reasonCodes.length) return 'reasonCodes lists a reason twice'
  return null
}

/**
 * Retention and quality figures (issue 15, src/domain/retention.ts): computed at the station from
 * its whole history, never from a phone's running totals (phoneComputable in target-totals.ts).
 */
export const RETENTION_METRICS = [
  'first_time_share',
  'return_12m_share',
  'deferrals_per_10k',
  'reactions_per_1000',
  'donations_per_drive',
  'donations_per_crew_hour',
  'conversion_400',
] as const
export type RetentionMetric = (typeof RETENTION_METRICS)[number]

export const METRICS = [
  'donations',
  'whole_blood_donations',
  'whole_blood_units',
  'apheresis_donations',
  'apheresis_doses',
  'rate_400ml',
  'rural_mobile_share',
  'rural_donor_share',
  'repeat_donor_share',
  'per_1000',
  'deferral_rate',
  'bus_trips',
  'rhd_negative_donations',
  ...RETENTION_METRICS,
] as const
export type Metric = (typeof METRICS)[number]
/** Metrics that are a share in [0, 1]; targets give them as a percent. */
export const SHARE_METRICS: readonly Metric[] = [
  'rate_400ml',
  'rural_mobile_share',
  'rural_donor_share',
  'repeat_donor_share',
  'deferral_rate',
  'first_time_share',
  'return_12m_share',
  'conversion_400',
]
/**
 * Rates held as a level over a period (not a count that grows): per `RATE_SCALE` of their whole
 * (deferrals per 10,000 presentations, reactions per 1,000 donations, donations per drive or crew-hour).
 */
export const RATE_SCALE: Readonly<Partial<Record<Metric, number>>> = {
  deferrals_per_10k: 10_000,
  reactions_per_1000: 1000,
  donations_per_drive: 1,
  donations_per_crew_hour: 1,
}

export const PERIOD_KINDS = ['year', 'quarter', 'month', 'custom'] as const
export const SCOPE_KINDS = ['station', 'channel', 'site', 'team', 'drive'] as const
