// A full synthetic collection year that reproduces a profile's published figures exactly
// (the first acceptance test of the indicator code, docs/domain.md "Indicators"). Deterministic
// by seed.
//
// How the quotas are met: every published figure is a count fixed before any randomness (month
// totals, program sizes, drive counts, products), and the few that are donor attributes (rural
// household, repeat donor, team membership) are drawn at random and then adjusted donor by donor
// until they hit their count. The seed only moves what no figure fixes: days, drive sizes, donors,
// blood groups, vitals, deferrals.
import { DEFERRAL_REASONS, deferralUntil, findDeferralReason } from '../deferral-reasons'
import { isbt128Din } from '../din'
import { DEFAULT_QUESTIONNAIRE, newPublicRef } from '../questionnaire'
import { addDays, addMonths } from '../dates'
import { type ReactionCode } from '../haemovigilance'
import type { Bleed, RapidTests, ReagentLot } from '../records'
import { RAPID_TESTS } from '../record-codes'
import type {
  Abo,
  AdverseReaction,
  Channel,
  Correction,
  Deferral,
  Donation,
  Drive,
  DriveClose,
  FieldRecord,
  Population,
  Site,
  Station,
  Team,
  Void,
  Vitals,
} from '../records'
import { seedChannels, seedTeams, type ReferenceData } from '../reference-data'
import { LUOYANG_2023 } from './luoyang-2023'
import type { CollectionProgram, DonorMix, SeedYearProfile, TeamCode } from './profile'
import { apportion, createRng, type Rng } from './prng'

export const SEED_YEAR_PROFILES: Readonly<Record<string, SeedYearProfile>> = Object.freeze({
  [LUOYANG_2023.id]: LUOYANG_2023,
})
export const DEFAULT_SEED = 2023

export interface SeedYearOptions {
  profile: string
  seed?: number
}

export interface SeedYear {
  profile: string
  seed: number
  year: number
  reference: ReferenceData
  /** Field records in the order a station would receive them (createdAt, then id). */
  records: FieldRecord[]
}

const DAY_MS = 86_400_000
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'))
const WB_INTERVAL_DAYS = 183 // whole → whole: 6 months
const APHERESIS_INTERVAL_DAYS = 14 // platelets → platelets: 2 weeks
const APHERESIS_MAX_PER_YEAR = 24

interface Slot {
  day: number
  /** Second of the day (station time). */
  second: number
  program: number
  drive: number // -1 outside any drive
  site: number
  apheresis: boolean
  rare: boolean
  donor: number
  volume: 200 | 300 | 400
  doses: 1 | 2
  din: string
}

interface DriveDraft {
  day: number
  program: number
  site: number
  bus: number
  size: number
  slots: number[]
  id: string
  device: string
  leader: string
  staff: string[]
  firstSeq: number
  loaded: number
  spoiled: number
}

interface Donor {
  key: string
  mix: DonorMix
  program: number
  slots: number[]
  sex: 'M' | 'F'
  age: number
  household: 'rural' | 'urban'
  abo: Abo
  rhd: 'pos' | 'neg'
  prior: boolean
  county: boolean
  volunteer: boolean
}

/** Generates the year; throws if the profile's quotas cannot all be met (a profile error). */
export function generateSeedYear(options: SeedYearOptions): SeedYear {
  const profile = SEED_YEAR_PROFILES[options.profile]
  if (!profile)
    throw new RangeError(
      `unknown seed-year profile ${JSON.stringify(options.profile)}; known: ${Object.keys(SEED_YEAR_PROFILES).join(', ')}`,
    )
  const seed = (options.seed ?? DEFAULT_SEED) >>> 0
  return new YearBuilder(profile, seed).build()
}

class YearBuilder {
  private readonly rng: Rng
  private readonly year: number
  private readonly yearStartMs: number
  private readonly offsetMs: number
  private readonly nDays: number
  private readonly dayMonth: number[] = []
  private readonly dayWeekday: number[] = []

  private readonly slots: Slot[] = []
  private readonly drives: DriveDraft[] = []
  private readonly donors: Donor[] = []
  private readonly sites: Site[] = []
  private readonly programSites: number[][] = []
  private readonly siteDevice: string[] = []
  private readonly siteStaff: string[][] = []

  private station!: Station
  private channels!: Map<string, Channel>
  private teams!: Map<TeamCode, Team>
  private busDevices: string[][] = []
  private leaders: string[] = []
  private collectors: string[] = []
  private managers: string[] = []
  private stationDevice = ''

  private readonly out: { ms: number; rec: FieldRecord }[] = []

  constructor(
    private readonly profile: SeedYearProfile,
    private readonly seed: number,
  ) {
    this.rng = createRng(seed)
    this.year = profile.year
    this.yearStartMs = Date.UTC(this.year, 0, 1)
    this.offsetMs = parseOffset(profile.station.utcOffset)
    this.nDays = Math.round((Date.UTC(this.year + 1, 0, 1) - this.yearStartMs) / DAY_MS)
    for (let d = 0; d < this.nDays; d++) {
      const dt = new Date(this.yearStartMs + d * DAY_MS)
      this.dayMonth.push(dt.getUTCMonth())
      this.dayWeekday.push(dt.getUTCDay())
    }
  }

