// The station's figure of each quarter, custom-period and site target, pulled with the month and
// year totals (issue 15) on both engines: counted like the dashboard counts the target, made again
// when a target is set, edited or deleted (no push needed), sent as a delete when no longer wanted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays } from '../../src/domain/dates'
import type { Site, Target } from '../../src/domain/records'
import type { PullChange, PullResponse, StationTotals } from '../../src/domain/sync-protocol'
import { type TargetTotals, targetTotalsKey } from '../../src/domain/target-totals'
import { periodFor } from '../../src/domain/targets'
import { ENGINES } from './support/engines'
import { donation, type Phone, startTestStation, type StationSetup, type TestStation } from './support/station'

describe.each(ENGINES)('target totals in the pull (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  let phone: Phone
  let otherSite: Site
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())

  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('targettotals')
    phone = await t.enroll(station)
    otherSite = (
      await t.call<Site>('/api/v1/admin/sites', {
        token: station.managerToken,
        body: { name: 'Gucheng village', kind: 'village', area: 'Gucheng' },
      })
    ).body
  })
  afterAll(async () => {
    await t?.close()
  })

  const pullAll = async (cursor?: string) => {
    const changes: PullChange[] = []
    for (;;) {
      const q = cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''
      const res = await t.call<PullResponse>(`/api/v1/sync/pull${q}`, { token: phone.token })
      expect(res.status).toBe(200)
      changes.push(...res.body.changes)
      cursor = res.body.cursor
      if (!res.body.more) break
    }
    return { changes, cursor: cursor! }
  }
  const totalsOf = (changes: PullChange[]) =>
    new Map(
      changes
        .filter((c) => c.entity === 'totals')
        .map((c) => [c.key, c.op === 'upsert' ? (c.value as TargetTotals & StationTotals) : null]),
    )
  const setTarget = async (body: Partial<Target>, id?: string) => {
    const res = await t.call<Target>(`/api/v1/admin/targets${id ? `/${id}` : ''}`, {
      method: id ? 'PATCH' : 'POST',
      token: station.managerToken,
      body: { comparison: '>=', value: 10, ...body },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(id ? 200 : 201)
    return res.body
  }

  it('counts each quarter, custom-period and site target, not the calendar, drive or past ones', async () => {
    const rural = station.channels.find((c) => c.ruralMobile)!.id
    const site = station.sites[0]!.id
    const at = (d: string) => ({ collectedOn: d, collectedAt: `${d}T10:00:00+08:00` })
    await t.push(phone, [
      donation(phone, at(today)),
      donation(phone, { ...at(today), product: { type: 'whole_blood', volumeMl: 200 } }),
      donation(phone, { ...at(today), siteId: otherSite.id }),
    ])
    const quarter = await setTarget({
      period: periodFor('quarter', today),
      scope: { kind: 'station', id: null },
      metric: 'donations',
    })
    const siteMonth = await setTarget({
      period: periodFor('month', today),
      scope: { kind: 'site', id: site },
      metric: 'donations',
    })
    const custom = await setTarget({
      period: { kind: 'custom', start: addDays(today, -3), end: addDays(today, 3) },
      scope: { kind: 'channel', id: rural },
      metric: 'rate_400ml',
      value: 60,
    })
    const month = await setTarget({
      period: periodFor('month', today),
      scope: { kind: 'station', id: null },
      metric: 'donations',
    })
    const pastQuarter = periodFor('quarter', addDays(periodFor('quarter', today).start, -1))
    const past = await setTarget({ period: pastQuarter, scope: { kind: 'station', id: null }, metric: 'bus_trips' })

    const totals = totalsOf((await pullAll()).changes)
    const monthTotals = totals.get('month')!
    expect(totals.has(targetTotalsKey(month.id))).toBe(false)
    expect(totals.has(targetTotalsKey(past.id))).toBe(false)
    const q = totals.get(targetTotalsKey(quarter.id))!
    expect(q).toMatchObject({
      targetId: quarter.id,
      period: { start: quarter.period.start, end: quarter.period.end },
      scope: { kind: 'station', id: null },
      computedAt: monthTotals.computedAt,
    })
    expect(q.counts.donations).toBe(3)
    expect(totals.get(targetTotalsKey(siteMonth.id))!.counts.donations).toBe(2)
    const c = totals.get(targetTotalsKey(custom.id))!.counts
    expect([c.wholeBloodDonations, c.wholeBlood400]).toEqual([3, 2])
  })

  it('a target edited or deleted at the station reaches the phone with its figure, without a push', async () => {
    const { cursor } = await pullAll()
    const site = await setTarget({
      period: periodFor('quarter', today),
      scope: { kind: 'site', id: station.sites[0]!.id },
      metric: 'whole_blood_units',
    })
    const afterSet = await pullAll(cursor)
    expect(totalsOf(afterSet.changes).get(targetTotalsKey(site.id))!.counts.wholeBloodUnits).toBe(3)

    await setTarget({ scope: { kind: 'site', id: otherSite.id } }, site.id)
    const afterEdit = await pullAll(afterSet.cursor)
    const edited = totalsOf(afterEdit.changes).get(targetTotalsKey(site.id))!
    expect(edited.scope).toEqual({ kind: 'site', id: otherSite.id })
    expect(edited.counts.wholeBloodUnits).toBe(2)

    const res = await t.call(`/api/v1/admin/targets/${site.id}`, { method: 'DELETE', token: station.managerToken })
    expect(res.status).toBe(204)
    const afterDelete = await pullAll(afterEdit.cursor)
    expect(afterDelete.changes).toContainEqual({ op: 'delete', entity: 'totals', key: targetTotalsKey(site.id) })
    // Nothing changed since: nothing new.
    expect((await pullAll(afterDelete.cursor)).changes).toEqual([])
  })
})
