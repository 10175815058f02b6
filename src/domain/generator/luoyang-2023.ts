// Luoyang Central Blood Station, 2023 (shared/reference/luoyang-2023.json, from the station's
// annual review). Every published collection figure is an exact quota below; everything else
// (sites, months other than June, donor mix, deferrals) is invented to look like real work and is
// marked as such. docs/data-format.md lists the choices.
import type { CollectionProgram, SeedYearProfile, SiteGroup } from './profile'

/** The figures of the review that the synthetic year reproduces at published precision. */
export const LUOYANG_2023_PUBLISHED = {
  donations: 93_560,
  wholeBloodDonations: 84_609,
  wholeBloodUnits: 169_002,
  apheresisDonations: 8_951,
  apheresisDoses: 13_187,
  rate400mlPercent: 99.73,
  ruralDonorSharePercent: 69.39,
  repeatDonorSharePercent: 67.08,
  ruralMobileSharePercent: 32.59,
  per1000: 13.22,
  channels: {
    government_agencies: 1_637,
    universities: 10_258,
    medical_staff_month: 2_655,
    rural_mobile: 27_577,
    enterprises: 1_391,
  },
  ruralBusTrips: 787,
  enterpriseSites: 31,
  teams: { county_emergency: 10_281, apheresis_platelet: 8_951, rare_blood_type: 513, military: 2_301 },
  juneDonations: 9_691,
} as const

// Counties (rural drives) and city districts of Luoyang, as areas for drill-down.
const COUNTIES = ['孟津区', '偃师区', '新安县', '宜阳县', '洛宁县', '伊川县', '嵩县', '栾川县', '汝阳县'] as const
const DISTRICTS = ['涧西区', '西工区', '老城区', '瀍河区', '洛龙区'] as const

