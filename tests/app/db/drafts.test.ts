// Donor form drafts on the phone (schema version 4): per drive and crew member, cleared in the
// save's own transaction (a refused save keeps it), never queued for the station, purged like
// donor identities, and an older phone database gains the table on upgrade with its records kept.
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { isbt128Din } from '../../../src/domain/din'
import { newId } from '../../../src/domain/ids'
import { FieldDb, useFieldDb } from '../../../src/app/db'
import { deleteDraft, draftKey, purgeDrafts, putDraft, readDraft } from '../../../src/app/db/drafts'
import { saveFieldRecord } from '../../../src/app/db/field-records'
import { unsyncedExport } from '../../../src/app/sync/export'
import { purgeStaleDrafts } from '../../../src/app/sync/purge'
import { useDeviceStore } from '../../../src/app/stores/useDeviceStore'
import { useDriveStore, type DonorInput } from '../../../src/app/stores/useDriveStore'
import { useSessionStore } from '../../../src/app/stores/useSessionStore'
import { makeRoster, PIN } from '../support/field-app'
import { freshDb, makeDonation, makeDrive, RURAL, seedReference, SITE } from '../support/field-fixtures'
import { databaseAt, declaredVersions } from '../support/schema-versions'

const FORM = { step: 'vitals', idNumber: '11010519491231002X', name: '赵丽', vitals: { hbGL: '14.2' } }

describe('draft rows', () => {
  let db: FieldDb
  beforeEach(() => {
    db = freshDb()
  })

  it('keeps one draft per drive and crew member, and no PIN', async () => {
    const [drive, other, a, b] = [newId(), newId(), newId(), newId()]
    await putDraft({ driveId: drive, staffId: a, form: { ...FORM, overridePin: '2580', leaderPin: '1397' } })
    await putDraft({ driveId: drive, staffId: b, form: { ...FORM, name: '孙强' } })
    await putDraft({ driveId: other, staffId: a, form: { ...FORM, name: '陈静' } })
    await putDraft({ driveId: drive, staffId: a, form: { ...FORM, name: '刘洋', overridePin: '2580' } })
    expect(await db.drafts.count()).toBe(3)
    const mine = await readDraft(drive, a)
    expect(mine).toMatchObject({ key: draftKey(drive, a), driveId: drive, staffId: a, form: { name: '刘洋' } })
    expect(mine!.form).not.toHaveProperty('overridePin')
    expect((await readDraft(drive, b))!.form.name).toBe('孙强')
    await deleteDraft(drive, a)
    expect(await readDraft(drive, a)).toBeNull()
    expect(await readDraft(other, a)).not.toBeNull()
    // Phone-only: nothing is queued for the station, nothing goes into the last-resort export.
    expect(await db.outbox.count()).toBe(0)
    expect((await unsyncedExport(db)).count).toBe(0)
  })

  it('purges drafts untouched for the purge days, and every draft of a closed drive', async () => {
    const staffId = newId()
    const open = makeDrive(staffId)
    const closed = makeDrive(staffId)
    const now = Date.parse('2026-06-20T10:00:00.000Z')
    const day = 86_400_000
    await putDraft({ driveId: open.id, staffId, form: FORM, updatedAt: now - 8 * day })
    await putDraft({ driveId: open.id, staffId: newId(), form: FORM, updatedAt: now - 6 * day })
    await putDraft({ driveId: closed.id, staffId, form: FORM, updatedAt: now - 60_000 })
    await db.driveCloses.add({
      type: 'drive_close',
      id: newId(),
      stationId: closed.stationId,
      deviceId: closed.deviceId,
      authorStaffId: staffId,
      createdAt: new Date(now).toISOString(),
      driveId: closed.id,
      bagsLoaded: 0,
      bagsUsed: 0,
      bagsSpoiled: 0,
      bagsReturned: 0,
      discrepancyNote: '',
      signedOffBy: staffId,
      closedAt: new Date(now).toISOString(),
    })
    expect(await purgeStaleDrafts(db, { afterDays: 7, phoneNow: new Date(now) })).toBe(2)
    expect((await db.drafts.toArray()).map((d) => d.updatedAt)).toEqual([now - 6 * day])
    expect(await purgeDrafts(db, now)).toBe(1)
    expect(await db.drafts.count()).toBe(0)
  })
})

describe('saving clears the draft in the same transaction', () => {
  const din = (n: number) => isbt128Din.format(`W123426${String(n).padStart(6, '0')}`)
  const donor: DonorInput = {
    identity: {
      idNumber: '11010519491231002X',
      name: '赵丽',
      phone: '',
      household: 'rural',
      donorKey: '0123456789abcdef0123456789abcdef',
    },
    facts: { sex: 'F', ageYears: 40, repeatDonor: false },
    outcome: {
      kind: 'donation',
      product: { type: 'whole_blood', volumeMl: 400 },
      abo: 'O',
      rhd: 'pos',
      din: din(3),
    },
  }

  it('deletes the draft with the records, and keeps it when the save is refused', async () => {
    setActivePinia(createPinia())
    const db = freshDb()
    const roster = await makeRoster()
    await seedReference(db, [roster.leader, roster.collector])
    await useDeviceStore().load()
    await useSessionStore().unlock(roster.leader.id, PIN.leader)
    const store = useDriveStore()
    const drive = await store.openDrive({
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
    const key = draftKey(drive.id, roster.leader.id)
    await putDraft({ driveId: drive.id, staffId: roster.leader.id, form: FORM })
    await store.recordDonor(donor, { clearDraft: key })
    expect(await db.drafts.get(key)).toBeUndefined()
    expect(await db.donations.count()).toBe(1)

    // The same bag again is refused: the records and the draft's deletion roll back together.
    await putDraft({ driveId: drive.id, staffId: roster.leader.id, form: { ...FORM, name: '孙强' } })
    await expect(store.recordDonor(donor, { clearDraft: key })).rejects.toMatchObject({ code: 'duplicate_din' })
    expect((await db.drafts.get(key))?.form.name).toBe('孙强')
    expect(await db.donorIdentities.count()).toBe(1)
  })
})

describe('upgrade to schema version 4', () => {
  it('opens a version 2 phone database with its records and queue, and gains an empty drafts table', async () => {
    const name = `test-v2-${newId()}`
    const staffId = newId()
    const drive = makeDrive(staffId)
    const donation = makeDonation(drive, staffId, { din: 'W123423000001' })
    const v2 = databaseAt(name, 2)
    await v2.open()
    expect(v2.tables.map((t) => t.name)).not.toContain('drafts')
    await v2.table('drives').add(drive)
    await v2.table('donations').add(donation)
    v2.close()

    const db = useFieldDb(new FieldDb(name))
    await seedReference(db)
    expect(db.verno).toBe(declaredVersions().at(-1)!.version)
    expect(declaredVersions().map((v) => v.version)).toContain(4)
    expect(await db.donations.get(donation.id)).toEqual(donation)
    expect(await db.drafts.count()).toBe(0)
    await putDraft({ driveId: drive.id, staffId, form: FORM }, db)
    expect(await db.drafts.where('driveId').equals(drive.id).count()).toBe(1)
    // The phone still saves records after the upgrade.
    await saveFieldRecord(makeDonation(drive, staffId, { din: 'W123423000002' }), db)
    expect(await db.donations.count()).toBe(2)
  })
})
