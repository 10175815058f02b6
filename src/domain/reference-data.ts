// Default reference data: the channels and teams of the seed's annual review with their Chinese
// and English names, and the bundle of reference data a report or an interchange file carries.
import type { IndicatorContext } from './indicators'
import type { Channel, Population, Site, Station, Team } from './records'
import { RURAL_MOBILE_CHANNEL, SEED_CHANNEL_CODES, SEED_TEAM_CODES } from './record-codes'

export interface ChannelDefinition {
  code: (typeof SEED_CHANNEL_CODES)[number]
  nameZh: string
  nameEn: string
  ruralMobile: boolean
}

export interface TeamDefinition {
  code: (typeof SEED_TEAM_CODES)[number]
  nameZh: string
  nameEn: string
}

export const SEED_CHANNELS: readonly ChannelDefinition[] = [
  { code: 'government_agencies', nameZh: '市直机关', nameEn: 'Government agencies', ruralMobile: false },
  { code: 'universities', nameZh: '高校', nameEn: 'Universities', ruralMobile: false },
  { code: 'rural_mobile', nameZh: '乡村流动', nameEn: 'Rural mobile', ruralMobile: true },
  { code: 'medical_staff_month', nameZh: '白衣天使献血月', nameEn: 'Medical staff month', ruralMobile: false },
  { code: 'enterprises', nameZh: '爱心企业', nameEn: 'Enterprises', ruralMobile: false },
  { code: 'street_fixed', nameZh: '街头及固定献血点', nameEn: 'Street and fixed sites', ruralMobile: false },
]

export const SEED_TEAMS: readonly TeamDefinition[] = [
  { code: 'county_emergency', nameZh: '县区应急献血队伍', nameEn: 'County emergency donor teams' },
  { code: 'military', nameZh: '驻地部队', nameEn: 'Army units' },
  { code: 'apheresis_platelet', nameZh: '单采血小板献血队伍', nameEn: 'Apheresis platelet donors' },
  { code: 'rare_blood_type', nameZh: '稀有血型献血队伍', nameEn: 'Rare blood type (RhD negative) donors' },
  { code: 'volunteers', nameZh: '志愿服务队伍', nameEn: 'Volunteer service teams' },
]

// Keep the data in step with the codes the shared contract lists.
for (const code of SEED_CHANNEL_CODES) {
  if (!SEED_CHANNELS.some((c) => c.code === code)) throw new Error(`no seed channel definition for ${code}`)
}
for (const code of SEED_TEAM_CODES) {
  if (!SEED_TEAMS.some((t) => t.code === code)) throw new Error(`no seed team definition for ${code}`)
}
if (!SEED_CHANNELS.some((c) => c.code === RURAL_MOBILE_CHANNEL && c.ruralMobile))
  throw new Error('rural_mobile must be rural-mobile')

/** Channel records for a station, ids made by `makeId` (e.g. newId, or a seeded id for demo data). */
export function seedChannels(stationId: string, makeId: () => string): Channel[] {
  return SEED_CHANNELS.map((c) => ({ id: makeId(), stationId, ...c }))
}

export function seedTeams(stationId: string, makeId: () => string): Team[] {
  return SEED_TEAMS.map((t) => ({ id: makeId(), stationId, ...t }))
}

/** The reference data that reports and interchange files carry beside the field records. */
export interface ReferenceData {
  stations: Station[]
  sites: Site[]
  channels: Channel[]
  teams: Team[]
  populations: Population[]
}

export function emptyReferenceData(): ReferenceData {
  return { stations: [], sites: [], channels: [], teams: [], populations: [] }
}

/**
 * The indicator context the reference data gives for a year: rural-mobile channels, and the
 * population of that year (summed over stations; null when none is known). Without a year the
 * latest year known is used.
 */
export function indicatorContextFor(reference: ReferenceData, year?: number): IndicatorContext {
  const ruralMobileChannelIds = new Set(reference.channels.filter((c) => c.ruralMobile).map((c) => c.id))
  const years = reference.populations.map((p) => p.year)
  const y = year ?? (years.length > 0 ? Math.max(...years) : undefined)
  const rows = reference.populations.filter((p) => p.year === y)
  const population = rows.length > 0 ? rows.reduce((s, p) => s + p.population, 0) : null
  return { ruralMobileChannelIds, population }
}
