// Schema 2 at the station, on both engines: version-1 and version-2 pushes are both read; a
// deferral's every reason and a leader's override are counted (deferrals by reason, overrides by
// reason and by drive), as corrected and not voided; old deferrals read as [reasonCode], also
// when the 0003 backfill fills them in; a station's donor rules reach the phones with its row.
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Deferral, Donation, Drive, Station } from '../../src/domain/records'
import type { PullResponse } from '../../src/domain/sync-protocol'
import { backfillRecordReasons } from '../../src/server/db/migrations'
import type { RulesReport } from '../../src/server/repo/reports'
import { ENGINES } from './support/engines'
import {
  correctionOf,
  deferral,
  donation,
  drive,
  type Phone,
  startTestStation,
  type StationSetup,
  type TestStation,
  voidOf,
} from './support/station'

describe.each(ENGINES)('overrides and deferral reasons (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  let phone: Phone
  let bus: Drive
  let leader: string
  let collector: string

  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('rules')
    phone = await t.enroll(station)
    ;[leader, collector] = station.staffIds as [string, string]
    bus = drive(phone, { staffIds: [leader, collector], leaderStaffId: leader })
    expect((await t.push(phone, [bus], { schemaVersion: 1 })).status).toBe(200)
  })
  afterAll(async () => {
    await t?.close()
  })

  const report = async (): Promise<RulesReport> => {
    const res = await t.call<RulesReport>('/api/v1/reports/rules?from=2026-01-01&to=2026-12-31', {
      token: station.managerToken,
    })
    expect(res.status).toBe(200)
    return res.body
  }
  const override = (approvedBy: string, reasonCode = 'urgent_clinical_need') => ({
    rules: ['interval'],
    reasonCode,
    approvedBy,
    approvedAt: '2026-03-02T09:20:00.000+08:00',
  })

  let oldDeferral: Deferral
  let twoReasons: Deferral
  let overridden: Donation

  it('reads a version-1 push (no reasonCodes, no override) and a version-2 push with both', async () => {
    oldDeferral = deferral(phone, { driveId: bus.id, channelId: bus.channelId, reasonCode: 'low_hb' })
    const old = await t.push(phone, [oldDeferral, donation(phone, { driveId: bus.id })], { schemaVersion: 1 })
    expect(old.body.results.map((r) => r.status)).toEqual(['applied', 'applied'])

    twoReasons = deferral(phone, {
      driveId: bus.id,
      channelId: bus.channelId,
      reasonCode: 'age',
      reasonCodes: ['age', 'blood_pressure'],
    })
    overridden = donation(phone, { driveId: bus.id, override: override(leader) })
    const res = await t.push(phone, [twoReasons, overridden], { schemaVersion: 2 })
    expect(res.body.results.map((r) => r.status)).toEqual(['applied', 'applied'])
    const stored = await t.store.db
      .selectFrom('records')
      .select('body')
      .where('id', '=', overridden.id)
      .executeTakeFirst()
    expect(JSON.parse(stored!.body).override).toEqual(override(leader))
  })

  it("refuses an override not approved by the drive's leader, and reasons that do not start with reasonCode", async () => {
    const res = await t.push(phone, [
      donation(phone, { driveId: bus.id, override: override(collector) }),
      donation(phone, { driveId: bus.id, override: override('0188e1c2-0000-7000-8000-0000000000ff') }),
      deferral(phone, { reasonCode: 'age', reasonCodes: ['blood_pressure', 'age'] }),
    ])
    expect(res.body.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'rule_violation',
      'unknown_reference',
      'invalid_record',
    ])
  })

  it('counts a deferral once in the rate and once under each reason; overrides by reason and by drive', async () => {
    const r = await report()
    expect(r.deferrals).toBe(2)
    expect(r.deferralsByReason).toEqual([
      { code: 'age', n: 1 },
      { code: 'blood_pressure', n: 1 },
      { code: 'low_hb', n: 1 },
    ])
    expect(r.overrides).toBe(1)
    expect(r.overridesByReason).toEqual([{ code: 'urgent_clinical_need', n: 1 }])
    expect(r.overridesByDrive).toEqual([
      { driveId: bus.id, date: bus.date, busCode: bus.busCode, siteId: bus.siteId, n: 1 },
    ])
    const indicators = await t.call<{ counts: { deferrals: number; donations: number } }>(
      '/api/v1/reports/indicators?from=2026-01-01&to=2026-12-31',
      { token: station.managerToken },
    )
    expect(indicators.body.counts).toMatchObject({ deferrals: 2, donations: 2 })
  })

  it('follows corrections and voids', async () => {
    const res = await t.push(phone, [
      correctionOf(phone, twoReasons, { ...twoReasons, reasonCode: 'tattoo', reasonCodes: ['tattoo'] }),
      voidOf(phone, overridden),
    ])
    expect(res.body.results.map((r) => r.status)).toEqual(['applied', 'applied'])
    const r = await report()
    expect(r.deferralsByReason).toEqual([
      { code: 'low_hb', n: 1 },
      { code: 'tattoo', n: 1 },
    ])
    expect(r.overrides).toBe(0)
    expect(r.overridesByDrive).toEqual([])
  })

  it('the 0003 backfill gives stored deferrals their reasons, old ones as [reasonCode]', async () => {
    const before = await report()
    await t.store.db.deleteFrom('record_reasons').execute()
    expect((await report()).deferralsByReason).toEqual([])
    expect(await backfillRecordReasons(t.store.db as unknown as Kysely<unknown>)).toBe(2)
    expect(await report()).toEqual(before)
  })

  it("a station's donor rules are set by its manager and pulled with the station row", async () => {
    const rules = {
      overridable: ['interval', 'hb'],
      overrideReasons: [{ code: 'rare_blood_type', zh: '稀有血型', en: 'Rare blood type' }],
    }
    const bad = await t.call('/api/v1/admin/station/donor-rules', {
      method: 'PUT',
      token: station.managerToken,
      body: { overridable: ['interval'], overrideReasons: [] },
    })
    expect(bad.status).toBe(400)
    const put = await t.call<Station>('/api/v1/admin/station/donor-rules', {
      method: 'PUT',
      token: station.managerToken,
      body: rules,
    })
    expect(put.status).toBe(200)
    expect(put.body.donorRules).toEqual(rules)
    const pull = await t.call<PullResponse>('/api/v1/sync/pull', { method: 'GET', token: phone.token })
    const row = pull.body.changes.find((c) => c.op === 'upsert' && c.entity === 'station')
    expect(row && row.op === 'upsert' && (row.value as Station).donorRules).toEqual(rules)
    const reset = await t.call<Station>('/api/v1/admin/station/donor-rules', {
      method: 'PUT',
      token: station.managerToken,
      body: null,
    })
    expect(reset.body.donorRules).toBeUndefined()
  })
})

describe('importing records with overrides', () => {
  it('puts the approving leader on the roster it builds for imported records', async () => {
    const { rosterForRecords } = await import('../../src/server/repo/import')
    const { donation: make } = await import('../domain/support/records')
    const approvedBy = '0188e1c2-0000-7000-8000-0000000000aa'
    const rec = make({
      override: { rules: ['interval'], reasonCode: 'rare_blood_type', approvedBy, approvedAt: '2023-06-14T09:00:00Z' },
    })
    const roster = rosterForRecords([rec], rec.stationId, 'pbkdf2-sha256$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==')
    expect(roster.find((s) => s.id === approvedBy)?.role).toBe('leader')
  })
})
