// Why a donor is turned away today, and for how long. The catalogue is data: these defaults follow
// GB 18467-2011 §4.4 (source 'gb18467_2011') or common station practice where the standard gives no
// period (source 'local'), and a station may replace the whole list with its own (checked by
// DeferralCatalogueSchema, in rule-schemas.ts with the other schemas of rules given as data).
//
// Dates: `until` is the LAST deferred day (as Deferral.until), so until = start + duration − 1 day and
// the donor may give again on start + duration. A cold recovered on 1 June: until 7 June, back on 8 June.
// "Half a month" after a tooth extraction (拔牙后未满半个月) is read as 15 days, the longer reading.
import {
  deferralUntilFor,
  findDeferralReason as findIn,
  OTHER_DEFERRAL_REASON,
  suggestDeferralReason as suggestIn,
  suggestDeferralReasons as suggestAllIn,
} from './deferral-rules'
import type { EligibilityFailure } from './eligibility'
import type { DeferralReason } from './rule-schemas'

// The rules without the catalogue (deferral-rules.ts); the functions here default to this catalogue.
export {
  combineDeferralUntil,
  DEFERRAL_CATEGORIES,
  DEFERRAL_FROM,
  DEFERRAL_SOURCES,
  deferralUntilFor,
  OTHER_DEFERRAL_REASON,
  type DeferralCategory,
  type DeferralDuration,
  type DeferralFrom,
} from './deferral-rules'
export type { DeferralReason } from './rule-schemas'

const gb = 'gb18467_2011' as const
const local = 'local' as const

