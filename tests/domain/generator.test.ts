import { createHash } from 'node:crypto'
import * as v from 'valibot'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFERRAL_REASONS } from '../../src/domain/deferral-reasons'
import { checkDinRange, dinInRange, isbt128Din } from '../../src/domain/din'
import { generateSeedYear, type SeedYear } from '../../src/domain/generator/seed-year'
import { apportion, createRng } from '../../src/domain/generator/prng'
import { effectiveRecords } from '../../src/domain/indicators'
import { SEED_CHANNELS, SEED_TEAMS, indicatorContextFor, seedChannels } from '../../src/domain/reference-data'
import {
  ChannelSchema,
  FieldRecordSchema,
  PopulationSchema,
  SiteSchema,
  StationSchema,
  TeamSchema,
  type Donation,
  type Drive,
} from '../../src/domain/records'

describe('prng', () => {
  it('is deterministic by seed and differs between seeds', () => {
    const a = createRng(42)
    const b = createRng(42)
    const c = createRng(43)
    const seqA = Array.from({ length: 5 }, () => a.uint32())
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(seqA)
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(seqA)
  })

  it('draws uniformly enough in [0, 1) and in range', () => {
    const rng = createRng(1)
    let sum = 0
    for (let i = 0; i < 10_000; i++) {
      const x = rng.next()
      expect(x).toBeGreaterThanOrEqual(0)
      expect(x).toBeLessThan(1)
      sum += x
      const k = rng.between(3, 5)
      expect(k >= 3 && k <= 5 && Number.isInteger(k)).toBe(true)
    }
    expect(sum / 10_000).toBeCloseTo(0.5, 1)
  })

  it('apportions exactly, in proportion', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3])
    expect(
      apportion(27_577, [1.4, 1.35, 1, 0.85, 0.7, 0.55, 0.9, 0.9, 0.9, 0.8, 1.2, 1.45]).reduce((s, n) => s + n, 0),
    ).toBe(27_577)
    expect(apportion(5, [0, 1, 0])).toEqual([0, 5, 0])
    expect(() => apportion(5, [0, 0])).toThrow()
  })
})

function fingerprint(year: SeedYear): string {
  const hash = createHash('sha256').update(JSON.stringify(year.reference))
  for (const r of year.records) hash.update(JSON.stringify(r))
  return hash.digest('hex')
}

describe('reference data', () => {
  it('has zh and en names for every seed channel and team; only rural_mobile is rural-mobile', () => {
    for (const x of [...SEED_CHANNELS, ...SEED_TEAMS]) expect(x.nameZh && x.nameEn).toBeTruthy()
    expect(SEED_CHANNELS.filter((c) => c.ruralMobile).map((c) => c.code)).toEqual(['rural_mobile'])
    let n = 0
    const channels = seedChannels(
      '0188e1c2-0000-7000-8000-000000000001',
      () => `0188e1c2-0000-7000-8000-${String(++n).padStart(12, '0')}`,
    )
    expect(channels.map((c) => v.safeParse(ChannelSchema, c).success)).toEqual(SEED_CHANNELS.map(() => true))
  })

  it("gives the indicator context of a year: rural-mobile channels and that year's population", () => {
    const stationId = '0188e1c2-0000-7000-8000-000000000001'
    let n = 0
    const channels = seedChannels(stationId, () => `0188e1c2-0000-7000-8000-${String(++n).padStart(12, '0')}`)
    const reference = {
      stations: [],
      sites: [],
      channels,
      teams: [],
      populations: [
        { stationId, year: 2022, population: 7_000_000 },
        { stationId, year: 2023, population: 7_077_000 },
      ],
    }
    const rural = channels.find((c) => c.code === 'rural_mobile')!.id
    expect(indicatorContextFor(reference, 2022)).toEqual({
      ruralMobileChannelIds: new Set([rural]),
      population: 7_000_000,
    })
    expect(indicatorContextFor(reference).population).toBe(7_077_000)
    expect(indicatorContextFor(reference, 2030).population).toBeNull()
  })
})

