// The phone engine against the real station for the recoveries the fault suite does not reach:
// a wiped phone, a phone enrolled again, a revoked token, a refused record fixed and resent,
// schema versions, gzip bodies.
import 'fake-indexeddb/auto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/domain/ids'
import { type FieldRecord, SCHEMA_VERSION } from '../../src/domain/records'
import type { FieldDb } from '../../src/app/db'
import { saveFieldRecords } from '../../src/app/db/field-records'
import { fixAndResend } from '../../src/app/sync/attention'
import { dexieMetaPort } from '../../src/app/sync/dexie-ports'
import { receiptOf } from '../../src/app/db/sync-meta'
import { createPhoneSyncEngine, type PhoneSyncOptions } from '../../src/app/sync/phone'
import { openPhoneDb } from './sync-phone'
import { ENGINES } from './support/engines'
import {
  deferral,
  donation,
  type Phone,
  startTestStation,
  type StationSetup,
  type TestStation,
} from './support/station'

describe.each(ENGINES)('phone sync recoveries against the station (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation(`recovery_${engine}`)
  }, 60_000)
  afterAll(async () => {
    await t?.close()
  })

  const engineFor = (db: FieldDb, opts: PhoneSyncOptions = {}) => createPhoneSyncEngine(db, { baseUrl: t.url, ...opts })
  const save = (db: FieldDb, records: FieldRecord[]) => saveFieldRecords(records, db)
  const stationRows = async (deviceId: string) =>
    (await t.store.db.selectFrom('records').select('id').where('device_id', '=', deviceId).execute()).map((r) => r.id)

  it('a phone whose storage was wiped says so and its new records arrive numbered after the old ones, nothing doubled', async () => {
    const phone = await t.enroll(station)
    const name = `wiped-${newId()}`
    let db = await openPhoneDb(name, phone)
    const before = Array.from({ length: 5 }, () => donation(phone))
    await save(db, before)
    expect((await engineFor(db).sync()).ok).toBe(true)
    // iOS cleared the site's data; the enrollment came back (same device), the outbox starts at 1 again
    await db.delete()
    db = await openPhoneDb(name, phone)
    const after = Array.from({ length: 3 }, () => donation(phone))
    const saved = await save(db, after)
    expect(saved[0]!.seq).toBe(1)
    const report = await engineFor(db).sync()
    expect(report.error).toBeNull()
    expect(report.ok).toBe(true)
    expect(report.storageWipe).toMatchObject({ serverLastSeq: 5 })
    expect((await dexieMetaPort(db).get()).storageWipe).toMatchObject({ serverLastSeq: 5 })
    expect((await stationRows(phone.deviceId)).sort()).toEqual([...before, ...after].map((r) => r.id).sort())
    const device = await t.store.db
      .selectFrom('devices')
      .select('last_seq')
      .where('id', '=', phone.deviceId)
      .executeTakeFirstOrThrow()
    expect(Number(device.last_seq)).toBe(8)
    db.close()
  })

  it('a wiped phone with nothing waiting learns it from the pull; its next record is numbered after the station', async () => {
    const phone = await t.enroll(station)
    const name = `wiped-idle-${newId()}`
    let db = await openPhoneDb(name, phone)
    await save(db, [donation(phone), donation(phone)])
    await engineFor(db).sync()
    await db.delete()
    db = await openPhoneDb(name, phone)
    const report = await engineFor(db).sync()
    expect(report.storageWipe).toMatchObject({ serverLastSeq: 2, localLastSeq: 0 })
    const [next] = await save(db, [donation(phone)])
    expect(next!.seq).toBe(3)
    expect((await engineFor(db).sync()).push).toMatchObject({ confirmed: 1, renumbered: 0 })
    db.close()
  })

  it('a phone enrolled again (new device) sends what waited, renumbered for the new device, without alarm', async () => {
    const first = await t.enroll(station)
    const db = await openPhoneDb(`reenrolled-${newId()}`, first)
    await save(db, [donation(first), donation(first)])
    await engineFor(db).sync()
    const waiting = [donation(first), donation(first), donation(first)]
    await save(db, waiting)
    const second = await t.enroll(station)
    await db.device.put({
      key: 'device',
      deviceId: second.deviceId,
      stationId: station.id,
      stationCode: station.code,
      token: second.token,
      enrolledAt: new Date().toISOString(),
    })
    const report = await engineFor(db).sync()
    expect(report.ok).toBe(true)
    expect(report.stationBehind).toBeNull()
    expect(report.storageWipe).toBeNull()
    expect((await stationRows(second.deviceId)).sort()).toEqual(waiting.map((r) => r.id).sort())
    db.close()
  })

  it('a revoked device gets 401: the outbox stays whole until the phone is enrolled again', async () => {
    const phone = await t.enroll(station)
    const db = await openPhoneDb(`revoked-${newId()}`, phone)
    const records = [donation(phone), donation(phone)]
    await save(db, records)
    const revoke = await t.call(`/api/v1/admin/devices/${phone.deviceId}/revoke`, {
      token: station.adminToken,
      method: 'POST',
      body: {},
    })
    expect(revoke.status).toBeLessThan(300)
    const refused = await engineFor(db).sync()
    expect(refused.error?.kind).toBe('unauthorized')
    expect(await db.outbox.count()).toBe(2)
    const again: Phone = await t.enroll(station)
    await db.device.put({
      key: 'device',
      deviceId: again.deviceId,
      stationId: station.id,
      stationCode: station.code,
      token: again.token,
      enrolledAt: new Date().toISOString(),
    })
    expect((await engineFor(db).sync()).ok).toBe(true)
    expect(await db.outbox.count()).toBe(0)
    db.close()
  })

  it('a record the station refuses waits with its reason; fixed and resent it arrives with its correction', async () => {
    const phone = await t.enroll(station)
    const db = await openPhoneDb(`refused-${newId()}`, phone)
    const first = donation(phone)
    await engineFor(db).sync()
    // another phone already used this bag number at the station
    const other = await t.enroll(station)
    expect((await t.push(other, [donation(other, { din: first.din })])).status).toBe(200)
    const after = donation(phone)
    await save(db, [first, after])
    const report = await engineFor(db).sync()
    expect(report.ok).toBe(true)
    expect(report.push).toMatchObject({ confirmed: 1, rejected: 1 })
    const refused = (await db.outbox.toArray())[0]!
    expect(refused).toMatchObject({ recordId: first.id, status: 'rejected', rejectCode: 'duplicate_din' })
    expect(refused.lastError).toMatch(/already used/)
    expect(await receiptOf(db, after.id)).not.toBeNull()
    const correction = await fixAndResend(
      db,
      refused.seq!,
      { ...first, din: `${first.din.slice(0, 7)}999999` },
      'second scan of the bag',
      { staffId: station.staffIds[0]! },
    )
    expect((await engineFor(db).sync()).ok).toBe(true)
    expect((await stationRows(phone.deviceId)).sort()).toEqual([first.id, after.id, correction.id].sort())
    const stored = await t.store.db
      .selectFrom('records')
      .select(['din', 'corrected_by'])
      .where('id', '=', first.id)
      .executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ din: `${first.din.slice(0, 7)}999999`, corrected_by: correction.id })
    db.close()
  })

  it('a record that makes the station refuse the whole request (NUL in a note) is found and set aside; the rest go', async () => {
    const phone = await t.enroll(station)
    const db = await openPhoneDb(`poison-${newId()}`, phone)
    const records: FieldRecord[] = Array.from({ length: 9 }, () => donation(phone))
    const poison = deferral(phone, { note: 'pasted\u0000text' })
    records.splice(4, 0, poison)
    await save(db, records)
    const report = await engineFor(db).sync()
    expect(report.ok).toBe(true)
    expect(report.push).toMatchObject({ confirmed: 9, rejected: 1 })
    const [refused] = await db.outbox.toArray()
    expect(refused).toMatchObject({ recordId: poison.id, status: 'rejected', rejectCode: 'invalid_record' })
    expect(refused!.lastError).toMatch(/NUL/)
    expect((await stationRows(phone.deviceId)).sort()).toEqual(
      records
        .filter((r) => r !== poison)
        .map((r) => r.id)
        .sort(),
    )
    db.close()
  })

  it('a station older than the app keeps the records waiting; the current and previous schema versions are read', async () => {
    const phone = await t.enroll(station)
    const db = await openPhoneDb(`schema-${newId()}`, phone)
    await save(db, [donation(phone)])
    const newer = await engineFor(db, { schemaVersion: SCHEMA_VERSION + 1 }).sync()
    expect(newer.error?.kind).toBe('schema_mismatch')
    expect(await db.outbox.where('status').equals('pending').count()).toBe(1)
    for (const version of [Math.max(1, SCHEMA_VERSION - 1), SCHEMA_VERSION]) {
      await save(db, [donation(phone)])
      const report = await engineFor(db, { schemaVersion: version }).sync()
      expect(report.ok, `schema version ${version}`).toBe(true)
    }
    expect(await db.outbox.count()).toBe(0)
    db.close()
  })

  it('sends batches gzip-compressed and the station reads them', async () => {
    const phone = await t.enroll(station)
    const db = await openPhoneDb(`gzip-${newId()}`, phone)
    const records = Array.from({ length: 30 }, () => donation(phone))
    await save(db, records)
    const bodies: Array<{ gzip: boolean; wireBytes: number; jsonBytes: number }> = []
    const report = await engineFor(db, { onPushBody: (b) => bodies.push(b) }).sync()
    expect(report.ok).toBe(true)
    expect(bodies[0]!.gzip).toBe(true)
    expect(bodies[0]!.wireBytes).toBeLessThan(bodies[0]!.jsonBytes / 3)
    expect((await stationRows(phone.deviceId)).length).toBe(30)
    db.close()
  })
})
