// Correcting a donor's identity on the phone (schema version 2): checked as at registration, saved
// as correction records in one transaction with their outbox entries; a new ID number or household
// also corrects the visit's donation; nothing once the identity was purged from the phone.
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { donorKey } from '../../../src/domain/donor-key'
import { isbt128Din } from '../../../src/domain/din'
import { ageOn } from '../../../src/domain/resident-id'
import type { Donation, DonorIdentity } from '../../../src/domain/records'
import type { FieldDb } from '../../../src/app/db'
import { checkIdentityCorrection, correctedVisit, identityText } from '../../../src/app/field/identity-correction'
import { useDeviceStore } from '../../../src/app/stores/useDeviceStore'
import { useDriveStore, type DonorInput } from '../../../src/app/stores/useDriveStore'
import { useSessionStore } from '../../../src/app/stores/useSessionStore'
import { freshDb, RURAL, seedReference, SITE, STATION } from '../support/field-fixtures'
import { makeRoster, PIN } from '../support/field-app'

const SALT = 'identity-test-salt'
const FIRST_ID = '11010519491231002X'
const SECOND_ID = '410327199507210511'

let db: FieldDb
beforeEach(async () => {
  setActivePinia(createPinia())
  db = freshDb()
  const roster = await makeRoster()
  await seedReference(db, [roster.leader, roster.collector])
  await db.stations.put({ key: STATION.id, value: { ...STATION, donorKeySalt: SALT } })
  await useDeviceStore().load()
  await useSessionStore().unlock(roster.leader.id, PIN.leader)
  await useDriveStore().openDrive({
    busCode: '豫C-1',
    siteId: SITE.id,
    channelId: RURAL.id,
    teamIds: [],
    date: '2026-06-14',
    staffIds: [roster.leader.id],
    leaderStaffId: roster.leader.id,
    dinFirst: 'W123426000001',
    dinLast: 'W123426000040',
    bagsLoaded: 40,
  })
})

async function recordZhao(): Promise<void> {
  const input: DonorInput = {
    identity: {
      idNumber: FIRST_ID,
      name: '赵莉',
      phone: '',
      household: 'rural',
      donorKey: await donorKey(FIRST_ID, SALT),
    },
    facts: { sex: 'F', ageYears: 76, repeatDonor: false },
    outcome: {
      kind: 'donation',
      product: { type: 'whole_blood', volumeMl: 400 },
      abo: 'O',
      rhd: 'pos',
      din: isbt128Din.format('W123426000003'),
    },
  }
  await useDriveStore().recordDonor(input)
}

describe('the identity correction form', () => {
  const current: DonorIdentity = {
    type: 'donor_identity',
    id: '0188e1c2-5a3b-7c4d-8e5f-1a2b3c4d5e6f',
    stationId: STATION.id,
    deviceId: STATION.id,
    authorStaffId: STATION.id,
    createdAt: '2026-06-14T09:00:00.000+08:00',
    donorKey: 'ab'.repeat(16),
    idNumber: FIRST_ID,
    name: '赵莉',
    phone: '',
    household: 'rural',
  }
  const today = '2026-06-14'

  it('checks as the donor form does, and says nothing changed', () => {
    const start = identityText(current)
    expect(checkIdentityCorrection(start, current, today)).toMatchObject({ unchanged: true, value: null })
    const bad = checkIdentityCorrection(
      { ...start, idNumber: '110105194912310021', name: ' ', phone: 'abc' },
      current,
      today,
    )
    expect(bad.errors).toEqual({ idNumber: 'idErrors.check_character', name: 'errors.required', phone: 'errors.phone' })
    const emoji = checkIdentityCorrection({ ...start, name: '张😀' }, current, today)
    expect(emoji).toMatchObject({ errors: { name: 'nameErrors.characters' }, nameBad: '😀', value: null })
    expect(checkIdentityCorrection({ ...start, idNumber: '4103271995' }, current, today).errors.idNumber).toBe(
      'idErrors.length',
    )
  })

  it('takes a typed number in any case and spacing, and tells when the visit is corrected too', () => {
    const start = identityText(current)
    const name = checkIdentityCorrection({ ...start, name: ' 赵丽 ' }, current, today)
    expect(name).toMatchObject({ value: { name: '赵丽', idNumber: FIRST_ID }, rekeys: false, touchesVisit: false })
    const lower = checkIdentityCorrection({ ...start, idNumber: '11010519491231002x' }, current, today)
    expect(lower.unchanged).toBe(true)
    const number = checkIdentityCorrection({ ...start, idNumber: SECOND_ID }, current, today)
    expect(number).toMatchObject({ rekeys: true, touchesVisit: true })
    const household = checkIdentityCorrection({ ...start, household: 'urban' }, current, today)
    expect(household).toMatchObject({ rekeys: false, touchesVisit: true })
  })

  it('moves a visit to the donor a new number names, with the age on the day of collection', () => {
    const visit = {
      collectedOn: '2026-06-14',
      donorKey: 'ab'.repeat(16),
      sex: 'F',
      ageYears: 76,
      household: 'rural',
      repeatDonor: false,
    } as Donation
    expect(
      correctedVisit(visit, {
        household: 'urban',
        donor: { donorKey: 'cd'.repeat(16), sex: 'M', birthDate: '1995-07-21', repeatDonor: true },
      }),
    ).toMatchObject({ donorKey: 'cd'.repeat(16), sex: 'M', ageYears: 30, household: 'urban', repeatDonor: true })
  })
})