describe('generateSeedYear', () => {
  let year: SeedYear
  // Its speed is measured by `npm run bench -- seed-year`, not here.
  beforeAll(() => {
    year = generateSeedYear({ profile: 'luoyang-2023', seed: 11 })
  }, 60_000)

  it('is deterministic by seed', () => {
    const again = generateSeedYear({ profile: 'luoyang-2023', seed: 11 })
    expect(fingerprint(again)).toBe(fingerprint(year))
    const other = generateSeedYear({ profile: 'luoyang-2023', seed: 12 })
    expect(other.records[500]).not.toEqual(year.records[500])
  }, 60_000)

  it('refuses an unknown profile', () => {
    expect(() => generateSeedYear({ profile: 'atlantis-2023' })).toThrow(/unknown seed-year profile/)
  })

  it('gives reference data and records valid against the shared schemas (every record)', { timeout: 30_000 }, () => {
    const { reference } = year
    for (const s of reference.stations) expect(v.safeParse(StationSchema, s).success).toBe(true)
    for (const s of reference.sites) expect(v.safeParse(SiteSchema, s).success).toBe(true)
    for (const c of reference.channels) expect(v.safeParse(ChannelSchema, c).success).toBe(true)
    for (const t of reference.teams) expect(v.safeParse(TeamSchema, t).success).toBe(true)
    for (const p of reference.populations) expect(v.safeParse(PopulationSchema, p).success).toBe(true)
    const invalid = year.records.filter((r) => !v.safeParse(FieldRecordSchema, r).success)
    expect(invalid.slice(0, 3)).toEqual([])
    expect(new Set(year.records.map((r) => r.id)).size).toBe(year.records.length)
  })

  it('labels every donation with a valid ISBT 128 DIN, unique, within its drive range', { timeout: 30_000 }, () => {
    const drives = new Map(year.records.filter((r): r is Drive => r.type === 'drive').map((d) => [d.id, d]))
    const seen = new Set<string>()
    const bad: string[] = []
    for (const r of year.records) {
      if (r.type !== 'donation') continue
      const parsed = isbt128Din.parse(r.din)
      if (!parsed.ok || !parsed.checked) bad.push(`invalid ${r.din}`)
      if (seen.has(r.din)) bad.push(`duplicate ${r.din}`)
      seen.add(r.din)
      const d = r.driveId === null ? undefined : drives.get(r.driveId)
      if (d && !dinInRange(r.din, d.dinFirst, d.dinLast)) bad.push(`${r.din} outside ${d.dinFirst}..${d.dinLast}`)
    }
    for (const d of drives.values()) {
      const range = checkDinRange(d.dinFirst, d.dinLast)
      if (!range.ok || range.size !== d.bagsLoaded) bad.push(`drive range ${d.dinFirst}..${d.dinLast}`)
    }
    expect(bad).toEqual([])
    expect(seen.size).toBeGreaterThan(93_560)
  })

  it('reconciles bags on every drive close: used + spoiled + returned = loaded, used = donations', () => {
    const donationsPerDrive = new Map<string, number>()
    for (const r of effectiveRecords(year.records)) {
      if (r.type === 'donation' && r.driveId)
        donationsPerDrive.set(r.driveId, (donationsPerDrive.get(r.driveId) ?? 0) + 1)
    }
    const closes = year.records.filter((r) => r.type === 'drive_close')
    expect(closes).toHaveLength(year.records.filter((r) => r.type === 'drive').length)
    for (const c of closes) {
      expect(c.bagsUsed + c.bagsSpoiled + c.bagsReturned).toBe(c.bagsLoaded)
      expect(c.bagsUsed).toBe(donationsPerDrive.get(c.driveId))
    }
  })

  it(
    'keeps donors consistent: repeat after the first donation, intervals respected, same facts',
    { timeout: 30_000 },
    () => {
      const byDonor = new Map<string, Donation[]>()
      for (const r of effectiveRecords(year.records)) {
        if (r.type !== 'donation') continue
        const list = byDonor.get(r.donorKey) ?? []
        list.push(r)
        byDonor.set(r.donorKey, list)
      }
      let multi = 0
      let firstTimers = 0
      const bad: string[] = []
      for (const [key, list] of byDonor) {
        list.sort((a, b) => Date.parse(a.collectedAt) - Date.parse(b.collectedAt))
        if (list.length > 1) multi++
        if (!list[0]!.repeatDonor) firstTimers++
        const apheresis = list[0]!.product.type === 'apheresis_platelets'
        if (list.length > (apheresis ? 24 : 2)) bad.push(`${key}: ${list.length} donations`)
        for (let i = 1; i < list.length; i++) {
          const prev = list[i - 1]!
          const cur = list[i]!
          if (!cur.repeatDonor) bad.push(`${key}: donation ${i + 1} not a repeat`)
          if (
            `${cur.sex}${cur.household}${cur.abo}${cur.rhd}${cur.product.type}` !==
            `${prev.sex}${prev.household}${prev.abo}${prev.rhd}${prev.product.type}`
          )
            bad.push(`${key}: facts change`)
          const days = (Date.parse(cur.collectedOn) - Date.parse(prev.collectedOn)) / 86_400_000
          if (days < (apheresis ? 14 : 183)) bad.push(`${key}: ${days} days apart`)
        }
      }
      expect(bad).toEqual([])
      expect(multi).toBeGreaterThan(1_000)
      expect(firstTimers).toBeGreaterThan(10_000)
    },
  )

  it('draws blood groups in Han proportions', () => {
    const counts = { A: 0, B: 0, O: 0, AB: 0 }
    let n = 0
    for (const r of year.records)
      if (r.type === 'donation') {
        counts[r.abo]++
        n++
      }
    expect(counts.A / n).toBeCloseTo(0.28, 1)
    expect(counts.B / n).toBeCloseTo(0.32, 1)
    expect(counts.O / n).toBeCloseTo(0.31, 1)
    expect(counts.AB / n).toBeCloseTo(0.09, 1)
  })

  it('defers with catalogue codes and vitals that explain them', () => {
    const codes = new Set(DEFERRAL_REASONS.map((r) => r.code))
    const deferrals = year.records.filter((r) => r.type === 'deferral')
    expect(deferrals.length).toBe(9_824)
    for (const d of deferrals) {
      expect(codes.has(d.reasonCode)).toBe(true)
      if (d.until !== null) expect(d.until >= d.collectedOn).toBe(true)
      if (d.reasonCode === 'low_hb') expect(d.vitals!.hbGL).toBeLessThan(d.sex === 'M' ? 120 : 115)
      if (d.reasonCode === 'menstruation') expect(d.sex).toBe('F')
    }
  })

  it('includes voided entries and ABO corrections that do not change the figures', () => {
    expect(year.records.filter((r) => r.type === 'void')).toHaveLength(40)
    expect(year.records.filter((r) => r.type === 'correction')).toHaveLength(60)
    const all = year.records.filter((r) => r.type === 'donation').length
    const effective = effectiveRecords(year.records).filter((r) => r.type === 'donation').length
    expect(all - effective).toBe(40)
  })

  it('orders records by createdAt', () => {
    for (let i = 1; i < year.records.length; i += 97) {
      expect(Date.parse(year.records[i - 1]!.createdAt)).toBeLessThanOrEqual(Date.parse(year.records[i]!.createdAt))
    }
  })
})
