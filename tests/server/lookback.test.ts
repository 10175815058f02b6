// Lookback after sync on both engines: a deferral another phone recorded before a donation, or two
// donations of one donor inside the interval on two phones, hold the later donation on the
// station's quarantine list, whichever record arrives first; the lab releases or confirms it with
// who and when, and phones that pull with ?with=lookback get the flag and its decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LookbackFlag, LookbackListItem } from '../../src/domain/lookback'
import type { PullChange, PullResponse } from '../../src/domain/sync-protocol'
import { ENGINES } from './support/engines'
import {
  correctionOf,
  deferral,
  donation,
  type Phone,
  startTestStation,
  type StationSetup,
  type TestStation,
} from './support/station'

describe.each(ENGINES)('lookback (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  let a: Phone
  let b: Phone
  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('lookback')
    a = await t.enroll(station, 'Bus 1')
    b = await t.enroll(station, 'Bus 2')
  })
  afterAll(async () => {
    await t?.close()
  })

  const list = async (status?: string) => {
    const res = await t.call<LookbackListItem[]>(`/api/v1/admin/lookback${status ? `?status=${status}` : ''}`, {
      token: station.managerToken,
    })
    expect(res.status).toBe(200)
    return res.body
  }
  const pullAll = async (phone: Phone, withLookback = true) => {
    const changes: PullChange[] = []
    let cursor = ''
    for (;;) {
      const q = new URLSearchParams()
      if (withLookback) q.set('with', 'lookback')
      if (cursor) q.set('cursor', cursor)
      const res = await t.call<PullResponse>(`/api/v1/sync/pull?${q}`, { token: phone.token })
      expect(res.status).toBe(200)
      changes.push(...res.body.changes)
      cursor = res.body.cursor
      if (!res.body.more) break
    }
    return changes
  }
  const key = () => crypto.randomUUID().replace(/-/g, '')
  const applied = (res: { body: { results: { status: string }[] } }) =>
    expect(res.body.results.map((r) => r.status)).toEqual(res.body.results.map(() => 'applied'))

  it('flags a donation taken after another phone deferred the donor, the deferral arriving second', async () => {
    const donorKey = key()
    const given = donation(a, {
      donorKey,
      collectedOn: '2026-03-05',
      collectedAt: '2026-03-05T10:00:00.000+08:00',
    })
    applied(await t.push(a, [given]))
    expect((await list()).filter((f) => f.donation.id === given.id)).toEqual([])
    const deferred = deferral(b, {
      donorKey,
      collectedOn: '2026-03-02',
      until: '2026-03-09',
      createdAt: '2026-03-02T09:00:00.000+08:00',
    })
    applied(await t.push(b, [deferred]))
    const flags = (await list('open')).filter((f) => f.donation.id === given.id)
    expect(flags).toHaveLength(1)
    expect(flags[0]).toMatchObject({
      reason: 'deferral_before_donation',
      status: 'open',
      causeId: deferred.id,
      donation: { din: given.din, deviceName: 'Bus 1', collectedOn: '2026-03-05' },
      cause: { type: 'deferral', deviceName: 'Bus 2', reasonCodes: ['cold'], until: '2026-03-09' },
    })
    // The same records sent again change nothing.
    expect((await t.push(b, [deferred])).body.results[0]!.status).toBe('duplicate')
    expect((await list()).filter((f) => f.donation.id === given.id)).toHaveLength(1)
  })

  it('flags the later of two donations inside the interval on two phones, the later arriving first', async () => {
    const donorKey = key()
    const later = donation(a, { donorKey, collectedOn: '2026-03-06', collectedAt: '2026-03-06T15:00:00.000+08:00' })
    const earlier = donation(b, { donorKey, collectedOn: '2026-03-06', collectedAt: '2026-03-06T09:00:00.000+08:00' })
    applied(await t.push(a, [later]))
    applied(await t.push(b, [earlier]))
    const flags = (await list()).filter((f) => f.donation.id === later.id || f.donation.id === earlier.id)
    expect(flags.map((f) => [f.donation.id, f.causeId, f.reason])).toEqual([[later.id, earlier.id, 'interval']])
  })

  it('leaves alone a deferral that ended before the donation, one phone’s own records and donations months apart', async () => {
    const before = (await list()).length
    const k1 = key()
    applied(await t.push(b, [deferral(b, { donorKey: k1, collectedOn: '2026-01-02', until: '2026-01-09' })]))
    applied(await t.push(a, [donation(a, { donorKey: k1, collectedOn: '2026-03-02' })]))
    const k2 = key()
    applied(
      await t.push(a, [
        deferral(a, { donorKey: k2, collectedOn: '2026-03-01', until: '2026-03-09' }),
        donation(a, { donorKey: k2, collectedOn: '2026-03-03' }),
      ]),
    )
    const k3 = key()
    applied(
      await t.push(a, [
        donation(a, { donorKey: k3, collectedOn: '2025-08-01', collectedAt: '2025-08-01T09:00:00.000+08:00' }),
      ]),
    )
    applied(await t.push(b, [donation(b, { donorKey: k3, collectedOn: '2026-03-02' })]))
    expect(await list()).toHaveLength(before)
  })

  it('lets the lab release or confirm a hold with who and when; phones pull the flag and the decision', async () => {
    const open = await list('open')
    const flag = open[0]!
    const phoneFlags = (await pullAll(a)).filter((c) => c.entity === 'lookback')
    expect(phoneFlags.map((c) => c.key).sort()).toEqual(open.map((f) => f.id).sort())
    // An older phone (no ?with=) never sees the entity.
    expect((await pullAll(b, false)).some((c) => c.entity === 'lookback')).toBe(false)

    const bad = await t.call(`/api/v1/admin/lookback/${flag.id}/decision`, {
      token: station.managerToken,
      body: { decision: 'maybe' },
    })
    expect(bad.status).toBe(400)
    const missing = await t.call(`/api/v1/admin/lookback/${crypto.randomUUID()}/decision`, {
      token: station.managerToken,
      body: { decision: 'released' },
    })
    expect(missing.status).toBe(404)

    const res = await t.call<LookbackFlag>(`/api/v1/admin/lookback/${flag.id}/decision`, {
      token: station.managerToken,
      body: { decision: 'released', note: 'donor recovered; lab retested' },
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ status: 'released' })
    const after = (await list()).find((f) => f.id === flag.id)!
    expect(after).toMatchObject({ status: 'released', decidedBy: 'manager', note: 'donor recovered; lab retested' })
    expect(after.decidedAt).not.toBeNull()
    expect((await list('open')).some((f) => f.id === flag.id)).toBe(false)
    const pulled = (await pullAll(a)).find((c) => c.entity === 'lookback' && c.key === flag.id)
    expect(pulled).toMatchObject({ op: 'upsert', value: { status: 'released' } })
  })

  it('compares again when a correction moves a deferral before another phone’s donation', async () => {
    const donorKey = key()
    const given = donation(a, { donorKey, collectedOn: '2026-04-10', collectedAt: '2026-04-10T10:00:00.000+08:00' })
    // Entered with the wrong day: after the donation, so nothing to hold yet.
    const deferred = deferral(b, {
      donorKey,
      collectedOn: '2026-04-12',
      until: '2026-04-19',
      createdAt: '2026-04-12T09:00:00.000+08:00',
    })
    applied(await t.push(a, [given]))
    applied(await t.push(b, [deferred]))
    expect((await list()).filter((f) => f.donation.id === given.id)).toEqual([])
    // The crew fixes the day: the donor was deferred on the 8th, two days before giving on bus 1.
    const fixed = {
      ...deferred,
      collectedOn: '2026-04-08',
      until: '2026-04-15',
      createdAt: '2026-04-08T09:00:00.000+08:00',
    }
    applied(await t.push(b, [correctionOf(b, deferred, fixed)]))
    const flags = (await list('open')).filter((f) => f.donation.id === given.id)
    expect(flags.map((f) => [f.causeId, f.reason])).toEqual([[deferred.id, 'deferral_before_donation']])
  })
})
