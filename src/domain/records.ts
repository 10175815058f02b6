// The records a bus crew writes and the station's reference data, as valibot schemas shared by
// app and server. Field records are immutable: a void or a correction is a new record that points
// at the old one, with who, when and why (docs/domain.md, "Corrections").
import * as v from 'valibot'
import { isIsoDate } from './dates'
import { PERSON_NAME_MAX, personNameProblem } from './person-name'
import { CONTACT_CONSENTS, PUBLIC_REF, QUESTION_KINDS, QUESTIONNAIRE_MAX_QUESTIONS } from './questionnaire-rules'
import {
  ABO_GROUPS,
  HB_METHODS,
  HBSAG_RESULTS,
  HOUSEHOLD_TYPES,
  inRecordYears,
  MAX_RECORD_YEAR,
  METRICS,
  MIN_RECORD_YEAR,
  PERIOD_KINDS,
  RAPID_TESTS,
  REACTION_ONSETS,
  REACTION_OUTCOMES,
  REACTION_SEVERITIES,
  RHD,
  SCOPE_KINDS,
  SEXES,
  SHARE_METRICS,
  SITE_KINDS,
  STAFF_ROLES,
  WHOLE_BLOOD_VOLUMES,
} from './record-codes'

// The lists and plain rules the schemas are built from (record-codes.ts), for code that imports them here.
export {
  SCHEMA_VERSION,
  MIN_RECORD_YEAR,
  MAX_RECORD_YEAR,
  inRecordYears,
  isRecordDate,
  SITE_KINDS,
  SEED_CHANNEL_CODES,
  SEED_TEAM_CODES,
  RURAL_MOBILE_CHANNEL,
  STAFF_ROLES,
  ABO_GROUPS,
  RHD,
  HOUSEHOLD_TYPES,
  SEXES,
  WHOLE_BLOOD_VOLUMES,
  RAPID_TESTS,
  HB_METHODS,
  HBSAG_RESULTS,
  REACTION_SEVERITIES,
  REACTION_ONSETS,
  REACTION_OUTCOMES,
  deferralReasonCodes,
  deferralReasonsProblem,
  RETENTION_METRICS,
  METRICS,
  SHARE_METRICS,
  RATE_SCALE,
  PERIOD_KINDS,
  SCOPE_KINDS,
} from './record-codes'
export type {
  SiteKind,
  StaffRole,
  Abo,
  RhD,
  Household,
  Sex,
  WholeBloodVolume,
  RapidTest,
  HbMethod,
  ReactionOnset,
  ReactionOutcome,
  RetentionMetric,
  Metric,
} from './record-codes'

// Ids are made on the phone: UUIDv7 (time-ordered) in lower-case canonical form.
export const RecordId = v.pipe(
  v.string(),
  v.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'id must be a lower-case UUID'),
)
export const IsoDate = v.pipe(
  v.string(),
  v.isoDate('date must be YYYY-MM-DD'),
  v.check(isIsoDate, 'date must be a day of the calendar'),
  v.check(inRecordYears, `date must be between ${MIN_RECORD_YEAR} and ${MAX_RECORD_YEAR}`),
)
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2}))$/
function isIsoDateTime(text: string): boolean {
  const m = ISO_DATE_TIME.exec(text)
  if (!m || !isIsoDate(m[1]!)) return false
  const [hour, minute, second, offsetHours, offsetMinutes] = [m[2], m[3], m[4], m[6], m[7]].map((x) => Number(x ?? 0))
  return hour! <= 23 && minute! <= 59 && second! <= 59 && offsetHours! <= 14 && offsetMinutes! <= 59
}
/** An instant as ISO 8601 with offset or Z, e.g. 2023-06-14T09:30:00.000+08:00. */
export const IsoDateTime = v.pipe(
  v.string(),
  v.regex(ISO_DATE_TIME, 'time must be ISO 8601 with an offset'),
  v.check(isIsoDateTime, 'time must be a real date and time of day'),
  v.check(inRecordYears, `time must be between ${MIN_RECORD_YEAR} and ${MAX_RECORD_YEAR}`),
)
const Code = v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{0,39}$/, 'code must be lower_snake_case'))
const Name = v.pipe(v.string(), v.trim(), v.minLength(1, 'name is required'), v.maxLength(120))
/**
 * A donor's name (person-name.ts): Chinese or Latin letters, "·" between the parts of a minority
 * name, single spaces between Latin words; no digits, emoji, symbols or control characters. Not
 * the generic Name of sites and channels.
 */
