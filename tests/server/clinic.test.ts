// Schema 3 at the station (issue 14, the donor's visit), on both engines: version-1 and version-2
// pushes are still read as they are, version 3 is accepted, a newer one is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/domain/ids'
import { type AdverseReaction, type Drive, SCHEMA_VERSION, type Station } from '../../src/domain/records'
import type { PullResponse, PushResponse } from '../../src/domain/sync-protocol'
import type { HaemovigilanceReport } from '../../src/server/repo/clinic'
import { ENGINES } from './support/engines'
import {
  type ApiAnswer,
  deferral,
  donation,
  drive,
  type Phone,
  startTestStation,
  type StationSetup,
  type TestStation,
} from './support/station'

describe.each(ENGINES)('schema version 3 (%s)', (engine) => {
  let t: TestStation
  let phone: Phone

  beforeAll(async () => {
    t = await startTestStation(engine)
    phone = await t.enroll(await t.createStation('clinic'))
  })
  afterAll(async () => {
    await t?.close()
  })

  it('is the current schema version', () => {
    expect(SCHEMA_VERSION).toBe(3)
  })

  it('reads version-1 and version-2 pushes as they are and accepts version 3', async () => {
    const bus = drive(phone)
    expect((await t.push(phone, [bus], { schemaVersion: 1 })).status).toBe(200)
    const v2 = donation(phone, { driveId: bus.id })
    const res2 = await t.push(phone, [v2, deferral(phone, { reasonCodes: ['cold'] })], { schemaVersion: 2 })
    expect(res2.body.results.map((r) => r.status)).toEqual(['applied', 'applied'])
    const stored = await t.store.db.selectFrom('records').select('body').where('id', '=', v2.id).executeTakeFirst()
    expect(JSON.parse(stored!.body)).toEqual(v2)
    const res3 = await t.push(phone, [donation(phone, { driveId: bus.id })], { schemaVersion: 3 })
    expect(res3.status).toBe(200)
    expect(res3.body.results[0]!.status).toBe('applied')
    const res4 = await t.push(phone, [donation(phone)], { schemaVersion: 4 })
    expect(res4.status).toBe(422)
    expect(res4.body).toMatchObject({ code: 'schema_too_new' })
  })
})

