// The save path itself refuses a second donation by the same donor on the same day, whatever the
// screen did: from this phone's records (any drive) or from the station's eligibility snapshot.
// It also keeps overrides to the drive's leader and a deferral's reasons in order.
import { beforeEach, describe, expect, it } from 'vitest'
import { newId } from '../../../src/domain/ids'
import type { FieldDb } from '../../../src/app/db'
import { FieldRecordError, saveFieldRecord } from '../../../src/app/db/field-records'
import { freshDb, makeDeferral, makeDonation, makeDrive, seedReference } from '../support/field-fixtures'

const leader = newId()
const collector = newId()
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

const KEY = 'aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb'
const din = (n: number) => `W1234230000${String(n).padStart(2, '0')}`

describe('a second donation the same day', () => {
  it('is refused on the same drive and on another drive of this phone, for either product; nothing is stored', async () => {
    const one = makeDrive(leader)
    const two = makeDrive(leader, { dinFirst: 'W123423000051', dinLast: 'W123423000090' })
    await saveFieldRecord(one)
    await saveFieldRecord(two)
    expect(await codeOf(saveFieldRecord(makeDonation(one, collector, { donorKey: KEY, din: din(1) })))).toBe('saved')
    const outbox = await db.outbox.count()
    expect(await codeOf(saveFieldRecord(makeDonation(one, collector, { donorKey: KEY, din: din(2) })))).toBe(
      'same_day_donation',
    )
    const platelets = makeDonation(two, collector, {
      donorKey: KEY,
      din: 'W123423000052',
      product: { type: 'apheresis_platelets', doses: 1 },
    })
    expect(await codeOf(saveFieldRecord(platelets))).toBe('same_day_donation')
    expect(await db.donations.where('donorKey').equals(KEY).count()).toBe(1)
    expect(await db.outbox.count()).toBe(outbox)
  })

  it('is refused when the snapshot says the donor gave today, not when they gave yesterday', async () => {
    const drive = makeDrive(leader)
    await saveFieldRecord(drive)
    const snapshot = (lastDonationOn: string) => ({
      key: KEY,
      value: {
        donorKey: KEY,
        lastDonationOn,
        lastDonationType: 'whole_blood' as const,
        apheresisLast12Months: 0,
        deferredUntil: null,
        permanentlyDeferred: false,
        hadReaction: false,
        donationCount: 4,
      },
    })
    await db.eligibility.put(snapshot(drive.date))
    expect(await codeOf(saveFieldRecord(makeDonation(drive, collector, { donorKey: KEY, din: din(1) })))).toBe(
      'same_day_donation',
    )
    // Yesterday: inside the interval, so only with the leader's override naming it.
    await db.eligibility.put(snapshot('2023-06-13'))
    expect(await codeOf(saveFieldRecord(makeDonation(drive, collector, { donorKey: KEY, din: din(1) })))).toBe(
      'override_required',
    )
    const approved = makeDonation(drive, collector, {
      donorKey: KEY,
      din: din(1),
      override: {
        rules: ['interval'],
        reasonCode: 'urgent_clinical_need',
        approvedBy: leader,
        approvedAt: '2023-06-14T09:00:00.000+08:00',
      },
    })
    expect(await codeOf(saveFieldRecord(approved))).toBe('saved')
  })

  it('an earlier donation on this phone inside the interval needs the override too; one long enough ago does not', async () => {
    const drive = makeDrive(leader, { date: '2023-06-14' })
    const old = makeDrive(leader, { date: '2023-01-10', dinFirst: 'W123423000051', dinLast: 'W123423000090' })
    await saveFieldRecord(old)
    await saveFieldRecord(
      makeDonation(old, collector, { donorKey: KEY, din: 'W123423000051', collectedOn: '2023-01-10' }),
    )
    await saveFieldRecord(drive)
    // 6 months after 2023-01-10 is 2023-07-10: 14 June is too soon.
    expect(await codeOf(saveFieldRecord(makeDonation(drive, collector, { donorKey: KEY, din: din(1) })))).toBe(
      'override_required',
    )
    const other = 'cccccccccccccccccccccccccccccccc'
    await saveFieldRecord(
      makeDonation(old, collector, { donorKey: other, din: 'W123423000052', collectedOn: '2022-11-01' }),
    )
    expect(await codeOf(saveFieldRecord(makeDonation(drive, collector, { donorKey: other, din: din(2) })))).toBe(
      'saved',
    )
  })

  it('a voided donation does not count, and a deferral the same day is still recorded', async () => {
    const drive = makeDrive(leader)
    await saveFieldRecord(drive)
    const first = makeDonation(drive, collector, { donorKey: KEY, din: din(1) })
    await saveFieldRecord(first)
    expect(await codeOf(saveFieldRecord(makeDeferral(drive, collector, { donorKey: KEY })))).toBe('saved')
    await saveFieldRecord({
      type: 'void',
      id: newId(),
      stationId: first.stationId,
      deviceId: first.deviceId,
      authorStaffId: leader,
      createdAt: new Date().toISOString(),
      targetId: first.id,
      reason: '登记错了人',
    })
    expect(await codeOf(saveFieldRecord(makeDonation(drive, collector, { donorKey: KEY, din: din(2) })))).toBe('saved')
  })
})

describe('recorded overrides and reasons', () => {
  const override = (approvedBy: string) => ({
    rules: ['interval'],
    reasonCode: 'urgent_clinical_need',
    approvedBy,
    approvedAt: '2023-06-14T09:00:00.000+08:00',
  })

  it("an override is stored with the donation only when the drive's leader approved it", async () => {
    const drive = makeDrive(leader, { staffIds: [leader, collector] })
    await saveFieldRecord(drive)
    const byCollector = makeDonation(drive, collector, { din: din(1), override: override(collector) })
    expect(await codeOf(saveFieldRecord(byCollector))).toBe('override_not_leader')
    const byLeader = makeDonation(drive, collector, { din: din(1), override: override(leader) })
    expect(await codeOf(saveFieldRecord(byLeader))).toBe('saved')
    expect((await db.donations.get(byLeader.id))?.override).toEqual(override(leader))
  })

  it('a deferral lists every reason with the primary first', async () => {
    const drive = makeDrive(leader)
    await saveFieldRecord(drive)
    const wrong = makeDeferral(drive, collector, { reasonCode: 'age', reasonCodes: ['blood_pressure', 'age'] })
    expect(await codeOf(saveFieldRecord(wrong))).toBe('invalid_record')
    const both = makeDeferral(drive, collector, { reasonCode: 'age', reasonCodes: ['age', 'blood_pressure'] })
    expect(await codeOf(saveFieldRecord(both))).toBe('saved')
    expect((await db.deferrals.get(both.id))?.reasonCodes).toEqual(['age', 'blood_pressure'])
  })
})