export const PersonName = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, 'name is required'),
  v.maxLength(PERSON_NAME_MAX),
  v.check(
    (name) => personNameProblem(name) === null,
    'name may hold only Chinese or Latin letters, the middle dot (·) and single spaces between Latin words',
  ),
)
const Note = v.pipe(v.string(), v.trim(), v.maxLength(500))

// ---------------------------------------------------------------------------------------------
// Reference data (station → phone)

/**
 * Romanisation the server adds to names it sends to phones (pinyin-pro), for search by pinyin:
 * syllables without tones, space-separated, ü as v ("lv cun"), and their first letters ("lc").
 * Rows without them (older servers) are found by their Chinese text.
 */
const Romanised = {
  pinyin: v.optional(v.pipe(v.string(), v.maxLength(1000))),
  initials: v.optional(v.pipe(v.string(), v.maxLength(200))),
}

/** The donor health questionnaire a station sets (questionnaire.ts holds its default, questionnaire-rules.ts its rules). */
const QuestionCode = v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{0,39}$/, 'code must be lower_snake_case'))
const QuestionText = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(300))

export const QuestionSchema = v.object({
  code: QuestionCode,
  zh: QuestionText,
  en: QuestionText,
  kind: v.optional(v.picklist(QUESTION_KINDS), 'yes_no'),
  /** A "yes" defers with this deferral reason code; absent: the answer does not defer. */
  defersWith: v.optional(QuestionCode),
})
export type Question = v.InferOutput<typeof QuestionSchema>

export const QuestionnaireSchema = v.pipe(
  v.object({
    /** Changes whenever the questions change; records keep the version their answers belong to. */
    version: v.pipe(v.string(), v.regex(/^[A-Za-z0-9._-]{1,40}$/, 'version must be 1-40 letters, digits, . _ -')),
    questions: v.pipe(v.array(QuestionSchema), v.minLength(1), v.maxLength(QUESTIONNAIRE_MAX_QUESTIONS)),
    /** The consent the donor signs, both languages. */
    consentZh: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(2000)),
    consentEn: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(2000)),
  }),
  v.check((q) => new Set(q.questions.map((x) => x.code)).size === q.questions.length, 'question codes must be unique'),
  v.check(
    (q) => q.questions.filter((x) => x.kind === 'self_exclusion').length <= 1,
    'a questionnaire has at most one self-exclusion question',
  ),
)
export type Questionnaire = v.InferOutput<typeof QuestionnaireSchema>

/** Whole-blood bleed limits that flag a bag for the lab (bleed.ts holds the default and the rule). */
export const BleedLimitsSchema = v.pipe(
  v.object({
    plateletMinutes: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(60)),
    plasmaMinutes: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(60)),
  }),
  v.check((l) => l.plateletMinutes <= l.plasmaMinutes, 'the platelet limit is not above the plasma limit'),
)