const reasons: DeferralReason[] = [
  // Failed screening on the bus. GB 18467 sets the limits, not a waiting time: local defaults.
  {
    code: 'low_hb',
    zh: '血红蛋白偏低',
    en: 'Haemoglobin too low',
    duration: { months: 1 },
    from: 'today',
    category: 'screening',
    source: local,
  },
  {
    code: 'weight',
    zh: '体重不符合要求',
    en: 'Weight outside the limit',
    duration: { days: 1 },
    from: 'today',
    category: 'screening',
    source: local,
  },
  {
    code: 'blood_pressure',
    zh: '血压不符合要求',
    en: 'Blood pressure out of range',
    duration: { days: 1 },
    from: 'today',
    category: 'screening',
    source: local,
  },
  {
    code: 'pulse',
    zh: '脉搏不符合要求',
    en: 'Pulse out of range',
    duration: { days: 1 },
    from: 'today',
    category: 'screening',
    source: local,
  },
  {
    code: 'apheresis_counts',
    zh: '红细胞压积或血小板计数不符合单采要求',
    en: 'Hct or platelet count outside the apheresis limits',
    duration: { days: 1 },
    from: 'today',
    category: 'screening',
    source: local,
    products: ['apheresis_platelets'],
  },

  // Rapid tests on the bus (issue 14): local periods; the station may set its own.
  {
    code: 'alt_high',
    zh: '谷丙转氨酶快检超标',
    en: 'ALT above the limit (rapid test)',
    duration: { months: 1 },
    from: 'today',
    category: 'screening',
    source: local,
  },
  {
    code: 'hbsag_reactive',
    zh: '乙肝表面抗原快检有反应',
    en: 'HBsAg reactive (rapid test)',
    duration: 'permanent',
    from: 'today',
    category: 'screening',
    source: local,
  },

  // Illness: counted from recovery.
  {
    code: 'cold_fever',
    zh: '感冒、发热（病愈未满1周）',
    en: 'Cold or fever (1 week after recovery)',
    duration: { weeks: 1 },
    from: 'recovery',
    category: 'illness',
    source: gb,
  },
  {
    code: 'acute_gastroenteritis',
    zh: '急性胃肠炎（病愈未满1周）',
    en: 'Acute gastroenteritis (1 week after recovery)',
    duration: { weeks: 1 },
    from: 'recovery',
    category: 'illness',
    source: gb,
  },
  {
    code: 'urinary_infection',
    zh: '急性泌尿道感染（病愈未满1个月）',
    en: 'Acute urinary infection (1 month after recovery)',
    duration: { months: 1 },
    from: 'recovery',
    category: 'illness',
    source: gb,
  },
  {
    code: 'pneumonia',
    zh: '肺炎（病愈未满3个月）',
    en: 'Pneumonia (3 months after recovery)',
    duration: { months: 3 },
    from: 'recovery',
    category: 'illness',
    source: gb,
  },
  {
    code: 'skin_inflammation_local',
    zh: '皮肤局限性炎症或伤口（愈合未满1周）',
    en: 'Local skin inflammation or wound (1 week after healing)',
    duration: { weeks: 1 },
    from: 'recovery',
    category: 'illness',
    source: gb,
  },
  {
    code: 'skin_inflammation_widespread',
    zh: '皮肤广泛性炎症（愈合未满2周）',
    en: 'Widespread skin inflammation (2 weeks after healing)',
    duration: { weeks: 2 },
    from: 'recovery',
    category: 'illness',
    source: gb,
  },
  {
    code: 'dysentery',
    zh: '痢疾（病愈未满半年）',
    en: 'Dysentery (6 months after recovery)',
    duration: { months: 6 },
    from: 'recovery',
    category: 'illness',
    source: gb,
  },
  {
    code: 'typhoid',
    zh: '伤寒（病愈未满1年）',
    en: 'Typhoid (1 year after recovery)',
    duration: { years: 1 },
    from: 'recovery',
    category: 'illness',
    source: gb,
  },
  {
    code: 'malaria',
    zh: '疟疾（病愈未满3年）',
    en: 'Malaria (3 years after recovery)',
    duration: { years: 3 },
    from: 'recovery',
    category: 'illness',
    source: gb,
  },
  {
    code: 'malaria_area_travel',
    zh: '1年内到过疟疾流行区',
    en: 'Stay in a malaria area (1 year after return)',
    duration: { years: 1 },
    from: 'recovery',
    category: 'illness',
    source: gb,
  },

  // Procedures: counted from the procedure or healing.
  {
    code: 'dental_care',
    zh: '口腔护理（洗牙等）后未满3天',
    en: 'Dental care such as scaling (3 days)',
    duration: { days: 3 },
    from: 'recovery',
    category: 'procedure',
    source: gb,
  },
  {
    code: 'tooth_extraction',
    zh: '拔牙后未满半个月',
    en: 'Tooth extraction (half a month: 15 days)',
    duration: { days: 15 },
    from: 'recovery',
    category: 'procedure',
    source: gb,
  },
  {
    code: 'minor_surgery',
    zh: '小手术后未满半个月',
    en: 'Minor surgery (half a month: 15 days)',
    duration: { days: 15 },
    from: 'recovery',
    category: 'procedure',
    source: gb,
  },
  {
    code: 'appendix_hernia_tonsil_surgery',
    zh: '阑尾、疝修补或扁桃体手术痊愈未满3个月',
    en: 'Appendix, hernia or tonsil surgery (3 months after healing)',
    duration: { months: 3 },
    from: 'recovery',
    category: 'procedure',
    source: gb,
  },
  {
    code: 'major_surgery',
    zh: '较大手术痊愈未满半年',
    en: 'Major surgery (6 months after healing)',
    duration: { months: 6 },
    from: 'recovery',
    category: 'procedure',
    source: gb,
  },
  {
    code: 'tattoo',
    zh: '纹身或被污染器材致伤未满1年',
    en: 'Tattoo or injury by contaminated instruments (1 year)',
    duration: { years: 1 },
    from: 'recovery',
    category: 'procedure',
    source: gb,
  },
  {
    code: 'transfusion',
    zh: '输注全血或血液成分未满1年',
    en: 'Transfusion of blood or components (1 year)',
    duration: { years: 1 },
    from: 'recovery',
    category: 'procedure',
    source: gb,
  },

  // Vaccination: counted from the last dose.
  {
    code: 'vaccine_inactivated',
    zh: '灭活疫苗、重组DNA疫苗或类毒素接种后未满24小时',
    en: 'Inactivated or recombinant vaccine, toxoid (24 hours)',
    duration: { days: 1 },
    from: 'recovery',
    category: 'vaccination',
    source: gb,
  },
  {
    code: 'vaccine_live',
    zh: '减毒活疫苗（麻疹、腮腺炎、脊髓灰质炎等）接种后未满2周',
    en: 'Live attenuated vaccine: measles, mumps, polio… (2 weeks)',
    duration: { weeks: 2 },
    from: 'recovery',
    category: 'vaccination',
    source: gb,
  },
  {
    code: 'vaccine_rubella_rabies_je',
    zh: '风疹活疫苗、狂犬病疫苗或乙脑减毒活疫苗接种后未满4周',
    en: 'Rubella, rabies or Japanese encephalitis vaccine (4 weeks)',
    duration: { weeks: 4 },
    from: 'recovery',
    category: 'vaccination',
    source: gb,
  },
  {
    code: 'rabies_after_bite',
    zh: '动物咬伤后接种狂犬病疫苗未满1年',
    en: 'Rabies vaccine after an animal bite (1 year)',
    duration: { years: 1 },
    from: 'recovery',
    category: 'vaccination',
    source: gb,
  },
  {
    code: 'hepatitis_b_immunoglobulin',
    zh: '注射乙肝人免疫球蛋白未满1年',
    en: 'Hepatitis B immunoglobulin (1 year)',
    duration: { years: 1 },
    from: 'recovery',
    category: 'vaccination',
    source: gb,
  },

  // Women.
  {
    code: 'menstruation',
    zh: '月经期及前后3天',
    en: 'Menstruation (3 days after it ends)',
    duration: { days: 3 },
    from: 'recovery',
    category: 'women',
    source: gb,
  },
  {
    code: 'pregnancy_miscarriage',
    zh: '妊娠期或流产后未满6个月',
    en: 'Pregnancy or miscarriage (6 months after it ends)',
    duration: { months: 6 },
    from: 'recovery',
    category: 'women',
    source: gb,
  },
  {
    code: 'childbirth_lactation',
    zh: '分娩及哺乳期未满1年',
    en: 'Childbirth and breastfeeding (1 year after it ends)',
    duration: { years: 1 },
    from: 'recovery',
    category: 'women',
    source: gb,
  },

  // Medication.
  {
    code: 'aspirin',
    zh: '服用阿司匹林类药物停药未满5天（单采血小板）',
    en: 'Aspirin-like drugs (5 days after the last dose; platelets)',
    duration: { days: 5 },
    from: 'recovery',
    category: 'medication',
    source: gb,
    products: ['apheresis_platelets'],
  },
  {
    code: 'medication',
    zh: '正在服用其他药物',
    en: 'Other medication (1 week after the last dose)',
    duration: { weeks: 1 },
    from: 'recovery',
    category: 'medication',
    source: local,
  },

  // Lifestyle.
  {
    code: 'alcohol',
    zh: '献血前饮酒',
    en: 'Alcohol before donating',
    duration: { days: 1 },
    from: 'today',
    category: 'lifestyle',
    source: local,
  },

  // History: permanent.
  {
    code: 'high_risk_behaviour',
    zh: '高危行为（吸毒、男男性行为、多性伴等）',
    en: 'High-risk behaviour (drug use, MSM, multiple partners…)',
    duration: 'permanent',
    from: 'today',
    category: 'history',
    source: gb,
  },
  {
    code: 'hepatitis',
    zh: '病毒性肝炎病史或感染',
    en: 'History of viral hepatitis',
    duration: 'permanent',
    from: 'today',
    category: 'history',
    source: gb,
  },
  {
    code: 'hiv_syphilis',
    zh: '艾滋病病毒感染或梅毒',
    en: 'HIV infection or syphilis',
    duration: 'permanent',
    from: 'today',
    category: 'history',
    source: gb,
  },

  // The donation rules themselves. The live checks block these anyway; the record notes the visit.
  {
    code: 'short_interval',
    zh: '献血间隔不足',
    en: 'Too soon after the last donation',
    duration: { days: 0 },
    from: 'next_eligible',
    category: 'rules',
    source: gb,
  },
  {
    code: 'age',
    zh: '年龄不符合要求',
    en: 'Age outside the limits',
    duration: { days: 1 },
    from: 'today',
    category: 'rules',
    source: local,
  },

  {
    code: OTHER_DEFERRAL_REASON,
    zh: '其他原因',
    en: 'Other reason',
    duration: { weeks: 1 },
    from: 'today',
    category: 'other',
    source: local,
  },
]

