import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { isbt128Din } from '../../../src/domain/din'
import type { FieldDb } from '../../../src/app/db'
import { FieldRecordError } from '../../../src/app/db/field-records'
import { useDeviceStore } from '../../../src/app/stores/useDeviceStore'
import { useDriveStore, type DonorInput } from '../../../src/app/stores/useDriveStore'
import { useSessionStore } from '../../../src/app/stores/useSessionStore'
import { freshDb, RURAL, seedReference, SITE } from '../support/field-fixtures'
import { makeRoster, PIN } from '../support/field-app'

let db: FieldDb
let roster: Awaited<ReturnType<typeof makeRoster>>

beforeEach(async () => {
  setActivePinia(createPinia())
  db = freshDb()
  roster = await makeRoster()
  await seedReference(db, [roster.leader, roster.collector])
  await useDeviceStore().load()
})

describe('session: shared phone', () => {
  it('unlocks only with the right PIN, offline, from the roster hash', async () => {
    const session = useSessionStore()
    expect(await session.unlock(roster.collector.id, '0000')).toBe('wrong_pin')
    expect(session.locked).toBe(true)
    expect(await session.unlock(roster.collector.id, PIN.collector)).toBe('ok')
    expect(session.staff?.name).toBe('李敏')
  })

  it('locks after the idle time, and a different person unlocking moves the form epoch on', async () => {
    const session = useSessionStore()
    await session.unlock(roster.collector.id, PIN.collector)
    const epoch = session.formEpoch
    const start = session.lastActivityAt
    expect(session.lockIfIdle(start + session.lockAfterMs - 1)).toBe(false)
    expect(session.lockIfIdle(start + session.lockAfterMs)).toBe(true)
    expect(session.locked).toBe(true)
    await session.unlock(roster.collector.id, PIN.collector)
    expect(session.formEpoch).toBe(epoch) // same person: their form is still there
    session.lock()
    await session.unlock(roster.leader.id, PIN.leader)
    expect(session.formEpoch).toBe(epoch + 1) // someone else: forms start empty
  })
})