export const StationSchema = v.object({
  id: RecordId,
  code: Code,
  name: Name,
  /** IANA zone the station's dates are counted in. */
  timeZone: v.optional(v.string(), 'Asia/Shanghai'),
  /**
   * Secret salt of donorKey(id, salt), sent to enrolled phones with the station row so that phone
   * and server key a donor alike. Optional in the contract; a phone without it cannot record donors.
   */
  donorKeySalt: v.optional(v.pipe(v.string(), v.minLength(8, 'the donor key salt is too short'))),
  /** Days a closed drive's bag range still warns when another drive's range overlaps it (default 30). */
  driveOverlapDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(365))),
  /** Wrong PINs in a row before a phone locks a staff member out (src/domain/pin-attempts.ts); absent: 5. */
  pinMaxAttempts: v.optional(v.pipe(v.number(), v.integer(), v.minValue(3), v.maxValue(20))),
  /** Which eligibility checks a drive leader may override, and the reasons offered (absent: the defaults). */
  donorRules: v.optional(
    v.object({
      overridable: v.pipe(v.array(Code), v.maxLength(20)),
      overrideReasons: v.pipe(
        v.array(v.object({ code: Code, zh: Name, en: Name })),
        v.minLength(1, 'a station needs at least one override reason'),
        v.maxLength(40),
      ),
    }),
  ),
  /** The donor health questionnaire and consent (questionnaire.ts); absent: the GB 18467 default set. */
  questionnaire: v.optional(QuestionnaireSchema),
  /** Schema 3: whole-blood bleed limits that flag a bag for the lab (absent: DEFAULT_BLEED_LIMITS, bleed.ts). */
  bleedLimits: v.optional(BleedLimitsSchema),
})
export type Station = v.InferOutput<typeof StationSchema>

export const SiteSchema = v.object({
  id: RecordId,
  stationId: RecordId,
  name: Name,
  kind: v.picklist(SITE_KINDS),
  /** Administrative area (county/district), for drill-down. */
  area: v.optional(v.pipe(v.string(), v.maxLength(80)), ''),
  ...Romanised,
})
export type Site = v.InferOutput<typeof SiteSchema>

export const ChannelSchema = v.object({
  id: RecordId,
  stationId: RecordId,
  code: Code,
  nameZh: Name,
  nameEn: Name,
  /** Whole blood collected on drives of this channel counts toward the rural-mobile share. */
  ruralMobile: v.boolean(),
})
export type Channel = v.InferOutput<typeof ChannelSchema>

export const TeamSchema = v.object({
  id: RecordId,
  stationId: RecordId,
  code: Code,
  nameZh: Name,
  nameEn: Name,
})
export type Team = v.InferOutput<typeof TeamSchema>

/** What a phone holds of a staff member: never the PIN, only its salted hash. */
export const RosterEntrySchema = v.object({
  id: RecordId,
  stationId: RecordId,
  name: Name,
  role: v.picklist(STAFF_ROLES),
  /** `pbkdf2-sha256$iterations$saltB64$hashB64` (WebCrypto on phone and server), checked on the phone for offline unlock. */
  pinHash: v.string(),
  active: v.boolean(),
  ...Romanised,
})
export type RosterEntry = v.InferOutput<typeof RosterEntrySchema>

// ---------------------------------------------------------------------------------------------
// Field records (phone → station)

/** Who wrote a record, on which phone, and when by that phone's clock (informational only). */
const authorship = {
  id: RecordId,
  stationId: RecordId,
  deviceId: RecordId,
  authorStaffId: RecordId,
  createdAt: IsoDateTime,
}

export const DinText = v.pipe(v.string(), v.regex(/^[0-9A-Z*]{13,16}$/, 'DIN must be 13 characters plus its check'))

export const WholeBloodProduct = v.object({
  type: v.literal('whole_blood'),
  volumeMl: v.picklist(WHOLE_BLOOD_VOLUMES),
})
export const ApheresisProduct = v.object({
  type: v.literal('apheresis_platelets'),
  doses: v.picklist([1, 2] as const),
})
export const ProductSchema = v.variant('type', [WholeBloodProduct, ApheresisProduct])
export type Product = v.InferOutput<typeof ProductSchema>

