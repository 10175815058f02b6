// A batch writes what the same records sent one by one write: an original voided or corrected in
// its own batch is stored as it counts (ingest.ts projectInBatch), one stored before is reprojected
// (reprojectRoots); both must leave the same rows, reasons, teams, reactions and eligibility.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/domain/ids'
import type { AdverseReaction, Deferral, Donation, DonorIdentity, FieldRecord } from '../../src/domain/records'
import { ENGINES } from './support/engines'
import {
  correctionOf,
  deferral,
  donation,
  drive,
  type Phone,
  startTestStation,
  type TestStation,
  voidOf,
} from './support/station'

/** The same story on any phone: drives, donations, deferrals, reactions, voids and corrections of all kinds. */
function story(phone: Phone): FieldRecord[] {
  const st = phone.station
  const [team0, team1] = [st.teams[0]!.id, st.teams[1]!.id]
  const key = () => newId().replace(/-/g, '')
  const dr = drive(phone, { teamIds: [team0] })
  const onDrive = { driveId: dr.id, channelId: dr.channelId, siteId: dr.siteId, teamIds: [team0] }
  const author = () => ({ id: newId(), stationId: st.id, deviceId: phone.deviceId, authorStaffId: st.staffIds[0]! })
  const reaction = (d: Donation): AdverseReaction => ({
    type: 'adverse_reaction',
    ...author(),
    createdAt: '2026-03-02T10:00:00.000+08:00',
    donationId: d.id,
    code: 'vasovagal',
    severity: 'mild',
    occurredAt: '2026-03-02T10:00:00.000+08:00',
    note: '',
  })
  // A donation corrected onto another donor and team, its reactions before and after following it.
  const d1 = donation(phone, onDrive)
  const d1fixed: Donation = {
    ...d1,
    donorKey: key(),
    teamIds: [team1],
    product: { type: 'whole_blood', volumeMl: 300 },
  }
  // A deferral corrected to other reasons.
  const f1 = deferral(phone, { ...onDrive, reasonCode: 'cold', reasonCodes: ['cold'] })
  const f1fixed: Deferral = { ...f1, reasonCode: 'tattoo', reasonCodes: ['tattoo', 'cold'], until: '2027-03-02' }
  // A voided donation, and one whose bag a later donation takes.
  const d2 = donation(phone, onDrive)
  const d3 = donation(phone, onDrive)
  const d3again = donation(phone, { ...onDrive, din: d3.din })
  // Two corrections, the later one (by createdAt) winning though sent first.
  const d4 = donation(phone, onDrive)
  const later = correctionOf(phone, d4, { ...d4, abo: 'A' }, '2026-03-02T12:00:00.000+08:00')
  const earlier = correctionOf(phone, d4, { ...d4, abo: 'B' }, '2026-03-02T11:00:00.000+08:00')
  // A correction voided: the original it corrects is voided.
  const d5 = donation(phone, onDrive)
  const c5 = correctionOf(phone, d5, { ...d5, rhd: 'neg' })
  // A donor identity corrected to another ID number (another donor key).
  const identity: DonorIdentity = {
    type: 'donor_identity',
    ...author(),
    createdAt: '2026-03-02T09:00:00.000+08:00',
    donorKey: d1.donorKey,
    idNumber: '11010519491231002X',
    name: '张三',
    phone: '',
    household: 'rural',
  }
  const identityFixed: DonorIdentity = { ...identity, donorKey: key(), name: '张叁' }
  return [
    dr,
    identity,
    d1,
    reaction(d1),
    correctionOf(phone, d1, d1fixed),
    reaction(d1),
    f1,
    correctionOf(phone, f1, f1fixed),
    d2,
    voidOf(phone, d2),
    d3,
    voidOf(phone, d3),
    d3again,
    d4,
    later,
    earlier,
    d5,
    c5,
    voidOf(phone, c5),
    {
      type: 'correction',
      ...author(),
      createdAt: '2026-03-02T13:00:00.000+08:00',
      targetId: identity.id,
      reason: 'typo',
      replacement: identityFixed,
    },
  ]
}

