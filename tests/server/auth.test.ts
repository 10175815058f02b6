// Accounts, sessions, device enrollment and revocation, and the wall between stations, on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/domain/ids'
import { verifyPin } from '../../src/domain/pin'
import type { PullResponse } from '../../src/domain/sync-protocol'
import { ENGINES } from './support/engines'
import {
  donation,
  MANAGER_PASSWORD,
  type Phone,
  startTestStation,
  type StationSetup,
  type TestStation,
} from './support/station'

describe.each(ENGINES)('auth and devices (%s)', (engine) => {
  let t: TestStation
  let a: StationSetup
  let b: StationSetup
  beforeAll(async () => {
    t = await startTestStation(engine)
    a = await t.createStation('alpha')
    b = await t.createStation('beta')
  })
  afterAll(async () => {
    await t?.close()
  })

  it('signs a manager in with a bearer token that expires, and refuses bad credentials alike', async () => {
    const wrong = await t.call('/api/v1/auth/login', {
      body: { stationCode: 'alpha', username: 'manager', password: 'nope-nope-nope' },
    })
    const unknown = await t.call('/api/v1/auth/login', {
      body: { stationCode: 'alpha', username: 'nobody', password: MANAGER_PASSWORD },
    })
    expect([wrong.status, unknown.status]).toEqual([401, 401])
    expect(wrong.body).toEqual(unknown.body)
    const ok = await t.call<{ token: string; expiresAt: string; account: { role: string } }>('/api/v1/auth/login', {
      body: { stationCode: 'alpha', username: 'Manager', password: MANAGER_PASSWORD },
    })
    expect(ok.status).toBe(200)
    expect(ok.body.account.role).toBe('manager')
    expect(Date.parse(ok.body.expiresAt)).toBeGreaterThan(Date.now())
    const stored = await t.store.db.selectFrom('sessions').select('token_hash').execute()
    expect(stored.some((s) => s.token_hash === ok.body.token)).toBe(false)
    expect((await t.call('/api/v1/auth/me', { token: ok.body.token })).status).toBe(200)
    // Expired: the same token is refused.
    await t.store.db.updateTable('sessions').set({ expires_at: '2000-01-01T00:00:00.000Z' }).execute()
    expect((await t.call('/api/v1/auth/me', { token: ok.body.token })).status).toBe(401)
    a.managerToken = (
      await t.call<{ token: string }>('/api/v1/auth/login', {
        body: { stationCode: 'alpha', username: 'manager', password: MANAGER_PASSWORD },
      })
    ).body.token
    a.adminToken = (
      await t.call<{ token: string }>('/api/v1/auth/login', {
        body: { stationCode: 'alpha', username: 'admin', password: MANAGER_PASSWORD },
      })
    ).body.token
    b.managerToken = (
      await t.call<{ token: string }>('/api/v1/auth/login', {
        body: { stationCode: 'beta', username: 'manager', password: MANAGER_PASSWORD },
      })
    ).body.token
  })

  it('ends a session on logout', async () => {
    const login = await t.call<{ token: string }>('/api/v1/auth/login', {
      body: { stationCode: 'alpha', username: 'manager', password: MANAGER_PASSWORD },
    })
    expect((await t.call('/api/v1/auth/logout', { method: 'POST', token: login.body.token })).status).toBe(204)
    expect((await t.call('/api/v1/admin/sites', { token: login.body.token })).status).toBe(401)
  })

  it('enrolls a phone with a one-time code and refuses the code a second time', async () => {
    const issued = await t.call<{ code: string; longCode: string; expiresAt: string; enrollUrl: string }>(
      '/api/v1/admin/enrollment-codes',
      { token: a.managerToken, body: {} },
    )
    expect(issued.status).toBe(201)
    expect(issued.body.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/)
    // The QR code's link carries the long form (nothing to type), the screen shows the short one.
    expect(issued.body.longCode).toMatch(/^[A-Z2-9]{27}$/)
    expect(issued.body.enrollUrl).toContain(`code=${issued.body.longCode}`)
    const hours = (Date.parse(issued.body.expiresAt) - Date.now()) / 3_600_000
    expect(hours).toBeGreaterThan(23)
    const enrolled = await t.call<{ deviceId: string; token: string; stationId: string; stationCode: string }>(
      '/api/v1/devices/enroll',
      {
        body: { code: issued.body.code.toLowerCase().replace('-', ' '), name: 'Bus 3 phone A' },
      },
    )
    expect(enrolled.status).toBe(201)
    expect(enrolled.body).toMatchObject({ stationId: a.id, stationCode: 'alpha' })
    const again = await t.call('/api/v1/devices/enroll', { body: { code: issued.body.code, name: 'thief' } })
    expect(again.status).toBe(400)
    expect(again.body).toMatchObject({ code: 'invalid_code' })
    const device = await t.store.db
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', enrolled.body.deviceId)
      .executeTakeFirstOrThrow()
    expect(device.token_hash).not.toContain(enrolled.body.token)
    expect(device.token_hash).toMatch(/^[0-9a-f]{64}$/)
    expect((await t.call('/api/v1/sync/pull', { token: enrolled.body.token })).status).toBe(200)
  })

  it('refuses an expired enrollment code', async () => {
    const issued = await t.call<{ code: string }>('/api/v1/admin/enrollment-codes', { token: a.managerToken, body: {} })
    await t.store.db
      .updateTable('enrollment_codes')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('used_at', 'is', null)
      .execute()
    expect((await t.call('/api/v1/devices/enroll', { body: { code: issued.body.code } })).status).toBe(400)
  })

  it('revokes a device: its token stops working for push and pull at once', async () => {
    const phone = await t.enroll(a, 'lost phone')
    expect((await t.push(phone, [donation(phone)])).status).toBe(200)
    const listed = await t.call<{ id: string; lastSeq: number; lastSyncAt: string | null }[]>('/api/v1/admin/devices', {
      token: a.managerToken,
    })
    const row = listed.body.find((d) => d.id === phone.deviceId)!
    expect(row.lastSeq).toBe(1)
    expect(row.lastSyncAt).not.toBeNull()
    const revoked = await t.call<{ revokedAt: string | null }>(`/api/v1/admin/devices/${phone.deviceId}/revoke`, {
      token: a.managerToken,
      body: {},
    })
    expect(revoked.status).toBe(200)
    expect(revoked.body.revokedAt).not.toBeNull()
    const push = await t.push(phone, [donation(phone)])
    expect(push.status).toBe(401)
    expect((await t.call('/api/v1/sync/pull', { token: phone.token })).status).toBe(401)
  })

  it('keeps device and manager tokens to their own routes', async () => {
    const phone = await t.enroll(a)
    expect((await t.call('/api/v1/admin/sites', { token: phone.token })).status).toBe(401)
    expect(
      (await t.call('/api/v1/reports/indicators?from=2026-01-01&to=2026-12-31', { token: phone.token })).status,
    ).toBe(401)
    expect((await t.call('/api/v1/sync/pull', { token: a.managerToken })).status).toBe(401)
    expect((await t.call('/api/v1/admin/sites')).status).toBe(401)
    expect((await t.call('/api/v1/admin/sites', { token: 'bbs_made-up' })).status).toBe(401)
  })

  it('lets only the admin manage accounts', async () => {
    expect((await t.call('/api/v1/admin/accounts', { token: a.managerToken })).status).toBe(403)
    const created = await t.call<{ id: string }>('/api/v1/admin/accounts', {
      token: a.adminToken,
      body: { username: 'deputy', password: 'deputy-pass-1', role: 'manager' },
    })
    expect(created.status).toBe(201)
    const login = await t.call<{ token: string }>('/api/v1/auth/login', {
      body: { stationCode: 'alpha', username: 'deputy', password: 'deputy-pass-1' },
    })
    expect(login.status).toBe(200)
    await t.call(`/api/v1/admin/accounts/${created.body.id}`, {
      method: 'PATCH',
      token: a.adminToken,
      body: { active: false },
    })
    expect((await t.call('/api/v1/admin/sites', { token: login.body.token })).status).toBe(401)
  })

  it('gives phones the roster with PIN hashes, never PINs', async () => {
    const phone = await t.enroll(a)
    const pulled = await t.call<PullResponse>('/api/v1/sync/pull', { token: phone.token })
    const roster = pulled.body.changes.filter((c) => c.entity === 'roster')
    expect(roster.length).toBe(2)
    const text = JSON.stringify(roster)
    expect(text).not.toContain('"pin"')
    const entry = roster[0]! as { value: { pinHash: string } }
    expect(entry.value.pinHash).toMatch(/^pbkdf2-sha256\$/)
    expect(await verifyPin('2580', entry.value.pinHash)).toBe(true)
    const staffList = await t.call('/api/v1/admin/staff', { token: a.managerToken })
    expect(JSON.stringify(staffList.body)).not.toContain('pbkdf2')
  })

  describe('between two stations', () => {
    let phoneA: Phone
    let phoneB: Phone
    beforeAll(async () => {
      phoneA = await t.enroll(a)
      phoneB = await t.enroll(b)
    })

    it('shows a manager only their own station', async () => {
      const sites = await t.call<{ stationId: string }[]>('/api/v1/admin/sites', { token: b.managerToken })
      expect(sites.body.length).toBeGreaterThan(0)
      expect(sites.body.every((s) => s.stationId === b.id)).toBe(true)
      const devices = await t.call<{ id: string }[]>('/api/v1/admin/devices', { token: b.managerToken })
      expect(devices.body.map((d) => d.id)).not.toContain(phoneA.deviceId)
    })

    it("refuses reading or changing the other station's rows by id", async () => {
      const siteA = a.sites[0]!.id
      const before = await t.snapshot()
      expect(
        (
          await t.call(`/api/v1/admin/sites/${siteA}`, {
            method: 'PATCH',
            token: b.managerToken,
            body: { name: 'taken over' },
          })
        ).status,
      ).toBe(404)
      expect((await t.call(`/api/v1/admin/sites/${siteA}`, { method: 'DELETE', token: b.managerToken })).status).toBe(
        404,
      )
      expect(
        (await t.call(`/api/v1/admin/staff/${a.staffIds[0]}/pin`, { token: b.managerToken, body: { pin: '3691' } }))
          .status,
      ).toBe(404)
      expect(
        (await t.call(`/api/v1/admin/devices/${phoneA.deviceId}/revoke`, { token: b.managerToken, body: {} })).status,
      ).toBe(404)
      // Creating a row that claims the other station lands in the caller's own.
      const made = await t.call<{ stationId: string }>('/api/v1/admin/sites', {
        token: b.managerToken,
        body: { name: 'x', kind: 'village', stationId: a.id },
      })
      expect(made.body.stationId).toBe(b.id)
      const after = await t.snapshot()
      expect(after.sites).toBe(before.sites! + 1)
    })

    it("keeps a phone's records and pulls within its station", async () => {
      const intoOther = donation(phoneA, { stationId: b.id, channelId: b.channels[0]!.id, siteId: null })
      const otherChannel = donation(phoneA, { channelId: b.channels[0]!.id })
      const res = await t.push(phoneA, [intoOther, otherChannel])
      expect(res.body.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
        'wrong_station',
        'unknown_reference',
      ])
      // A record id another station holds is never revealed or overwritten.
      const ownB = donation(phoneB)
      await t.push(phoneB, [ownB])
      const copy = await t.push(phoneA, [
        { ...ownB, stationId: a.id, channelId: a.channels[0]!.id, siteId: null, authorStaffId: a.staffIds[0] },
      ])
      expect(copy.body.results[0]).toMatchObject({ status: 'rejected', code: 'conflicting_id' })
      const pulled = await t.call<PullResponse>('/api/v1/sync/pull', { token: phoneA.token })
      const text = JSON.stringify(pulled.body.changes)
      expect(text).not.toContain(b.id)
      expect(text).toContain(a.id)
    })

    it("reports only the caller's station", async () => {
      const d = donation(phoneB, { collectedOn: '2026-05-05' })
      await t.push(phoneB, [d])
      const repA = await t.call<{ counts: { donations: number } }>(
        '/api/v1/reports/indicators?from=2026-05-05&to=2026-05-05',
        { token: a.managerToken },
      )
      const repB = await t.call<{ counts: { donations: number } }>(
        '/api/v1/reports/indicators?from=2026-05-05&to=2026-05-05',
        { token: b.managerToken },
      )
      expect(repA.body.counts.donations).toBe(0)
      expect(repB.body.counts.donations).toBe(1)
      const listed = await t.call<{ records: unknown[] }>(
        `/api/v1/reports/records?from=2026-01-01&to=2026-12-31&scope=channel&scopeId=${b.channels[0]!.id}`,
        { token: a.managerToken },
      )
      expect(listed.body.records).toEqual([])
    })
  })

  it('sets up the first station once through /api/v1/setup', async () => {
    const fresh = await startTestStation(engine)
    try {
      expect((await fresh.call<{ needed: boolean }>('/api/v1/setup')).body.needed).toBe(true)
      const body = { stationCode: 'first', stationName: 'First station', username: 'chief', password: 'chief-password' }
      const made = await fresh.call<{ token: string }>('/api/v1/setup', { body })
      expect(made.status).toBe(201)
      expect((await fresh.call('/api/v1/admin/accounts', { token: made.body.token })).status).toBe(200)
      expect((await fresh.call('/api/v1/setup', { body: { ...body, stationCode: 'second' } })).status).toBe(409)
      expect(await fresh.count('stations')).toBe(1)
    } finally {
      await fresh.close()
    }
  })

  it('ignores a forged device id header: the token decides', async () => {
    const phone = await t.enroll(a)
    const res = await t.call('/api/v1/sync/pull', { token: phone.token, headers: { 'X-Device-Id': newId() } })
    expect(res.status).toBe(200)
  })
})