/** Vitals and screening as measured on the bus; checked against the eligibility rules. */
export const VitalsSchema = v.object({
  weightKg: v.pipe(v.number(), v.minValue(20), v.maxValue(250)),
  /** Schema 3: absent when Hb was screened by copper sulphate (rapidTests.hbMethod), which gives no number. */
  hbGL: v.optional(v.pipe(v.number(), v.minValue(30), v.maxValue(250))),
  systolic: v.pipe(v.number(), v.integer(), v.minValue(40), v.maxValue(260)),
  diastolic: v.pipe(v.number(), v.integer(), v.minValue(20), v.maxValue(180)),
  pulse: v.pipe(v.number(), v.integer(), v.minValue(20), v.maxValue(220)),
  temperatureC: v.pipe(v.number(), v.minValue(30), v.maxValue(45)),
  hct: v.optional(v.pipe(v.number(), v.minValue(0.1), v.maxValue(0.7))),
  plateletCount: v.optional(v.pipe(v.number(), v.minValue(10), v.maxValue(1500))),
  athlete: v.optional(v.boolean(), false),
})
export type Vitals = v.InferOutput<typeof VitalsSchema>

// ---- Schema 3, clinic (issue 14 items 2-4): rapid tests, the bleed, reactions. All optional.

/** A reagent lot loaded on the bus for one rapid test; a lot expired before the drive's date is refused. */
export const ReagentLotSchema = v.object({
  test: v.picklist(RAPID_TESTS),
  lot: v.pipe(v.string(), v.trim(), v.minLength(1, 'a reagent lot needs its number'), v.maxLength(40)),
  expiresOn: IsoDate,
})
export type ReagentLot = v.InferOutput<typeof ReagentLotSchema>

/** Results of the rapid tests at the visit; Hb by haemoglobinometer is vitals.hbGL. */
export const RapidTestsSchema = v.object({
  abo: v.optional(v.picklist(ABO_GROUPS)),
  rhd: v.optional(v.picklist(RHD)),
  hbMethod: v.picklist(HB_METHODS),
  /** Copper sulphate: the drop sank (passed). Absent for the haemoglobinometer. */
  hbCopperPass: v.optional(v.boolean()),
  /** ALT in U/L (dry-chemistry rapid test). */
  altUL: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(5000))),
  hbsag: v.optional(v.picklist(HBSAG_RESULTS)),
})
export type RapidTests = v.InferOutput<typeof RapidTestsSchema>

/** The bleed: times, volume or a short draw, a failed venipuncture, who collected. */
export const BleedSchema = v.pipe(
  v.object({
    startedAt: v.optional(IsoDateTime),
    endedAt: v.optional(IsoDateTime),
    /** Volume actually drawn, ml. */
    volumeMl: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(600))),
    /** Fewer ml than the bag's product: flags the bag for the lab. */
    shortDraw: v.optional(v.boolean()),
    /** The needle missed at least once (a second stick, or no blood drawn). */
    failedVenipuncture: v.optional(v.boolean()),
    /** The collection staff member, from the drive's crew. */
    collectedBy: RecordId,
  }),
  v.check(
    (b) => !b.startedAt || !b.endedAt || Date.parse(b.startedAt) <= Date.parse(b.endedAt),
    'the bleed ends before it starts',
  ),
)
export type Bleed = v.InferOutput<typeof BleedSchema>

/** Facts about the donor that indicators need, copied onto each donation/deferral. */
const donorFacts = {
  /** Pseudonymous donor key (see donor-key.ts); never the ID number. */
  donorKey: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/, 'donorKey must be 32 hex characters')),
  sex: v.picklist(SEXES),
  ageYears: v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(80)),
  household: v.picklist(HOUSEHOLD_TYPES),
  /** The donor had an earlier donation before this one (repeat-donor share). */
  repeatDonor: v.boolean(),
}

/**
 * Schema 3 (donor helper), optional: the donor's questionnaire answers and contact consent. The
 * self-exclusion answer is confidential: the station shows it, the phone never shows it back.
 */
