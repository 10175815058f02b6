// A donor identity whose name holds emoji, symbols or control characters is refused alone, with
// the code invalid_record and a message naming the rule; a minority name with "·" and a Latin
// name with spaces are stored (both engines).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DonorIdentity } from '../../src/domain/records'
import { ENGINES } from './support/engines'
import { donation, type Phone, startTestStation, type StationSetup, type TestStation } from './support/station'

function identity(phone: Phone, name: string): DonorIdentity {
  const d = donation(phone)
  return {
    type: 'donor_identity',
    id: d.id,
    stationId: d.stationId,
    deviceId: d.deviceId,
    authorStaffId: d.authorStaffId,
    createdAt: d.createdAt,
    donorKey: d.donorKey,
    idNumber: '11010519491231002X',
    name,
    phone: '',
    household: 'rural',
  }
}

describe.each(ENGINES)('donor names on push (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('names')
  })
  afterAll(async () => {
    await t?.close()
  })

  it('refuses a name with emoji or a control character alone, and stores good names', async () => {
    const phone = await t.enroll(station)
    const res = await t.push(phone, [
      identity(phone, '阿依古丽·买买提'),
      identity(phone, '张😀👍🏽'),
      identity(phone, '王\u0007五'),
      identity(phone, 'John Smith'),
    ])
    expect(res.status).toBe(200)
    expect(res.body.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'applied',
      'invalid_record',
      'invalid_record',
      'applied',
    ])
    const refused = res.body.results[1]!
    expect(refused.status === 'rejected' && refused.message).toMatch(/name.*Chinese or Latin letters/)
  })
})