export const DEFERRAL_REASONS: readonly DeferralReason[] = Object.freeze(
  reasons.map((r) => {
    if (r.products) Object.freeze(r.products)
    return Object.freeze(r)
  }),
)

export function findDeferralReason(
  code: string,
  catalogue: readonly DeferralReason[] = DEFERRAL_REASONS,
): DeferralReason | undefined {
  return findIn(code, catalogue)
}

/**
 * Last deferred day (Deferral.until) for `reasonCode` counted from `fromDate` (see the reason's
 * `from`); null for a permanent deferral. Throws on a code the catalogue does not hold.
 */
export function deferralUntil(
  reasonCode: string,
  fromDate: string,
  catalogue: readonly DeferralReason[] = DEFERRAL_REASONS,
): string | null {
  const reason = findDeferralReason(reasonCode, catalogue)
  if (!reason) throw new RangeError(`unknown deferral reason: ${reasonCode}`)
  return deferralUntilFor(reason, fromDate)
}

/** The reason to preselect when a check fails; 'other' when the catalogue lacks the usual one. */
export function suggestDeferralReason(
  failure: Pick<EligibilityFailure, 'rule'>,
  catalogue: readonly DeferralReason[] = DEFERRAL_REASONS,
): string {
  return suggestIn(failure, catalogue)
}

/** The reasons to preselect for a set of failed checks: one per distinct suggestion, in the failures' order. */
export function suggestDeferralReasons(
  failures: readonly Pick<EligibilityFailure, 'rule'>[],
  catalogue: readonly DeferralReason[] = DEFERRAL_REASONS,
): string[] {
  return suggestAllIn(failures, catalogue)
}