export const QuestionnaireAnswersSchema = v.object({
  /** The question set's version the answers belong to. */
  version: v.pipe(v.string(), v.regex(/^[A-Za-z0-9._-]{1,40}$/)),
  /** Codes of the questions answered "yes" (the self-exclusion question is not among them). */
  yes: v.pipe(v.array(Code), v.maxLength(60)),
  /** The donor asked that their blood not be used (confidential unit exclusion). */
  selfExcluded: v.boolean(),
  /** Answered on the crew's phone in donor mode, or on a kiosk and handed over by QR code. */
  via: v.picklist(['phone', 'kiosk'] as const),
  /** The donor signed the consent (the signature itself rides on the donor identity). */
  signed: v.boolean(),
})
export type QuestionnaireAnswers = v.InferOutput<typeof QuestionnaireAnswersSchema>
const visitAnswers = {
  questionnaire: v.optional(QuestionnaireAnswersSchema),
  /** Whether and how the donor agrees to be contacted (recalls, thanks); absent: not asked. */
  contactConsent: v.optional(v.picklist(CONTACT_CONSENTS)),
}

/**
 * Schema 3 (crew): a donor registered on another phone of the bus and handed over by QR code
 * carries that registration's id, so the station links the two desks' work.
 */
const crewHandoff = {
  registrationId: v.optional(RecordId),
}

/** Where and how a record was collected: every donation and deferral belongs to a channel. */
const collectionContext = {
  /** Null for fixed-site collection outside any drive. */
  driveId: v.nullable(RecordId),
  channelId: RecordId,
  siteId: v.nullable(RecordId),
  teamIds: v.pipe(v.array(RecordId), v.maxLength(8)),
  /** Station-local calendar date of collection; indicators group by it. */
  collectedOn: IsoDate,
}

export const DonationSchema = v.object({
  type: v.literal('donation'),
  ...authorship,
  ...collectionContext,
  ...donorFacts,
  ...crewHandoff,
  collectedAt: IsoDateTime,
  product: ProductSchema,
  abo: v.picklist(ABO_GROUPS),
  rhd: v.picklist(RHD),
  din: DinText,
  vitals: v.optional(VitalsSchema),
  /** Schema 2: the drive leader let the donation go ahead although overridable checks failed. */
  override: v.optional(
    v.object({
      /** The eligibility rules overridden (e.g. ['interval']). */
      rules: v.pipe(v.array(Code), v.minLength(1, 'an override names the rule it overrides'), v.maxLength(20)),
      /** A code of the station's override reasons. */
      reasonCode: Code,
      /** The drive leader who approved with their PIN. */
      approvedBy: RecordId,
      approvedAt: IsoDateTime,
    }),
  ),
  ...visitAnswers,
  /** Schema 3, optional: a random public reference for the station's e-certificate system (not the donor's identity). */
  publicRef: v.optional(v.pipe(v.string(), v.regex(PUBLIC_REF, 'publicRef must be 16 base32 characters'))),
  /** Schema 3: the pre-donation rapid tests. */
  rapidTests: v.optional(RapidTestsSchema),
  /** Schema 3: the bleed. */
  bleed: v.optional(BleedSchema),
})
export type Donation = v.InferOutput<typeof DonationSchema>

export const DeferralSchema = v.object({
  type: v.literal('deferral'),
  ...authorship,
  ...collectionContext,
  ...donorFacts,
  ...crewHandoff,
  /** The first (primary) reason; schema-1 readers know only this one. */
  reasonCode: Code,
  /** Schema 2: every reason, primary first; absent on older records, read as [reasonCode] (deferralReasonCodes). */
  reasonCodes: v.optional(v.pipe(v.array(Code), v.minLength(1), v.maxLength(20))),
  /** Last day of the deferral (the latest of its reasons'); null for a permanent one. */
  until: v.nullable(IsoDate),
  note: v.optional(Note, ''),
  vitals: v.optional(VitalsSchema),
  ...visitAnswers,
  /** Schema 3: the rapid tests that were done before deferring (a reactive HBsAg, a high ALT). */
  rapidTests: v.optional(RapidTestsSchema),
})
export type Deferral = v.InferOutput<typeof DeferralSchema>