describe.each(ENGINES)('clinic: rapid tests, bleeds, reactions (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  let phone: Phone
  let bus: Drive
  let collector: string

  const lots = [
    { test: 'alt' as const, lot: 'ALT-2402', expiresOn: '2026-03-01' },
    { test: 'hbsag' as const, lot: 'HBS-77', expiresOn: '2026-12-31' },
  ]

  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('clinic2')
    phone = await t.enroll(station)
    collector = station.staffIds[1]!
    // The drive's date is the ALT lot's last day: still fine that day.
    bus = drive(phone, { date: '2026-03-01', reagentLots: lots, staffIds: station.staffIds })
    const res = await t.push(phone, [bus])
    expect(res.body.results.map((r) => r.status)).toEqual(['applied'])
  })
  afterAll(async () => {
    await t?.close()
  })
  const statuses = (res: ApiAnswer<PushResponse>) =>
    res.body.results.map((r) => (r.status === 'rejected' ? r.code : r.status))

  it('refuses a drive whose reagent lot expired before its date, and a test done with a lot expired by its day', async () => {
    const before = await t.count('records')
    const late = drive(phone, { date: '2026-03-02', reagentLots: lots })
    const onTheDay = deferral(phone, {
      driveId: bus.id,
      channelId: bus.channelId,
      collectedOn: '2026-03-01',
      reasonCode: 'alt_high',
      rapidTests: { hbMethod: 'haemoglobinometer', altUL: 80 },
    })
    const dayAfter = donation(phone, {
      driveId: bus.id,
      collectedOn: '2026-03-02',
      rapidTests: { hbMethod: 'copper_sulphate', hbCopperPass: true, altUL: 20 },
    })
    // HBsAg's lot is in date, so a test of HBsAg alone the day after is taken.
    const hbsagOnly = donation(phone, {
      driveId: bus.id,
      collectedOn: '2026-03-02',
      rapidTests: { hbMethod: 'haemoglobinometer', hbsag: 'nonreactive' },
    })
    const res = await t.push(phone, [late, onTheDay, dayAfter, hbsagOnly])
    expect(statuses(res)).toEqual(['reagent_expired', 'applied', 'reagent_expired', 'applied'])
    const refused = res.body.results[0]!
    expect(refused.status === 'rejected' && refused.message).toMatch(/ALT-2402 expired on 2026-03-01/)
    expect(await t.count('records')).toBe(before + 2)
  })

  it('takes a copper-sulphate record without a g/L Hb, and refuses a bleed by someone off the roster', async () => {
    const vitals = { weightKg: 60, systolic: 120, diastolic: 80, pulse: 70, temperatureC: 36.5, athlete: false }
    const res = await t.push(phone, [
      donation(phone, { vitals, rapidTests: { hbMethod: 'copper_sulphate', hbCopperPass: true } }),
      donation(phone, { bleed: { collectedBy: '0188e1c2-0000-7000-8000-0000000000ff' } }),
    ])
    expect(statuses(res)).toEqual(['applied', 'unknown_reference'])
  })

  it('lists the bags a short or over-long bleed flags, by the station limits the phones pull', async () => {
    const at = (hhmm: string) => `2026-03-01T${hhmm}:00.000+08:00`
    const slow = donation(phone, {
      driveId: bus.id,
      collectedOn: '2026-03-01',
      bleed: { startedAt: at('09:00'), endedAt: at('09:13'), volumeMl: 400, collectedBy: collector },
    })
    const short = donation(phone, {
      driveId: bus.id,
      collectedOn: '2026-03-01',
      bleed: { startedAt: at('10:00'), endedAt: at('10:06'), volumeMl: 250, shortDraw: true, collectedBy: collector },
    })
    const normal = donation(phone, {
      driveId: bus.id,
      collectedOn: '2026-03-01',
      bleed: { startedAt: at('11:00'), endedAt: at('11:07'), volumeMl: 400, collectedBy: collector },
    })
    expect(statuses(await t.push(phone, [slow, short, normal]))).toEqual(['applied', 'applied', 'applied'])
    const list = async () =>
      (
        await t.call<{ bags: Array<{ donationId: string; flags: string[]; minutes: number }> }>(
          '/api/v1/reports/flagged-bags?from=2026-03-01&to=2026-03-31',
          { token: station.managerToken },
        )
      ).body.bags
    expect(await list()).toEqual([
      expect.objectContaining({ donationId: short.id, flags: ['short_draw'] }),
      expect.objectContaining({ donationId: slow.id, flags: ['platelet_limit'], minutes: 13 }),
    ])
    const put = await t.call<Station>('/api/v1/admin/station/bleed-limits', {
      method: 'PUT',
      token: station.managerToken,
      body: { plateletMinutes: 14, plasmaMinutes: 18 },
    })
    expect(put.status).toBe(200)
    expect(put.body.bleedLimits).toEqual({ plateletMinutes: 14, plasmaMinutes: 18 })
    expect((await list()).map((b) => b.donationId)).toEqual([short.id])
    const bad = await t.call('/api/v1/admin/station/bleed-limits', {
      method: 'PUT',
      token: station.managerToken,
      body: { plateletMinutes: 20, plasmaMinutes: 15 },
    })
    expect(bad.status).toBe(400)
    const pulled = await t.call<PullResponse>('/api/v1/sync/pull', { token: phone.token })
    const row = pulled.body.changes.find((c) => c.op === 'upsert' && c.entity === 'station')
    expect(row && row.op === 'upsert' && (row.value as Station).bleedLimits).toEqual({
      plateletMinutes: 14,
      plasmaMinutes: 18,
    })
  })

  it('lists follow-up calls (24 h for moderate, 2 weeks for a delayed report) and marks one done once', async () => {
    const d = donation(phone, { driveId: bus.id, collectedOn: '2026-03-01', repeatDonor: false })
    const reaction = (over: Partial<AdverseReaction>): AdverseReaction => ({
      type: 'adverse_reaction',
      id: newId(),
      stationId: station.id,
      deviceId: phone.deviceId,
      authorStaffId: station.staffIds[0]!,
      createdAt: '2026-03-01T10:00:00.000+08:00',
      donationId: d.id,
      code: 'vasovagal',
      severity: 'mild',
      occurredAt: '2026-03-01T10:00:00.000+08:00',
      note: '',
      ...over,
    })
    const moderate = reaction({ severity: 'moderate', onset: 'after', outcome: 'recovered', treatment: 'lay flat' })
    const delayed = reaction({ code: 'hematoma', onset: 'after_leaving', outcome: 'recovering' })
    const mild = reaction({ onset: 'during', outcome: 'recovered' })
    expect(statuses(await t.push(phone, [d, moderate, delayed, mild]))).toEqual([
      'applied',
      'applied',
      'applied',
      'applied',
    ])
    const open = async () =>
      (
        await t.call<{ followUps: Array<{ reactionId: string; kind: string; dueOn: string; done: unknown }> }>(
          '/api/v1/reports/reaction-follow-ups',
          { token: station.managerToken },
        )
      ).body.followUps
    expect((await open()).map((f) => [f.reactionId, f.kind, f.dueOn])).toEqual([
      [moderate.id, 'call_24h', '2026-03-02'],
      [delayed.id, 'call_2w', '2026-03-15'],
    ])
    const mark = (body: unknown) =>
      t.call<{ done: { byName: string; note: string } }>('/api/v1/admin/reaction-follow-ups', {
        token: station.managerToken,
        body,
      })
    const done = await mark({ reactionId: moderate.id, kind: 'call_24h', note: 'feels well' })
    expect(done.status).toBe(201)
    expect(done.body.done).toMatchObject({ byName: 'manager', note: 'feels well' })
    expect((await open()).map((f) => f.reactionId)).toEqual([delayed.id])
    expect((await mark({ reactionId: moderate.id, kind: 'call_24h' })).body).toMatchObject({
      code: 'invalid_follow_up',
    })
    expect((await mark({ reactionId: mild.id, kind: 'call_24h' })).status).toBe(404)
    const all = await t.call<{ followUps: Array<{ done: { note: string } | null }> }>(
      '/api/v1/reports/reaction-follow-ups?status=done',
      { token: station.managerToken },
    )
    expect(all.body.followUps.map((f) => f.done?.note)).toEqual(['feels well'])

    const rates = await t.call<HaemovigilanceReport>('/api/v1/reports/haemovigilance?from=2026-03-01&to=2026-03-01', {
      token: station.managerToken,
    })
    expect(rates.status).toBe(200)
    // On 2026-03-01: 4 donations on the bus (3 bleeds + this one) and the earlier drive-less ones are on 03-02.
    expect(rates.body.donations).toBe(4)
    expect(rates.body.reactions).toBe(3)
    expect(rates.body.byType.find((x) => x.code === 'vasovagal')).toMatchObject({ reactions: 2, per1000: 500 })
    expect(rates.body.bySite).toEqual([
      { group: 'bus', reactions: 3, donations: 4, per1000: 750 },
      { group: 'fixed', reactions: 0, donations: 0, per1000: null },
    ])
    expect(rates.body.byDonor).toEqual([
      { group: 'first_time', reactions: 3, donations: 1, per1000: 3000 },
      { group: 'repeat', reactions: 0, donations: 3, per1000: 0 },
    ])
  })
})