describe('drive store', () => {
  const din = (n: number) => isbt128Din.format(`W123426${String(n).padStart(6, '0')}`)
  let donors = 0
  // Each call is another donor (a donor gives once a day).
  const donor = (over: Partial<DonorInput['outcome']> = {}): DonorInput => ({
    identity: {
      idNumber: '11010519491231002X',
      name: '赵丽',
      phone: '',
      household: 'rural',
      donorKey: `0123456789abcdef0123456789ab${String(++donors).padStart(4, '0')}`,
    },
    facts: { sex: 'F', ageYears: 40, repeatDonor: false },
    outcome: {
      kind: 'donation',
      product: { type: 'whole_blood', volumeMl: 400 },
      abo: 'O',
      rhd: 'neg',
      din: din(3),
      ...over,
    } as DonorInput['outcome'],
  })

  async function openDrive() {
    await useSessionStore().unlock(roster.leader.id, PIN.leader)
    const store = useDriveStore()
    const drive = await store.openDrive({
      busCode: '豫C-1',
      siteId: SITE.id,
      channelId: RURAL.id,
      teamIds: [],
      date: '2026-06-14',
      staffIds: [roster.leader.id, roster.collector.id],
      leaderStaffId: roster.leader.id,
      dinFirst: 'W123426000001',
      dinLast: 'W123426000040',
      bagsLoaded: 40,
    })
    return { store, drive }
  }

  it('stamps author and device on every record', async () => {
    const { drive } = await openDrive()
    expect(drive).toMatchObject({ authorStaffId: roster.leader.id, deviceId: useDeviceStore().info!.deviceId })
  })

  it('saves the donor identity and the donation together, each with its outbox entry, and keeps the tally', async () => {
    const { store } = await openDrive()
    await store.recordDonor(donor())
    const [identity] = await db.donorIdentities.toArray()
    const [donation] = await db.donations.toArray()
    expect(identity).toMatchObject({ name: '赵丽', idNumber: '11010519491231002X', donorKey: donation!.donorKey })
    expect(donation).not.toHaveProperty('idNumber')
    expect(donation).not.toHaveProperty('name')
    expect((await db.outbox.toArray()).map((e) => e.recordType)).toEqual(['drive', 'donor_identity', 'donation'])
    expect(store.tally).toMatchObject({ donations: 1, wholeBloodUnits: 2, rhdNegativeDonations: 1 })
    expect(store.entries[0]).toMatchObject({ donorName: '赵丽', void: null })
  })

  it('refuses a duplicate bag and writes neither the identity nor the donation', async () => {
    const { store } = await openDrive()
    await store.recordDonor(donor())
    await expect(store.recordDonor(donor())).rejects.toMatchObject({ code: 'duplicate_din' })
    expect(await db.donorIdentities.count()).toBe(1)
    expect(await db.outbox.count()).toBe(3)
  })

  it('knows the bags other drives of the phone used, offers the next free one, and names overlapping ranges', async () => {
    const { store, drive: first } = await openDrive()
    await store.recordDonor(donor({ din: din(3) } as Partial<DonorInput['outcome']>))
    expect(store.nextDin).toBe(din(4))
    const input = {
      busCode: '豫C-2',
      siteId: SITE.id,
      channelId: RURAL.id,
      teamIds: [],
      date: '2026-06-14',
      staffIds: [roster.leader.id],
      leaderStaffId: roster.leader.id,
      dinFirst: 'W123426000003',
      dinLast: 'W123426000010',
      bagsLoaded: 8,
    }
    const overlaps = await store.rangeOverlapsOf(input)
    expect(overlaps.map((o) => [o.drive.id, o.first, o.last, o.count])).toEqual([
      [first.id, 'W123426000003', 'W123426000010', 8],
    ])
    const second = await store.openDrive(input, { driveIds: [first.id], confirmedBy: roster.leader.id })
    expect((await db.drives.get(second.id))!.rangeOverlap).toEqual({
      driveIds: [first.id],
      confirmedBy: roster.leader.id,
    })
    // On the second drive, bag 3 is another drive's: known to the form, skipped by the offer.
    expect([...store.dinsElsewhere]).toEqual([din(3)])
    expect(store.usedDins.size).toBe(0)
    expect(store.nextDin).toBe(din(4))
    await expect(store.recordDonor(donor({ din: din(3) } as Partial<DonorInput['outcome']>))).rejects.toMatchObject({
      code: 'duplicate_din',
    })
  })

  it('voids only with a reason, as a new record; the original stays', async () => {
    const { store } = await openDrive()
    await store.recordDonor(donor())
    const id = store.entries[0]!.original.id
    await expect(store.voidRecord(id, ' ')).rejects.toBeInstanceOf(FieldRecordError)
    expect(await db.voids.count()).toBe(0)
    await store.voidRecord(id, '登记错人')
    expect(await db.donations.get(id)).toBeDefined()
    expect(store.entries[0]!.void).toMatchObject({ reason: '登记错人', targetId: id })
    expect(store.tally.donations).toBe(0)
  })

  it('corrects a donation by a new record and adds an adverse reaction afterwards', async () => {
    const { store } = await openDrive()
    await store.recordDonor(donor())
    const entry = store.entries[0]!
    await store.correctRecord(entry, { abo: 'A', rhd: 'pos' }, '血型录错')
    expect(store.entries[0]!.record).toMatchObject({ abo: 'A', rhd: 'pos', id: entry.original.id })
    expect(store.tally.byBloodGroup).toMatchObject({ 'A+': 1, 'O-': 0 })
    await store.addReaction(entry.original.id, { code: 'vasovagal', severity: 'mild', note: '' })
    expect(store.entries[0]!.reactions).toHaveLength(1)
  })

  it('records a deferral with its until-date and closes the drive with the leader’s sign-off', async () => {
    const { store, drive } = await openDrive()
    await store.recordDonor(donor({ kind: 'deferral', reasonCode: 'low_hb', until: '2026-07-13', note: '' } as never))
    expect(await db.deferrals.toArray()).toMatchObject([{ reasonCode: 'low_hb', until: '2026-07-13' }])
    await store.closeDrive({ bagsUsed: 0, bagsSpoiled: 0, bagsReturned: 40, discrepancyNote: '' }, roster.leader.id)
    expect(await db.driveCloses.toArray()).toMatchObject([
      { driveId: drive.id, bagsLoaded: 40, signedOffBy: roster.leader.id },
    ])
    await expect(store.recordDonor(donor())).rejects.toMatchObject({ code: 'drive_closed' })
  })

  it('a save shows its tally and list entry from the commit itself, and a full reload agrees', async () => {
    const { store, drive } = await openDrive()
    await store.recordDonor(donor())
    await store.recordDonor(donor({ kind: 'deferral', reasonCode: 'low_hb', until: '2026-07-13', note: '' } as never))
    const shown = { tally: store.tally, entries: store.entries.map((e) => ({ ...e })) }
    expect([shown.tally.donations, shown.tally.deferrals, shown.entries.length]).toEqual([1, 1, 2])
    expect(shown.entries[0]).toMatchObject({ record: { type: 'deferral' }, donorName: '赵丽', void: null })
    await store.loadDrive(drive.id)
    expect(store.tally).toEqual(shown.tally)
    expect(store.entries).toEqual(shown.entries)
  })

  it('corrects and voids after the drive is closed; the tally follows, the signed-off bag count stays', async () => {
    const { store } = await openDrive()
    await store.recordDonor(donor())
    await store.recordDonor(donor({ din: din(4) }))
    await store.closeDrive({ bagsUsed: 2, bagsSpoiled: 0, bagsReturned: 38, discrepancyNote: '' }, roster.leader.id)
    const [second, first] = store.entries
    await store.correctRecord(first!, { abo: 'A', rhd: 'pos' }, '血型录错')
    await store.voidRecord(second!.original.id, '登记错人')
    expect(store.entries.find((e) => e.original.id === first!.original.id)!.record).toMatchObject({
      abo: 'A',
      rhd: 'pos',
    })
    expect(store.entries.find((e) => e.original.id === second!.original.id)!.void).toMatchObject({ reason: '登记错人' })
    expect([store.tally.donations, store.tally.byBloodGroup['A+'], store.tally.byBloodGroup['O-']]).toEqual([1, 1, 0])
    expect(store.close).toMatchObject({ bagsUsed: 2, bagsReturned: 38 })
    await expect(store.recordDonor(donor({ din: din(5) }))).rejects.toMatchObject({ code: 'drive_closed' })
  })
})
