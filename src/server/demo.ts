// The demo station `npm start` creates on first run (DEMO=1): Luoyang-like reference data, a
// roster with a known PIN, manager and admin logins, this year's targets, this year up to today as
// the generated seed year ran, and its drive plans, so a newcomer's first look reads as a real
// station's would (not a station failing every annual target). Never re-seeds.
import { addDays, daysBetween, isoDateOf, maxDate } from '../domain/dates'
import { createRng } from '../domain/generator/prng'
import { generateSeedYear } from '../domain/generator/seed-year'
import { newId } from '../domain/ids'
import { collectionDate } from '../domain/indicators'
import { hashPin } from '../domain/pin'
import type { DrivePlan } from '../domain/plans'
import type { FieldRecord, Target } from '../domain/records'
import { periodFor } from '../domain/targets'
import type { Db, Store } from './db/store'
import type { Logger } from './log'
import { insertAccount, prepareAccount } from './repo/accounts'
import { importBundle, rebaseStation, rosterForRecords } from './repo/import'
import { saveTarget } from './repo/reference'
import { insertPlans } from './repo/plans'
import { createStation, findStationByCode } from './repo/stations'

export const DEMO_LOGIN = {
  stationCode: 'demo',
  manager: { username: 'manager', password: 'demo-manager' },
  admin: { username: 'admin', password: 'demo-admin-pass' },
  /** Every demo staff member unlocks a phone with this PIN. */
  staffPin: '2580',
} as const

export const DEMO_TIME_ZONE = 'Asia/Shanghai'

// expiresOn: a reagent lot's expiry moves with its drive (else the station refuses every drive of the demo year).
const DATE_FIELDS = new Set(['collectedOn', 'date', 'until', 'expiresOn'])
const TIME_FIELDS = new Set(['createdAt', 'collectedAt', 'closedAt', 'occurredAt'])

/** The record with every date and time moved by `days` (times keep their offset). */
export function shiftRecord<T>(value: T, days: number): T {
  if (Array.isArray(value)) return value.map((v) => shiftRecord(v, days)) as T
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string' && DATE_FIELDS.has(key) && /^\d{4}-\d{2}-\d{2}$/.test(v)) out[key] = addDays(v, days)
    else if (typeof v === 'string' && TIME_FIELDS.has(key) && /^\d{4}-\d{2}-\d{2}T/.test(v))
      out[key] = addDays(v.slice(0, 10), days) + v.slice(10)
    else out[key] = shiftRecord(v, days)
  }
  return out as T
}

/**
 * The generated year moved by `shift` days, kept from `first` through `last`. Records that point at
 * something outside the window are left out with it.
 */
export function shiftedWindow(
  records: readonly FieldRecord[],
  shift: number,
  first: string,
  last: string,
): FieldRecord[] {
  const kept = new Set<string>()
  const out: FieldRecord[] = []
  for (const original of records) {
    const rec = shiftRecord(original, shift)
    const on = collectionDate(rec) ?? rec.createdAt.slice(0, 10)
    if (on < first || on > last) continue
    const pointsAt =
      rec.type === 'void' || rec.type === 'correction'
        ? rec.targetId
        : rec.type === 'adverse_reaction'
          ? rec.donationId
          : rec.type === 'drive_close'
            ? rec.driveId
            : rec.type === 'donation' || rec.type === 'deferral'
              ? rec.driveId
              : null
    if (pointsAt !== null && !kept.has(pointsAt)) continue
    kept.add(rec.id)
    out.push(rec)
  }
  return out
}

/** The last `days` days of a generated year, moved so that the year ends `today`. */
export function recentHistory(
  records: readonly FieldRecord[],
  yearEnd: string,
  today: string,
  days: number,
): FieldRecord[] {
  return shiftedWindow(records, daysBetween(yearEnd, today), addDays(today, -(days - 1)), today)
}

/** Days from the seed year's 1 January to this year's: the seed's calendar laid over this year. */
export function seedYearShift(seedYear: number, today: string): number {
  return daysBetween(`${seedYear}-01-01`, `${today.slice(0, 4)}-01-01`)
}

/**
 * This year up to `today` as the seed year ran (its shape: seasons, campaigns, the white-angel
 * month), so targets, pace and charts read as a real station's would on any day of the year.
 * With `days`, only the last `days` of that.
 */
