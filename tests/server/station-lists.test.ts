// Station pages on a phone, server side, on both engines: staff and sites a page at a time with a
// search; phones named by the station's enrollment code and renamable, with the records they said
// wait on them; unspent codes listed and withdrawn; the years that hold records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/domain/records'
import { ENGINES } from './support/engines'
import { donation, startTestStation, type StationSetup, type TestStation } from './support/station'

describe.each(ENGINES)('station lists (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('lists')
  })
  afterAll(async () => {
    await t?.close()
  })
  const get = async <T>(path: string) => {
    const res = await t.call<T>(path, { token: station.managerToken })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    return res.body
  }

  it('pages sites by name with a search on name or county; without limit the whole list', async () => {
    for (let i = 0; i < 25; i++) {
      const res = await t.call('/api/v1/admin/sites', {
        token: station.managerToken,
        body: {
          name: `Village ${String(i).padStart(2, '0')}`,
          kind: 'village',
          area: i % 5 === 0 ? 'Song_county' : 'Yiyang',
        },
      })
      expect(res.status).toBe(201)
    }
    const all = await get<Site[]>('/api/v1/admin/sites')
    const first = await get<{ sites: Site[]; total: number }>('/api/v1/admin/sites?limit=10&offset=0')
    expect(first.total).toBe(all.length)
    expect(first.sites).toHaveLength(10)
    const names = all.map((s) => s.name).sort()
    const third = await get<{ sites: Site[] }>('/api/v1/admin/sites?limit=10&offset=20')
    expect(third.sites.map((s) => s.name)).toEqual(names.slice(20, 30))
    const county = await get<{ sites: Site[]; total: number }>('/api/v1/admin/sites?limit=50&q=song_')
    expect(county.total).toBe(5)
    // A LIKE wildcard in the search is taken as it is: "_" matches only an underscore.
    expect((await get<{ total: number }>('/api/v1/admin/sites?limit=50&q=song%25')).total).toBe(0)
    expect((await get<{ total: number }>('/api/v1/admin/sites?limit=50&q=VILLAGE 1')).total).toBe(10)
    expect((await t.call('/api/v1/admin/sites?limit=0', { token: station.managerToken })).status).toBe(400)
    expect((await t.call('/api/v1/admin/sites?limit=201', { token: station.managerToken })).status).toBe(400)
  })

  it('pages staff with a search', async () => {
    const page = await get<{ staff: { name: string }[]; total: number }>('/api/v1/admin/staff?limit=1&q=')
    const all = await get<{ name: string }[]>('/api/v1/admin/staff')
    expect(page.total).toBe(all.length)
    expect(page.staff).toHaveLength(1)
    const name = all[0]!.name
    const found = await get<{ staff: { name: string }[] }>(`/api/v1/admin/staff?limit=5&q=${encodeURIComponent(name)}`)
    expect(found.staff.map((s) => s.name)).toContain(name)
  })

  it('names the phone by its code, lists and withdraws unspent codes, renames the phone, shows what waits on it', async () => {
    const named = await t.call<{ code: string }>('/api/v1/admin/enrollment-codes', {
      token: station.managerToken,
      body: { deviceName: 'Bus 3 phone A' },
    })
    expect(named.status).toBe(201)
    const spare = await t.call<{ code: string }>('/api/v1/admin/enrollment-codes', {
      token: station.managerToken,
      body: {},
    })
    const open = await get<{ id: string; deviceName: string | null }[]>('/api/v1/admin/enrollment-codes')
    expect(open.map((c) => c.deviceName).sort()).toEqual(['Bus 3 phone A', null].sort())
    // A POST without any body still issues a code (unnamed), as before.
    const bare = await t.call<{ code: string }>('/api/v1/admin/enrollment-codes', {
      method: 'POST',
      token: station.managerToken,
    })
    expect(bare.status).toBe(201)
    const bareId = (
      await get<{ id: string; deviceName: string | null; createdAt: string }[]>('/api/v1/admin/enrollment-codes')
    ).find((c) => !open.some((o) => o.id === c.id))!.id
    expect(
      (
        await t.call(`/api/v1/admin/enrollment-codes/${encodeURIComponent(bareId)}`, {
          method: 'DELETE',
          token: station.managerToken,
        })
      ).status,
    ).toBe(204)

    const enrolled = await t.call<{ deviceId: string; token: string }>('/api/v1/devices/enroll', {
      body: { code: named.body.code, name: 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36' },
    })
    expect(enrolled.status).toBe(201)
    expect((await get<unknown[]>('/api/v1/admin/enrollment-codes')).length).toBe(1)
    const unused = (await get<{ id: string }[]>('/api/v1/admin/enrollment-codes'))[0]!
    const withdrawn = await t.call(`/api/v1/admin/enrollment-codes/${encodeURIComponent(unused.id)}`, {
      method: 'DELETE',
      token: station.managerToken,
    })
    expect(withdrawn.status).toBe(204)
    expect(await get<unknown[]>('/api/v1/admin/enrollment-codes')).toEqual([])
    const refused = await t.call('/api/v1/devices/enroll', { body: { code: spare.body.code, name: 'x' } })
    expect(refused.status).toBe(400)

    type Device = { id: string; name: string; pendingRecords: number | null; pendingAt: string | null }
    const device = (await get<Device[]>('/api/v1/admin/devices')).find((d) => d.id === enrolled.body.deviceId)!
    expect(device).toMatchObject({ name: 'Bus 3 phone A', pendingRecords: null })
    const pull = await t.call(`/api/v1/sync/pull?pending=7`, { token: enrolled.body.token })
    expect(pull.status).toBe(200)
    const after = (await get<Device[]>('/api/v1/admin/devices')).find((d) => d.id === enrolled.body.deviceId)!
    expect(after.pendingRecords).toBe(7)
    expect(after.pendingAt).not.toBeNull()
    const renamed = await t.call<Device>(`/api/v1/admin/devices/${device.id}`, {
      method: 'PATCH',
      token: station.managerToken,
      body: { name: 'Bus 4 phone A' },
    })
    expect(renamed.body.name).toBe('Bus 4 phone A')
  })

  it('names the years that hold records, newest first', async () => {
    expect(await get('/api/v1/reports/years')).toEqual({ years: [] })
    const phone = await t.enroll(station)
    await t.push(phone, [
      donation(phone, { collectedOn: '2025-05-02', collectedAt: '2025-05-02T09:00:00.000+08:00' }),
      donation(phone, { collectedOn: '2026-03-02' }),
      donation(phone, { collectedOn: '2026-03-03' }),
    ])
    expect(await get('/api/v1/reports/years')).toEqual({
      years: [
        { year: 2026, records: 2 },
        { year: 2025, records: 1 },
      ],
    })
  })
})
