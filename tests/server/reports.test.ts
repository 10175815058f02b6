// Reports from SQL over the generated seed year equal the domain's computeIndicators over the same
// records, for the station and every kind of scope, by month, and for an exported period.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { daysInMonth } from '../../src/domain/dates'
import { generateSeedYear, type SeedYear } from '../../src/domain/generator/seed-year'
import { newId } from '../../src/domain/ids'
import {
  collectionDate,
  computeIndicators,
  countRecords,
  type EffectiveRecord,
  effectiveRecords,
  type IndicatorContext,
  indicatorsFromCounts,
} from '../../src/domain/indicators'
import type { FieldRecord, Scope } from '../../src/domain/records'
import { indicatorContextFor } from '../../src/domain/reference-data'
import { insertAccount, prepareAccount } from '../../src/server/repo/accounts'
import { importBundle, rebaseStation } from '../../src/server/repo/import'
import { ENGINES } from './support/engines'
import { openSeededTestStore } from '../support/seed-template'
import { MANAGER_PASSWORD, startTestStation, type TestStation } from './support/station'

let seed: SeedYear
beforeAll(() => {
  seed = generateSeedYear({ profile: 'luoyang-2023', seed: 2023 })
}, 180_000) // seconds alone; beside the seed template's build and other files on 2 cores, more

function inScope(rec: EffectiveRecord, scope: Scope): boolean {
  if (rec.type !== 'donation' && rec.type !== 'deferral' && rec.type !== 'drive') return false
  switch (scope.kind) {
    case 'station':
      return true
    case 'channel':
      return rec.channelId === scope.id
    case 'site':
      return rec.siteId === scope.id
    case 'team':
      return rec.teamIds.includes(scope.id!)
    case 'drive':
      return rec.type === 'drive' ? rec.id === scope.id : rec.driveId === scope.id
  }
}

const effectiveCache = new WeakMap<FieldRecord[], EffectiveRecord[]>()
function domainReport(records: FieldRecord[], ctx: IndicatorContext, from: string, to: string, scope: Scope) {
  let effective = effectiveCache.get(records)
  if (!effective) {
    effective = effectiveRecords(records)
    effectiveCache.set(records, effective)
  }
  const counted = effective.filter((r) => {
    const on = collectionDate(r)
    return on !== null && on >= from && on <= to && inScope(r, scope)
  })
  return indicatorsFromCounts(countRecords(counted, ctx), ctx)
}