/** Donor identity, kept apart from donations; purged from phones after confirmation (PIPL). */
export const DonorIdentitySchema = v.object({
  type: v.literal('donor_identity'),
  ...authorship,
  donorKey: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/)),
  idNumber: v.pipe(v.string(), v.regex(/^(\d{17}[\dX]|\d{15})$/, 'ID number must be 18 (or old 15) characters')),
  name: PersonName,
  phone: v.optional(v.pipe(v.string(), v.regex(/^[0-9+\- ]{0,20}$/)), ''),
  household: v.picklist(HOUSEHOLD_TYPES),
  /**
   * Schema 3, optional: the consent signature as quantised strokes (questionnaire-codec.ts encodeSignature,
   * base64url). Identity data: blanked on the phone once the station confirmed the record.
   */
  consentSignature: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{0,1000}$/, 'signature must be base64url'))),
})
export type DonorIdentity = v.InferOutput<typeof DonorIdentitySchema>

export const DriveSchema = v.object({
  type: v.literal('drive'),
  ...authorship,
  busCode: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(20)),
  siteId: RecordId,
  channelId: RecordId,
  teamIds: v.pipe(v.array(RecordId), v.maxLength(8)),
  date: IsoDate,
  staffIds: v.pipe(v.array(RecordId), v.minLength(1), v.maxLength(12)),
  leaderStaffId: RecordId,
  /** Bag numbers loaded on the bus: first and last DIN (without check character) of the range. */
  dinFirst: DinText,
  dinLast: DinText,
  bagsLoaded: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2000)),
  /**
   * Schema version 2, optional: the range overlaps these drives of the phone (open, or closed
   * lately), and the drive's leader confirmed opening it anyway with their PIN.
   */
  rangeOverlap: v.optional(
    v.object({
      driveIds: v.pipe(v.array(RecordId), v.minLength(1), v.maxLength(50)),
      confirmedBy: RecordId,
    }),
  ),
  /** Schema version 3, optional (plans): the station's drive plan the drive was opened from. */
  planId: v.optional(RecordId),
  /** Schema 3: the rapid tests' reagent lots loaded on the bus (one per test at most). */
  reagentLots: v.optional(
    v.pipe(
      v.array(ReagentLotSchema),
      v.maxLength(RAPID_TESTS.length),
      v.check((lots) => new Set(lots.map((l) => l.test)).size === lots.length, 'one reagent lot per rapid test'),
    ),
  ),
})
export type Drive = v.InferOutput<typeof DriveSchema>

/** Closing a drive: bag reconciliation (used + spoiled + returned = loaded) and the leader's sign-off. */
export const DriveCloseSchema = v.object({
  type: v.literal('drive_close'),
  ...authorship,
  driveId: RecordId,
  bagsLoaded: v.pipe(v.number(), v.integer(), v.minValue(0)),
  bagsUsed: v.pipe(v.number(), v.integer(), v.minValue(0)),
  bagsSpoiled: v.pipe(v.number(), v.integer(), v.minValue(0)),
  bagsReturned: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** Required when the bags do not add up. */
  discrepancyNote: v.optional(Note, ''),
  /**
   * Schema 3 (crew), optional: the drive was worked by several phones; each phone's block of the
   * bags (the leader's phone first) and what it reported at the end (docs/data-format.md).
   */
  crew: v.optional(
    v.pipe(
      v.array(
        v.object({
          deviceId: RecordId,
          label: v.pipe(v.string(), v.maxLength(60)),
          dinFirst: DinText,
          dinLast: DinText,
          bagsLoaded: v.pipe(v.number(), v.integer(), v.minValue(0)),
          bagsUsed: v.pipe(v.number(), v.integer(), v.minValue(0)),
          donations: v.pipe(v.number(), v.integer(), v.minValue(0)),
          deferrals: v.pipe(v.number(), v.integer(), v.minValue(0)),
        }),
      ),
      v.minLength(1),
      v.maxLength(12),
    ),
  ),
  signedOffBy: RecordId,
  closedAt: IsoDateTime,
})
export type DriveClose = v.InferOutput<typeof DriveCloseSchema>

