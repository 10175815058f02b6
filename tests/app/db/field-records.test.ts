import { beforeEach, describe, expect, it, vi } from 'vitest'
import { newId } from '../../../src/domain/ids'
import { FieldDb, useFieldDb } from '../../../src/app/db'
import {
  dinUsesInRange,
  FieldRecordError,
  saveFieldBatch,
  saveFieldRecord,
  saveFieldRecords,
} from '../../../src/app/db/field-records'
import { outboxSummary } from '../../../src/app/db/outbox'
import { liveQuery } from '../../../src/app/db/live'
import { putDraft, readDraft } from '../../../src/app/db/drafts'
import { driveTallyKey, readTally } from '../../../src/app/db/tallies'
import { freshDb, makeDeferral, makeDonation, makeDrive, makeIdentity, seedReference } from '../support/field-fixtures'
import { databaseAt, declaredVersions } from '../support/schema-versions'

const staffId = newId()
let db: FieldDb

beforeEach(async () => {
  db = freshDb()
  await seedReference(db)
})

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    return err instanceof FieldRecordError ? err.code : `other: ${String(err)}`
  }
  return 'saved'
}

describe('saveFieldRecord', () => {
  it('stores the record and its outbox entry together, with increasing sequence numbers', async () => {
    const drive = makeDrive(staffId)
    const a = await saveFieldRecord(drive)
    const b = await saveFieldRecord(makeDonation(drive, staffId))
    expect(b.seq).toBeGreaterThan(a.seq)
    expect(await db.drives.get(drive.id)).toEqual(drive)
    const entries = await db.outbox.toArray()
    expect(entries.map((e) => [e.recordId, e.recordType, e.status, e.attempts])).toEqual([
      [drive.id, 'drive', 'pending', 0],
      [b.record.id, 'donation', 'pending', 0],
    ])
    expect(entries[0]!.record).toEqual(drive)
    expect(await outboxSummary(db)).toEqual({ pending: 2, rejected: 0, oldestCreatedAt: entries[0]!.createdAt })
  })

  it('leaves no record when the outbox write fails', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    // The disk refuses the outbox entry (IndexedDB itself, under Dexie and under the donor save).
    const add = IDBObjectStore.prototype.add
    IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      if (this.name === 'outbox') throw new DOMException('disk full', 'QuotaExceededError')
      return add.apply(this, args)
    }
    try {
      const donation = makeDonation(drive, staffId)
      await expect(saveFieldRecord(donation)).rejects.toThrow('disk full')
      const identity = makeIdentity(staffId)
      await expect(
        saveFieldRecords([identity, makeDonation(drive, staffId, { donorKey: identity.donorKey })]),
      ).rejects.toThrow('disk full')
      expect(await db.donations.get(donation.id)).toBeUndefined()
      expect(await db.donations.count()).toBe(0)
      expect(await db.donorIdentities.count()).toBe(0)
    } finally {
      IDBObjectStore.prototype.add = add
    }
    expect((await readTally(driveTallyKey(drive.id), db)).donations).toBe(0)
    expect(await db.outbox.count()).toBe(1)
  })

  it('refuses an invalid record and changes nothing', async () => {
    const drive = makeDrive(staffId, { busCode: '' })
    expect(await codeOf(saveFieldRecord(drive))).toBe('invalid_record')
    expect(await db.drives.count()).toBe(0)
    expect(await db.outbox.count()).toBe(0)
  })

  it('refuses a bag number used twice on one drive; a void frees it', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    const first = makeDonation(drive, staffId, { din: 'W123423000007' })
    await saveFieldRecord(first)
    expect(await codeOf(saveFieldRecord(makeDonation(drive, staffId, { din: 'W123423000007' })))).toBe('duplicate_din')
    await saveFieldRecord({
      type: 'void',
      id: newId(),
      stationId: drive.stationId,
      deviceId: drive.deviceId,
      authorStaffId: staffId,
      createdAt: new Date().toISOString(),
      targetId: first.id,
      reason: 'wrong donor',
    })
    // The void says the record was wrong, its bag claim with it: the bag may be recorded anew.
    expect(await codeOf(saveFieldRecord(makeDonation(drive, staffId, { din: 'W123423000007' })))).toBe('saved')
    expect(await db.donations.count()).toBe(2)
  })

  it('counts the tallies from storage in the save itself, also when another tab changed them meanwhile', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    let bag = 10
    const donation = () => makeDonation(drive, staffId, { din: `W1234230000${bag++}` })
    await saveFieldRecord(donation())
    await saveFieldRecord(donation())
    expect((await readTally(driveTallyKey(drive.id), db)).donations).toBe(2)
    // A refused save in that round changes nothing, and its tallies are not taken as committed.
    const taken = await saveFieldRecord(makeDonation(drive, staffId, { din: 'W123423000009' }))
    expect(await codeOf(saveFieldRecord(makeDonation(drive, staffId, { din: 'W123423000009' })))).toBe('duplicate_din')
    expect((await readTally(driveTallyKey(drive.id), db)).donations).toBe(3)
    expect(await db.outbox.where('recordId').equals(taken.record.id).count()).toBe(1)
    expect(await db.outbox.count()).toBe(4)
    // Another tab of the phone saved five donations: this tab's copy of the tallies is stale.
    const row = (await db.tallies.get(driveTallyKey(drive.id)))!
    await db.tallies.put({ ...row, counts: { ...row.counts, donations: row.counts.donations + 5 } })
    await saveFieldRecord(donation())
    expect((await readTally(driveTallyKey(drive.id), db)).donations).toBe(9)
    await saveFieldRecord(donation())
    expect((await readTally(driveTallyKey(drive.id), db)).donations).toBe(10)
  })

  it("saves the donor form's identity, outcome, outbox entries, tally and draft delete together, or none of it", async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    await saveFieldRecord(makeDonation(drive, staffId, { din: 'W123423000007' }))
    const form = { driveId: drive.id, staffId, form: { name: '张三' } }
    await putDraft(form, db)
    const key = `${drive.id}:${staffId}`
    const identity = makeIdentity(staffId)
    // Refused (the bag is used): the identity, the outbox entries and the draft's delete go too.
    const refused = saveFieldBatch(
      [identity, makeDonation(drive, staffId, { donorKey: identity.donorKey, din: 'W123423000007' })],
      db,
      { clearDraft: key },
    )
    expect(await codeOf(refused)).toBe('duplicate_din')
    expect([await db.donorIdentities.count(), await db.outbox.count()]).toEqual([0, 2])
    expect(await readDraft(drive.id, staffId, db)).not.toBeNull()
    expect((await readTally(driveTallyKey(drive.id), db)).donations).toBe(1)
    const donation = makeDonation(drive, staffId, { donorKey: identity.donorKey, din: 'W123423000008' })
    const { saved, tallies } = await saveFieldBatch([identity, donation], db, { clearDraft: key })
    expect(saved.map((s) => s.record.id)).toEqual([identity.id, donation.id])
    expect(saved[1]!.seq).toBe(saved[0]!.seq + 1)
    expect((await db.outbox.toArray()).slice(-2).map((e) => [e.seq, e.recordId])).toEqual(
      saved.map((s) => [s.seq, s.record.id]),
    )
    expect(await db.donorIdentities.get(identity.id)).toEqual(identity)
    expect(await readDraft(drive.id, staffId, db)).toBeNull()
    expect(tallies.get(driveTallyKey(drive.id))).toEqual(await readTally(driveTallyKey(drive.id), db))
    expect(tallies.get(driveTallyKey(drive.id))!.donations).toBe(2)
  })

  it("tells the live queries of a donor form's save, as Dexie's own writes do", async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    const pending: number[] = []
    const subscription = liveQuery(() => outboxSummary(db)).subscribe((s) => pending.push(s.pending))
    try {
      await vi.waitFor(() => expect(pending.at(-1)).toBe(1))
      const identity = makeIdentity(staffId)
      await saveFieldRecords([identity, makeDonation(drive, staffId, { donorKey: identity.donorKey })])
      // The identity is not counted as waiting (it goes with its donation).
      await vi.waitFor(() => expect(pending.at(-1)).toBe(2))
    } finally {
      subscription.unsubscribe()
    }
  })

  it('refuses a bag number used on another drive of the phone, by a donation or a correction', async () => {
    const drive2 = makeDrive(staffId, { dinFirst: 'W123423000041', dinLast: 'W123423000080', bagsLoaded: 40 })
    const drive3 = makeDrive(staffId, { dinFirst: 'W123423000060', dinLast: 'W123423000090', bagsLoaded: 31 })
    await saveFieldRecord(drive2)
    await saveFieldRecord(drive3)
    const d = makeDonation(drive2, staffId, { din: 'W123423000061D' })
    await saveFieldRecord(d)
    const again = makeDonation(drive3, staffId, { din: 'W123423000061D' })
    expect(await codeOf(saveFieldRecord(again))).toBe('duplicate_din')
    expect(await db.donations.get(again.id)).toBeUndefined()
    expect(await db.outbox.count()).toBe(3)
    // A correction moving drive 2's donation to bag 62 makes 62 taken on every drive too.
    await saveFieldRecord({
      type: 'correction',
      id: newId(),
      stationId: drive2.stationId,
      deviceId: drive2.deviceId,
      authorStaffId: staffId,
      createdAt: new Date().toISOString(),
      targetId: d.id,
      reason: 'bag misread',
      replacement: { ...d, din: 'W123423000062' },
    })
    expect(await codeOf(saveFieldRecord(makeDonation(drive3, staffId, { din: 'W123423000062' })))).toBe('duplicate_din')
    expect(await codeOf(saveFieldRecord(makeDonation(drive3, staffId, { din: 'W123423000063' })))).toBe('saved')
    const uses = await dinUsesInRange('W123423000060', 'W123423000090', db)
    expect(uses.map((u) => [u.din, u.driveId]).sort()).toEqual(
      [
        ['W123423000061D', drive2.id],
        ['W123423000062', drive2.id],
        ['W123423000063', drive3.id],
      ].sort(),
    )
  })

  it('refuses a bag number that any correction gave a donation on the drive, and the number it replaced', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    const d1 = makeDonation(drive, staffId, { din: 'W123423000001' })
    await saveFieldRecord(d1)
    const base = () => ({
      id: newId(),
      stationId: drive.stationId,
      deviceId: drive.deviceId,
      authorStaffId: staffId,
      createdAt: new Date().toISOString(),
    })
    await saveFieldRecord({
      type: 'correction',
      ...base(),
      targetId: d1.id,
      reason: 'bag misread',
      replacement: { ...d1, din: 'W123423000003' },
    })
    for (const din of ['W123423000001', 'W123423000003']) {
      expect(await codeOf(saveFieldRecord(makeDonation(drive, staffId, { din })))).toBe('duplicate_din')
    }
    // The donation's own numbers do not count against a further correction of it.
    expect(
      await codeOf(
        saveFieldRecord({
          type: 'correction',
          ...base(),
          targetId: d1.id,
          reason: 'back',
          replacement: { ...d1, din: 'W123423000001' },
        }),
      ),
    ).toBe('saved')
    // Another drive of the phone may not use them either.
    const other = makeDrive(staffId)
    await saveFieldRecord(other)
    expect(await codeOf(saveFieldRecord(makeDonation(other, staffId, { din: 'W123423000003' })))).toBe('duplicate_din')
  })

  it('opens a version 1 phone database with its records, and finds the bag numbers its corrections gave', async () => {
    const name = `test-v1-${newId()}`
    const drive = makeDrive(staffId)
    const d1 = makeDonation(drive, staffId, { din: 'W123423000001' })
    const correction = {
      type: 'correction' as const,
      id: newId(),
      stationId: drive.stationId,
      deviceId: drive.deviceId,
      authorStaffId: staffId,
      createdAt: new Date().toISOString(),
      targetId: d1.id,
      reason: 'bag misread',
      replacement: { ...d1, din: 'W123423000004' },
    }
    const v1 = databaseAt(name, 1)
    await v1.table('drives').add(drive)
    await v1.table('donations').add(d1)
    await v1.table('corrections').add(correction)
    v1.close()

    const upgraded = useFieldDb(new FieldDb(name))
    await seedReference(upgraded)
    expect(upgraded.verno).toBe(declaredVersions().at(-1)!.version)
    expect(await upgraded.corrections.get(correction.id)).toEqual(correction)
    expect(
      await upgraded.corrections
        .where('[replacement.driveId+replacement.din]')
        .equals([drive.id, 'W123423000004'])
        .primaryKeys(),
    ).toEqual([correction.id])
    expect(await codeOf(saveFieldRecord(makeDonation(drive, staffId, { din: 'W123423000004' }), upgraded))).toBe(
      'duplicate_din',
    )
    expect(await codeOf(saveFieldRecord(makeDonation(drive, staffId, { din: 'W123423000005' }), upgraded))).toBe(
      'saved',
    )
  })

  it('opens a version 2 phone database, and finds a bag number its corrections gave on another drive', async () => {
    const name = `test-v2-${newId()}`
    const drive = makeDrive(staffId)
    const other = makeDrive(staffId)
    const d1 = makeDonation(drive, staffId, { din: 'W123423000001' })
    const correction = {
      type: 'correction' as const,
      id: newId(),
      stationId: drive.stationId,
      deviceId: drive.deviceId,
      authorStaffId: staffId,
      createdAt: new Date().toISOString(),
      targetId: d1.id,
      reason: 'bag misread',
      replacement: { ...d1, din: 'W123423000004' },
    }
    const v2 = databaseAt(name, 2)
    await v2.table('drives').bulkAdd([drive, other])
    await v2.table('donations').add(d1)
    await v2.table('corrections').add(correction)
    v2.close()

    const upgraded = useFieldDb(new FieldDb(name))
    await seedReference(upgraded)
    expect(upgraded.verno).toBeGreaterThanOrEqual(3)
    expect(await upgraded.donations.get(d1.id)).toEqual(d1)
    expect(await upgraded.corrections.where('replacement.din').equals('W123423000004').primaryKeys()).toEqual([
      correction.id,
    ])
    expect(await codeOf(saveFieldRecord(makeDonation(other, staffId, { din: 'W123423000004' }), upgraded))).toBe(
      'duplicate_din',
    )
    expect(await codeOf(saveFieldRecord(makeDonation(other, staffId, { din: 'W123423000005' }), upgraded))).toBe(
      'saved',
    )
  })

  it('keeps the drive tallies through donations, deferrals, voids and corrections', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    const d1 = makeDonation(drive, staffId, { din: 'W123423000001' })
    const d2 = makeDonation(drive, staffId, {
      din: 'W123423000002',
      product: { type: 'apheresis_platelets', doses: 2 },
      abo: 'O',
      rhd: 'neg',
    })
    await saveFieldRecord(d1)
    await saveFieldRecord(d2)
    await saveFieldRecord(makeDeferral(drive, staffId))
    let tally = await readTally(driveTallyKey(drive.id), db)
    expect([
      tally.busTrips,
      tally.donations,
      tally.wholeBloodUnits,
      tally.apheresisDoses,
      tally.deferrals,
      tally.byBloodGroup['O-'],
      tally.ruralMobileWholeBlood,
    ]).toEqual([1, 2, 2, 2, 1, 1, 1])
    const base = {
      stationId: drive.stationId,
      deviceId: drive.deviceId,
      authorStaffId: staffId,
      createdAt: new Date().toISOString(),
    }
    await saveFieldRecord({
      type: 'correction',
      id: newId(),
      ...base,
      targetId: d1.id,
      reason: 'volume was 200',
      replacement: { ...d1, product: { type: 'whole_blood', volumeMl: 200 } },
    })
    tally = await readTally(driveTallyKey(drive.id), db)
    expect([tally.wholeBloodUnits, tally.wholeBlood400, tally.wholeBlood200]).toEqual([1, 0, 1])
    await saveFieldRecord({ type: 'void', id: newId(), ...base, targetId: d1.id, reason: 'entered twice' })
    tally = await readTally(driveTallyKey(drive.id), db)
    expect([tally.donations, tally.wholeBloodDonations, tally.wholeBloodUnits]).toEqual([1, 0, 0])
    expect(
      await codeOf(saveFieldRecord({ type: 'void', id: newId(), ...base, targetId: d1.id, reason: 'again' })),
    ).toBe('already_voided')
  })

  it('refuses new donations and deferrals on a closed drive and a second close', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    const close = {
      type: 'drive_close' as const,
      id: newId(),
      stationId: drive.stationId,
      deviceId: drive.deviceId,
      authorStaffId: staffId,
      createdAt: new Date().toISOString(),
      driveId: drive.id,
      bagsLoaded: 50,
      bagsUsed: 0,
      bagsSpoiled: 0,
      bagsReturned: 50,
      discrepancyNote: '',
      signedOffBy: staffId,
      closedAt: new Date().toISOString(),
    }
    await saveFieldRecord(close)
    expect(await codeOf(saveFieldRecord(makeDonation(drive, staffId)))).toBe('drive_closed')
    expect(await codeOf(saveFieldRecord(makeDeferral(drive, staffId)))).toBe('drive_closed')
    expect(await codeOf(saveFieldRecord({ ...close, id: newId() }))).toBe('drive_already_closed')
    expect(await db.donations.count()).toBe(0)
    expect(await db.deferrals.count()).toBe(0)
  })

  it('takes corrections and voids on a closed drive; the tallies follow, the sealed close does not change', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    const d1 = makeDonation(drive, staffId, { din: 'W123423000001' })
    const d2 = makeDonation(drive, staffId, { din: 'W123423000002' })
    const deferral = makeDeferral(drive, staffId)
    for (const r of [d1, d2, deferral]) await saveFieldRecord(r)
    const base = () => ({
      id: newId(),
      stationId: drive.stationId,
      deviceId: drive.deviceId,
      authorStaffId: staffId,
      createdAt: new Date().toISOString(),
    })
    const close = {
      type: 'drive_close' as const,
      ...base(),
      driveId: drive.id,
      bagsLoaded: 50,
      bagsUsed: 2,
      bagsSpoiled: 0,
      bagsReturned: 48,
      discrepancyNote: '',
      signedOffBy: staffId,
      closedAt: new Date().toISOString(),
    }
    await saveFieldRecord(close)
    const other = makeDrive(staffId, { dinFirst: 'W123423000001', dinLast: 'W123423000009', bagsLoaded: 9 })
    await saveFieldRecord(other)
    await saveFieldRecord(makeDonation(other, staffId, { din: 'W123423000009' }))

    expect(
      await codeOf(
        saveFieldRecord({
          type: 'correction',
          ...base(),
          targetId: d1.id,
          reason: 'blood group was B-',
          replacement: { ...d1, abo: 'B', rhd: 'neg' },
        }),
      ),
    ).toBe('saved')
    expect(await codeOf(saveFieldRecord({ type: 'void', ...base(), targetId: d2.id, reason: 'entered twice' }))).toBe(
      'saved',
    )
    expect(
      await codeOf(
        saveFieldRecord({
          type: 'correction',
          ...base(),
          targetId: deferral.id,
          reason: 'reason code',
          replacement: { ...deferral, reasonCode: 'low_hb', until: '2023-07-14' },
        }),
      ),
    ).toBe('saved')
    // The bag rule still holds after the close.
    expect(
      await codeOf(
        saveFieldRecord({
          type: 'correction',
          ...base(),
          targetId: d1.id,
          reason: 'bag',
          replacement: { ...d1, din: 'W123423000009' },
        }),
      ),
    ).toBe('duplicate_din')

    const tally = await readTally(driveTallyKey(drive.id), db)
    expect([tally.donations, tally.deferrals, tally.byBloodGroup['B-'], tally.byBloodGroup['A+']]).toEqual([1, 1, 1, 0])
    expect(await db.driveCloses.toArray()).toEqual([close])
    expect((await db.outbox.toArray()).map((e) => e.recordType).slice(-3)).toEqual(['correction', 'void', 'correction'])
  })

  it('does not move a record onto a closed drive by a correction', async () => {
    const closed = makeDrive(staffId)
    const open = makeDrive(staffId)
    await saveFieldRecord(closed)
    await saveFieldRecord(open)
    await saveFieldRecord({
      type: 'drive_close',
      id: newId(),
      stationId: closed.stationId,
      deviceId: closed.deviceId,
      authorStaffId: staffId,
      createdAt: new Date().toISOString(),
      driveId: closed.id,
      bagsLoaded: 50,
      bagsUsed: 0,
      bagsSpoiled: 0,
      bagsReturned: 50,
      discrepancyNote: '',
      signedOffBy: staffId,
      closedAt: new Date().toISOString(),
    })
    const donation = makeDonation(open, staffId, { din: 'W123423000009' })
    await saveFieldRecord(donation)
    const moved = {
      type: 'correction' as const,
      id: newId(),
      stationId: open.stationId,
      deviceId: open.deviceId,
      authorStaffId: staffId,
      createdAt: new Date().toISOString(),
      targetId: donation.id,
      reason: 'wrong drive',
      replacement: { ...donation, driveId: closed.id },
    }
    expect(await codeOf(saveFieldRecord(moved))).toBe('drive_closed')
    expect(await db.corrections.count()).toBe(0)
  })
})