  build(): SeedYear {
    this.checkProfile()
    const reference = this.makeReference()
    this.makeStaff()
    const apheresisByMonth = this.scheduleApheresis()
    this.planWholeBlood(apheresisByMonth)
    this.markRareWholeBlood()
    this.formWholeBloodDonors()
    this.describeDonors()
    this.adjustHousehold()
    this.adjustPriorDonors()
    this.assignAges()
    this.assignTeams()
    this.assignProducts()
    this.assignTimesAndDins()
    this.emitDrives()
    this.emitDonations()
    this.emitDeferrals()
    this.out.sort((a, b) => a.ms - b.ms || (a.rec.id < b.rec.id ? -1 : a.rec.id > b.rec.id ? 1 : 0))
    return {
      profile: this.profile.id,
      seed: this.seed,
      year: this.year,
      reference,
      records: this.out.map((o) => o.rec),
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Time, ids

  /** Instant (ms) of a station-local day and second (the second may run past midnight). */
  private instant(day: number, second: number): number {
    return this.yearStartMs + day * DAY_MS + second * 1000 - this.offsetMs
  }

  /** ISO 8601 in station time with its offset, e.g. 2023-06-14T09:30:00.000+08:00 (hot path: no Date). */
  private localIso(ms: number): string {
    const local = ms + this.offsetMs - this.yearStartMs
    const day = Math.floor(local / DAY_MS)
    let rest = local - day * DAY_MS
    const h = Math.floor(rest / 3_600_000)
    rest -= h * 3_600_000
    const m = Math.floor(rest / 60_000)
    rest -= m * 60_000
    const s = Math.floor(rest / 1000)
    const milli = rest - s * 1000
    return `${this.dateOf(day)}T${PAD2[h]}:${PAD2[m]}:${PAD2[s]}.${String(milli).padStart(3, '0')}${this.profile.station.utcOffset}`
  }

  private readonly dateCache = new Map<number, string>()

  private dateOf(day: number): string {
    let date = this.dateCache.get(day)
    if (date === undefined) {
      date = new Date(this.yearStartMs + day * DAY_MS).toISOString().slice(0, 10)
      this.dateCache.set(day, date)
    }
    return date
  }

  /** UUIDv7 whose time is `ms` and whose random bits come from the seeded stream. */
  private uuid(ms: number): string {
    const t = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0')
    const r = this.rng.hex(18)
    return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${r.slice(0, 3)}-${'89ab'[this.rng.int(4)]}${r.slice(3, 6)}-${r.slice(6, 18)}`
  }

  private emit(ms: number, rec: FieldRecord): void {
    this.out.push({ ms, rec })
  }

  // ---------------------------------------------------------------------------------------------
  // Reference data and people

  private checkProfile(): void {
    const p = this.profile
    const monthSum = p.monthTotals.reduce((s, n) => s + n, 0)
    const wb = p.wholeBlood.ml400 + p.wholeBlood.ml300 + p.wholeBlood.ml200
    if (p.monthTotals.length !== 12) throw new Error('profile: 12 month totals needed')
    if (monthSum !== wb + p.apheresis.donations)
      throw new Error(`profile: months add up to ${monthSum}, products to ${wb + p.apheresis.donations}`)
    const aph = p.programs.filter((x) => x.product === 'apheresis')
    if (aph.length !== 1 || aph[0]!.donations !== p.apheresis.donations)
      throw new Error('profile: one apheresis program with all apheresis donations')
    if (p.programs.filter((x) => x.donations === 'rest').length !== 1)
      throw new Error("profile: exactly one 'rest' program")
    for (const r of p.deferrals.reasons) {
      if (!findDeferralReason(r.code, DEFERRAL_REASONS))
        throw new Error(`profile: deferral reason ${r.code} is not in the catalogue`)
    }
  }

  private makeReference(): ReferenceData {
    const refMs = this.yearStartMs - 90 * DAY_MS
    const id = () => this.uuid(refMs)
    this.station = {
      id: id(),
      code: this.profile.station.code,
      name: this.profile.station.name,
      timeZone: this.profile.station.timeZone,
    }
    const stationId = this.station.id
    const channels = seedChannels(stationId, id)
    const teams = seedTeams(stationId, id)
    this.channels = new Map(channels.map((c) => [c.code, c]))
    this.teams = new Map(teams.map((t) => [t.code as TeamCode, t]))
    for (const program of this.profile.programs) {
      if (!this.channels.has(program.channel)) throw new Error(`profile: unknown channel ${program.channel}`)
      const idx: number[] = []
      program.sites.names.forEach((name, i) => {
        idx.push(this.sites.length)
        const areas = program.sites.areas
        this.sites.push({ id: id(), stationId, name, kind: program.sites.kind, area: areas[i % areas.length] ?? '' })
      })
      this.programSites.push(idx)
    }
    const population: Population = { stationId, year: this.year, population: this.profile.population }
    return { stations: [this.station], sites: this.sites, channels, teams, populations: [population] }
  }

  private makeStaff(): void {
    const ms = this.yearStartMs - 60 * DAY_MS
    const ids = (n: number) => Array.from({ length: n }, () => this.uuid(ms))
    const fleet = this.profile.busFleet.length
    this.leaders = ids(fleet + 2)
    this.collectors = ids(fleet * 4)
    this.managers = ids(2)
    this.busDevices = Array.from({ length: fleet }, () => ids(2))
    this.stationDevice = this.uuid(ms)
    for (let s = 0; s < this.sites.length; s++) {
      this.siteDevice.push(this.uuid(ms))
      this.siteStaff.push(ids(3))
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Where and when

  private programIndex(code: string): number {
    const i = this.profile.programs.findIndex((p) => p.code === code)
    if (i < 0) throw new Error(`profile: unknown program ${code}`)
    return i
  }

  private newSlot(day: number, program: number, drive: number, site: number, apheresis: boolean): number {
    this.slots.push({
      day,
      second: 0,
      program,
      drive,
      site,
      apheresis,
      rare: false,
      donor: -1,
      volume: 400,
      doses: 1,
      din: '',
    })
    return this.slots.length - 1
  }

  private newDonor(program: number, mix: DonorMix, slots: number[], rhd: 'pos' | 'neg'): void {
    const d = this.donors.length
    this.donors.push({
      key: this.rng.hex(32),
      mix,
      program,
      slots,
      sex: 'M',
      age: 30,
      household: 'urban',
      abo: 'O',
      rhd,
      prior: false,
      county: false,
      volunteer: false,
    })
    for (const s of slots) this.slots[s]!.donor = d
  }

  /** Apheresis donors on their own schedules: ≥ 14 days apart, ≤ 24 a year. Returns donations per month. */
  private scheduleApheresis(): number[] {
    const rng = this.rng.fork('apheresis')
    const pIdx = this.profile.programs.findIndex((p) => p.product === 'apheresis')
    const program = this.profile.programs[pIdx]!
    const site = this.programSites[pIdx]![0]!
    const rare = this.profile.teams.rareBloodType.apheresis
    const byMonth = Array<number>(12).fill(0)
    const schedule = (total: number, rareDonors: boolean) => {
      let left = total
      while (left > 0) {
        const r = rng.next()
        let n = rareDonors
          ? rng.between(3, 10)
          : r < 0.35
            ? rng.between(1, 3)
            : r < 0.7
              ? rng.between(4, 12)
              : rng.between(13, APHERESIS_MAX_PER_YEAR)
        n = Math.min(n, left)
        const span = this.nDays - 1 - APHERESIS_INTERVAL_DAYS * (n - 1)
        const days = Array.from({ length: n }, () => rng.int(span + 1))
          .sort((a, b) => a - b)
          .map((d, i) => d + APHERESIS_INTERVAL_DAYS * i)
        const slots = days.map((day) => {
          byMonth[this.dayMonth[day]!]! += 1
          const s = this.newSlot(day, pIdx, -1, site, true)
          this.slots[s]!.rare = rareDonors
          return s
        })
        this.newDonor(pIdx, program.donors, slots, rareDonors ? 'neg' : 'pos')
        left -= n
      }
    }
    schedule(rare, true)
    schedule((program.donations as number) - rare, false)
    return byMonth
  }

  /** Month counts per whole-blood program, drives, and one slot per donation. */
  private planWholeBlood(apheresisByMonth: number[]): void {
    const rng = this.rng.fork('plan')
    const programs = this.profile.programs
    const monthCounts: number[][] = programs.map((p) =>
      p.product === 'whole_blood' && typeof p.donations === 'number'
        ? apportion(p.donations, p.monthWeights ?? uniformMonths())
        : Array<number>(12).fill(0),
    )
    const restIdx = programs.findIndex((p) => p.donations === 'rest')
    for (let m = 0; m < 12; m++) {
      const others = monthCounts.reduce((s, row) => s + row[m]!, 0) + apheresisByMonth[m]!
      const rest = this.profile.monthTotals[m]! - others
      if (rest < 0) throw new Error(`profile: month ${m + 1} has fewer donations than its programs need (${rest})`)
      monthCounts[restIdx]![m] = rest
    }

    const busesOnDay = new Uint16Array(this.nDays)
    programs.forEach((program, pIdx) => {
      if (program.product !== 'whole_blood') return
      const counts = monthCounts[pIdx]!
      if (program.drives === null) {
        this.fixedSiteSlots(program, pIdx, counts, rng)
        return
      }
      const drivesPerMonth = apportion(program.drives, counts)
      for (let m = 0; m < 12; m++) {
        while (counts[m]! > 0 && drivesPerMonth[m] === 0) {
          const from = drivesPerMonth.indexOf(Math.max(...drivesPerMonth))
          drivesPerMonth[from]! -= 1
          drivesPerMonth[m] = 1
        }
        if (counts[m] === 0) drivesPerMonth[m] = 0
        if (drivesPerMonth[m]! > counts[m]!)
          throw new Error(`profile: ${program.code} has more drives than donations in month ${m + 1}`)
      }
      if (drivesPerMonth.reduce((s, n) => s + n, 0) !== program.drives)
        throw new Error(`profile: ${program.code} drives do not fit its months`)
      // Every site is visited before any is visited again (e.g. all 31 enterprises).
      const siteQueue: number[] = []
      const nextSite = () => {
        if (siteQueue.length === 0) siteQueue.push(...rng.shuffle([...this.programSites[pIdx]!]))
        return siteQueue.pop()!
      }
      for (let m = 0; m < 12; m++) {
        const n = drivesPerMonth[m]!
        if (n === 0) continue
        const days = this.daysOf(m, program.weekdaysOnly)
        const sizes = apportion(
          counts[m]!,
          Array.from({ length: n }, () => 0.5 + rng.next()),
        )
        for (let k = 0; k < n; k++) {
          // apportion may leave a drive empty when a month has barely more donations than drives.
          if (sizes[k] === 0) {
            const from = sizes.indexOf(Math.max(...sizes))
            sizes[from]! -= 1
            sizes[k] = 1
          }
        }
        for (let k = 0; k < n; k++) {
          const day = rng.pick(days)
          const bus = busesOnDay[day]! % this.profile.busFleet.length
          busesOnDay[day]! += 1
          const driveIdx = this.drives.length
          const site = nextSite()
          const draft: DriveDraft = {
            day,
            program: pIdx,
            site,
            bus,
            size: sizes[k]!,
            slots: [],
            id: '',
            device: '',
            leader: '',
            staff: [],
            firstSeq: 0,
            loaded: 0,
            spoiled: 0,
          }
          for (let i = 0; i < draft.size; i++) draft.slots.push(this.newSlot(day, pIdx, driveIdx, site, false))
          this.drives.push(draft)
        }
      }
    })
  }

  private daysOf(month: number, weekdaysOnly: boolean): number[] {
    const days: number[] = []
    for (let d = 0; d < this.nDays; d++) {
      if (this.dayMonth[d] !== month) continue
      const wd = this.dayWeekday[d]!
      if (weekdaysOnly && (wd === 0 || wd === 6)) continue
      days.push(d)
    }
    return days
  }

  private fixedSiteSlots(program: CollectionProgram, pIdx: number, counts: number[], rng: Rng): void {
    const sites = this.programSites[pIdx]!
    // Street donation houses draw more than county fixed sites.
    const siteWeights = sites.map((s) => (this.sites[s]!.name.includes('献血屋') ? 1 : 0.5))
    for (let m = 0; m < 12; m++) {
      const days = this.daysOf(m, program.weekdaysOnly)
      const weights = days.map((d) =>
        this.dayWeekday[d] === 0 || this.dayWeekday[d] === 6 ? program.weekendWeight : 1,
      )
      for (let i = 0; i < counts[m]!; i++) {
        this.newSlot(days[rng.weighted(weights)]!, pIdx, -1, sites[rng.weighted(siteWeights)]!, false)
      }
    }
  }

  /** RhD-negative (rare-type team) whole-blood donations: mostly call-ups to street sites, the rest anywhere. */
  private markRareWholeBlood(): void {
    const rng = this.rng.fork('rare')
    const { wholeBlood, streetShare } = this.profile.teams.rareBloodType
    const restIdx = this.profile.programs.findIndex((p) => p.donations === 'rest')
    const street: number[] = []
    const elsewhere: number[] = []
    this.slots.forEach((s, i) => {
      if (s.apheresis || this.profile.programs[s.program]!.team !== null) return
      ;(s.program === restIdx ? street : elsewhere).push(i)
    })
    const nStreet = Math.round(wholeBlood * streetShare)
    for (const i of [...sample(street, nStreet, rng), ...sample(elsewhere, wholeBlood - nStreet, rng)])
      this.slots[i]!.rare = true
  }

  // ---------------------------------------------------------------------------------------------
  // Donors

  /** Whole-blood donors: one donation, or two at least 6 months apart, within one pool. */
  private formWholeBloodDonors(): void {
    const rng = this.rng.fork('donors')
    const pools = new Map<string, { program: number; mix: DonorMix; slots: number[] }>()
    const streetIdx = this.profile.programs.findIndex((p) => p.donations === 'rest')
    this.slots.forEach((s, i) => {
      if (s.apheresis) return
      const key = s.rare ? 'rare' : String(s.program)
      let pool = pools.get(key)
      if (!pool) {
        const program = s.rare ? streetIdx : s.program
        const mix = this.profile.programs[program]!.donors
        pool = { program, mix: s.rare ? { ...mix, secondDonationShare: 0.35 } : mix, slots: [] }
        pools.set(key, pool)
      }
      pool.slots.push(i)
    })
    for (const [key, pool] of pools) {
      const buckets: number[][] = Array.from({ length: this.nDays }, () => [])
      for (const s of rng.shuffle(pool.slots)) buckets[this.slots[s]!.day]!.push(s)
      const takeFrom = (lo: number): number => {
        const span = this.nDays - lo
        const start = lo + rng.int(span)
        for (let k = 0; k < span; k++) {
          const bucket = buckets[lo + ((start - lo + k) % span)]!
          if (bucket.length > 0) return bucket.pop()!
        }
        return -1
      }
      for (let d = 0; d < this.nDays; d++) {
        for (const s of buckets[d]!) {
          const donorSlots = [s]
          if (d + WB_INTERVAL_DAYS < this.nDays && rng.chance(pool.mix.secondDonationShare)) {
            const partner = takeFrom(d + WB_INTERVAL_DAYS)
            if (partner >= 0) donorSlots.push(partner)
          }
          this.newDonor(pool.program, pool.mix, donorSlots, key === 'rare' ? 'neg' : 'pos')
        }
      }
    }
  }

  private describeDonors(): void {
    const rng = this.rng.fork('describe')
    const aboKeys = Object.keys(this.profile.aboShares) as Abo[]
    const aboWeights = aboKeys.map((k) => this.profile.aboShares[k])
    for (const donor of this.donors) {
      donor.sex = rng.chance(donor.mix.maleShare) ? 'M' : 'F'
      donor.household = rng.chance(donor.mix.ruralHouseholdShare) ? 'rural' : 'urban'
      donor.prior = rng.chance(donor.mix.priorDonorShare)
      donor.abo = aboKeys[rng.weighted(aboWeights)]!
      donor.slots.sort((a, b) => this.slots[a]!.day - this.slots[b]!.day)
    }
  }

  /** Flips single-donation donors until rural-household donations hit the profile's count. */
  private adjustHousehold(): void {
    const rng = this.rng.fork('household')
    let current = 0
    for (const d of this.donors) if (d.household === 'rural') current += d.slots.length
    let diff = this.profile.ruralDonorDonations - current
    const want = diff > 0 ? 'urban' : 'rural'
    const candidates = rng.shuffle(this.donors.filter((d) => d.slots.length === 1 && d.household === want))
    for (const d of candidates) {
      if (diff === 0) break
      d.household = diff > 0 ? 'rural' : 'urban'
      diff += diff > 0 ? -1 : 1
    }
    if (diff !== 0) throw new Error(`profile: cannot reach ${this.profile.ruralDonorDonations} rural-donor donations`)
  }

  /**
   * Repeat donations: every donation after a donor's first in the year is a repeat; the first is
   * one when the donor gave before the year. Those "gave before" flags are adjusted to the count.
   */
  private adjustPriorDonors(): void {
    const rng = this.rng.fork('prior')
    let current = 0
    for (const d of this.donors) current += d.slots.length - 1 + (d.prior ? 1 : 0)
    let diff = this.profile.repeatDonorDonations - current
    const candidates = rng.shuffle(this.donors.filter((d) => d.prior === diff < 0))
    for (const d of candidates) {
      if (diff === 0) break
      d.prior = diff > 0
      diff += diff > 0 ? -1 : 1
    }
    if (diff !== 0) throw new Error(`profile: cannot reach ${this.profile.repeatDonorDonations} repeat-donor donations`)
  }

  private assignAges(): void {
    const rng = this.rng.fork('ages')
    for (const d of this.donors) {
      const [lo, hi] = d.mix.ageRange
      // Triangular: most donors in the middle of the range.
      d.age = lo + Math.floor(((rng.next() + rng.next()) / 2) * (hi - lo + 1))
      // GB 18467: a repeat donor in good standing may give up to 60.
      if (hi === 55 && d.prior && rng.chance(0.04)) d.age = rng.between(56, 60)
    }
  }

  /** Team memberships that are donor attributes, to their exact donation counts. */
  private assignTeams(): void {
    const rng = this.rng.fork('teams')
    const fill = (
      spec: { donations: number; programs: readonly string[] },
      set: (d: Donor) => void,
      taken: (d: Donor) => boolean,
    ) => {
      const allowed = new Set(spec.programs.map((c) => this.programIndex(c)))
      let left = spec.donations
      for (const d of rng.shuffle(this.donors.filter((x) => allowed.has(x.program) && x.rhd === 'pos' && !taken(x)))) {
        if (left === 0) break
        if (d.slots.length <= left) {
          set(d)
          left -= d.slots.length
        }
      }
      if (left !== 0) throw new Error(`profile: cannot fill a team to ${spec.donations} donations`)
    }
    fill(
      this.profile.teams.countyEmergency,
      (d) => {
        d.county = true
      },
      (d) => this.slots[d.slots[0]!]!.apheresis,
    )
    fill(
      this.profile.teams.volunteers,
      (d) => {
        d.volunteer = true
      },
      (d) => d.county || this.slots[d.slots[0]!]!.apheresis,
    )
  }

  /** 200 and 300 ml from lighter women donors; two-dose platelet donations at random. */
  private assignProducts(): void {
    const rng = this.rng.fork('products')
    const womenWholeBlood: number[] = []
    const apheresis: number[] = []
    this.slots.forEach((s, i) => {
      if (s.apheresis) apheresis.push(i)
      else if (this.donors[s.donor]!.sex === 'F') womenWholeBlood.push(i)
    })
    const { ml200, ml300 } = this.profile.wholeBlood
    const small = sample(womenWholeBlood, ml200 + ml300, rng)
    small.forEach((i, k) => {
      this.slots[i]!.volume = k < ml200 ? 200 : 300
    })
    for (const i of sample(apheresis, this.profile.apheresis.twoDoseDonations, rng)) this.slots[i]!.doses = 2
  }

  // ---------------------------------------------------------------------------------------------
  // Times, bags, records

  private dinBody(seq: number): string {
    if (seq > 999_999) throw new Error('profile: more bags than one DIN series holds')
    return `${this.profile.dinFacility}${String(this.year % 100).padStart(2, '0')}${String(seq).padStart(6, '0')}`
  }

  private assignTimesAndDins(): void {
    const rng = this.rng.fork('times')
    const fixedByDay: number[][] = Array.from({ length: this.nDays }, () => [])
    this.slots.forEach((s, i) => {
      if (s.drive >= 0) return
      s.second = rng.between(8 * 3600, 17 * 3600 + 1800)
      fixedByDay[s.day]!.push(i)
    })
    const drivesByDay: number[][] = Array.from({ length: this.nDays }, () => [])
    this.drives.forEach((dr, i) => {
      // Donors come through the bus between 08:30 and 16:30, one every few minutes.
      const step = (8 * 3600) / dr.size
      dr.slots.forEach((s, k) => {
        this.slots[s]!.second = 8 * 3600 + 1800 + Math.floor(k * step + rng.next() * step * 0.8)
      })
      drivesByDay[dr.day]!.push(i)
    })
    let seq = 1
    for (let d = 0; d < this.nDays; d++) {
      for (const i of drivesByDay[d]!.sort((a, b) => this.drives[a]!.bus - this.drives[b]!.bus)) {
        const dr = this.drives[i]!
        dr.loaded = Math.ceil((dr.size + 5) / 10) * 10 // boxes of ten, a few spare
        dr.spoiled = rng.weighted([6, 3, 1])
        dr.firstSeq = seq
        dr.slots.forEach((s, k) => {
          this.slots[s]!.din = isbt128Din.format(this.dinBody(seq + k))
        })
        seq += dr.loaded
      }
      for (const s of fixedByDay[d]!.sort((a, b) => this.slots[a]!.second - this.slots[b]!.second)) {
        this.slots[s]!.din = isbt128Din.format(this.dinBody(seq++))
      }
    }
  }

  private emitDrives(): void {
    const rng = this.rng.fork('drives')
    const stationId = this.station.id
    for (const dr of this.drives) {
      const program = this.profile.programs[dr.program]!
      const ms = this.instant(dr.day, 7 * 3600 + 40 * 60 + dr.bus * 60)
      dr.id = this.uuid(ms)
      dr.device = rng.pick(this.busDevices[dr.bus]!)
      dr.leader = rng.pick(this.leaders)
      dr.staff = [dr.leader, ...sample(this.collectors, 3, rng)]
      const drive: Drive = {
        type: 'drive',
        id: dr.id,
        stationId,
        deviceId: dr.device,
        authorStaffId: dr.leader,
        createdAt: this.localIso(ms),
        busCode: this.profile.busFleet[dr.bus]!,
        siteId: this.sites[dr.site]!.id,
        channelId: this.channels.get(program.channel)!.id,
        teamIds: program.team ? [this.teams.get(program.team)!.id] : [],
        date: this.dateOf(dr.day),
        staffIds: dr.staff,
        leaderStaffId: dr.leader,
        dinFirst: this.dinBody(dr.firstSeq),
        dinLast: this.dinBody(dr.firstSeq + dr.loaded - 1),
        bagsLoaded: dr.loaded,
        reagentLots: this.reagentLotsOn(dr.day),
      }
      this.emit(ms, drive)
      const closeMs = this.instant(dr.day, 17 * 3600 + rng.between(0, 40 * 60))
      const close: DriveClose = {
        type: 'drive_close',
        id: this.uuid(closeMs),
        stationId,
        deviceId: dr.device,
        authorStaffId: dr.leader,
        createdAt: this.localIso(closeMs),
        driveId: dr.id,
        bagsLoaded: dr.loaded,
        bagsUsed: dr.size,
        bagsSpoiled: dr.spoiled,
        bagsReturned: dr.loaded - dr.size - dr.spoiled,
        discrepancyNote: '',
        signedOffBy: dr.leader,
        closedAt: this.localIso(closeMs),
      }
      this.emit(closeMs, close)
    }
  }

  /**
   * The rapid tests' reagent lots of a day: a new lot each quarter, each good until the end of the
   * quarter after (so never expired on the day it is used).
   */
  private reagentLotsOn(day: number): ReagentLot[] {
    const date = this.dateOf(day)
    const quarter = Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1
    const year = Number(date.slice(0, 4))
    const quarterStart = `${year}-${PAD2[(quarter - 1) * 3 + 1]}-01`
    const expiresOn = addDays(addMonths(quarterStart, 6), -1)
    return RAPID_TESTS.map((test) => ({
      test,
      lot: `${test.toUpperCase().replace('_', '')}-${year}Q${quarter}`,
      expiresOn,
    }))
  }

  /**
   * The visit's rapid tests (the donor's own group; ALT in range; HBsAg non-reactive), Hb by copper
   * sulphate at a few visits (then the vitals carry no g/L), and the bleed by a member of the crew.
   */
  private clinicOf(rng: Rng, donation: Donation, slot: Slot, crew: readonly string[]): Partial<Donation> {
    const c = this.profile.clinic
    const copper = rng.chance(c.copperSulphateShare)
    const rapidTests: RapidTests = {
      abo: donation.abo,
      rhd: donation.rhd,
      hbMethod: copper ? 'copper_sulphate' : 'haemoglobinometer',
      ...(copper ? { hbCopperPass: true } : {}),
      altUL: Math.round(clamp(rng.normal(21, 8), 5, 50)),
      hbsag: 'nonreactive',
    }
    const vitals = donation.vitals ? { ...donation.vitals } : undefined
    if (vitals && copper) delete vitals.hbGL
    const endMs = Date.parse(donation.collectedAt)
    const minutes = slot.apheresis
      ? rng.between(45, 90)
      : clamp(rng.normal(c.bleedMinutes.mean * (slot.volume / 400) ** 0.7, c.bleedMinutes.sd), 3, 25)
    const short = !slot.apheresis && rng.chance(c.shortDrawShare)
    const bleed: Bleed = {
      startedAt: this.localIso(endMs - Math.round(minutes * 60) * 1000),
      endedAt: donation.collectedAt,
      ...(slot.apheresis
        ? {}
        : { volumeMl: short ? Math.round(slot.volume * (0.45 + 0.4 * rng.next())) : slot.volume }),
      ...(short ? { shortDraw: true } : {}),
      ...(rng.chance(c.failedVenipunctureShare) ? { failedVenipuncture: true } : {}),
      collectedBy: rng.pick(crew),
    }
    return { rapidTests, bleed, ...(vitals ? { vitals } : {}) }
  }

  /**
   * The visit's questionnaire (the default set, signed) and contact consent; a donation also gets
   * its public reference. `yes` holds the questions answered "yes": a deferral's own when one asks it.
   */
  private answersOf(
    rng: Rng,
    yes: string[],
    donation: boolean,
  ): Pick<Donation, 'questionnaire' | 'contactConsent' | 'publicRef'> {
    const q = this.profile.questionnaire
    const c = q.contact
    return {
      questionnaire: {
        version: DEFAULT_QUESTIONNAIRE.version,
        yes,
        selfExcluded: donation && rng.chance(q.selfExclusionShare),
        via: rng.chance(q.kioskShare) ? ('kiosk' as const) : ('phone' as const),
        signed: true,
      },
      contactConsent: (['sms', 'wechat', 'none'] as const)[rng.weighted([c.sms, c.wechat, c.none])]!,
      ...(donation ? { publicRef: publicRefOf(rng) } : {}),
    }
  }

  /** Reactions to a donation at the profile's rates: buses about twice fixed sites, first-time donors more. */
  private reactionsOf(rng: Rng, donation: Donation, slot: Slot): AdverseReaction[] {
    const r = this.profile.reactions
    const onBus = slot.drive >= 0 && this.sites[slot.site]!.kind !== 'fixed_site'
    const rate = (onBus ? r.bus : r.fixedSite) * (donation.repeatDonor ? r.repeatFactor : r.firstTimeFactor)
    if (!rng.chance(rate)) return []
    const count = rng.chance(r.secondShare) ? 2 : 1
    const codes: ReactionCode[] = slot.apheresis
      ? ['citrate', 'vasovagal', 'hematoma', 'other']
      : ['vasovagal', 'vasovagal_delayed', 'hematoma', 'arterial_puncture', 'nerve_injury', 'other']
    const weights = slot.apheresis ? [50, 30, 15, 5] : [68, 8, 18, 1, 1, 4]
    const out: AdverseReaction[] = []
    const collectedMs = Date.parse(donation.collectedAt)
    for (let i = 0; i < count; i++) {
      const code = codes[rng.weighted(weights)]!
      const onset =
        code === 'vasovagal_delayed'
          ? 'after_leaving'
          : (['during', 'after', 'after_leaving'] as const)[
              rng.weighted(code === 'hematoma' ? [30, 40, 30] : [35, 60, 5])
            ]!
      const severity = (['mild', 'moderate', 'severe'] as const)[rng.weighted([88, 10, 2])]!
      // A report after leaving reaches the station by telephone, hours to a day later.
      const atMs =
        onset === 'during'
          ? collectedMs - rng.between(1, 4) * 60_000
          : onset === 'after'
            ? collectedMs + rng.between(3, 25) * 60_000
            : collectedMs + rng.between(3, 30) * 3_600_000
      // Written after the donation it names (the station takes them in that order).
      const createdMs = Math.max(atMs + rng.between(2, 15) * 60_000, Date.parse(donation.createdAt) + 60_000)
      out.push({
        type: 'adverse_reaction',
        id: this.uuid(createdMs),
        stationId: donation.stationId,
        deviceId: donation.deviceId,
        authorStaffId: donation.authorStaffId,
        createdAt: this.localIso(createdMs),
        donationId: donation.id,
        code,
        severity,
        occurredAt: this.localIso(atMs),
        note: '',
        onset,
        treatment: REACTION_TREATMENT[code],
        outcome:
          severity === 'severe' && rng.chance(0.4)
            ? 'referred'
            : severity === 'mild'
              ? 'recovered'
              : rng.pick(['recovered', 'recovering']),
      })
    }
    return out
  }

  /** Who wrote a record at a slot's place: the drive's phone and crew, or the fixed site's. */
  private authorAt(drive: number, site: number, rng: Rng): { deviceId: string; authorStaffId: string } {
    if (drive >= 0) {
      const dr = this.drives[drive]!
      return { deviceId: dr.device, authorStaffId: rng.pick(dr.staff) }
    }
    return { deviceId: this.siteDevice[site]!, authorStaffId: rng.pick(this.siteStaff[site]!) }
  }

  private teamIdsOf(slot: Slot, donor: Donor): string[] {
    const codes: TeamCode[] = []
    if (donor.county) codes.push('county_emergency')
    if (donor.volunteer) codes.push('volunteers')
    const programTeam = this.profile.programs[slot.program]!.team
    if (programTeam) codes.push(programTeam)
    if (slot.rare) codes.push('rare_blood_type')
    return codes.map((c) => this.teams.get(c)!.id)
  }

  private emitDonations(): void {
    const rng = this.rng.fork('donations')
    // Own streams for the visit's tests, bleeds and reactions, so the figures' draws stay as they were.
    const clinicRng = this.rng.fork('clinic')
    const reactionRng = this.rng.fork('reactions')
    const answerRng = this.rng.fork('questionnaire')
    const stationId = this.station.id
    // Drives whose spoiled bags include one labelled on a donation entered by mistake, then voided.
    const voidDrives = new Set(
      sample(
        this.drives.map((_, i) => i).filter((i) => this.drives[i]!.spoiled > 0),
        this.profile.voidedEntries,
        rng,
      ),
    )
    const corrected = new Set(
      sample(
        this.slots.map((_, i) => i).filter((i) => !this.slots[i]!.rare),
        this.profile.aboCorrections,
        rng,
      ),
    )
    const aboKeys = Object.keys(this.profile.aboShares) as Abo[]

    for (const donor of this.donors) {
      donor.slots.forEach((sIdx, k) => {
        const slot = this.slots[sIdx]!
        const program = this.profile.programs[slot.program]!
        const collectedMs = this.instant(slot.day, slot.second)
        const createdMs = collectedMs + rng.between(60, 300) * 1000
        const donation: Donation = {
          type: 'donation',
          id: this.uuid(createdMs),
          stationId,
          ...this.authorAt(slot.drive, slot.site, rng),
          createdAt: this.localIso(createdMs),
          driveId: slot.drive >= 0 ? this.drives[slot.drive]!.id : null,
          channelId: this.channels.get(program.channel)!.id,
          siteId: this.sites[slot.site]!.id,
          teamIds: this.teamIdsOf(slot, donor),
          collectedOn: this.dateOf(slot.day),
          donorKey: donor.key,
          sex: donor.sex,
          ageYears: donor.age,
          household: donor.household,
          repeatDonor: k > 0 || donor.prior,
          collectedAt: this.localIso(collectedMs),
          product: slot.apheresis
            ? { type: 'apheresis_platelets', doses: slot.doses }
            : { type: 'whole_blood', volumeMl: slot.volume },
          abo: donor.abo,
          rhd: donor.rhd,
          din: slot.din,
          vitals: donationVitals(rng, donor.sex, slot),
        }
        const crew = slot.drive >= 0 ? this.drives[slot.drive]!.staff : this.siteStaff[slot.site]!
        Object.assign(donation, this.clinicOf(clinicRng, donation, slot, crew))
        Object.assign(donation, this.answersOf(answerRng, [], true))

        if (corrected.has(sIdx)) {
          // Typed wrong on the bus, confirmed by the laboratory a few days later.
          const wrong = aboKeys.filter((a) => a !== donor.abo)
          this.emit(createdMs, { ...donation, abo: rng.pick(wrong) })
          const fixMs = this.instant(slot.day + rng.between(1, 3), 10 * 3600 + rng.between(0, 7200))
          const correction: Correction = {
            type: 'correction',
            id: this.uuid(fixMs),
            stationId,
            deviceId: this.stationDevice,
            authorStaffId: rng.pick(this.managers),
            createdAt: this.localIso(fixMs),
            targetId: donation.id,
            reason: 'ABO 血型经检验科复核更正 (ABO confirmed by the laboratory)',
            replacement: donation,
          }
          this.emit(fixMs, correction)
        } else {
          this.emit(createdMs, donation)
        }

        if (slot.drive >= 0 && voidDrives.has(slot.drive)) {
          voidDrives.delete(slot.drive)
          const dr = this.drives[slot.drive]!
          const mistakeMs = createdMs - 240_000
          const mistake: Donation = {
            ...donation,
            id: this.uuid(mistakeMs),
            createdAt: this.localIso(mistakeMs),
            din: isbt128Din.format(this.dinBody(dr.firstSeq + dr.size)), // the first spoiled bag
            publicRef: publicRefOf(answerRng), // a save of its own, so a reference of its own
          }
          this.emit(mistakeMs, mistake)
          const voidMs = mistakeMs + 120_000
          const voidRecord: Void = {
            type: 'void',
            id: this.uuid(voidMs),
            stationId,
            deviceId: mistake.deviceId,
            authorStaffId: dr.leader,
            createdAt: this.localIso(voidMs),
            targetId: mistake.id,
            reason: '标签贴错，作废并用新袋重录 (wrong bag labelled; re-entered with a new bag)',
          }
          this.emit(voidMs, voidRecord)
        }

        for (const reaction of this.reactionsOf(reactionRng, donation, slot))
          this.emit(Date.parse(reaction.createdAt), reaction)
      })
    }
    if (voidDrives.size > 0) throw new Error('generator: a voided entry found no donation on its drive')
  }

  // ---------------------------------------------------------------------------------------------
  // Deferrals

  private emitDeferrals(): void {
    const rng = this.rng.fork('deferrals')
    const testRng = this.rng.fork('deferral-tests')
    const answerRng = this.rng.fork('deferral-questionnaire')
    // The questions whose "yes" defers with a reason (a deferral for it answered "yes" there).
    const askedFor = new Map<string, string[]>()
    for (const x of DEFAULT_QUESTIONNAIRE.questions)
      if (x.defersWith) askedFor.set(x.defersWith, [...(askedFor.get(x.defersWith) ?? []), x.code])
    const { count, linkedShare, reasons } = this.profile.deferrals
    const stationId = this.station.id
    const reasonWeights = reasons.map((r) => r.weight)
    const programSlots: number[][] = this.profile.programs.map(() => [])
    this.slots.forEach((s, i) => programSlots[s.program]!.push(i))

    /** Last deferred day by the catalogue; 'next_eligible' reasons run to a date the interval rules give. */
    const untilFor = (code: string, day: number, rng: Rng): string | null => {
      const reason = findDeferralReason(code, DEFERRAL_REASONS)!
      const from = reason.from === 'next_eligible' ? day + rng.between(14, 150) : day
      return deferralUntil(code, this.dateOf(from))
    }

    const emitDeferral = (
      day: number,
      drive: number,
      site: number,
      program: number,
      facts: DonorFacts,
      code: string,
      until: string | null,
    ) => {
      const ms = this.instant(
        day,
        drive >= 0 ? rng.between(8 * 3600 + 1800, 16 * 3600 + 1800) : rng.between(8 * 3600, 17 * 3600 + 1800),
      )
      const deferral: Deferral = {
        type: 'deferral',
        id: this.uuid(ms),
        stationId,
        ...this.authorAt(drive, site, rng),
        createdAt: this.localIso(ms),
        driveId: drive >= 0 ? this.drives[drive]!.id : null,
        channelId: this.channels.get(this.profile.programs[program]!.channel)!.id,
        siteId: this.sites[site]!.id,
        teamIds: [],
        collectedOn: this.dateOf(day),
        ...facts,
        reasonCode: code,
        until,
        note: '',
        vitals: deferralVitals(rng, facts.sex, code),
      }
      // The rapid test that deferred (ALT above the limit, a reactive HBsAg), on its own stream.
      if (code === 'alt_high')
        deferral.rapidTests = { hbMethod: 'haemoglobinometer', altUL: testRng.between(55, 180), hbsag: 'nonreactive' }
      else if (code === 'hbsag_reactive')
        deferral.rapidTests = { hbMethod: 'haemoglobinometer', altUL: testRng.between(10, 45), hbsag: 'reactive' }
      Object.assign(deferral, this.answersOf(answerRng, askedFor.get(code)?.slice(0, 1) ?? [], false))
      this.emit(ms, deferral)
    }

    // Some deferred donors come back and donate: deferred at an earlier visit of the same site,
    // long enough before for the deferral to have run out.
    const linkedTarget = Math.round(count * linkedShare)
    const comeBackReasons = reasons.filter((r) => {
      const entry = findDeferralReason(r.code, DEFERRAL_REASONS)!
      return (
        entry.duration !== 'permanent' &&
        entry.from !== 'next_eligible' &&
        deferralUntil(r.code, '2023-01-01')! <= '2023-02-01'
      )
    })
    const drivesBySite = new Map<number, number[]>()
    this.drives.forEach((dr, i) => {
      const list = drivesBySite.get(dr.site) ?? []
      list.push(i)
      drivesBySite.set(dr.site, list)
    })
    let linked = 0
    for (const donor of rng.shuffle(this.donors.filter((d) => d.rhd === 'pos'))) {
      if (linked === linkedTarget) break
      const first = this.slots[donor.slots[0]!]!
      const code = comeBackReasons[rng.weighted(comeBackReasons.map((r) => r.weight))]!.code
      if (code === 'menstruation' && donor.sex === 'M') continue
      let day: number
      let drive = -1
      if (first.drive >= 0) {
        const earlier = (drivesBySite.get(first.site) ?? []).filter((i) => this.drives[i]!.day < first.day)
        if (earlier.length === 0) continue
        drive = rng.pick(earlier)
        day = this.drives[drive]!.day
      } else {
        if (first.day < 2) continue
        day = rng.between(Math.max(0, first.day - 60), first.day - 1)
      }
      const until = untilFor(code, day, rng)
      if (until === null || until >= this.dateOf(first.day)) continue
      emitDeferral(
        day,
        drive,
        first.site,
        first.program,
        {
          donorKey: donor.key,
          sex: donor.sex,
          ageYears: donor.age,
          household: donor.household,
          repeatDonor: donor.prior,
        },
        code,
        until,
      )
      linked++
    }

    // The rest: people deferred who did not donate this year, spread like the donations.
    const weights = programSlots.map((s) => s.length)
    const perProgram = apportion(count - linked, weights)
    perProgram.forEach((n, pIdx) => {
      const mix = this.profile.programs[pIdx]!.donors
      for (let k = 0; k < n; k++) {
        const at = this.slots[rng.pick(programSlots[pIdx]!)]!
        const repeatDonor = rng.chance(mix.priorDonorShare * 0.6)
        const sex = rng.chance(mix.maleShare) ? 'M' : 'F'
        let code = reasons[rng.weighted(reasonWeights)]!.code
        // Only someone who has donated can come too soon after a donation; only women menstruate.
        while ((!repeatDonor && code === 'short_interval') || (sex === 'M' && code === 'menstruation'))
          code = reasons[rng.weighted(reasonWeights)]!.code
        const [lo, hi] = mix.ageRange
        emitDeferral(
          at.day,
          at.drive,
          at.site,
          pIdx,
          {
            donorKey: rng.hex(32),
            sex,
            ageYears: rng.between(lo, hi),
            household: rng.chance(mix.ruralHouseholdShare) ? 'rural' : 'urban',
            repeatDonor,
          },
          code,
          untilFor(code, at.day, rng),
        )
      }
    })
  }
}

interface DonorFacts {
  donorKey: string
  sex: 'M' | 'F'
  ageYears: number
  household: 'rural' | 'urban'
  repeatDonor: boolean
}

// -------------------------------------------------------------------------------------------------
// Helpers

/** What the crew did, as written on the reaction form. */
const REACTION_TREATMENT: Readonly<Record<ReactionCode, string>> = {
  vasovagal: '平卧、抬高下肢、口服糖水 (lay flat, legs raised, sweet drink)',
  vasovagal_delayed: '电话指导平卧休息、补液 (advised by phone: lie down, drink)',
  hematoma: '局部加压、冷敷 (pressure, cold pack)',
  arterial_puncture: '拔针、加压 10 分钟 (needle out, pressure 10 min)',
  nerve_injury: '拔针、观察、转诊评估 (needle out, observed, referred for review)',
  citrate: '减慢回输速度、口服钙剂 (return slowed, oral calcium)',
  other: '观察 (observed)',
}

function parseOffset(offset: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset)
  if (!m) throw new Error(`profile: bad UTC offset ${offset}`)
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000
}

function uniformMonths(): number[] {
  return Array<number>(12).fill(1)
}

/** k distinct items drawn at random (partial Fisher–Yates on a copy); throws if there are fewer. */
function sample<T>(items: readonly T[], k: number, rng: Rng): T[] {
  if (k > items.length) throw new Error(`generator: cannot draw ${k} of ${items.length}`)
  const a = [...items]
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(a.length - i)
    const tmp = a[i]!
    a[i] = a[j]!
    a[j] = tmp
  }
  return a.slice(0, k)
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x))
const half = (x: number) => Math.round(x * 2) / 2
const tenth = (x: number) => Math.round(x * 10) / 10

/** Vitals of an eligible donor (GB 18467-2011 defaults). */
function donationVitals(rng: Rng, sex: 'M' | 'F', slot: Pick<Slot, 'volume' | 'apheresis' | 'doses'>): Vitals {
  const male = sex === 'M'
  const systolic = Math.round(clamp(rng.normal(118, 10), 92, 138))
  const vitals: Vitals = {
    weightKg:
      slot.volume === 200
        ? half(rng.between(90, 99) / 2)
        : half(clamp(male ? rng.normal(70, 9) : rng.normal(57, 7), male ? 52 : 47, 110)),
    hbGL: Math.round(clamp(male ? rng.normal(148, 9) : rng.normal(130, 7), male ? 122 : 117, 175)),
    systolic,
    diastolic: Math.round(clamp(rng.normal(76, 6), 60, Math.min(88, systolic - 30))),
    pulse: Math.round(clamp(rng.normal(76, 7), 61, 98)),
    temperatureC: tenth(clamp(rng.normal(36.5, 0.2), 36, 37.3)),
    athlete: false,
  }
  if (slot.apheresis) {
    vitals.hct = Math.round(clamp(rng.normal(male ? 0.44 : 0.4, 0.025), 0.37, 0.5) * 100) / 100
    vitals.plateletCount = Math.round(
      clamp(rng.normal(slot.doses === 2 ? 300 : 220, 35), slot.doses === 2 ? 250 : 160, 440),
    )
  }
  return vitals
}

/** Vitals that explain the deferral reason (normal ones for reasons found by questioning). */
function deferralVitals(rng: Rng, sex: 'M' | 'F', reason: string): Vitals {
  const male = sex === 'M'
  const v = donationVitals(rng, sex, { volume: 400, apheresis: false, doses: 1 })
  switch (reason) {
    case 'low_hb':
      v.hbGL = male ? rng.between(100, 119) : rng.between(95, 114)
      break
    case 'blood_pressure':
      if (rng.chance(0.7)) {
        v.systolic = rng.between(140, 168)
        v.diastolic = rng.between(85, 102)
      } else {
        v.systolic = rng.between(82, 89)
        v.diastolic = rng.between(50, 58)
      }
      break
    case 'weight':
      v.weightKg = half(male ? rng.between(88, 99) / 2 : rng.between(80, 89) / 2)
      break
    case 'pulse':
      v.pulse = rng.chance(0.7) ? rng.between(101, 118) : rng.between(45, 58)
      break
    case 'cold_fever':
      v.temperatureC = tenth(37.6 + rng.next() * 1.2)
      break
    default:
      break
  }
  return v
}

/** A donation's public reference, its random bits from the seeded stream. */
function publicRefOf(rng: Rng): string {
  return newPublicRef((n) => Uint8Array.from({ length: n }, () => rng.int(256)))
}
