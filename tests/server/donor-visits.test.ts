// Schema 3 (donor): the station's health questionnaire reaches phones with the station row; donations
// and deferrals carrying answers, contact consent and a public reference are stored on both engines
// (and older records without them still read); the station lists confidential self-exclusions and
// exports the contact list of donors whose latest answer agrees, with name and phone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_QUESTIONNAIRE, newPublicRef } from '../../src/domain/questionnaire'
import type { DonorIdentity, Station } from '../../src/domain/records'
import { newId } from '../../src/domain/ids'
import type { PullResponse } from '../../src/domain/sync-protocol'
import { ENGINES } from './support/engines'
import {
  deferral,
  donation,
  type Phone,
  startTestStation,
  type StationSetup,
  type TestStation,
  voidOf,
} from './support/station'

describe.each(ENGINES)('donor questionnaire and contacts (%s)', (engine) => {
  let t: TestStation
  let station: StationSetup
  let phone: Phone

  beforeAll(async () => {
    t = await startTestStation(engine)
    station = await t.createStation('visits')
    phone = await t.enroll(station)
  })
  afterAll(async () => {
    await t?.close()
  })

  const identityOf = (donorKey: string, over: Partial<DonorIdentity> = {}): DonorIdentity => ({
    type: 'donor_identity',
    id: newId(),
    stationId: phone.station.id,
    deviceId: phone.deviceId,
    authorStaffId: phone.station.staffIds[0]!,
    createdAt: '2026-03-02T09:30:00.000+08:00',
    donorKey,
    idNumber: '11010519491231002X',
    name: '赵丽',
    phone: '13800001111',
    household: 'rural',
    ...over,
  })
  const answers = (selfExcluded: boolean) => ({
    version: DEFAULT_QUESTIONNAIRE.version,
    yes: [],
    selfExcluded,
    via: 'kiosk' as const,
    signed: true,
  })

  it("sends the station's question set to phones with the station row and refuses a bad one", async () => {
    const custom = {
      ...DEFAULT_QUESTIONNAIRE,
      version: 'luoyang.2',
      questions: DEFAULT_QUESTIONNAIRE.questions.slice(0, 3),
    }
    const bad = await t.call('/api/v1/admin/station/questionnaire', {
      method: 'PUT',
      token: station.managerToken,
      body: { ...custom, questions: [] },
    })
    expect(bad.status).toBe(400)
    const put = await t.call<Station>('/api/v1/admin/station/questionnaire', {
      method: 'PUT',
      token: station.managerToken,
      body: custom,
    })
    expect(put.status).toBe(200)
    const pull = await t.call<PullResponse>('/api/v1/sync/pull', { method: 'GET', token: phone.token })
    const row = pull.body.changes.find((c) => c.op === 'upsert' && c.entity === 'station')
    expect(row && row.op === 'upsert' && (row.value as Station).questionnaire?.version).toBe('luoyang.2')
    const reset = await t.call<Station>('/api/v1/admin/station/questionnaire', {
      method: 'PUT',
      token: station.managerToken,
      body: null,
    })
    expect(reset.body.questionnaire).toBeUndefined()
  })

  it('stores answers on records, lists self-exclusions to the station, and exports consenting donors', async () => {
    const [keyA, keyB, keyC] = ['a', 'b', 'c'].map((c) => c.repeat(32)) as [string, string, string]
    const old = donation(phone)
    const excluded = donation(phone, {
      donorKey: keyA,
      questionnaire: answers(true),
      contactConsent: 'sms',
      publicRef: newPublicRef(),
    })
    const wechat = deferral(phone, { donorKey: keyB, questionnaire: answers(false), contactConsent: 'wechat' })
    // C said yes in March and no in April: the later answer wins.
    const cYes = donation(phone, { donorKey: keyC, contactConsent: 'sms' })
    const cNo = donation(phone, { donorKey: keyC, collectedOn: '2026-04-10', contactConsent: 'none' })
    const excludedVoided = donation(phone, { questionnaire: answers(true) })
    const res = await t.push(phone, [
      old,
      identityOf(keyA, { name: '赵丽', consentSignature: 'AAECAwQF' }),
      excluded,
      identityOf(keyB, { name: '钱伟', phone: '+86 13800002222' }),
      wechat,
      identityOf(keyC, { name: '孙强' }),
      cYes,
      cNo,
      excludedVoided,
      voidOf(phone, excludedVoided),
    ])
    expect(res.status).toBe(200)
    expect(res.body.results.filter((r) => r.status !== 'applied')).toEqual([])
    const stored = await t.store.db
      .selectFrom('records')
      .select('body')
      .where('id', '=', excluded.id)
      .executeTakeFirst()
    expect(JSON.parse(stored!.body)).toMatchObject({
      questionnaire: { selfExcluded: true },
      publicRef: excluded.publicRef,
    })

    const list = await t.call<Array<{ din: string }>>('/api/v1/admin/self-exclusions?from=2026-03-01&to=2026-03-31', {
      token: station.managerToken,
    })
    expect(list.status).toBe(200)
    expect(list.body.map((r) => r.din)).toEqual([excluded.din])
    expect((await t.call('/api/v1/admin/self-exclusions?from=March', { token: station.managerToken })).status).toBe(400)

    const csv = await t.call<string>('/api/v1/admin/contacts?format=csv', { token: station.managerToken })
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/)
    expect(csv.body.trim().split('\r\n')).toEqual([
      'name,phone,contact,last_visit_on',
      '赵丽,13800001111,sms,2026-03-02',
      "钱伟,'+86 13800002222,wechat,2026-03-02",
    ])
    const xlsx = await fetch(`${t.url}/api/v1/admin/contacts?format=xlsx`, {
      headers: { Authorization: `Bearer ${station.managerToken}` },
    })
    expect(xlsx.status).toBe(200)
    const bytes = new Uint8Array(await xlsx.arrayBuffer())
    expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b]) // a zip: the XLSX container
    expect((await t.call('/api/v1/admin/contacts?format=pdf', { token: station.managerToken })).status).toBe(400)
    // Phones have no business with the contact list.
    expect((await t.call('/api/v1/admin/contacts', { token: phone.token })).status).toBe(401)
  })
})
