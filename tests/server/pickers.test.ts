// What a phone needs for its pickers and its PIN lock, on both engines: sites and staff pulled
// with their pinyin, only active staff on the roster, the station's PIN lockout count, six-digit
// PINs, and migration 0007 sending the names again to phones that pulled them before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nameMatch } from '../../src/domain/name-search'
import { verifyPin } from '../../src/domain/pin'
import type { RosterEntry, Site, Station } from '../../src/domain/records'
import type { PullChange, PullResponse } from '../../src/domain/sync-protocol'
import { resendSitesAndStaff } from '../../src/server/db/migrations'
import { romanise } from '../../src/server/repo/romanise'
import { ENGINES } from './support/engines'
import { type Phone, startTestStation, type StationSetup, type TestStation } from './support/station'

describe('romanise', () => {
  it('gives the pinyin the phone searches by, surnames read as surnames', () => {
    expect(romanise('车村镇天桥沟村')).toEqual({ pinyin: 'che cun zhen tian qiao gou cun', initials: 'ccztqgc' })
    expect(romanise('单雪梅', true).pinyin).toBe('shan xue mei')
    expect(romanise('吕梁').pinyin).toBe('lv liang')
    expect(romanise('宜阳县乡镇采血点01')).toEqual({
      pinyin: 'yi yang xian xiang zhen cai xue dian 01',
      initials: 'yyxxzcxd01',
    })
  })
})

