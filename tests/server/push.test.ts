// POST /api/v1/sync/push on both engines: exactly one row per record whatever is re-sent, per-item
// answers, sequence gaps refused, gzip bodies, schema versions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/domain/ids'
import type { PushResponse } from '../../src/domain/sync-protocol'
import { ENGINES } from './support/engines'
import {
  correctionOf,
  deferral,
  donation,
  drive,
  nextDin,
  startTestStation,
  type StationSetup,
  type TestStation,
  voidOf,
} from './support/station'

describe.each(ENGINES)('push (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('push')
  })
  afterAll(async () => {
    await t?.close()
  })

  const rowsOf = async (ids: string[]) =>
    Number(
      (
        await t.store.db
          .selectFrom('records')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('id', 'in', ids)
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('applies a batch and answers each item', async () => {
    const phone = await t.enroll(station)
    const records = [drive(phone), donation(phone), deferral(phone)]
    const res = await t.push(phone, records)
    expect(res.status).toBe(200)
    expect(res.body.lastSeq).toBe(3)
    expect(res.body.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied'])
    expect(res.body.results.map((r) => r.recordId)).toEqual(records.map((r) => r.id))
    expect(await rowsOf(records.map((r) => r.id))).toBe(3)
  })

  it('answers a batch sent twice (response lost after commit) with the original answers, one row each', async () => {
    const phone = await t.enroll(station)
    const records = [donation(phone), donation(phone), { type: 'donation', id: 'broken' }]
    const req = t.batch(phone, records)
    const first = await t.pushRaw(phone, req)
    expect(first.status).toBe(200)
    expect(first.body.results.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected'])
    const again = await t.pushRaw(phone, req)
    expect(again.status).toBe(200)
    expect(again.body.lastSeq).toBe(3)
    expect(again.body.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'rejected'])
    const [a, b] = [first.body.results[0]!, again.body.results[0]!]
    expect(b).toMatchObject({ recordId: a.recordId, seq: a.seq, mutationId: a.mutationId })
    expect('receivedAt' in b && 'receivedAt' in a && b.receivedAt === a.receivedAt).toBe(true)
    expect(again.body.results[2]).toEqual(first.body.results[2])
    expect(await rowsOf(records.slice(0, 2).map((r) => r.id as string))).toBe(2)
  })

  it('answers a record re-sent under a new mutation id as a duplicate, and different content under a known id as conflicting_id', async () => {
    const phone = await t.enroll(station)
    const rec = donation(phone)
    expect((await t.push(phone, [rec])).body.results[0]!.status).toBe('applied')
    // Same record, new mutation (the phone lost its outbox answer and queued it again); keys in another order.
    const reordered = Object.fromEntries(Object.entries(rec).reverse())
    const again = await t.push(phone, [reordered])
    expect(again.body.results[0]).toMatchObject({ status: 'duplicate', recordId: rec.id })
    const changed = await t.push(phone, [{ ...rec, ageYears: 35 }])
    expect(changed.body.results[0]).toMatchObject({ status: 'rejected', code: 'conflicting_id', recordId: rec.id })
    expect(await rowsOf([rec.id])).toBe(1)
  })

  it('rejects one invalid item with its code while the others apply', async () => {
    const phone = await t.enroll(station)
    const good1 = donation(phone)
    const good2 = donation(phone)
    const foreign = donation(phone, { stationId: newId() })
    const unknownChannel = donation(phone, { channelId: newId() })
    const dupDin = donation(phone, { din: good1.din })
    const res = await t.push(phone, [
      good1,
      { type: 'donation', id: newId(), din: 'lowercase' },
      foreign,
      unknownChannel,
      dupDin,
      good2,
    ])
    expect(res.status).toBe(200)
    expect(res.body.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'applied',
      'invalid_record',
      'wrong_station',
      'unknown_reference',
      'duplicate_din',
      'applied',
    ])
    const rejected = res.body.results[1]!
    expect(rejected.status === 'rejected' && rejected.message.length > 0).toBe(true)
    expect(res.body.lastSeq).toBe(6)
    expect(await rowsOf([good1.id, good2.id, foreign.id, unknownChannel.id, dupDin.id])).toBe(2)
    // A NUL character (which PostgreSQL text cannot hold) refuses that record alone.
    const nul = deferral(phone, { note: 'pasted\u0000text' })
    const next = donation(phone)
    const more = await t.push(phone, [nul, next])
    expect(more.body.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'invalid_record',
      'applied',
    ])
  })

  it('names the record that holds a refused bag number: donation, drive, date, time, donor and phone', async () => {
    const phoneA = await t.enroll(station)
    const phoneB = await t.enroll(station)
    const drive2 = drive(phoneA, { busCode: '豫C-2', date: '2026-03-02' })
    const first = donation(phoneA, {
      driveId: drive2.id,
      collectedAt: '2026-03-02T15:08:00.000+08:00',
    })
    await t.push(phoneA, [drive2, first])
    const drive3 = drive(phoneB, { busCode: '豫C-3' })
    const second = donation(phoneB, { driveId: drive3.id, din: first.din })
    const req = t.batch(phoneB, [drive3, second])
    const res = await t.pushRaw(phoneB, req)
    phoneB.nextSeq += 2
    const refused = res.body.results[1]!
    expect(refused).toMatchObject({
      status: 'rejected',
      code: 'duplicate_din',
      recordId: second.id,
      clash: {
        din: first.din,
        recordId: first.id,
        driveId: drive2.id,
        driveDate: '2026-03-02',
        busCode: '豫C-2',
        siteId: drive2.siteId,
        collectedOn: first.collectedOn,
        collectedAt: '2026-03-02T15:08:00.000+08:00',
        donorKey: first.donorKey,
        deviceId: phoneA.deviceId,
      },
    })
    // The answer is kept as given: a re-sent batch gets the same clash.
    const again = await t.pushRaw(phoneB, req)
    expect(again.body.results[1]).toEqual(refused)
    // A clash with a record of the same batch, and with a bag a correction gave, is named too.
    const third = donation(phoneB, { din: second.din })
    const fixed = { ...first, din: nextDin() }
    const res2 = await t.push(phoneA, [correctionOf(phoneA, first, fixed)])
    expect(res2.body.results[0]!.status).toBe('applied')
    const clashWithCorrection = donation(phoneB, { din: fixed.din })
    const res3 = await t.push(phoneB, [third, donation(phoneB, { din: third.din }), clashWithCorrection])
    expect(res3.body.results.map((r) => r.status)).toEqual(['applied', 'rejected', 'rejected'])
    expect(res3.body.results[1]).toMatchObject({
      clash: { recordId: third.id, driveId: null, deviceId: phoneB.deviceId },
    })
    expect(res3.body.results[2]).toMatchObject({ clash: { recordId: first.id, din: fixed.din, driveId: drive2.id } })
  })

  it('frees the bag number of a voided donation, stored or voided in the same batch (void and re-enter)', async () => {
    const phone = await t.enroll(station)
    const wrong = donation(phone)
    await t.push(phone, [wrong])
    const again = donation(phone, { din: wrong.din })
    const res = await t.push(phone, [voidOf(phone, wrong, 'wrong donor'), again])
    expect(res.body.results.map((r) => r.status)).toEqual(['applied', 'applied'])
    // Void and re-enter within one batch.
    const a = donation(phone)
    const res2 = await t.push(phone, [a, voidOf(phone, a), donation(phone, { din: a.din })])
    expect(res2.body.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied'])
    // The live one still holds it.
    const res3 = await t.push(phone, [donation(phone, { din: a.din })])
    expect(res3.body.results[0]).toMatchObject({ status: 'rejected', code: 'duplicate_din' })
  })

  it('refuses a sequence gap with 409 sequence_gap and lastSeq, changing nothing', async () => {
    const phone = await t.enroll(station)
    await t.push(phone, [donation(phone)])
    const before = await t.snapshot()
    const rec = donation(phone)
    const res = await t.pushRaw(phone, t.batch(phone, [rec], undefined, 5))
    expect(res.status).toBe(409)
    expect(res.body).toMatchObject({ code: 'sequence_gap', lastSeq: 1 })
    expect(await t.snapshot()).toEqual(before)
    // Recovering from lastSeq + 1 works.
    const ok = await t.pushRaw(phone, t.batch(phone, [rec], undefined, 2))
    expect(ok.status).toBe(200)
    expect(ok.body.lastSeq).toBe(2)
  })

  it('refuses a seq reused for another mutation (a wiped phone starting again from 1)', async () => {
    const phone = await t.enroll(station)
    await t.push(phone, [donation(phone)])
    const res = await t.pushRaw(phone, t.batch(phone, [donation(phone)], undefined, 1))
    expect(res.status).toBe(409)
    expect(res.body).toMatchObject({ code: 'sequence_conflict', lastSeq: 1 })
  })

  it('answers the re-sent part of a batch from stored results and applies the new part', async () => {
    const phone = await t.enroll(station)
    const [a, b, c] = [donation(phone), donation(phone), donation(phone)]
    const req = t.batch(phone, [a, b])
    await t.pushRaw(phone, req)
    const overlap = { ...req, mutations: [req.mutations[1]!, { seq: 3, mutationId: newId(), record: c }] }
    const res = await t.pushRaw(phone, overlap)
    expect(res.status).toBe(200)
    expect(res.body.results.map((r) => r.status)).toEqual(['duplicate', 'applied'])
    expect(res.body.lastSeq).toBe(3)
  })

  it('keeps one row per record when two phones race the same records', async () => {
    const p1 = await t.enroll(station, 'phone 1')
    const p2 = await t.enroll(station, 'phone 2')
    const shared = Array.from({ length: 20 }, () => donation(p1))
    const own1 = donation(p1)
    const own2 = donation(p2)
    const [r1, r2] = await Promise.all([t.push(p1, [...shared, own1]), t.push(p2, [...shared, own2])])
    expect(r1.status).toBe(200)
    expect(r2.status).toBe(200)
    for (let i = 0; i < shared.length; i++) {
      const statuses = [r1.body.results[i]!.status, r2.body.results[i]!.status].sort()
      expect(statuses).toEqual(['applied', 'duplicate'])
    }
    expect(r1.body.results[20]!.status).toBe('applied')
    expect(r2.body.results[20]!.status).toBe('applied')
    expect(await rowsOf([...shared, own1, own2].map((r) => r.id))).toBe(22)
  })

  it('keeps one row when the same phone sends the same batch twice at once', async () => {
    const phone = await t.enroll(station)
    const records = Array.from({ length: 10 }, () => donation(phone))
    const req = t.batch(phone, records)
    const answers = await Promise.all([t.pushRaw(phone, req), t.pushRaw(phone, req), t.pushRaw(phone, req)])
    for (const a of answers) expect(a.status).toBe(200)
    const statuses = answers.map((a) => a.body.results[0]!.status).sort()
    expect(statuses).toEqual(['applied', 'duplicate', 'duplicate'])
    expect(await rowsOf(records.map((r) => r.id))).toBe(10)
  })

  it('accepts a gzip body', async () => {
    const phone = await t.enroll(station)
    const rec = donation(phone)
    const res = await t.push(phone, [rec], { gzip: true })
    expect(res.status).toBe(200)
    expect(res.body.results[0]!.status).toBe('applied')
  })

  it('refuses a schema newer than the server (422 schema_too_new) and takes an older supported one', async () => {
    const phone = await t.enroll(station)
    const before = await t.snapshot()
    const res = await t.push(phone, [donation(phone)], { schemaVersion: 99 })
    expect(res.status).toBe(422)
    expect(res.body).toMatchObject({ code: 'schema_too_new' })
    expect(await t.snapshot()).toEqual(before)
  })

  it('refuses a batch for another device id (403) and without a token (401)', async () => {
    const phone = await t.enroll(station)
    const other = await t.enroll(station)
    const res = await t.pushRaw(phone, t.batch(other, [donation(other)]))
    expect(res.status).toBe(403)
    expect((await t.call('/api/v1/sync/push', { body: t.batch(phone, [donation(phone)]) })).status).toBe(401)
  })

  it('applies voids and corrections in order and checks their rules', async () => {
    const phone = await t.enroll(station)
    const d = donation(phone)
    const fixed = { ...d, product: { type: 'whole_blood' as const, volumeMl: 300 as const } }
    const corr = correctionOf(phone, d, fixed)
    const v = voidOf(phone, d)
    const res = await t.push(phone, [
      d,
      corr,
      v,
      voidOf(phone, v),
      correctionOf(phone, d, fixed),
      voidOf(phone, { id: newId() }),
    ])
    expect(res.body.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'applied',
      'applied',
      'applied',
      'rule_violation',
      'rule_violation',
      'unknown_reference',
    ])
    const row = await t.store.db.selectFrom('records').selectAll().where('id', '=', d.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ voided: 1, volume_ml: 300, corrected_by: corr.id })
  })

  it('checks that a drive exists before its donations and that bags reconcile on close', async () => {
    const phone = await t.enroll(station)
    const dr = drive(phone)
    const orphan = donation(phone, { driveId: newId() })
    const inDrive = donation(phone, { driveId: dr.id })
    const close = {
      type: 'drive_close',
      id: newId(),
      stationId: station.id,
      deviceId: phone.deviceId,
      authorStaffId: station.staffIds[0],
      createdAt: '2026-03-02T17:00:00+08:00',
      driveId: dr.id,
      bagsLoaded: 100,
      bagsUsed: 60,
      bagsSpoiled: 1,
      bagsReturned: 30,
      discrepancyNote: '',
      signedOffBy: station.staffIds[0],
      closedAt: '2026-03-02T17:00:00+08:00',
    }
    const res = await t.push(phone, [
      orphan,
      dr,
      inDrive,
      close,
      { ...close, id: newId(), bagsReturned: 39 },
      { ...close, id: newId(), bagsReturned: 39 },
    ])
    expect(res.body.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'unknown_reference',
      'applied',
      'applied',
      'rule_violation',
      'applied',
      'rule_violation',
    ])
  })

  it('keeps the eligibility snapshot in step with donations, deferrals and voids', async () => {
    const phone = await t.enroll(station)
    const donorKey = 'ab'.repeat(16)
    const d1 = donation(phone, {
      donorKey,
      collectedOn: '2026-01-10',
      product: { type: 'apheresis_platelets', doses: 2 },
    })
    const d2 = donation(phone, { donorKey, collectedOn: '2026-02-20' })
    const def = deferral(phone, { donorKey, until: '2026-04-01' })
    await t.push(phone, [d1, d2, def])
    const entry = async () =>
      t.store.db.selectFrom('eligibility').selectAll().where('donor_key', '=', donorKey).executeTakeFirstOrThrow()
    expect(await entry()).toMatchObject({
      last_donation_on: '2026-02-20',
      last_donation_type: 'whole_blood',
      donation_count: 2,
      deferred_until: '2026-04-01',
      deleted: 0,
    })
    await t.push(phone, [voidOf(phone, d2)])
    expect(await entry()).toMatchObject({
      last_donation_on: '2026-01-10',
      last_donation_type: 'apheresis_platelets',
      donation_count: 1,
    })
    await t.push(phone, [voidOf(phone, d1), voidOf(phone, def)])
    expect((await entry()).deleted).toBe(1)
  })

  it('answers malformed requests with 4xx and a code', async () => {
    const phone = await t.enroll(station)
    const cases: [unknown, number][] = [
      [{ deviceId: phone.deviceId, schemaVersion: 1, mutations: [] }, 400],
      [
        {
          deviceId: phone.deviceId,
          schemaVersion: 1,
          mutations: [
            { seq: 1, mutationId: newId(), record: {} },
            { seq: 3, mutationId: newId(), record: {} },
          ],
        },
        400,
      ],
      [[1, 2, 3], 400],
      ['text', 400],
    ]
    for (const [body, status] of cases) {
      const res = await t.pushRaw(phone, body)
      expect(res.status).toBe(status)
      expect(typeof (res.body as unknown as { code: string }).code).toBe('string')
    }
    const garbage = await t.call<PushResponse>('/api/v1/sync/push', {
      token: phone.token,
      raw: '{not json',
      headers: { 'Content-Type': 'application/json' },
    })
    expect(garbage.status).toBe(400)
    const badGzip = await t.call('/api/v1/sync/push', {
      token: phone.token,
      raw: 'nope',
      headers: { 'Content-Encoding': 'gzip' },
    })
    expect(badGzip.status).toBe(400)
  })
})
