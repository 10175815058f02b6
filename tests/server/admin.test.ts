// The admin API on both engines: reference data CRUD, targets by the domain rules, staff PINs,
// population, station; each refusal is 4xx JSON and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/domain/ids'
import type { Target } from '../../src/domain/records'
import { ENGINES } from './support/engines'
import { startTestStation, type StationSetup, type TestStation } from './support/station'

describe.each(ENGINES)('admin API (%s)', (engine) => {
  let t: TestStation
  let s: StationSetup
  beforeAll(async () => {
    t = await startTestStation(engine)
    s = await t.createStation('admin')
  })
  afterAll(async () => {
    await t?.close()
  })
  const call = <T>(path: string, opts: { method?: string; body?: unknown } = {}) =>
    t.call<T>(`/api/v1/admin${path}`, { token: s.managerToken, ...opts })

  it('creates, lists, updates (PATCH and PUT) and deletes sites', async () => {
    const made = await call<{ id: string; name: string; area: string }>('/sites', {
      body: { name: '洛阳师范学院', kind: 'university' },
    })
    expect(made.status).toBe(201)
    expect(made.body.area).toBe('')
    const patched = await call<{ name: string; kind: string }>(`/sites/${made.body.id}`, {
      method: 'PATCH',
      body: { name: 'Luoyang Normal University' },
    })
    expect(patched.body).toMatchObject({ name: 'Luoyang Normal University', kind: 'university' })
    const put = await call<{ kind: string }>(`/sites/${made.body.id}`, {
      method: 'PUT',
      body: { ...patched.body, kind: 'enterprise' },
    })
    expect(put.body.kind).toBe('enterprise')
    expect((await call<{ id: string }[]>('/sites')).body.map((x) => x.id)).toContain(made.body.id)
    expect((await call(`/sites/${made.body.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await call<{ id: string }[]>('/sites')).body.map((x) => x.id)).not.toContain(made.body.id)
    expect((await call(`/sites/${made.body.id}`, { method: 'DELETE' })).status).toBe(404)
  })

  it('refuses invalid sites, channel codes taken and unknown ids without writing', async () => {
    const before = await t.snapshot()
    const bad = await call<{ code: string; message: string }>('/sites', { body: { name: '', kind: 'castle' } })
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('invalid_site')
    expect(bad.body.message).toContain('kind')
    const dup = await call<{ code: string }>('/channels', {
      body: { code: 'rural_mobile', nameZh: '乡村', nameEn: 'Rural', ruralMobile: true },
    })
    expect(dup.status).toBe(409)
    expect(dup.body.code).toBe('code_taken')
    expect((await call(`/teams/${newId()}`, { method: 'PATCH', body: { nameEn: 'x' } })).status).toBe(404)
    expect((await call('/teams/not-an-id', { method: 'PATCH', body: { nameEn: 'x' } })).status).toBe(404)
    expect(await t.snapshot()).toEqual(before)
  })

  it('checks targets with the domain rules: share 0–100, period order and kind, overlapping duplicates', async () => {
    const year = { kind: 'year', start: '2026-01-01', end: '2026-12-31' }
    const target = {
      period: year,
      scope: { kind: 'station', id: null },
      metric: 'rural_mobile_share',
      comparison: '>=',
      value: 32,
    }
    const made = await call<Target>('/targets', { body: target })
    expect(made.status).toBe(201)
    const before = await t.snapshot()
    const share = await call<{ code: string; errors: { code: string }[] }>('/targets', {
      body: { ...target, value: 120 },
    })
    expect(share.status).toBe(400)
    expect(share.body.errors.map((e) => e.code)).toContain('share_out_of_range')
    const reversed = await call<{ errors: { code: string }[] }>('/targets', {
      body: { ...target, period: { kind: 'custom', start: '2026-05-01', end: '2026-04-01' } },
    })
    expect(reversed.body.errors.map((e) => e.code)).toContain('period_reversed')
    const overlap = await call<{ code: string }>('/targets', { body: { ...target, value: 30 } })
    expect(overlap.status).toBe(409)
    expect(overlap.body.code).toBe('overlapping_duplicate')
    const unknownScope = await call<{ errors: { code: string }[] }>('/targets', {
      body: { ...target, scope: { kind: 'channel', id: newId() } },
    })
    expect(unknownScope.body.errors.map((e) => e.code)).toContain('scope_unknown')
    expect(await t.snapshot()).toEqual(before)
    // A band (≤ beside ≥) and a monthly breakdown are not duplicates; editing a target is not a clash with itself.
    expect((await call('/targets', { body: { ...target, comparison: '<=', value: 40 } })).status).toBe(201)
    expect(
      (
        await call('/targets', {
          body: { ...target, period: { kind: 'month', start: '2026-03-01', end: '2026-03-31' } },
        })
      ).status,
    ).toBe(201)
    const edited = await call<Target>(`/targets/${made.body.id}`, { method: 'PUT', body: { ...made.body, value: 33 } })
    expect(edited.status).toBe(200)
    expect(edited.body.value).toBe(33)
    const channelTarget = await call('/targets', {
      body: { ...target, metric: 'donations', value: 28000, scope: { kind: 'channel', id: s.channels[0]!.id } },
    })
    expect(channelTarget.status).toBe(201)
  })

  it('creates staff with a PIN, resets it, deactivates and deletes', async () => {
    const weak = await call<{ code: string }>('/staff', { body: { name: 'Zhao Lei', role: 'collector', pin: '1234' } })
    expect(weak.status).toBe(400)
    expect(weak.body.code).toBe('invalid_pin')
    const made = await call<{ id: string; active: boolean }>('/staff', {
      body: { name: 'Zhao Lei', role: 'leader', pin: '4071' },
    })
    expect(made.status).toBe(201)
    expect(made.body.active).toBe(true)
    const hashBefore = (
      await t.store.db.selectFrom('staff').select('pin_hash').where('id', '=', made.body.id).executeTakeFirstOrThrow()
    ).pin_hash
    expect((await call(`/staff/${made.body.id}/pin`, { body: { pin: '9517' } })).status).toBe(200)
    const hashAfter = (
      await t.store.db.selectFrom('staff').select('pin_hash').where('id', '=', made.body.id).executeTakeFirstOrThrow()
    ).pin_hash
    expect(hashAfter).not.toBe(hashBefore)
    const off = await call<{ active: boolean }>(`/staff/${made.body.id}`, { method: 'PATCH', body: { active: false } })
    expect(off.body.active).toBe(false)
    expect((await call(`/staff/${made.body.id}`, { method: 'PATCH', body: { pin: '1111' } })).status).toBe(400)
    expect((await call(`/staff/${made.body.id}`, { method: 'DELETE' })).status).toBe(204)
  })

  it('keeps population per year', async () => {
    expect((await call('/populations/2026', { method: 'PUT', body: { population: 7_080_000 } })).status).toBe(200)
    expect((await call('/populations/2026', { method: 'PUT', body: { population: 7_090_000 } })).status).toBe(200)
    expect((await call('/populations/1800', { method: 'PUT', body: { population: 10 } })).status).toBe(400)
    expect((await call('/populations/2026', { method: 'PUT', body: { population: -1 } })).status).toBe(400)
    const list = await call<{ year: number; population: number }[]>('/populations')
    expect(list.body).toEqual([{ stationId: s.id, year: 2026, population: 7_090_000 }])
    expect((await call('/populations/2026', { method: 'DELETE' })).status).toBe(204)
    expect((await call('/populations/2026', { method: 'DELETE' })).status).toBe(404)
  })

  it('renames the station and its devices', async () => {
    const renamed = await call<{ name: string }>('/station', { method: 'PATCH', body: { name: '洛阳市中心血站' } })
    expect(renamed.body.name).toBe('洛阳市中心血站')
    const phone = await t.enroll(s)
    const dev = await call<{ name: string }>(`/devices/${phone.deviceId}`, { method: 'PATCH', body: { name: 'Bus 7' } })
    expect(dev.body.name).toBe('Bus 7')
  })

  it("changes the caller's own password", async () => {
    const wrong = await call('/password', { body: { currentPassword: 'nope', newPassword: 'another-pass-9' } })
    expect(wrong.status).toBe(401)
    expect(
      (await call('/password', { body: { currentPassword: 'correct horse battery', newPassword: 'another-pass-9' } }))
        .status,
    ).toBe(204)
    // The session ended with the change.
    expect((await call('/sites')).status).toBe(401)
    const login = await t.call<{ token: string }>('/api/v1/auth/login', {
      body: { stationCode: 'admin', username: 'manager', password: 'another-pass-9' },
    })
    expect(login.status).toBe(200)
    s.managerToken = login.body.token
  })
})