export function yearToDate(
  records: readonly FieldRecord[],
  seedYear: number,
  today: string,
  days?: number,
): FieldRecord[] {
  const yearStart = `${today.slice(0, 4)}-01-01`
  const first = days === undefined ? yearStart : maxDate(yearStart, addDays(today, -(days - 1)))
  return shiftedWindow(records, seedYearShift(seedYear, today), first, today)
}

/**
 * A plan for every drive of the seed year laid over this year: the drives done were planned, and
 * the coming weeks' drives are planned ahead. Expected donors are the drive's donations give or
 * take a fifth (a plan is a forecast), the bag range the one the bus loaded.
 */
export function demoPlans(
  records: readonly FieldRecord[],
  seedYear: number,
  today: string,
  stationId: string,
): DrivePlan[] {
  const shift = seedYearShift(seedYear, today)
  const donations = new Map<string, number>()
  for (const r of records)
    if (r.type === 'donation' && r.driveId) donations.set(r.driveId, (donations.get(r.driveId) ?? 0) + 1)
  const rng = createRng(seedYear)
  const year = today.slice(0, 4)
  const plans: DrivePlan[] = []
  for (const r of records) {
    if (r.type !== 'drive') continue
    const date = addDays(r.date, shift)
    if (date.slice(0, 4) !== year) continue
    const n = donations.get(r.id) ?? 0
    plans.push({
      id: newId(),
      stationId,
      date,
      siteId: r.siteId,
      channelId: r.channelId,
      busCode: r.busCode,
      teamIds: r.teamIds,
      staffIds: r.staffIds,
      leaderStaffId: r.leaderStaffId,
      expectedDonors: Math.max(1, Math.round(n * (0.8 + 0.4 * rng.next()))),
      dinFirst: date >= today ? r.dinFirst : '',
      dinLast: date >= today ? r.dinLast : '',
      note: '',
    })
  }
  return plans
}

// The seed's rural sites are township collection points; villages the buses visit are added beside them.
const DEMO_VILLAGES: readonly { name: string; area: string }[] = [
  { name: '平乐镇平乐村', area: '孟津区' },
  { name: '潭头镇重渡沟村', area: '栾川县' },
  { name: '车村镇天桥沟村', area: '嵩县' },
  { name: '三乡镇东柳泉村', area: '宜阳县' },
  { name: '长水镇长水村', area: '洛宁县' },
  { name: '付店镇牛家村', area: '汝阳县' },
]

function demoTargets(stationId: string, today: string, ruralChannelId: string | undefined): Target[] {
  const year = periodFor('year', today)
  const month = periodFor('month', today)
  const station = { kind: 'station' as const, id: null }
  const t = (
    period: Target['period'],
    metric: Target['metric'],
    comparison: Target['comparison'],
    value: number,
    scope: Target['scope'] = station,
  ): Target => ({ id: newId(), stationId, period, scope, metric, comparison, value })
  const targets = [
    t(year, 'donations', '>=', 95_000),
    t(year, 'whole_blood_units', '>=', 170_000),
    t(year, 'rural_mobile_share', '>=', 32),
    t(year, 'rate_400ml', '>=', 99.5),
    t(year, 'repeat_donor_share', '>=', 67),
    t(year, 'per_1000', '>=', 13.5),
    t(year, 'deferral_rate', '<=', 10),
    t(month, 'donations', '>=', 8_000),
    t(month, 'rural_mobile_share', '>=', 32),
  ]
  if (ruralChannelId) {
    targets.push(t(month, 'bus_trips', '>=', 70, { kind: 'channel', id: ruralChannelId }))
    // The seed's 787 rural trips a year: the pace the plans are measured against.
    targets.push(t(year, 'bus_trips', '>=', 787, { kind: 'channel', id: ruralChannelId }))
  }
  return targets
}

export interface DemoOptions {
  log: Logger
  /** Only the last `days` days of this year up to today (default: the whole year to date). */
  days?: number
  now?: Date
  pinIterations?: number
}