describe.each(ENGINES)('a batch and the same records one by one (%s)', (engine) => {
  let t: TestStation
  beforeAll(async () => {
    t = await startTestStation(engine)
  })
  afterAll(async () => {
    await t?.close()
  })

  /** The station's rows of these records, every id and donor key replaced by its place in the story. */
  async function rowsOf(phone: Phone, records: FieldRecord[]) {
    const st = phone.station
    const names = new Map<string, string>()
    const name = (value: string, as: string) => {
      if (!names.has(value)) names.set(value, `${as}${names.size}`)
    }
    name(st.id, 'station')
    name(phone.deviceId, 'device')
    st.channels.forEach((c) => name(c.id, 'channel'))
    st.sites.forEach((s) => name(s.id, 'site'))
    st.teams.forEach((x) => name(x.id, 'team'))
    st.staffIds.forEach((s) => name(s, 'staff'))
    for (const r of records) {
      name(r.id, 'record')
      const keys = JSON.stringify(r).match(/"donorKey":"[0-9a-f]{32}"/g) ?? []
      for (const k of keys) name(k.slice(12, -1), 'donor')
      const dins = JSON.stringify(r).match(/"din":"[0-9A-Z*]{13,16}"/g) ?? []
      for (const d of dins) name(d.slice(7, -1), 'bag')
    }
    const rename = (value: unknown): unknown => {
      if (typeof value !== 'string') return value
      let out = value
      for (const [from, to] of names) out = out.split(from).join(to)
      return out
    }
    const renamed = <T extends Record<string, unknown>>(rows: T[], skip: string[] = []) =>
      rows
        .map((row) =>
          Object.fromEntries(
            Object.entries(row)
              .filter(([k]) => !skip.includes(k))
              .map(([k, v]) => [k, rename(v)]),
          ),
        )
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
    const ids = records.map((r) => r.id)
    const db = t.store.db
    const donorKeys = [...names.keys()].filter((k) => names.get(k)!.startsWith('donor'))
    return {
      records: renamed(await db.selectFrom('records').selectAll().where('id', 'in', ids).execute(), [
        'seq',
        'received_at',
      ]),
      teams: renamed(await db.selectFrom('record_teams').selectAll().where('record_id', 'in', ids).execute()),
      reasons: renamed(await db.selectFrom('record_reasons').selectAll().where('record_id', 'in', ids).execute()),
      eligibility: renamed(
        await db
          .selectFrom('eligibility')
          .selectAll()
          .where('station_id', '=', st.id)
          .where('donor_key', 'in', donorKeys)
          // Sent one by one, a donor may be listed and then withdrawn (a tombstone the batch never needed).
          .where('deleted', '=', 0)
          .execute(),
        ['change_seq', 'updated_at'],
      ),
    }
  }

  it('stores the same rows either way', async () => {
    const stationA = await t.createStation('together')
    const stationB = await t.createStation('onebyone')
    const phoneA = await t.enroll(stationA)
    const phoneB = await t.enroll(stationB)
    const together = story(phoneA)
    const oneByOne = story(phoneB)
    const answer = await t.push(phoneA, together)
    expect(answer.body.results.map((r) => r.status)).toEqual(together.map(() => 'applied'))
    for (const rec of oneByOne) {
      const one = await t.push(phoneB, [rec])
      expect(one.body.results?.[0]?.status, JSON.stringify(one.body)).toBe('applied')
    }
    const a = await rowsOf(phoneA, together)
    const b = await rowsOf(phoneB, oneByOne)
    expect(a.records).toHaveLength(together.length)
    // The story does change things: voids, a moved donor, other reasons and teams.
    expect(a.records.filter((r) => r.voided === 1)).toHaveLength(3)
    expect(a.reasons.map((r) => r.code).sort()).toEqual(['cold', 'tattoo'])
    expect(a).toEqual(b)
  })
})
