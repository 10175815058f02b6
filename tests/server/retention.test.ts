// The retention report (GET /api/v1/reports/retention) over the generated seed year equals the
// domain's retentionFigures() over every record of the year, for the station and each channel, on
// SQLite and PostgreSQL; bad input is refused with a code; a target on a retention metric shows its
// progress; and a phone that does not ask for them never holds a target on these metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as v from 'valibot'
import { generateSeedYear, type SeedYear } from '../../src/domain/generator/seed-year'
import { nextDin } from '../../src/domain/din'
import { newId } from '../../src/domain/ids'
import { type FieldRecord, TargetSchema } from '../../src/domain/records'
import { type RetentionFigures, retentionFigures } from '../../src/domain/retention'
import { insertAccount, login, prepareAccount } from '../../src/server/repo/accounts'
import { importBundle, rebaseStation } from '../../src/server/repo/import'
import { ENGINES } from './support/engines'
import { openSeededTestStore } from '../support/seed-template'
import { MANAGER_PASSWORD, startTestStation, type TestStation } from './support/station'
import { createStationApp } from '../../src/server/app'

let seed: SeedYear
beforeAll(() => {
  seed = generateSeedYear({ profile: 'luoyang-2023', seed: 2023 })
}, 180_000) // seconds alone; beside the seed template's build and other files on 2 cores, more

// The domain's figures over the seed's own records, computed once per query for both engines (each
// call reads every record, ~1.5 s): the engines' copies differ only in the station id, which no
// figure reads (channels and sites keep their ids).
const domainCache = new Map<string, RetentionFigures>()
function domainFigures(query: Parameters<typeof retentionFigures>[2]): RetentionFigures {
  const key = JSON.stringify(query)
  let figures = domainCache.get(key)
  if (!figures) {
    figures = retentionFigures(seed.records, new Map(seed.reference.sites.map((s) => [s.id, s.kind])), query)
    domainCache.set(key, figures)
  }
  return figures
}

// A close (or equal) number: the SQL path adds the same counts in another order.
function expectSameFigures(got: RetentionFigures, want: RetentionFigures): void {
  const round = (x: unknown): unknown =>
    typeof x === 'number'
      ? Math.round(x * 1e6) / 1e6
      : x && typeof x === 'object'
        ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, round(y)]))
        : x
  expect(round(got)).toEqual(round(want))
}

