// GET /api/v1/sync/pull on both engines: by server cursor, each change once, tombstones, paging,
// resets, the eligibility snapshot and running totals, deviceLastSeq.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/domain/ids'
import type { PullChange, PullResponse, StationTotals } from '../../src/domain/sync-protocol'
import { compactTombstones } from '../../src/server/repo/pull'
import { ENGINES } from './support/engines'
import {
  deferral,
  donation,
  type Phone,
  startTestStation,
  type StationSetup,
  type TestStation,
  voidOf,
} from './support/station'

describe.each(ENGINES)('pull (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  let phone: Phone
  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('pull')
    phone = await t.enroll(station)
  })
  afterAll(async () => {
    await t?.close()
  })

  const pull = async (cursor?: string, limit?: number) => {
    const q = new URLSearchParams()
    if (cursor) q.set('cursor', cursor)
    if (limit) q.set('limit', String(limit))
    const res = await t.call<PullResponse>(`/api/v1/sync/pull?${q}`, { token: phone.token })
    expect(res.status).toBe(200)
    return res.body
  }
  /** Pulls every page from `cursor`; returns all changes and the final cursor. */
  const pullAll = async (cursor?: string, limit?: number) => {
    const changes: PullChange[] = []
    let first: PullResponse | null = null
    for (;;) {
      const page = await pull(cursor, limit)
      first ??= page
      changes.push(...page.changes)
      cursor = page.cursor
      if (!page.more) break
    }
    return { changes, cursor: cursor!, reset: first.reset }
  }
  const key = (c: PullChange) => `${c.entity}:${c.key}`

  it('starts with a full reset: station, reference data, roster, totals', async () => {
    const all = await pullAll()
    expect(all.reset).toBe(true)
    const entities = new Set(all.changes.map((c) => c.entity))
    for (const e of ['station', 'site', 'channel', 'team', 'roster', 'totals'])
      expect(entities.has(e as never)).toBe(true)
    const st = all.changes.find((c) => c.entity === 'station') as { value: { id: string; donorKeySalt?: string } }
    expect(st.value.id).toBe(station.id)
    expect(st.value.donorKeySalt?.length).toBeGreaterThanOrEqual(8)
    // Nothing new since: an empty page at the same cursor.
    const again = await pull(all.cursor)
    expect(again).toMatchObject({ reset: false, more: false, changes: [] })
  })

  it('returns each change once, in pages, and the latest state of a row changed twice', async () => {
    const start = (await pullAll()).cursor
    const created: string[] = []
    for (let i = 0; i < 7; i++) {
      const res = await t.call<{ id: string }>('/api/v1/admin/sites', {
        token: station.managerToken,
        body: { name: `Village ${i}`, kind: 'village' },
      })
      created.push(res.body.id)
    }
    await t.call(`/api/v1/admin/sites/${created[0]}`, {
      method: 'PATCH',
      token: station.managerToken,
      body: { name: 'Village zero' },
    })
    const pages: PullResponse[] = []
    let cursor = start
    for (;;) {
      const page = await pull(cursor, 3)
      pages.push(page)
      cursor = page.cursor
      if (!page.more) break
    }
    expect(pages.length).toBe(3)
    const changes = pages.flatMap((p) => p.changes)
    const keys = changes.map(key)
    expect(new Set(keys).size).toBe(keys.length)
    expect(keys.filter((k) => k.startsWith('site:')).sort()).toEqual(created.map((id) => `site:${id}`).sort())
    const zero = changes.find((c) => c.key === created[0]) as { value: { name: string } }
    expect(zero.value.name).toBe('Village zero')
  })

  it('sends tombstones for deleted rows after a cursor, and leaves them out of a reset', async () => {
    const site = await t.call<{ id: string }>('/api/v1/admin/sites', {
      token: station.managerToken,
      body: { name: 'Short-lived', kind: 'enterprise' },
    })
    const { cursor } = await pullAll()
    expect(
      (await t.call(`/api/v1/admin/sites/${site.body.id}`, { method: 'DELETE', token: station.managerToken })).status,
    ).toBe(204)
    const after = await pullAll(cursor)
    expect(after.changes).toContainEqual({ op: 'delete', entity: 'site', key: site.body.id })
    const fresh = await pullAll()
    expect(fresh.changes.some((c) => c.key === site.body.id)).toBe(false)
  })

  it('keeps the donor eligibility snapshot and tombstones a donor whose records are all voided', async () => {
    const { cursor } = await pullAll()
    const donorKey = 'cd'.repeat(16)
    const d = donation(phone, { donorKey, collectedOn: '2026-04-01' })
    const def = deferral(phone, { donorKey, collectedOn: '2026-04-02', until: null })
    await t.push(phone, [d, def])
    const mid = await pullAll(cursor)
    const entry = mid.changes.find((c) => c.entity === 'eligibility' && c.key === donorKey) as {
      value: Record<string, unknown>
    }
    expect(entry.value).toMatchObject({
      donorKey,
      lastDonationOn: '2026-04-01',
      lastDonationType: 'whole_blood',
      donationCount: 1,
      permanentlyDeferred: true,
      hadReaction: false,
    })
    await t.push(phone, [voidOf(phone, d), voidOf(phone, def)])
    const end = await pullAll(mid.cursor)
    expect(end.changes).toContainEqual({ op: 'delete', entity: 'eligibility', key: donorKey })
  })

  it('carries running totals for this year and month and recomputes them after a push', async () => {
    const { cursor } = await pullAll()
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
    await t.push(phone, [donation(phone, { collectedOn: today, collectedAt: `${today}T10:00:00+08:00` })])
    const after = await pullAll(cursor)
    const totals = after.changes.filter((c) => c.entity === 'totals') as { key: string; value: StationTotals }[]
    expect(totals.map((c) => c.key).sort()).toEqual(['month', 'year'])
    const month = totals.find((c) => c.key === 'month')!.value
    expect(month.period.start).toBe(`${today.slice(0, 7)}-01`)
    expect(month.counts.donations).toBeGreaterThanOrEqual(1)
    expect(month.indicators.rate400ml).not.toBeNull()
    const rural = station.channels.find((c) => c.ruralMobile)!.id
    expect(month.byChannel[rural]!.donations).toBeGreaterThanOrEqual(1)
    // Nothing changed: no new totals.
    expect((await pull(after.cursor)).changes).toEqual([])
  })

  it('resets on an unknown, foreign, future or compacted cursor', async () => {
    const { cursor } = await pullAll()
    const [epoch, seq] = cursor.split('.') as [string, string]
    for (const bad of ['garbage', `000000000000.${seq}`, `${epoch}.${Number(seq) + 1000}`]) {
      expect((await pull(bad)).reset).toBe(true)
    }
    await compactTombstones(t.store, station.id, Number(seq))
    expect((await pull(`${epoch}.1`)).reset).toBe(true)
    expect((await pull(cursor)).reset).toBe(false)
  })

  it('tells the phone the last sequence the server holds from it', async () => {
    const p = await t.enroll(station)
    expect((await t.call<PullResponse>('/api/v1/sync/pull', { token: p.token })).body.deviceLastSeq).toBe(0)
    await t.push(p, [donation(p), donation(p)])
    expect((await t.call<PullResponse>('/api/v1/sync/pull', { token: p.token })).body.deviceLastSeq).toBe(2)
  })

  it('never skips a change written while pages are read', async () => {
    let { cursor } = await pullAll()
    const seen = new Set<string>()
    const writes = (async () => {
      for (let i = 0; i < 15; i++) {
        const res = await t.call<{ id: string }>('/api/v1/admin/teams', {
          token: station.managerToken,
          body: { code: `team_${i}_${newId().slice(-4)}`, nameZh: '队', nameEn: 'Team' },
        })
        expect(res.status).toBe(201)
      }
    })()
    const reads = (async () => {
      for (let i = 0; i < 15; i++) {
        const page = await pull(cursor, 2)
        for (const c of page.changes) if (c.entity === 'team') seen.add(c.key)
        cursor = page.cursor
      }
    })()
    await Promise.all([writes, reads])
    const rest = await pullAll(cursor)
    for (const c of rest.changes) if (c.entity === 'team') seen.add(c.key)
    const teams = await t.call<{ id: string; code: string }[]>('/api/v1/admin/teams', { token: station.managerToken })
    for (const team of teams.body.filter((x) => x.code.startsWith('team_'))) expect(seen.has(team.id)).toBe(true)
  })

  it('refuses a bad limit with 400', async () => {
    const res = await t.call('/api/v1/sync/pull?limit=0', { token: phone.token })
    expect(res.status).toBe(400)
    expect((await t.call('/api/v1/sync/pull?limit=abc', { token: phone.token })).status).toBe(400)
  })
})
