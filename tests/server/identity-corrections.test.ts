// Correcting a donor's identity (schema version 2: a correction whose replacement is a donor
// identity), on both engines: the station's identity row shows the newest correction, a name
// changes no figure, a corrected ID number moves the visit to the other donor key (by the visit's
// own correction) and the eligibility snapshot follows; wrong shapes are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Correction, Donation, DonorIdentity, FieldRecord } from '../../src/domain/records'
import { currentDonorIdentity } from '../../src/server/repo/donor-identities'
import { ENGINES } from './support/engines'
import {
  correctionOf,
  donation,
  startTestStation,
  type Phone,
  type StationSetup,
  type TestStation,
} from './support/station'
import { newId } from '../../src/domain/ids'

describe.each(ENGINES)('identity corrections (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('identity')
  })
  afterAll(async () => {
    await t?.close()
  })

  const identityOf = (phone: Phone, donorKey: string, over: Partial<DonorIdentity> = {}): DonorIdentity => ({
    type: 'donor_identity',
    id: newId(),
    stationId: phone.station.id,
    deviceId: phone.deviceId,
    authorStaffId: phone.station.staffIds[0]!,
    createdAt: '2026-03-02T09:30:00.000+08:00',
    donorKey,
    idNumber: '11010519491231002X',
    name: '赵丽',
    phone: '',
    household: 'rural',
    ...over,
  })
  const fixIdentity = (
    phone: Phone,
    target: DonorIdentity,
    changes: Partial<DonorIdentity>,
    at: string,
  ): Correction => ({
    type: 'correction',
    id: newId(),
    stationId: phone.station.id,
    deviceId: phone.deviceId,
    authorStaffId: phone.station.staffIds[0]!,
    createdAt: at,
    targetId: target.id,
    reason: '姓名登记错误',
    replacement: { ...target, ...changes, id: target.id, createdAt: at },
  })
  const row = (id: string) =>
    t.store.db.selectFrom('records').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const statuses = async (phone: Phone, records: FieldRecord[]) =>
    (await t.push(phone, records)).body.results.map((r) => (r.status === 'rejected' ? r.code : r.status))

  it("shows the newest name on the donor's identity row and changes no figure", async () => {
    const phone = await t.enroll(station)
    const key = 'c1'.repeat(16)
    const who = identityOf(phone, key, { name: '赵莉' })
    const gave = donation(phone, { donorKey: key })
    expect(await statuses(phone, [who, gave])).toEqual(['applied', 'applied'])
    const before = await row(gave.id)
    const first = fixIdentity(phone, who, { name: '赵丽' }, '2026-03-02T10:00:00.000+08:00')
    const older = fixIdentity(phone, who, { name: '赵历' }, '2026-03-02T09:45:00.000+08:00')
    // The newest by its time wins, whatever order they arrive in.
    expect(await statuses(phone, [first, older])).toEqual(['applied', 'applied'])
    const current = await currentDonorIdentity(t.store.db, station.id, key)
    expect(current).toMatchObject({ recordId: who.id, correctedBy: first.id })
    expect(current!.identity).toMatchObject({ name: '赵丽', idNumber: who.idNumber, donorKey: key })
    expect((await row(who.id)).corrected_by).toBe(first.id)
    // The donation and everything a report reads from it are as they were.
    expect(await row(gave.id)).toEqual(before)
  })

  it('moves the visit to the donor of a corrected ID number, and the eligibility snapshot with it', async () => {
    const phone = await t.enroll(station)
    const oldKey = 'd2'.repeat(16)
    const newKey = 'e3'.repeat(16)
    const who = identityOf(phone, oldKey)
    const gave = donation(phone, { donorKey: oldKey, collectedOn: '2026-03-02' })
    await t.push(phone, [who, gave])
    const eligibility = (key: string) =>
      t.store.db.selectFrom('eligibility').selectAll().where('donor_key', '=', key).executeTakeFirst()
    expect(await eligibility(oldKey)).toMatchObject({ donation_count: 1, deleted: 0 })

    const at = '2026-03-02T11:00:00.000+08:00'
    const fixWho = fixIdentity(phone, who, { idNumber: '110105194912310029', donorKey: newKey }, at)
    const moved: Donation = { ...gave, donorKey: newKey, sex: 'F', ageYears: 76 }
    const fixVisit = correctionOf(phone, gave, moved, at)
    expect(await statuses(phone, [fixWho, fixVisit])).toEqual(['applied', 'applied'])

    expect(await currentDonorIdentity(t.store.db, station.id, oldKey)).toBeNull()
    expect((await currentDonorIdentity(t.store.db, station.id, newKey))!.identity.idNumber).toBe('110105194912310029')
    expect((await row(gave.id)).donor_key).toBe(newKey)
    expect(await eligibility(newKey)).toMatchObject({ last_donation_on: '2026-03-02', donation_count: 1, deleted: 0 })
    expect((await eligibility(oldKey))?.deleted).toBe(1)
  })

  it('refuses an identity put in place of a donation, a donation in place of an identity, and a changed id', async () => {
    const phone = await t.enroll(station)
    const key = 'f4'.repeat(16)
    const who = identityOf(phone, key)
    const gave = donation(phone, { donorKey: key })
    await t.push(phone, [who, gave])
    const at = '2026-03-02T12:00:00.000+08:00'
    const onDonation: Correction = { ...fixIdentity(phone, who, { name: '赵丽' }, at), targetId: gave.id }
    const onIdentity = { ...correctionOf(phone, gave, { ...gave, id: who.id }, at), targetId: who.id } as Correction
    const otherId = fixIdentity(phone, who, { name: '赵丽' }, at)
    otherId.replacement = { ...otherId.replacement, id: newId() }
    expect(await statuses(phone, [onDonation, onIdentity, otherId])).toEqual([
      'rule_violation',
      'rule_violation',
      'rule_violation',
    ])
    expect((await currentDonorIdentity(t.store.db, station.id, key))!.identity.name).toBe('赵丽')
    expect((await row(who.id)).corrected_by).toBeNull()
  })
})