describe.each(ENGINES)('pickers and PIN lock data (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  let phone: Phone
  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('pickers')
    phone = await t.enroll(station)
  })
  afterAll(async () => {
    await t?.close()
  })

  const admin = <T>(path: string, method: string, body?: unknown) =>
    t.call<T>(`/api/v1/admin${path}`, { method, token: station.managerToken, body })
  const pullAll = async (cursor?: string) => {
    const changes: PullChange[] = []
    for (;;) {
      const q = cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''
      const res = await t.call<PullResponse>(`/api/v1/sync/pull${q}`, { token: phone.token })
      expect(res.status).toBe(200)
      changes.push(...res.body.changes)
      cursor = res.body.cursor
      if (!res.body.more) return { changes, cursor }
    }
  }
  const upserts = <T>(changes: PullChange[], entity: PullChange['entity']) =>
    changes.flatMap((c) => (c.op === 'upsert' && c.entity === entity ? [c.value as T] : []))

  it('sends sites and staff with full pinyin and initials, so "ccz" and "checun" find 车村镇天桥沟村', async () => {
    const site = await admin<Site>('/sites', 'POST', { name: '车村镇天桥沟村', kind: 'village', area: '嵩县' })
    expect(site.status).toBe(201)
    const staff = await admin<{ id: string }>('/staff', 'POST', { name: '单雪梅', role: 'leader', pin: '2580' })
    expect(staff.status).toBe(201)
    const { changes } = await pullAll()
    const pulledSite = upserts<Site>(changes, 'site').find((s) => s.id === site.body.id)!
    expect(pulledSite).toMatchObject({ pinyin: 'che cun zhen tian qiao gou cun', initials: 'ccztqgc' })
    expect(nameMatch('ccz', pulledSite)).not.toBeNull()
    expect(nameMatch('checun', pulledSite)).not.toBeNull()
    const pulledStaff = upserts<RosterEntry>(changes, 'roster').find((s) => s.id === staff.body.id)!
    expect(pulledStaff).toMatchObject({ name: '单雪梅', pinyin: 'shan xue mei', initials: 'sxm' })
  })

  it('sends only active staff: a deactivated member is a delete, missing from a reset, back when reactivated', async () => {
    const first = await pullAll()
    const leaver = station.staffIds[1]!
    expect((await admin(`/staff/${leaver}`, 'PATCH', { active: false })).status).toBe(200)
    const next = await pullAll(first.cursor)
    expect(next.changes).toContainEqual({ op: 'delete', entity: 'roster', key: leaver })
    expect(upserts<RosterEntry>(next.changes, 'roster').some((s) => s.id === leaver)).toBe(false)
    const reset = await pullAll()
    const roster = upserts<RosterEntry>(reset.changes, 'roster')
    expect(roster.some((s) => s.id === leaver)).toBe(false)
    expect(roster.length).toBeGreaterThan(0)
    expect(roster.every((s) => s.active && s.stationId === station.id)).toBe(true)
    expect((await admin(`/staff/${leaver}`, 'PATCH', { active: true })).status).toBe(200)
    const back = await pullAll(next.cursor)
    expect(upserts<RosterEntry>(back.changes, 'roster').map((s) => s.id)).toContain(leaver)
  })

  it('never sends another station’s staff', async () => {
    const other = await t.createStation('pickers_other')
    const { changes } = await pullAll()
    const ids = upserts<RosterEntry>(changes, 'roster').map((s) => s.id)
    for (const id of other.staffIds) expect(ids).not.toContain(id)
  })

  it('lets the station set the PIN lockout count (3–20, null for the default) and sends it with the station row', async () => {
    const start = await pullAll()
    const set = await admin<Station>('/station', 'PATCH', { pinMaxAttempts: 3 })
    expect(set.status).toBe(200)
    expect(set.body.pinMaxAttempts).toBe(3)
    const after = await pullAll(start.cursor)
    expect(upserts<Station>(after.changes, 'station')[0]?.pinMaxAttempts).toBe(3)
    for (const bad of [2, 21, 4.5, '5']) {
      const res = await admin<{ code: string }>('/station', 'PATCH', { pinMaxAttempts: bad })
      expect(res.status, String(bad)).toBe(400)
      expect(res.body.code).toBe('invalid_station')
    }
    expect((await admin<Station>('/station', 'GET')).body.pinMaxAttempts).toBe(3)
    const cleared = await admin<Station>('/station', 'PATCH', { pinMaxAttempts: null })
    expect(cleared.body.pinMaxAttempts).toBeUndefined()
    const renamed = await admin<Station>('/station', 'PATCH', { name: '洛阳市中心血站' })
    expect(renamed.body.name).toBe('洛阳市中心血站')
  })

  it('takes six-digit PINs when adding staff and resetting a PIN; the pulled hash checks them', async () => {
    const made = await admin<{ id: string }>('/staff', 'POST', { name: '周六', role: 'collector', pin: '258013' })
    expect(made.status).toBe(201)
    let roster = upserts<RosterEntry>((await pullAll()).changes, 'roster')
    expect(await verifyPin('258013', roster.find((s) => s.id === made.body.id)!.pinHash)).toBe(true)
    expect((await admin(`/staff/${made.body.id}/pin`, 'POST', { pin: '908172' })).status).toBe(200)
    roster = upserts<RosterEntry>((await pullAll()).changes, 'roster')
    const hash = roster.find((s) => s.id === made.body.id)!.pinHash
    expect(await verifyPin('908172', hash)).toBe(true)
    expect(await verifyPin('258013', hash)).toBe(false)
    expect((await admin('/staff', 'POST', { name: '周七', role: 'collector', pin: '123456' })).status).toBe(400)
  })

  it('migration 0007 sends every live site and staff member again, so phones that pulled them get their pinyin', async () => {
    const { cursor } = await pullAll()
    expect((await pullAll(cursor)).changes.filter((c) => c.entity === 'site' || c.entity === 'roster')).toEqual([])
    await resendSitesAndStaff(t.store.db as never)
    const again = await pullAll(cursor)
    const sites = upserts<Site>(again.changes, 'site')
    expect(sites.map((s) => s.name)).toContain('车村镇天桥沟村')
    expect(sites.every((s) => typeof s.pinyin === 'string')).toBe(true)
    expect(upserts<RosterEntry>(again.changes, 'roster').map((s) => s.name)).toContain('单雪梅')
  })
})