describe('drive store: identity corrections', () => {
  it('corrects a name by a correction record; the list shows it, the donation is untouched', async () => {
    await recordZhao()
    const store = useDriveStore()
    const entry = store.entries[0]!
    await store.correctIdentity(
      entry,
      { idNumber: FIRST_ID, name: '赵丽', phone: '', household: 'rural' },
      '姓名登记错误',
    )
    expect(store.entries[0]).toMatchObject({ donorName: '赵丽', identity: { name: '赵丽' } })
    expect(store.entries[0]!.identityCorrections).toHaveLength(1)
    expect(store.entries[0]!.identityRecord!.name).toBe('赵莉') // the original stays
    expect(store.entries[0]!.corrections).toHaveLength(0)
    const outbox = await db.outbox.toArray()
    expect(outbox.map((e) => e.recordType)).toEqual(['drive', 'donor_identity', 'donation', 'correction'])
    expect(outbox[3]!.record).toMatchObject({
      targetId: entry.identityRecord!.id,
      replacement: { type: 'donor_identity', id: entry.identityRecord!.id, name: '赵丽' },
    })
  })

  it('a new ID number re-keys the visit in the same transaction, with sex and age from the new number', async () => {
    await recordZhao()
    const store = useDriveStore()
    const entry = store.entries[0]!
    await store.correctIdentity(
      entry,
      { idNumber: SECOND_ID, name: '赵丽', phone: '', household: 'rural' },
      '身份证号录错',
    )
    const newKey = await donorKey(SECOND_ID, SALT)
    const now = store.entries[0]!
    expect(now.identity).toMatchObject({ idNumber: SECOND_ID, donorKey: newKey })
    expect(now.record).toMatchObject({
      donorKey: newKey,
      sex: 'M',
      ageYears: ageOn('1995-07-21', entry.record.collectedOn),
      id: entry.original.id,
    })
    expect(now.donorName).toBe('赵丽')
    expect(await db.corrections.count()).toBe(2)
    expect(store.tally.donations).toBe(1)
  })

  it('refuses once the identity was purged from the phone, and writes nothing', async () => {
    await recordZhao()
    const store = useDriveStore()
    const identity = (await db.donorIdentities.toArray())[0]!
    await db.donorIdentities.put({ ...identity, name: '', idNumber: '', phone: '' })
    await store.reload()
    const entry = store.entries[0]!
    await expect(
      store.correctIdentity(
        { ...entry, identity: { ...identity } },
        { idNumber: FIRST_ID, name: '赵丽', phone: '', household: 'rural' },
        '姓名登记错误',
      ),
    ).rejects.toMatchObject({ code: 'not_correctable' })
    expect(await db.corrections.count()).toBe(0)
  })
})
