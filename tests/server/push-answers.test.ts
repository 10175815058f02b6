// The station's side of "whose answer is it" and the compact push answer, on both engines: every
// API answer (refusals included) carries the station's mark and echoes the request id; a push that
// names its batch gets the compact answer echoing device and batch; a hole the phone declares is
// taken without a 409; pull echoes the device.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gzipSync } from 'node:zlib'
import { newId } from '../../src/domain/ids'
import {
  type CompactPushResponse,
  CompactPushResponseSchema,
  expandCompactAnswer,
  type PullResponse,
  REQUEST_ID_HEADER,
  STATION_MARK_HEADER,
} from '../../src/domain/sync-protocol'
import * as v from 'valibot'
import { ENGINES } from './support/engines'
import { donation, drive, startTestStation, type StationSetup, type TestStation } from './support/station'

describe.each(ENGINES)('push answers (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('answers')
  })
  afterAll(async () => {
    await t?.close()
  })

  it('marks every API answer as the station’s and echoes the request id, refusals included', async () => {
    const phone = await t.enroll(station)
    const id = newId()
    const headers = { [REQUEST_ID_HEADER]: id }
    const answers = [
      await t.call('/api/v1/health', { headers }),
      await t.call('/api/v1/sync/pull', { headers, token: phone.token }),
      await t.call('/api/v1/sync/pull', { headers, token: 'bbd_revoked_or_unknown' }),
      await t.call('/api/v1/sync/push', { headers, token: phone.token, raw: '{"not json', method: 'POST' }),
      await t.call('/api/v1/nowhere', { headers }),
    ]
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 400, 404])
    for (const a of answers) {
      expect(a.headers.get(STATION_MARK_HEADER)).toBe('1')
      expect(a.headers.get(REQUEST_ID_HEADER)).toBe(id)
    }
    // An id that is not a plain token is not echoed (no header injection through the echo).
    const odd = await t.call('/api/v1/health', { headers: { [REQUEST_ID_HEADER]: 'a b<script>' } })
    expect(odd.headers.get(STATION_MARK_HEADER)).toBe('1')
    expect(odd.headers.get(REQUEST_ID_HEADER)).toBeNull()
  })

  it('answers a push that names its batch compactly, echoing device and batch; downlink per record below the gzipped uplink', async () => {
    const phone = await t.enroll(station)
    const d = drive(phone)
    const records = [d, ...Array.from({ length: 199 }, () => donation(phone, { driveId: d.id }))]
    const batchId = newId()
    const req = { ...t.batch(phone, records), batchId }
    const res = await t.pushRaw(phone, req)
    expect(res.status).toBe(200)
    const body = v.parse(CompactPushResponseSchema, res.body)
    expect(body).toMatchObject({ deviceId: phone.deviceId, batchId, first: 1, last: 200, lastSeq: 200, rejected: [] })
    expect(body.confirmed).toEqual([{ status: 'applied', receivedAt: expect.any(String), seqs: [[1, 200]] }])
    const down = Buffer.byteLength(JSON.stringify(res.body))
    const up = gzipSync(JSON.stringify(req)).byteLength
    expect(down / records.length).toBeLessThan(up / records.length)
    // A resend (reply lost after commit) comes back as duplicates with the first receipt time.
    const again = v.parse(CompactPushResponseSchema, (await t.pushRaw(phone, { ...req, batchId: newId() })).body)
    expect(again.confirmed).toEqual([
      { status: 'duplicate', receivedAt: body.confirmed[0]!.receivedAt, seqs: [[1, 200]] },
    ])
  })

  it('details only what was not applied, and the phone can expand it against what it sent', async () => {
    const phone = await t.enroll(station)
    const d = drive(phone)
    const records = [
      d,
      donation(phone, { driveId: d.id }),
      { type: 'donation', id: 'broken' },
      donation(phone, { driveId: d.id }),
    ]
    const req = { ...t.batch(phone, records), batchId: newId() }
    const body = (await t.pushRaw(phone, req)).body as unknown as CompactPushResponse
    expect(body.confirmed).toEqual([
      {
        status: 'applied',
        receivedAt: expect.any(String),
        seqs: [
          [1, 2],
          [4, 4],
        ],
      },
    ])
    expect(body.rejected).toEqual([
      expect.objectContaining({ seq: 3, code: 'invalid_record', message: expect.any(String) }),
    ])
    const sent = {
      deviceId: phone.deviceId,
      batchId: req.batchId,
      mutations: req.mutations.map((m) => ({ ...m, recordId: (m.record as { id: string }).id })),
    }
    expect(expandCompactAnswer(sent, body)!.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected', 'applied'])
    // Another batch id, another device or other seqs: not this request's answer.
    expect(expandCompactAnswer({ ...sent, batchId: newId() }, body)).toBeNull()
    expect(expandCompactAnswer({ ...sent, deviceId: newId() }, body)).toBeNull()
    expect(expandCompactAnswer({ ...sent, mutations: sent.mutations.slice(1) }, body)).toBeNull()
  })

  it('still answers a push without a batch id in the old per-item form', async () => {
    const phone = await t.enroll(station)
    const res = await t.push(phone, [drive(phone)])
    expect(res.body.results[0]).toMatchObject({ status: 'applied', seq: 1 })
  })

  it('takes a hole the phone declares (afterSeq = its last seq here) without a 409; any other gap still gets one', async () => {
    const phone = await t.enroll(station)
    await t.push(phone, [drive(phone)])
    const rec = donation(phone)
    const undeclared = await t.pushRaw(phone, { ...t.batch(phone, [rec], undefined, 4), batchId: newId() })
    expect(undeclared.status).toBe(409)
    expect(undeclared.body).toMatchObject({ code: 'sequence_gap', lastSeq: 1 })
    const wrong = await t.pushRaw(phone, { ...t.batch(phone, [rec], undefined, 4), afterSeq: 3 })
    expect(wrong.status).toBe(409)
    const declared = await t.pushRaw(phone, { ...t.batch(phone, [rec], undefined, 4), afterSeq: 1, batchId: newId() })
    expect(declared.status).toBe(200)
    expect((declared.body as unknown as CompactPushResponse).lastSeq).toBe(4)
    // The next push follows on without anything declared.
    const next = await t.pushRaw(phone, t.batch(phone, [donation(phone)], undefined, 5))
    expect(next.status).toBe(200)
  })

  it('pull echoes the calling device', async () => {
    const phone = await t.enroll(station)
    const res = await t.call<PullResponse>('/api/v1/sync/pull', { token: phone.token })
    expect(res.body.deviceId).toBe(phone.deviceId)
  })
})