/** A donor's reaction; a donation may have several (one record each). */
export const AdverseReactionSchema = v.object({
  type: v.literal('adverse_reaction'),
  ...authorship,
  donationId: RecordId,
  /** REACTION_CODES (src/domain/haemovigilance.ts); older records' codes stay valid. */
  code: Code,
  severity: v.picklist(REACTION_SEVERITIES),
  occurredAt: IsoDateTime,
  note: v.optional(Note, ''),
  /** Schema 3: onset, treatment given, outcome (absent on older records). */
  onset: v.optional(v.picklist(REACTION_ONSETS)),
  treatment: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(300))),
  outcome: v.optional(v.picklist(REACTION_OUTCOMES)),
})
export type AdverseReaction = v.InferOutput<typeof AdverseReactionSchema>

export const VoidSchema = v.object({
  type: v.literal('void'),
  ...authorship,
  targetId: RecordId,
  reason: v.pipe(v.string(), v.trim(), v.minLength(2, 'a void needs a reason'), v.maxLength(500)),
})
export type Void = v.InferOutput<typeof VoidSchema>

/**
 * A correction replaces the whole target record; the newest correction wins. Schema version 2: the
 * replacement may also be a donor identity (name, ID number, phone, household corrected), whose
 * target is a donor_identity record (docs/data-format.md, "Identity corrections").
 */
export const CorrectionSchema = v.object({
  type: v.literal('correction'),
  ...authorship,
  targetId: RecordId,
  reason: v.pipe(v.string(), v.trim(), v.minLength(2, 'a correction needs a reason'), v.maxLength(500)),
  replacement: v.variant('type', [DonationSchema, DeferralSchema, DonorIdentitySchema]),
})
export type Correction = v.InferOutput<typeof CorrectionSchema>

export const FieldRecordSchema = v.variant('type', [
  DonationSchema,
  DeferralSchema,
  DonorIdentitySchema,
  DriveSchema,
  DriveCloseSchema,
  AdverseReactionSchema,
  VoidSchema,
  CorrectionSchema,
])
export type FieldRecord = v.InferOutput<typeof FieldRecordSchema>
export type FieldRecordType = FieldRecord['type']

// ---------------------------------------------------------------------------------------------
// Targets (station → everyone)

export const PeriodSchema = v.pipe(
  v.object({ kind: v.picklist(PERIOD_KINDS), start: IsoDate, end: IsoDate }),
  v.check((p) => p.start <= p.end, 'the period ends before it starts'),
)
export type Period = v.InferOutput<typeof PeriodSchema>

export const ScopeSchema = v.pipe(
  v.object({ kind: v.picklist(SCOPE_KINDS), id: v.nullable(RecordId) }),
  v.check(
    (s) => (s.kind === 'station') === (s.id === null),
    'a scope other than the station names its channel, site, team or drive',
  ),
)
export type Scope = v.InferOutput<typeof ScopeSchema>

export const TargetSchema = v.pipe(
  v.object({
    id: RecordId,
    stationId: RecordId,
    period: PeriodSchema,
    scope: ScopeSchema,
    metric: v.picklist(METRICS),
    comparison: v.picklist(['>=', '<='] as const),
    /** Counts as counts; shares as a percent (32.59), per_1000 as a rate. */
    value: v.pipe(v.number(), v.minValue(0)),
  }),
  v.check((t) => !SHARE_METRICS.includes(t.metric) || t.value <= 100, 'a share target must be between 0 and 100%'),
)
export type Target = v.InferOutput<typeof TargetSchema>

export const PopulationSchema = v.object({
  stationId: RecordId,
  year: v.pipe(v.number(), v.integer(), v.minValue(2000), v.maxValue(2100)),
  population: v.pipe(v.number(), v.integer(), v.minValue(1)),
})
export type Population = v.InferOutput<typeof PopulationSchema>
