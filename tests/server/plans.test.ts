// Drive plans on both engines (issue 15): the admin endpoints, the pull of plans from today on, a
// drive that names its plan, planned vs done with the trip target's pace, recruitment lists and
// the emergency-team flag.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays, addMonths, isoDateOf } from '../../src/domain/dates'
import { donorKey } from '../../src/domain/donor-key'
import { newId } from '../../src/domain/ids'
import type { DrivePlan, RecruitmentRow } from '../../src/domain/plans'
import type { DonorIdentity } from '../../src/domain/records'
import { residentIdCheckCharacter } from '../../src/domain/resident-id'
import type { PullChange, PullResponse } from '../../src/domain/sync-protocol'
import { getStationRow } from '../../src/server/repo/stations'
import { ENGINES } from './support/engines'
import {
  deferral,
  donation,
  drive,
  type Phone,
  startTestStation,
  type StationSetup,
  type TestStation,
} from './support/station'

const idNumber = (seq: string) => {
  const first17 = `41030219850101${seq}`
  return first17 + residentIdCheckCharacter(first17)
}

describe.each(ENGINES)('drive plans (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  let phone: Phone
  let today: string
  let rural: string
  let university: string
  let otherSite: string
  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('plans')
    phone = await t.enroll(station)
    today = isoDateOf(new Date(), 'Asia/Shanghai')
    rural = station.channels.find((c) => c.code === 'rural_mobile')!.id
    university = station.channels.find((c) => c.code === 'universities')!.id
    const other = await t.call<{ id: string }>('/api/v1/admin/sites', {
      token: station.managerToken,
      body: { name: 'Luoyang University', kind: 'university', area: 'Luolong' },
    })
    otherSite = other.body.id
  })
  afterAll(async () => {
    await t?.close()
  })

  const plan = (over: Partial<DrivePlan> = {}) => ({
    date: today,
    siteId: station.sites[0]!.id,
    channelId: rural,
    busCode: 'BUS-7',
    staffIds: [...station.staffIds],
    leaderStaffId: station.staffIds[0]!,
    expectedDonors: 40,
    dinFirst: 'W123426000201',
    dinLast: 'W123426000260',
    ...over,
  })
  const create = (body: unknown) =>
    t.call<DrivePlan & { code?: string; message?: string }>('/api/v1/admin/plans', {
      token: station.managerToken,
      body,
    })
  const pullAll = async (cursor?: string, token = phone.token) => {
    const changes: PullChange[] = []
    for (;;) {
      const res = await t.call<PullResponse>(`/api/v1/sync/pull${cursor ? `?cursor=${cursor}` : ''}`, { token })
      changes.push(...res.body.changes)
      cursor = res.body.cursor
      if (!res.body.more) return { changes, cursor }
    }
  }
  const planChanges = (changes: PullChange[]) => changes.filter((c) => c.entity === 'plan')

  it('creates, lists, changes and deletes plans; refuses a plan that does not hang together', async () => {
    const made = await create(plan({ date: addDays(today, 3) }))
    expect(made.status).toBe(201)
    expect(made.body).toMatchObject({ stationId: station.id, expectedDonors: 40, teamIds: [], note: '' })

    const badLeader = await create(plan({ leaderStaffId: newId(), staffIds: [station.staffIds[1]!] }))
    expect(badLeader.status).toBe(400)
    expect(badLeader.body.code).toBe('invalid_plan')
    const unknownSite = await create(plan({ siteId: newId() }))
    expect([unknownSite.status, unknownSite.body.code]).toEqual([400, 'invalid_plan'])
    const halfRange = await create(plan({ dinLast: '' }))
    expect([halfRange.status, halfRange.body.code]).toEqual([400, 'invalid_plan'])
    const noExpected = await create({ ...plan(), expectedDonors: -1 })
    expect(noExpected.status).toBe(400)

    const changed = await t.call<DrivePlan>(`/api/v1/admin/plans/${made.body.id}`, {
      method: 'PATCH',
      token: station.managerToken,
      body: { expectedDonors: 55 },
    })
    expect(changed.status).toBe(200)
    expect(changed.body).toMatchObject({ expectedDonors: 55, busCode: 'BUS-7', date: addDays(today, 3) })

    const listed = await t.call<DrivePlan[]>(`/api/v1/admin/plans?from=${today}&to=${addDays(today, 7)}`, {
      token: station.managerToken,
    })
    expect(listed.body.map((p) => p.id)).toContain(made.body.id)
    const outside = await t.call<DrivePlan[]>(`/api/v1/admin/plans?from=${addDays(today, 4)}`, {
      token: station.managerToken,
    })
    expect(outside.body.map((p) => p.id)).not.toContain(made.body.id)

    const gone = await t.call(`/api/v1/admin/plans/${made.body.id}`, { method: 'DELETE', token: station.managerToken })
    expect(gone.status).toBe(204)
    const again = await t.call<{ code: string }>(`/api/v1/admin/plans/${made.body.id}`, {
      method: 'DELETE',
      token: station.managerToken,
    })
    expect([again.status, again.body.code]).toEqual([404, 'not_found'])
    // A phone's token is not a manager session.
    const byPhone = await t.call('/api/v1/admin/plans', { token: phone.token })
    expect(byPhone.status).toBe(401)
  })

  it('phones pull the plans from today on; a plan moved into the past or deleted leaves them', async () => {
    const past = (await create(plan({ date: addDays(today, -1) }))).body
    const todays = (await create(plan({ date: today }))).body
    const next = (await create(plan({ date: addDays(today, 2), siteId: otherSite, channelId: university }))).body
    const first = await pullAll()
    const got = planChanges(first.changes)
    expect(got.map((c) => c.key).sort()).toEqual([todays.id, next.id].sort())
    expect(got.find((c) => c.key === todays.id)).toMatchObject({ op: 'upsert', value: { dinFirst: 'W123426000201' } })
    expect(got.some((c) => c.key === past.id)).toBe(false)

    await t.call(`/api/v1/admin/plans/${next.id}`, {
      method: 'PATCH',
      token: station.managerToken,
      body: { date: addDays(today, -2) },
    })
    await t.call(`/api/v1/admin/plans/${todays.id}`, { method: 'DELETE', token: station.managerToken })
    const later = planChanges((await pullAll(first.cursor)).changes)
    expect(later).toEqual(
      expect.arrayContaining([
        { op: 'delete', entity: 'plan', key: next.id },
        { op: 'delete', entity: 'plan', key: todays.id },
      ]),
    )
    expect(later.every((c) => c.op === 'delete')).toBe(true)
  })

  it('a drive records the plan it was opened from', async () => {
    const p = (await create(plan({ date: today }))).body
    const d = drive(phone, { date: today, planId: p.id })
    const res = await t.push(phone, [d])
    expect(res.status).toBe(200)
    expect(res.body.results[0]!.status).toBe('applied')
    const row = await t.store.db.selectFrom('records').select('body').where('id', '=', d.id).executeTakeFirstOrThrow()
    expect(JSON.parse(row.body).planId).toBe(p.id)
  })

  it('planned vs done per month and the pace of the year trip target, in trips and donations', async () => {
    const s2 = await t.createStation('pace')
    const p2 = await t.enroll(s2)
    const ruralId = s2.channels.find((c) => c.code === 'rural_mobile')!.id
    const year = Number(today.slice(0, 4))
    await t.call('/api/v1/admin/targets', {
      token: s2.managerToken,
      body: {
        period: { kind: 'year', start: `${year}-01-01`, end: `${year}-12-31` },
        scope: { kind: 'channel', id: ruralId },
        metric: 'bus_trips',
        comparison: '>=',
        value: 100,
      },
    })
    const on = `${year}-01-10`
    const planBody = (date: string, expected: number) => ({
      date,
      siteId: s2.sites[0]!.id,
      channelId: ruralId,
      expectedDonors: expected,
    })
    for (const body of [planBody(on, 30), planBody(`${year}-01-11`, 20), planBody(`${year}-12-31`, 25)])
      expect((await t.call('/api/v1/admin/plans', { token: s2.managerToken, body })).status).toBe(201)
    // One rural drive done on the 10th with three donations (one voided), and one off-drive donation.
    const d = drive(p2, { date: on, channelId: ruralId })
    const gifts = [0, 1, 2].map(() => donation(p2, { driveId: d.id, channelId: ruralId, collectedOn: on }))
    const loose = donation(p2, { collectedOn: on })
    const voided = {
      type: 'void',
      id: newId(),
      stationId: s2.id,
      deviceId: p2.deviceId,
      authorStaffId: s2.staffIds[0]!,
      createdAt: `${on}T12:00:00.000+08:00`,
      targetId: gifts[2]!.id,
      reason: 'entered twice',
    }
    expect((await t.push(p2, [d, ...gifts, loose, voided])).body.results.every((r) => r.status === 'applied')).toBe(
      true,
    )

    const asOf = `${year}-06-30`
    const res = await t.call<{
      months: {
        month: string
        plannedTrips: number
        doneTrips: number
        plannedDonations: number
        doneDonations: number
        plannedRuralTrips: number
        doneRuralTrips: number
      }[]
      target: { value: number } | null
      pace: Record<string, number | null>
    }>(`/api/v1/admin/plan-summary?year=${year}&asOf=${asOf}`, { token: s2.managerToken })
    expect(res.status).toBe(200)
    expect(res.body.months).toHaveLength(12)
    expect(res.body.months[0]).toEqual({
      month: `${year}-01`,
      plannedTrips: 2,
      plannedRuralTrips: 2,
      plannedDonations: 50,
      doneTrips: 1,
      doneRuralTrips: 1,
      doneDonations: 2,
    })
    expect(res.body.months[11]).toMatchObject({ plannedTrips: 1, doneTrips: 0 })
    expect(res.body.target?.value).toBe(100)
    const yearDays = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / 86_400_000
    const elapsed = (Date.UTC(year, 5, 30) - Date.UTC(year, 0, 1)) / 86_400_000 + 1
    const weeks = Math.ceil((yearDays - elapsed) / 7)
    expect(res.body.pace).toEqual({
      target: 100,
      done: 1,
      expectedByNow: Math.round((100 * elapsed) / yearDays),
      plannedAhead: 1,
      tripsNeeded: 99,
      tripsUnplanned: 98,
      weeksLeft: weeks,
      tripsPerWeek: Math.round((99 / weeks) * 10) / 10,
      donationsPerTrip: 2,
      donationsNeeded: 198,
    })
    const bad = await t.call<{ code: string }>(`/api/v1/admin/plan-summary?asOf=soon`, { token: s2.managerToken })
    expect([bad.status, bad.body.code]).toEqual([400, 'invalid_request'])
  })

  it('a recruitment list: donors of the area eligible by the date and not given for N months, RhD-negative and emergency-team donors for call-up, with identities from the station', async () => {
    const s3 = await t.createStation('recruit')
    const p3 = await t.enroll(s3)
    const salt = (await getStationRow(t.store.db, s3.id)).donor_key_salt
    const areaSite = s3.sites[0]!.id // Xin'an village, area Xin'an
    const neighbour = (
      await t.call<{ id: string }>('/api/v1/admin/sites', {
        token: s3.managerToken,
        body: { name: "Xin'an township", kind: 'township', area: "Xin'an" },
      })
    ).body.id
    const faraway = (
      await t.call<{ id: string }>('/api/v1/admin/sites', {
        token: s3.managerToken,
        body: { name: 'Songxian village', kind: 'village', area: 'Songxian' },
      })
    ).body.id
    const planDate = addDays(today, 10)
    const p = (
      await t.call<DrivePlan>('/api/v1/admin/plans', {
        token: s3.managerToken,
        body: { date: planDate, siteId: areaSite, channelId: s3.channels[0]!.id, expectedDonors: 30 },
      })
    ).body
    const donor = async (seq: string, name: string, phoneNo: string) => {
      const id = idNumber(seq)
      return { id, key: await donorKey(id, salt), name, phone: phoneNo }
    }
    const longAgo = await donor('001', '张三', '13800000001') // gave in the area 14 months before: invited
    const recent = await donor('002', '李四', '13800000002') // gave in the area 2 months before: not yet
    const neg = await donor('003', '王五', '13800000003') // RhD negative far away 7 months before: call-up
    const deferred = await donor('004', '赵六', '13800000004') // area, long ago, but deferred past the date
    const team = await donor('005', '孙七', '13800000005') // emergency team, gave far away 8 months before
    const lastYearish = await donor('006', '周八', '13800000006') // area (neighbour site), 13 months: invited
    const at = (months: number) => addMonths(planDate, -months)
    const identity = (d: typeof longAgo): DonorIdentity => ({
      type: 'donor_identity',
      id: newId(),
      stationId: s3.id,
      deviceId: p3.deviceId,
      authorStaffId: s3.staffIds[0]!,
      createdAt: '2026-01-02T09:00:00.000+08:00',
      donorKey: d.key,
      idNumber: d.id,
      name: d.name,
      phone: d.phone,
      household: 'rural',
    })
    const records = [
      donation(p3, { donorKey: longAgo.key, siteId: areaSite, collectedOn: at(14), abo: 'A' }),
      donation(p3, { donorKey: recent.key, siteId: areaSite, collectedOn: at(2) }),
      donation(p3, { donorKey: neg.key, siteId: faraway, collectedOn: at(7), abo: 'B', rhd: 'neg' }),
      donation(p3, { donorKey: deferred.key, siteId: areaSite, collectedOn: at(20) }),
      deferral(p3, { donorKey: deferred.key, collectedOn: at(1), until: addDays(planDate, 30) }),
      donation(p3, { donorKey: team.key, siteId: faraway, collectedOn: at(8) }),
      donation(p3, { donorKey: lastYearish.key, siteId: neighbour, collectedOn: at(13) }),
      ...[longAgo, recent, neg, deferred, team, lastYearish].map(identity),
    ]
    const pushed = await t.push(p3, records)
    expect(pushed.body.results.filter((r) => r.status !== 'applied')).toEqual([])

    const flag = await t.call<{ donorKey: string; name: string }>('/api/v1/admin/donor-flags', {
      method: 'PUT',
      token: s3.managerToken,
      body: { idNumber: team.id, emergencyTeam: true },
    })
    expect(flag.status).toBe(200)
    expect(flag.body).toMatchObject({ donorKey: team.key, name: '孙七' })
    const badFlag = await t.call<{ code: string }>('/api/v1/admin/donor-flags', {
      method: 'PUT',
      token: s3.managerToken,
      body: { idNumber: '123', emergencyTeam: true },
    })
    expect([badFlag.status, badFlag.body.code]).toEqual([400, 'invalid_donor_flag'])
    const members = await t.call<{ donorKey: string }[]>('/api/v1/admin/donor-flags', { token: s3.managerToken })
    expect(members.body.map((m) => m.donorKey)).toEqual([team.key])

    const list = await t.call<{ rows: RecruitmentRow[]; siteIds: string[] }>(
      `/api/v1/admin/plans/${p.id}/recruitment?months=12`,
      { token: s3.managerToken },
    )
    expect(list.status).toBe(200)
    expect(list.body.siteIds.sort()).toEqual([areaSite, neighbour].sort())
    expect(list.body.rows.map((r) => [r.name, r.phone, r.reasons])).toEqual([
      ['张三', '13800000001', ['area']],
      ['周八', '13800000006', ['area']],
      ['孙七', '13800000005', ['emergency_team']],
      ['王五', '13800000003', ['rhd_negative']],
    ])
    expect(list.body.rows[0]).toMatchObject({ abo: 'A', rhd: 'pos', lastDonationOn: at(14), donationCount: 1 })
    // N months is a parameter: at 14 months only the donor of 14 months ago is of the area.
    const strict = await t.call<{ rows: RecruitmentRow[] }>(`/api/v1/admin/plans/${p.id}/recruitment?months=14`, {
      token: s3.managerToken,
    })
    expect(strict.body.rows.filter((r) => r.reasons.includes('area')).map((r) => r.name)).toEqual(['张三'])
    const bad = await t.call<{ code: string }>(`/api/v1/admin/plans/${p.id}/recruitment?months=x`, {
      token: s3.managerToken,
    })
    expect([bad.status, bad.body.code]).toEqual([400, 'invalid_request'])
    // Identity data stays at the station: nothing of it reaches a phone's pull.
    const pulled = JSON.stringify((await pullAll(undefined, p3.token)).changes)
    expect(pulled).toContain(team.key) // the eligibility snapshot, as before
    expect(pulled).not.toContain('13800000005')
    expect(pulled).not.toContain('孙七')
    expect(pulled).not.toMatch(/emergency_?team/i)
  })
})