function numbered(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`)
}

function inDistricts(kind: SiteGroup['kind'], prefix: string, count: number): SiteGroup {
  return {
    kind,
    names: numbered(prefix, count),
    areas: Array.from({ length: count }, (_, i) => DISTRICTS[i % DISTRICTS.length]!),
  }
}

const TOWNSHIPS_PER_COUNTY = 14
const townships: SiteGroup = {
  kind: 'township',
  names: COUNTIES.flatMap((county) => numbered(`${county}乡镇采血点`, TOWNSHIPS_PER_COUNTY)),
  areas: COUNTIES.flatMap((county) => Array<string>(TOWNSHIPS_PER_COUNTY).fill(county)),
}

const streetAndFixed: SiteGroup = {
  kind: 'street',
  names: [...numbered('街头献血屋', 5), ...['偃师区', '伊川县', '宜阳县', '嵩县'].map((c) => `${c}固定献血点`)],
  areas: [...DISTRICTS, '偃师区', '伊川县', '宜阳县', '嵩县'],
}

const programs: CollectionProgram[] = [
  {
    code: 'rural',
    channel: 'rural_mobile',
    product: 'whole_blood',
    donations: LUOYANG_2023_PUBLISHED.channels.rural_mobile,
    drives: LUOYANG_2023_PUBLISHED.ruralBusTrips,
    sites: townships,
    // Invented: busy in the winter slack season and when migrant workers are home for the
    // Spring Festival, quiet at the June wheat harvest.
    monthWeights: [1.4, 1.35, 1.0, 0.85, 0.7, 0.55, 0.9, 0.9, 0.9, 0.8, 1.2, 1.45],
    weekdaysOnly: false,
    weekendWeight: 1,
    team: null,
    donors: {
      maleShare: 0.58,
      ruralHouseholdShare: 0.96,
      priorDonorShare: 0.56,
      ageRange: [18, 55],
      secondDonationShare: 0.08,
    },
  },
  {
    code: 'universities',
    channel: 'universities',
    product: 'whole_blood',
    donations: LUOYANG_2023_PUBLISHED.channels.universities,
    drives: 124,
    sites: inDistricts('university', '驻洛高校', 8),
    // Term time only, most in the June campaign.
    monthWeights: [0.25, 0.3, 1.3, 1.4, 1.3, 1.7, 0.05, 0.05, 1.2, 1.4, 1.4, 1.0],
    weekdaysOnly: true,
    weekendWeight: 1,
    team: null,
    donors: {
      maleShare: 0.48,
      ruralHouseholdShare: 0.45,
      priorDonorShare: 0.35,
      ageRange: [18, 24],
      secondDonationShare: 0.15,
    },
  },
  {
    code: 'government',
    channel: 'government_agencies',
    product: 'whole_blood',
    donations: LUOYANG_2023_PUBLISHED.channels.government_agencies,
    drives: 36,
    sites: inDistricts('agency', '市直机关', 12),
    monthWeights: [0.6, 0.5, 1.0, 1.0, 1.0, 2.2, 0.8, 0.8, 1.0, 0.8, 1.0, 1.0],
    weekdaysOnly: true,
    weekendWeight: 1,
    team: null,
    donors: {
      maleShare: 0.62,
      ruralHouseholdShare: 0.12,
      priorDonorShare: 0.75,
      ageRange: [22, 55],
      secondDonationShare: 0.2,
    },
  },
  {
    code: 'medical_staff',
    channel: 'medical_staff_month',
    product: 'whole_blood',
    donations: LUOYANG_2023_PUBLISHED.channels.medical_staff_month,
    drives: 62,
    sites: inDistricts('hospital', '医院', 20),
    // Invented: the "white angel" month is held in May, around Nurses' Day.
    monthWeights: [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
    weekdaysOnly: true,
    weekendWeight: 1,
    team: null,
    donors: {
      maleShare: 0.3,
      ruralHouseholdShare: 0.18,
      priorDonorShare: 0.7,
      ageRange: [22, 55],
      secondDonationShare: 0,
    },
  },
  {
    code: 'enterprises',
    channel: 'enterprises',
    product: 'whole_blood',
    donations: LUOYANG_2023_PUBLISHED.channels.enterprises,
    drives: 46,
    sites: inDistricts('enterprise', '爱心企业', LUOYANG_2023_PUBLISHED.enterpriseSites),
    monthWeights: [0.5, 0.6, 1.0, 1.0, 1.0, 1.6, 1.0, 1.0, 1.0, 0.8, 1.2, 1.0],
    weekdaysOnly: true,
    weekendWeight: 1,
    team: null,
    donors: {
      maleShare: 0.66,
      ruralHouseholdShare: 0.55,
      priorDonorShare: 0.6,
      ageRange: [18, 55],
      secondDonationShare: 0.1,
    },
  },
  {
    // Army units have no channel of their own in the review: their drives count under street_fixed.
    code: 'army',
    channel: 'street_fixed',
    product: 'whole_blood',
    donations: LUOYANG_2023_PUBLISHED.teams.military,
    drives: 42,
    sites: inDistricts('army_unit', '驻洛部队', 6),
    monthWeights: [0.6, 0.6, 1.1, 1.0, 1.0, 1.2, 1.0, 1.6, 1.0, 0.9, 1.0, 1.0],
    weekdaysOnly: true,
    weekendWeight: 1,
    team: 'military',
    donors: {
      maleShare: 0.93,
      ruralHouseholdShare: 0.62,
      priorDonorShare: 0.5,
      ageRange: [18, 32],
      secondDonationShare: 0.2,
    },
  },
  {
    code: 'street',
    channel: 'street_fixed',
    product: 'whole_blood',
    donations: 'rest',
    drives: null,
    sites: streetAndFixed,
    monthWeights: null,
    weekdaysOnly: false,
    weekendWeight: 1.4,
    team: null,
    donors: {
      maleShare: 0.57,
      ruralHouseholdShare: 0.66,
      priorDonorShare: 0.62,
      ageRange: [18, 55],
      secondDonationShare: 0.2,
    },
  },
  {
    code: 'apheresis',
    channel: 'street_fixed',
    product: 'apheresis',
    donations: LUOYANG_2023_PUBLISHED.apheresisDonations,
    drives: null,
    sites: { kind: 'fixed_site', names: ['中心血站成分献血室'], areas: ['西工区'] },
    monthWeights: null,
    weekdaysOnly: false,
    weekendWeight: 1,
    team: 'apheresis_platelet',
    donors: {
      maleShare: 0.76,
      ruralHouseholdShare: 0.4,
      priorDonorShare: 0.95,
      ageRange: [18, 55],
      secondDonationShare: 0,
    },
  },
]

export const LUOYANG_2023: SeedYearProfile = {
  id: 'luoyang-2023',
  year: 2023,
  station: { code: 'luoyang', name: '洛阳市中心血站', timeZone: 'Asia/Shanghai', utcOffset: '+08:00' },
  // 93,560 ÷ 13.22 × 1000 ≈ 7.077 M; the 2023 resident population (≈ 7.08 M) rounded to
  // thousands would give 13.21, so the population the station must have used is taken.
  population: 7_077_000,
  dinFacility: 'L0379',
  // Invented except June (the campaign month, 9,691); they add up to 93,560.
  monthTotals: [
    7_200,
    6_900,
    7_700,
    7_600,
    8_900,
    LUOYANG_2023_PUBLISHED.juneDonations,
    7_600,
    7_300,
    7_700,
    7_200,
    7_800,
    7_969,
  ],
  // The one split that gives both 169,002 u and 99.73 % (reference consistency note).
  wholeBlood: { ml400: 84_381, ml300: 24, ml200: 204 },
  apheresis: {
    donations: LUOYANG_2023_PUBLISHED.apheresisDonations,
    twoDoseDonations: LUOYANG_2023_PUBLISHED.apheresisDoses - LUOYANG_2023_PUBLISHED.apheresisDonations,
  },
  // 64,921 ÷ 93,560 = 69.390 %; 62,760 ÷ 93,560 = 67.080 %.
  ruralDonorDonations: 64_921,
  repeatDonorDonations: 62_760,
  programs,
  teams: {
    countyEmergency: { donations: LUOYANG_2023_PUBLISHED.teams.county_emergency, programs: ['rural', 'street'] },
    // Invented: the review names volunteer teams without a count.
    volunteers: { donations: 3_000, programs: ['street', 'universities', 'enterprises', 'government'] },
    // All RhD-negative donors are enrolled in the rare-type team, so RhD-negative donations = 513
    // (0.55 % of donations: above the ~0.4 % of Han donors because they are called up often).
    rareBloodType: { wholeBlood: 475, apheresis: 38, streetShare: 0.6 },
  },
  aboShares: { A: 0.28, B: 0.32, O: 0.31, AB: 0.09 },
  deferrals: {
    // Invented: 9,824 ÷ (93,560 + 9,824) = 9.50 %.
    count: 9_824,
    linkedShare: 0.15,
    // Invented frequencies over codes of the deferral catalogue (src/domain/deferral-reasons.ts);
    // the catalogue's durations set each `until`.
    reasons: [
      { code: 'low_hb', weight: 30 },
      { code: 'blood_pressure', weight: 16 },
      { code: 'pulse', weight: 2 },
      { code: 'weight', weight: 8 },
      { code: 'cold_fever', weight: 12 },
      { code: 'short_interval', weight: 7 },
      { code: 'tooth_extraction', weight: 4 },
      { code: 'menstruation', weight: 4 },
      { code: 'medication', weight: 3 },
      { code: 'alcohol', weight: 2 },
      { code: 'tattoo', weight: 3 },
      { code: 'other', weight: 9 },
      // Rapid tests on the bus (issue 14): ALT above 50 U/L, a reactive HBsAg.
      { code: 'alt_high', weight: 5 },
      { code: 'hbsag_reactive', weight: 1 },
    ],
  },
  busFleet: [
    '豫C·X3101',
    '豫C·X3102',
    '豫C·X3103',
    '豫C·X3104',
    '豫C·X3105',
    '豫C·X3106',
    '豫C·X3107',
    '豫C·X3108',
    '豫C·X3109',
    '豫C·X3110',
  ],
  // Invented, in the range Chinese stations report (a few per 1,000 donations, mostly mild
  // vasovagal); buses about twice fixed sites (younger, first-time donors, no rest room).
  reactions: { fixedSite: 0.0035, bus: 0.0072, firstTimeFactor: 1.5, repeatFactor: 0.75, secondShare: 0.05 },
  // Invented: a few sites still screen Hb by copper sulphate; ~1.5 % short draws, ~1 % re-sticks,
  // 400 ml bleeds of 7 ± 2 minutes (so ~3 % pass the 12-minute platelet limit).
  clinic: {
    copperSulphateShare: 0.08,
    shortDrawShare: 0.015,
    failedVenipunctureShare: 0.01,
    bleedMinutes: { mean: 7, sd: 2.2 },
  },
  // Invented: a kiosk at some visits; self-exclusions are rare (a few per 1,000 in the literature on
  // confidential unit exclusion, fewer where the question is new); most donors agree to an SMS.
  questionnaire: { kioskShare: 0.15, selfExclusionShare: 0.002, contact: { sms: 0.55, wechat: 0.25, none: 0.2 } },
  voidedEntries: 40,
  aboCorrections: 60,
}
