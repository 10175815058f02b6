// One drive, several phones (issue 14), on both engines: the phones that joined the leader's drive
// by QR code push its records, each with the leader's drive record, whichever phone comes back
// into range first; the station counts one trip with every donation and shows each phone's part.
// Only the station's phones, and only bags of the drive's range.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Drive, DriveClose } from '../../src/domain/records'
import type { DrivePhones } from '../../src/server/repo/drive-phones'
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
import { newId } from '../../src/domain/ids'

const bag = (n: number) => `W123426${String(n).padStart(6, '0')}`

describe.each(ENGINES)('one drive worked by several phones (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  let leader: Phone
  let desk: Phone
  let chair: Phone
  let bus: Drive

  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('crew')
    leader = await t.enroll(station, 'leader phone')
    desk = await t.enroll(station, 'desk phone')
    chair = await t.enroll(station, 'chair phone')
    bus = drive(leader, { dinFirst: bag(1), dinLast: bag(30), bagsLoaded: 30 })
  })
  afterAll(async () => {
    await t?.close()
  })

  const statuses = (res: { body: { results: Array<{ status: string; code?: string }> } }) =>
    res.body.results.map((r) => (r.status === 'rejected' ? r.code : r.status))
  const onBus = { driveId: null as string | null }

  it("takes the drive and its records from a joined phone that syncs before the leader's", async () => {
    onBus.driveId = bus.id
    const res = await t.push(desk, [
      bus,
      donation(desk, { driveId: bus.id, din: bag(21) }),
      deferral(desk, { driveId: bus.id, channelId: bus.channelId }),
    ])
    expect(statuses(res)).toEqual(['applied', 'applied', 'applied'])
    // The leader's own push of the same drive is a duplicate, not a second trip.
    const mine = await t.push(leader, [bus, donation(leader, { driveId: bus.id, din: bag(1) })])
    expect(statuses(mine)).toEqual(['duplicate', 'applied'])
    const theirs = await t.push(chair, [bus, donation(chair, { driveId: bus.id, din: bag(11) })])
    expect(statuses(theirs)).toEqual(['duplicate', 'applied'])
  })

  it("refuses a joined phone's bag outside the drive's range, and a drive record that differs", async () => {
    const res = await t.push(chair, [donation(chair, { driveId: bus.id, din: bag(31) }), { ...bus, bagsLoaded: 29 }])
    expect(statuses(res)).toEqual(['rule_violation', 'conflicting_id'])
    expect(res.body.results[0]).toMatchObject({ message: expect.stringContaining("outside the drive's bag range") })
  })

  it('refuses a phone of another station on the drive', async () => {
    const other = await t.createStation('other')
    const stranger = await t.enroll(other)
    const res = await t.push(stranger, [
      { ...donation(stranger, { din: bag(12) }), driveId: bus.id },
      { ...bus, stationId: station.id },
    ])
    expect(statuses(res)).toEqual(['unknown_reference', 'wrong_station'])
  })

  const close = (crew: DriveClose['crew']): DriveClose => ({
    type: 'drive_close',
    id: newId(),
    stationId: station.id,
    deviceId: leader.deviceId,
    authorStaffId: station.staffIds[0]!,
    createdAt: '2026-03-02T17:30:00.000+08:00',
    driveId: bus.id,
    bagsLoaded: 30,
    bagsUsed: 3,
    bagsSpoiled: 0,
    bagsReturned: 27,
    discrepancyNote: '',
    ...(crew ? { crew } : {}),
    signedOffBy: station.staffIds[0]!,
    closedAt: '2026-03-02T17:30:00.000+08:00',
  })
  const part = (p: Phone, label: string, from: number, to: number, used: number, donations: number, deferrals = 0) => ({
    deviceId: p.deviceId,
    label,
    dinFirst: bag(from),
    dinLast: bag(to),
    bagsLoaded: to - from + 1,
    bagsUsed: used,
    donations,
    deferrals,
  })

  it('refuses a close whose phones hold the same bags or bags outside the range', async () => {
    const overlapping = close([
      part(leader, 'L', 1, 10, 1, 1),
      part(chair, 'C', 10, 20, 1, 1),
      part(desk, 'D', 21, 30, 1, 1, 1),
    ])
    const outside = close([
      part(leader, 'L', 1, 10, 1, 1),
      part(chair, 'C', 11, 20, 1, 1),
      part(desk, 'D', 21, 31, 1, 1, 1),
    ])
    expect(statuses(await t.push(leader, [overlapping, outside]))).toEqual(['rule_violation', 'rule_violation'])
  })

  it("counts one trip with every phone's donations and shows each phone's part", async () => {
    const ok = close([
      part(leader, '王建华', 1, 10, 1, 1),
      part(chair, '李敏', 11, 20, 1, 1),
      part(desk, '张伟', 21, 30, 1, 1, 1),
    ])
    expect(statuses(await t.push(leader, [ok]))).toEqual(['applied'])
    const ind = await t.call<{ counts: { busTrips: number; donations: number; deferrals: number } }>(
      '/api/v1/reports/indicators?from=2026-01-01&to=2026-12-31',
      { token: station.managerToken },
    )
    expect(ind.body.counts).toMatchObject({ busTrips: 1, donations: 3, deferrals: 1 })
    const res = await t.call<DrivePhones>(`/api/v1/reports/drives/${bus.id}/phones`, { token: station.managerToken })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ driveId: bus.id, closed: true })
    expect(res.body.phones.map((p) => [p.name, p.leader, p.donations, p.deferrals, p.dinFirst, p.bagsUsed])).toEqual([
      ['leader phone', true, 1, 0, bag(1), 1],
      ['chair phone', false, 1, 0, bag(11), 1],
      ['desk phone', false, 1, 1, bag(21), 1],
    ])
    const missing = await t.call(`/api/v1/reports/drives/${newId()}/phones`, { token: station.managerToken })
    expect(missing.status).toBe(404)
  })
})