describe.each(ENGINES)('retention report over the seed year (%s)', (engine) => {
  let t: TestStation
  let token: string
  let records: FieldRecord[]
  let stationId: string
  let channelIds: string[]
  let app: ReturnType<typeof createStationApp> | undefined

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
    channelIds = reference.channels.map((c) => c.id)
    expect(store.seeded.rejected).toBe(0)
    token = (await login(t.store.db, stationId, 'manager', MANAGER_PASSWORD)).token
  }, 900_000)
  afterAll(async () => {
    await t?.close()
  })

  // In process, through the whole Hono app: no socket to go stale while a slow machine computes.
  const call = async <T>(path: string, opts: { token?: string; body?: unknown } = {}) => {
    app ??= createStationApp({ store: t.store, staticDir: null })
    const res = await app.request(path, {
      method: opts.body === undefined ? 'GET' : 'POST',
      headers: {
        ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    })
    const text = await res.text()
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T }
  }
  const retention = (q: Record<string, string>) =>
    call<{ figures: RetentionFigures; code?: string; message?: string }>(
      `/api/v1/reports/retention?${new URLSearchParams(q)}`,
      { token },
    )

  it('equals retentionFigures() over all the records, for the station and each channel', async () => {
    const asOf = '2024-12-31'
    const periods = [
      { from: '2023-01-01', to: '2023-12-31' },
      { from: '2023-03-01', to: '2023-06-30' },
    ]
    // The year for the station and each channel, a sub-period for the station (each domain call reads every record).
    const cases = [
      ...[null, ...channelIds].map((channel) => ({ ...periods[0]!, channel })),
      { ...periods[1]!, channel: null },
    ]
    for (const { channel, ...p } of cases) {
      const res = await retention({ ...p, asOf, ...(channel ? { channel } : {}) })
      expect(res.status, `${p.from} ${channel}`).toBe(200)
      expectSameFigures(res.body.figures, domainFigures({ ...p, asOf, channelId: channel }))
    }
    // The seed year is real-sized: the figures are not trivially zero.
    const year = (await retention({ from: '2023-01-01', to: '2023-12-31', asOf })).body.figures
    expect(year.donations).toBe(93_560)
    expect(year.return12m.all.firstTimers).toBeGreaterThan(1000)
    expect(year.return12m.bySiteKind.bus.firstTimers).toBeGreaterThan(0)
    expect(year.return12m.bySiteKind.fixed.firstTimers).toBeGreaterThan(0)
    expect(year.deferrals).toBeGreaterThan(0)
    expect(year.reactions).toBeGreaterThan(0)
    expect(year.crewHours).toBeGreaterThan(0)
    expect(year.eligible400).toBeGreaterThan(year.given400 * 0.9)
  }, 600_000)

  it('counts a return only once 365 days have passed by asOf (default: the station today)', async () => {
    const early = await retention({ from: '2023-01-01', to: '2023-12-31', asOf: '2023-06-30' })
    expectSameFigures(early.body.figures, domainFigures({ from: '2023-01-01', to: '2023-12-31', asOf: '2023-06-30' }))
    expect(early.body.figures.return12m.all.firstTimers).toBe(0)
    expect(early.body.figures.return12m.all.share).toBeNull()
    // The first engine computes the domain's figures (every record read) for this asOf: seconds on a loaded machine.
  }, 120_000)

  it('refuses bad dates, a reversed period and an unknown channel with a code', async () => {
    const bad: [Record<string, string>, string][] = [
      [{ from: '2023-02-30', to: '2023-03-01' }, 'invalid_period'],
      [{ from: 'yesterday', to: '2023-03-01' }, 'invalid_period'],
      [{ from: '2023-05-01', to: '2023-03-01' }, 'invalid_period'],
      [{ from: '2023-01-01', to: '2023-03-01', asOf: '2023-13-01' }, 'invalid_period'],
      [{ from: '2023-01-01', to: '2023-03-01', channel: newId() }, 'invalid_scope'],
      [{ from: '2023-01-01', to: '2023-03-01', channel: 'x'.repeat(500) }, 'invalid_scope'],
    ]
    for (const [q, code] of bad) {
      const res = await retention(q)
      expect(res.status, JSON.stringify(q)).toBe(400)
      expect(res.body.code).toBe(code)
      expect(res.body.message).toBeTruthy()
    }
    const anon = await call('/api/v1/reports/retention?from=2023-01-01&to=2023-01-31')
    expect(anon.status).toBe(401)
  })

  it('a target on a retention metric: saved, its progress from the figures; old phones never see it', async () => {
    const target = {
      id: newId(),
      stationId,
      period: { kind: 'year', start: '2023-01-01', end: '2023-12-31' },
      scope: { kind: 'channel', id: channelIds[0]! },
      metric: 'deferrals_per_10k',
      comparison: '<=',
      value: 900,
    }
    const saved = await call(`/api/v1/admin/targets`, { token, body: target })
    expect(saved.status, JSON.stringify(saved.body)).toBeLessThan(300)
    const siteTarget = { ...target, id: newId(), scope: { kind: 'site', id: seed.reference.sites[0]!.id } }
    const refused = await call<{ code: string }>(`/api/v1/admin/targets`, { token, body: siteTarget })
    expect(refused.status).toBe(400)

    const progress = await call<{
      targets: { target: { id: string }; progress: { actual: number; comparison: string } | null }[]
    }>(`/api/v1/reports/progress?asOf=2023-12-31&all=1`, { token })
    expect(progress.status).toBe(200)
    const row = progress.body.targets.find((x) => x.target.id === target.id)!
    const f = domainFigures({
      from: '2023-01-01',
      to: '2023-12-31',
      asOf: '2023-12-31',
      channelId: channelIds[0]!,
    })
    expect(row.progress!.actual).toBeCloseTo(f.deferralsPer10k!, 6)

    // A phone of this build asks for them by name and gets a target its schema reads; an older one does not.
    const code = await call<{ code: string }>('/api/v1/admin/enrollment-codes', { token, body: {} })
    const phone = (
      await call<{ token: string }>('/api/v1/devices/enroll', { body: { code: code.body.code, name: 'old phone' } })
    ).body
    // Every page of a full pull (the seed's eligibility rows come first), the target's changes kept.
    const pull = async (withParam: string) => {
      const found: { op: string; entity: string; key: string; value?: unknown }[] = []
      let cursor = ''
      for (let page = 0; page < 100; page++) {
        const res = await call<{
          cursor: string
          more: boolean
          changes: { op: string; entity: string; key: string; value?: unknown }[]
        }>(`/api/v1/sync/pull?with=${withParam}&limit=5000${cursor ? `&cursor=${cursor}` : ''}`, { token: phone.token })
        found.push(...res.body.changes.filter((c) => c.entity === 'target' && c.key === target.id))
        cursor = res.body.cursor
        if (!res.body.more) break
      }
      return found
    }
    // At most a delete (harmless for a row it never had), never the target itself.
    expect((await pull('lookback')).filter((c) => c.op !== 'delete')).toEqual([])
    const fresh = await pull('lookback,retention')
    expect(fresh).toHaveLength(1)
    expect(v.safeParse(TargetSchema, fresh[0]!.value).success).toBe(true)
  }, 60_000)

  // Runs last: it adds a donor to the station's history, before the seed year.
  it("a donor's two donations on the first day: the first is the earlier by collection time, not by id", async () => {
    // Two seed donations on two channels, copied into 2022 as one new donor's: the one with the
    // greater id was collected first, so the row order of the index (day, id) is the wrong one.
    const donations = records.filter((r) => r.type === 'donation')
    const a = donations[0]!
    const b = donations.find((r) => r.channelId !== a.channelId)!
    const [lowId, highId] = [newId(), newId()].sort()
    const dins = records.flatMap((r) => (r.type === 'donation' ? [r.din] : [])).sort()
    const din1 = nextDin(dins.at(-1)!)!
    const din2 = nextDin(din1)!
    const donorKey = 'ab'.repeat(16)
    const day = '2022-06-01'
    const later = { ...a, id: lowId!, donorKey, din: din1, collectedOn: day, collectedAt: `${day}T10:00:00.000+08:00` }
    const earlier = {
      ...b,
      id: highId!,
      donorKey,
      din: din2,
      collectedOn: day,
      collectedAt: `${day}T09:00:00.000+08:00`,
    }
    const summary = await importBundle(t.store, stationId, { records: [later, earlier] })
    expect(summary).toMatchObject({ applied: 2, rejected: 0 })
    const all = [...records, later, earlier]
    const kinds = new Map(
      rebaseStation(seed.reference.sites, seed.reference.stations[0]!.id, stationId).map((s) => [s.id, s.kind]),
    )
    for (const channel of [null, a.channelId, b.channelId]) {
      const q = { from: '2022-01-01', to: '2022-12-31', asOf: '2024-12-31', channelId: channel }
      const res = await retention({ from: q.from, to: q.to, asOf: q.asOf, ...(channel ? { channel } : {}) })
      expect(res.status).toBe(200)
      expectSameFigures(res.body.figures, retentionFigures(all, kinds, q))
    }
    const year = (await retention({ from: '2022-01-01', to: '2022-12-31', asOf: '2024-12-31' })).body.figures
    expect(year.firstTimeDonations).toBe(1)
    expect(year.return12m.byChannel).toEqual({ [b.channelId]: { firstTimers: 1, returned: 1, share: 1 } })
  }, 120_000)
})