describe.each(ENGINES)('reports over the seed year (%s)', (engine) => {
  let t: TestStation
  let token: string
  let records: FieldRecord[]
  let ctx: IndicatorContext
  let stationId: string

  beforeAll(async () => {
    // The seed year imported once per engine (tests/support/seed-template.ts), copied for this file.
    const store = await openSeededTestStore(engine)
    t = await startTestStation(engine, store)
    stationId = store.seeded.stationId
    await insertAccount(
      t.store.db,
      stationId,
      await prepareAccount({ username: 'manager', password: MANAGER_PASSWORD }),
    )
    const from = seed.reference.stations[0]!.id
    records = rebaseStation(seed.records, from, stationId)
    const reference = rebaseStation(seed.reference, from, stationId)
    ctx = indicatorContextFor(reference, 2023)
    expect(store.seeded.rejected).toBe(0)
    token = (
      await t.call<{ token: string }>('/api/v1/auth/login', {
        body: { stationCode: 'luoyang', username: 'manager', password: MANAGER_PASSWORD },
      })
    ).body.token
  }, 240_000)
  afterAll(async () => {
    await t?.close()
  })

  const report = async (from: string, to: string, scope: Scope = { kind: 'station', id: null }) => {
    const q = new URLSearchParams({ from, to, scope: scope.kind, ...(scope.id ? { scopeId: scope.id } : {}) })
    const res = await t.call<{ counts: unknown; indicators: ReturnType<typeof computeIndicators> }>(
      `/api/v1/reports/indicators?${q}`,
      { token },
    )
    expect(res.status).toBe(200)
    return res.body
  }

  it('gives the year exactly what computeIndicators gives, and the published figures', async () => {
    const sql = await report('2023-01-01', '2023-12-31')
    expect(sql.indicators).toEqual(computeIndicators(records, ctx))
    expect(sql.indicators).toMatchObject({
      donations: 93_560,
      wholeBloodDonations: 84_609,
      wholeBloodUnits: 169_002,
      apheresisDoses: 13_187,
    })
    expect(Math.round(sql.indicators.ruralMobileShare! * 10_000) / 100).toBe(32.59)
    expect(Math.round(sql.indicators.rate400ml! * 10_000) / 100).toBe(99.73)
  })

  it('equals the domain for channel, team, site and drive scopes and a sub-period', async () => {
    const drive = records.find((r) => r.type === 'drive')!
    const site = records.find((r) => r.type === 'donation' && r.siteId !== null) as { siteId: string }
    const scopes: Scope[] = [
      ...seed.reference.channels.map((c) => ({ kind: 'channel' as const, id: c.id })),
      ...seed.reference.teams.map((tm) => ({ kind: 'team' as const, id: tm.id })),
      { kind: 'site', id: site.siteId },
      { kind: 'drive', id: drive.id },
    ]
    for (const scope of rebaseStation(scopes, seed.reference.stations[0]!.id, stationId)) {
      const sql = await report('2023-01-01', '2023-12-31', scope)
      expect(sql.indicators, `${scope.kind} ${scope.id}`).toEqual(
        domainReport(records, ctx, '2023-01-01', '2023-12-31', scope),
      )
    }
    const june = await report('2023-06-01', '2023-06-30')
    expect(june.indicators).toEqual(
      domainReport(records, ctx, '2023-06-01', '2023-06-30', { kind: 'station', id: null }),
    )
  })

  it('gives a monthly series whose months equal the domain month by month', async () => {
    const res = await t.call<{ months: { month: string; counts: { donations: number }; indicators: unknown }[] }>(
      '/api/v1/reports/monthly?from=2023-01-01&to=2023-12-31',
      { token },
    )
    expect(res.body.months.map((m) => m.month)).toEqual(
      Array.from({ length: 12 }, (_, i) => `2023-${String(i + 1).padStart(2, '0')}`),
    )
    for (const m of res.body.months) {
      const last = `${m.month}-${String(daysInMonth(2023, Number(m.month.slice(5)))).padStart(2, '0')}`
      expect(m.indicators).toEqual(domainReport(records, ctx, `${m.month}-01`, last, { kind: 'station', id: null }))
    }
    expect(res.body.months.reduce((s, m) => s + m.counts.donations, 0)).toBe(93_560)
  })

  it('lists a period page by page and exports records that recompute the same report', async () => {
    let after: string | null = null
    const listed: string[] = []
    do {
      const q: string = `/api/v1/reports/records?from=2023-03-01&to=2023-03-03&limit=400${after ? `&after=${encodeURIComponent(after)}` : ''}`
      const page = await t.call<{ records: { id: string }[]; next: string | null }>(q, { token })
      expect(page.status).toBe(200)
      listed.push(...page.body.records.map((r) => r.id))
      after = page.body.next
    } while (after)
    expect(new Set(listed).size).toBe(listed.length)
    const expected = records.filter((r) => {
      const on = collectionDate(r)
      return on !== null && on >= '2023-03-01' && on <= '2023-03-03'
    })
    expect(listed.sort()).toEqual(expected.map((r) => r.id).sort())

    const exported = await t.call<string>('/api/v1/reports/export?from=2023-07-01&to=2023-07-31&format=jsonl', {
      token,
    })
    expect(exported.status).toBe(200)
    expect(exported.headers.get('content-type')).toContain('ndjson')
    const lines = String(exported.body)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string })
    const fieldRecords = lines.filter(
      (l) => !['header', 'station', 'site', 'channel', 'team', 'population'].includes(l.type),
    ) as unknown as FieldRecord[]
    expect(fieldRecords.some((r) => r.type === 'donor_identity')).toBe(false)
    const sql = await report('2023-07-01', '2023-07-31')
    expect(computeIndicators(fieldRecords, ctx)).toEqual(sql.indicators)
  })

  it("keeps each donor's eligibility snapshot as the records say", async () => {
    const effective = effectiveRecords(records).filter((r) => r.type === 'donation') as Extract<
      FieldRecord,
      { type: 'donation' }
    >[]
    const byDonor = new Map<string, string[]>()
    for (const d of effective) byDonor.set(d.donorKey, [...(byDonor.get(d.donorKey) ?? []), d.collectedOn])
    const sample = [...byDonor.keys()].slice(0, 200)
    const rows = await t.store.db
      .selectFrom('eligibility')
      .selectAll()
      .where('station_id', '=', stationId)
      .where('donor_key', 'in', sample)
      .execute()
    expect(rows.length).toBe(sample.length)
    for (const row of rows) {
      const dates = byDonor.get(row.donor_key)!.sort()
      expect(row.donation_count).toBe(dates.length)
      expect(row.last_donation_on).toBe(dates.at(-1))
    }
  })

  it('imports the same year again without a new row', async () => {
    const before = await t.count('records')
    const summary = await importBundle(t.store, stationId, { records: records.slice(0, 3000) })
    expect(summary).toMatchObject({ applied: 0, duplicate: 3000, rejected: 0 })
    expect(await t.count('records')).toBe(before)
  }, 60_000)

  it('refuses bad report parameters with 400', async () => {
    for (const q of [
      'from=2023-13-01&to=2023-12-31',
      'from=2023-02-01&to=2023-01-01',
      'from=2023-01-01&to=2023-02-01&scope=channel',
      `from=2023-01-01&to=2023-02-01&scope=planet&scopeId=${newId()}`,
      'from=2000-01-01&to=2023-01-01',
    ]) {
      const res = await t.call<{ code: string }>(`/api/v1/reports/indicators?${q}`, { token })
      expect(res.status, q).toBe(400)
    }
  })
})