// Own station, so the refusals these tests provoke do not trip the enrollment limit of the others.
describe.each(ENGINES)('a lost enrollment answer (%s)', (engine) => {
  let t: TestStation
  let a: StationSetup
  beforeAll(async () => {
    t = await startTestStation(engine)
    a = await t.createStation('alpha')
  })
  afterAll(async () => {
    await t?.close()
  })

  it('gives a phone whose answer was lost its enrollment back for the same attempt id, and nobody else', async () => {
    const issued = await t.call<{ code: string }>('/api/v1/admin/enrollment-codes', { token: a.managerToken, body: {} })
    const attemptId = '6f1d2c3b-4a59-4e87-9c21-0d3e4f5a6b7c'
    type Enrolled = { deviceId: string; token: string }
    const first = await t.call<Enrolled>('/api/v1/devices/enroll', { body: { code: issued.body.code, attemptId } })
    expect(first.status).toBe(201)
    // The answer never reached the phone; it tries again with the same code and attempt id.
    const retry = await t.call<Enrolled>('/api/v1/devices/enroll', { body: { code: issued.body.code, attemptId } })
    expect(retry.body).toMatchObject({ deviceId: first.body.deviceId })
    expect(retry.status).toBe(201)
    expect(retry.body.deviceId).toBe(first.body.deviceId)
    expect(retry.body.token).not.toBe(first.body.token)
    expect((await t.call('/api/v1/sync/pull', { token: first.body.token })).status).toBe(401)
    // Someone else with the code (no attempt id, or another) still finds it used.
    for (const body of [
      { code: issued.body.code },
      { code: issued.body.code, attemptId: attemptId.replace('6f', '70') },
    ]) {
      const other = await t.call('/api/v1/devices/enroll', { body })
      expect(other.status).toBe(400)
      expect(other.body).toMatchObject({ code: 'invalid_code' })
    }
    // Once the phone has pulled with its token, even the same attempt id is refused.
    expect((await t.call('/api/v1/sync/pull', { token: retry.body.token })).status).toBe(200)
    const late = await t.call('/api/v1/devices/enroll', { body: { code: issued.body.code, attemptId } })
    expect(late.status).toBe(400)
    expect((await t.call('/api/v1/sync/pull', { token: retry.body.token })).status).toBe(200)
    expect(
      await t.store.db.selectFrom('devices').select('id').where('id', '=', first.body.deviceId).execute(),
    ).toHaveLength(1)
  })

  it('does not give a lost enrollment back after the retry window', async () => {
    const issued = await t.call<{ code: string }>('/api/v1/admin/enrollment-codes', { token: a.managerToken, body: {} })
    const attemptId = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
    expect((await t.call('/api/v1/devices/enroll', { body: { code: issued.body.code, attemptId } })).status).toBe(201)
    await t.store.db
      .updateTable('enrollment_codes')
      .set({ used_at: new Date(Date.now() - 16 * 60_000).toISOString() })
      .where('attempt_hash', 'is not', null)
      .execute()
    expect((await t.call('/api/v1/devices/enroll', { body: { code: issued.body.code, attemptId } })).status).toBe(400)
  })
})
