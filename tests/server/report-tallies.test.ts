// The report queries of issue 15's speed work (grouping by day first on SQLite, team rows derived
// from the team split, literal predicates for the partial indexes) give what the domain computes
// over the same records: a small random set pushed by a phone (products, channels, teams, months,
// drives, a void and a correction), on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  collectionDate,
  countRecords,
  type EffectiveRecord,
  effectiveRecords,
  type IndicatorContext,
} from '../../src/domain/indicators'
import type { Donation, FieldRecord } from '../../src/domain/records'
import { indicatorReport, monthlySeries, periodTotals } from '../../src/server/repo/reports'
import { ENGINES } from './support/engines'
import {
  correctionOf,
  deferral,
  donation,
  drive,
  type Phone,
  startTestStation,
  type StationSetup,
  type TestStation,
  voidOf,
} from './support/station'

/** A small deterministic random stream (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function randomRecords(phone: Phone, station: StationSetup, seed: number): FieldRecord[] {
  const rnd = random(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const day = () => `2026-0${1 + Math.floor(rnd() * 3)}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`
  const teams = () => station.teams.filter(() => rnd() < 0.3).map((t) => t.id)
  const out: FieldRecord[] = []
  const drives = Array.from({ length: 4 }, (_, i) =>
    drive(phone, {
      date: day(),
      channelId: pick(station.channels).id,
      siteId: pick(station.sites).id,
      teamIds: teams(),
      dinFirst: `W12342600${i}001`,
      dinLast: `W12342600${i}999`,
    }),
  )
  out.push(...drives)
  for (let i = 0; i < 80; i++) {
    const on = day()
    const product =
      rnd() < 0.8
        ? { type: 'whole_blood' as const, volumeMl: pick([200, 300, 400] as const) }
        : { type: 'apheresis_platelets' as const, doses: pick([1, 2] as const) }
    out.push(
      donation(phone, {
        collectedOn: on,
        collectedAt: `${on}T10:00:00.000+08:00`,
        channelId: pick(station.channels).id,
        siteId: pick(station.sites).id,
        teamIds: teams(),
        household: pick(['rural', 'urban'] as const),
        repeatDonor: rnd() < 0.5,
        abo: pick(['A', 'B', 'O', 'AB'] as const),
        rhd: rnd() < 0.15 ? 'neg' : 'pos',
        product,
      } as Partial<Donation>),
    )
  }
  for (let i = 0; i < 12; i++) {
    const on = day()
    out.push(
      deferral(phone, { collectedOn: on, channelId: pick(station.channels).id, teamIds: teams(), until: '2026-06-30' }),
    )
  }
  const donations = out.filter((r): r is Donation => r.type === 'donation')
  out.push(voidOf(phone, donations[0]!))
  const corrected = donations[1]!
  out.push(correctionOf(phone, corrected, { ...corrected, channelId: station.channels[0]!.id, teamIds: [] }))
  return out
}

describe.each(ENGINES)('report queries equal the domain over a random set (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  let effective: EffectiveRecord[]
  let ctx: IndicatorContext

  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('tallies')
    const phone = await t.enroll(station)
    const records = randomRecords(phone, station, 20260315)
    const res = await t.push(phone, records)
    expect(res.status).toBe(200)
    effective = effectiveRecords(records)
    ctx = {
      ruralMobileChannelIds: new Set(station.channels.filter((c) => c.ruralMobile).map((c) => c.id)),
      population: null,
    }
  }, 120_000)
  afterAll(async () => {
    await t?.close()
  })

  const domain = (from: string, to: string, keep: (r: EffectiveRecord) => boolean = () => true) =>
    countRecords(
      effective.filter((r) => {
        const on = collectionDate(r)
        return on !== null && on >= from && on <= to && keep(r)
      }),
      ctx,
    )
  const teamsOf = (r: EffectiveRecord) => ('teamIds' in r ? r.teamIds : [])

  it('the period and each month count as the domain counts', async () => {
    const station0 = { kind: 'station' as const, id: null }
    const report = await indicatorReport(t.store.db, station.id, {
      from: '2026-01-01',
      to: '2026-12-31',
      scope: station0,
    })
    expect(report.counts).toEqual(domain('2026-01-01', '2026-12-31'))
    const months = await monthlySeries(t.store.db, station.id, {
      from: '2026-01-10',
      to: '2026-03-20',
      scope: station0,
    })
    expect(months.map((m) => m.counts)).toEqual(months.map((m) => domain(m.from, m.to)))
    const channel = station.channels[1]!.id
    const ofChannel = await indicatorReport(t.store.db, station.id, {
      from: '2026-02-01',
      to: '2026-03-31',
      scope: { kind: 'channel', id: channel },
    })
    expect(ofChannel.counts).toEqual(
      domain('2026-02-01', '2026-03-31', (r) => 'channelId' in r && r.channelId === channel),
    )
  })

  it("the phones' running totals split by channel and team as the domain splits them", async () => {
    const totals = await periodTotals(t.store.db, station.id, '2026-03-15')
    for (const [period, from, to] of [
      ['year', '2026-01-01', '2026-12-31'],
      ['month', '2026-03-01', '2026-03-31'],
    ] as const) {
      const got = totals[period]
      expect(got.counts).toEqual(domain(from, to))
      for (const c of station.channels) {
        const want = domain(from, to, (r) => 'channelId' in r && r.channelId === c.id)
        expect(got.byChannel[c.id] ?? null).toEqual(want.donations + want.deferrals + want.busTrips > 0 ? want : null)
      }
      for (const team of station.teams) {
        const want = domain(from, to, (r) => teamsOf(r).includes(team.id))
        expect(got.byTeam[team.id] ?? null).toEqual(want.donations + want.deferrals + want.busTrips > 0 ? want : null)
      }
    }
  })
})