/** Creates the demo station unless it exists; returns whether it did. */
export async function ensureDemoStation(store: Store, opts: DemoOptions): Promise<boolean> {
  if (await findStationByCode(store.db, DEMO_LOGIN.stationCode)) {
    opts.log.info('demo station present', { station: DEMO_LOGIN.stationCode })
    return false
  }
  const started = Date.now()
  const today = isoDateOf(opts.now ?? new Date(), DEMO_TIME_ZONE)
  const seed = generateSeedYear({ profile: 'luoyang-2023', seed: 2023 })
  const station = await createStation(store.db, {
    code: DEMO_LOGIN.stationCode,
    name: '示范中心血站 Demo Blood Station',
    timeZone: DEMO_TIME_ZONE,
  })
  await insertAccount(store.db, station.id, await prepareAccount({ ...DEMO_LOGIN.admin, role: 'admin' }))
  await insertAccount(store.db, station.id, await prepareAccount({ ...DEMO_LOGIN.manager, role: 'manager' }))

  const fromId = seed.reference.stations[0]!.id
  const history = yearToDate(seed.records, seed.year, today, opts.days)
  const records = rebaseStation(history, fromId, station.id)
  const reference = rebaseStation(seed.reference, fromId, station.id)
  const thisYear = Number(today.slice(0, 4))
  const population = reference.populations[0]?.population ?? 7_077_000
  const pinHash = await hashPin(
    DEMO_LOGIN.staffPin,
    opts.pinIterations === undefined ? {} : { iterations: opts.pinIterations },
  )
  const wholeYear = rebaseStation(seed.records, fromId, station.id)
  const roster = rosterForRecords(wholeYear, station.id, pinHash).map((member, i) => ({
    ...member,
    name: demoStaffName(i),
  }))
  const villages = DEMO_VILLAGES.map((v) => ({
    id: newId(),
    stationId: station.id,
    name: v.name,
    kind: 'village' as const,
    area: v.area,
  }))
  const summary = await importBundle(store, station.id, {
    sites: [...reference.sites, ...villages],
    channels: reference.channels,
    teams: reference.teams,
    populations: [...new Set([thisYear - 1, thisYear])].map((year) => ({ stationId: station.id, year, population })),
    roster,
    records,
  })
  const rural = reference.channels.find((c) => c.ruralMobile)?.id
  const plans = demoPlans(wholeYear, seed.year, today, station.id)
  await store.db.transaction().execute(async (trx) => {
    for (const target of demoTargets(station.id, today, rural)) await saveTarget(trx, station.id, target)
    await insertPlans(trx, station.id, plans)
    await flagEmergencyTeam(trx, station.id, records, reference.teams.find((tm) => tm.code === 'county_emergency')?.id)
  })
  opts.log.info('demo station created', {
    station: DEMO_LOGIN.stationCode,
    records: summary.applied,
    rejected: summary.rejected,
    staff: roster.length,
    plans: plans.length,
    ms: Date.now() - started,
  })
  return true
}

/** Donors who gave on a county emergency team's drives (the first 300) make the station's emergency team (call-up lists). */
async function flagEmergencyTeam(
  db: Db,
  stationId: string,
  records: readonly FieldRecord[],
  teamId: string | undefined,
): Promise<void> {
  if (!teamId) return
  const keys = new Set<string>()
  for (const r of records) if (r.type === 'donation' && r.donorKey && r.teamIds.includes(teamId)) keys.add(r.donorKey)
  const at = new Date().toISOString()
  // A county team is a few hundred people on call, not everyone who ever gave on its drives.
  const rows = [...keys].slice(0, 300).map((k) => ({
    station_id: stationId,
    donor_key: k,
    emergency_team: 1 as const,
    updated_at: at,
    updated_by: null,
  }))
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('donor_flags')
      .values(rows.slice(i, i + 500))
      .execute()
}

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗'
const GIVEN_NAMES = [
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '霞',
  '平',
  '刚',
]

/**
 * A crew member's name in the demo, as a station's roster reads (an import without a roster names
 * them 车长 01, 采血员 02 for the station to rename). Distinct for the first 400: members 20 apart
 * share a surname and differ in the given name.
 */
export function demoStaffName(i: number): string {
  const given = GIVEN_NAMES[(7 * i + Math.floor(i / SURNAMES.length)) % GIVEN_NAMES.length]!
  return `${SURNAMES[i % SURNAMES.length]!}${given}`
}

/** The lines printed at start so a newcomer can sign in. */
export function demoBanner(url: string): string {
  return [
    'Demo station (DEMO=1):',
    `  station pages: ${url}station  — station code "${DEMO_LOGIN.stationCode}", manager "${DEMO_LOGIN.manager.username}" / "${DEMO_LOGIN.manager.password}", admin "${DEMO_LOGIN.admin.username}" / "${DEMO_LOGIN.admin.password}"`,
    `  phones: enroll with a code from the station pages (Phones · 手机); every demo staff member's PIN is ${DEMO_LOGIN.staffPin}`,
  ].join('\n')
}
