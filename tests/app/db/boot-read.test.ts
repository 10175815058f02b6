// The first screen's plain-IndexedDB reads give what the Dexie reads give, and never create or
// upgrade the database: on a missing or older one they answer null and the Dexie path takes over.
import { describe, expect, it } from 'vitest'
import { newId } from '../../../src/domain/ids'
import type { Correction, Deferral, Donation } from '../../../src/domain/records'
import { FIELD_DB_NAME, FieldDb, useFieldDb } from '../../../src/app/db'
import {
  bootReadDraft,
  bootReadDrive,
  bootReadDriveMemory,
  bootReadPinAttempts,
  bootReadReference,
  closeBootConnection,
  FIELD_DB_VERSION,
  LAST_PULL_KEY,
  loadReference,
} from '../../../src/app/db/boot-read'
import { putDraft, readDraft } from '../../../src/app/db/drafts'
import { readDriveMemory } from '../../../src/app/db/drive-memory'
import { readDriveRecords } from '../../../src/app/db/drives'
import { lookbackFlagsOf } from '../../../src/app/db/lookback'
import { readPinAttempts, updatePinAttempts } from '../../../src/app/db/pin-attempts'
import { readReference } from '../../../src/app/db/reference'
import { META_KEYS } from '../../../src/app/db/sync-meta'
import { freshDb, makeDonation, makeDrive, makeIdentity, seedReference } from '../support/field-fixtures'
import { makeRoster } from '../support/field-app'

const STAFF = newId()

/** One drive with some of everything a drive load reads, and a second drive sharing its bag range. */
async function seedDrive(db: FieldDb) {
  const drive = makeDrive(STAFF, { createdAt: '2023-06-14T08:00:00.000Z' })
  const other = makeDrive(STAFF, { createdAt: '2023-06-13T08:00:00.000Z', date: '2023-06-13' })
  const donations = [1, 2, 3, 4].map((n) =>
    makeDonation(drive, STAFF, { din: `W12342300000${n}`, createdAt: `2023-06-14T0${n}:00:00.000Z` }),
  )
  // A donation of the other drive made between two of this drive's (ids are time-ordered), with a
  // void, a correction, a reaction and a flag of its own: none of them is this drive's.
  const between = makeDonation(other, STAFF, { din: 'W123423000099' })
  donations[3] = { ...donations[3]!, id: newId() }
  // Two visits of one donor, and a donation of the other drive inside this drive's range.
  donations[3] = { ...donations[3]!, donorKey: donations[0]!.donorKey }
  const elsewhere = makeDonation(other, STAFF, { din: 'W123423000009' })
  const deferral: Deferral = {
    ...(makeDonation(drive, STAFF) as unknown as Deferral),
    type: 'deferral',
    reasonCode: 'low_hb',
    until: null,
    note: '',
  }
  const identities = donations.slice(0, 3).map((d) => makeIdentity(STAFF, { donorKey: d.donorKey }))
  const fix = (targetId: string, replacement: Correction['replacement'], at: string): Correction => ({
    type: 'correction',
    id: newId(),
    stationId: drive.stationId,
    deviceId: drive.deviceId,
    authorStaffId: STAFF,
    createdAt: at,
    targetId,
    reason: 'typo',
    replacement,
  })
  const corrections = [
    fix(donations[1]!.id, { ...donations[1]!, din: 'W123423000020' }, '2023-06-14T09:00:00.000Z'),
    fix(donations[1]!.id, { ...donations[1]!, din: 'W123423000021' }, '2023-06-14T09:30:00.000Z'),
    fix(identities[0]!.id, { ...identities[0]!, name: '赵丽丽' }, '2023-06-14T09:40:00.000Z'),
    fix(between.id, { ...between, din: 'W123423000098' }, '2023-06-13T09:00:00.000Z'),
  ]
  await db.drives.bulkPut([drive, other])
  await db.donations.bulkPut([...donations, elsewhere, between])
  await db.voids.put({
    type: 'void',
    id: newId(),
    stationId: other.stationId,
    deviceId: other.deviceId,
    authorStaffId: STAFF,
    createdAt: '2023-06-13T10:00:00.000Z',
    targetId: between.id,
    reason: 'spoiled',
  })
  await db.adverseReactions.put({
    type: 'adverse_reaction',
    id: newId(),
    stationId: other.stationId,
    deviceId: other.deviceId,
    authorStaffId: STAFF,
    createdAt: '2023-06-13T10:00:00.000Z',
    donationId: between.id,
    occurredAt: '2023-06-13T10:00:00.000Z',
    code: 'vasovagal_mild',
    severity: 'mild',
    note: '',
  } as never)
  await db.lookbackFlags.put({
    key: 'c',
    value: { donationId: between.id, flaggedAt: '2023-07-03T00:00:00Z' } as never,
  })
  await db.deferrals.put(deferral)
  await db.donorIdentities.bulkPut(identities)
  await db.corrections.bulkPut(corrections)
  await db.voids.put({
    type: 'void',
    id: newId(),
    stationId: drive.stationId,
    deviceId: drive.deviceId,
    authorStaffId: STAFF,
    createdAt: '2023-06-14T10:00:00.000Z',
    targetId: donations[2]!.id,
    reason: 'spoiled',
  })
  await db.adverseReactions.put({
    type: 'adverse_reaction',
    id: newId(),
    stationId: drive.stationId,
    deviceId: drive.deviceId,
    authorStaffId: STAFF,
    createdAt: '2023-06-14T10:00:00.000Z',
    donationId: donations[0]!.id,
    occurredAt: '2023-06-14T10:00:00.000Z',
    code: 'vasovagal_mild',
    severity: 'mild',
    note: '',
  } as never)
  await db.lookbackFlags.bulkPut([
    { key: 'b', value: { donationId: donations[0]!.id, flaggedAt: '2023-07-02T00:00:00Z' } as never },
    { key: 'a', value: { donationId: donations[1]!.id, flaggedAt: '2023-07-01T00:00:00Z' } as never },
  ])
  await db.driveCloses.put({ type: 'drive_close', id: newId(), driveId: other.id } as never)
  await db.tallies.put({ key: `drive:${drive.id}`, counts: { donations: 3 } as never })
  await db.driveCrew.put({
    driveId: drive.id,
    role: 'leader',
    own: null,
    leaderDeviceId: drive.deviceId,
    handedOut: [],
    reports: [],
    reportedAt: null,
  })
  return { drive, other, donations: donations as Donation[] }
}

describe('boot reads (plain IndexedDB) against the Dexie reads', () => {
  it('declares the version, name and keys the Dexie side uses', () => {
    expect(new FieldDb(`verno-${newId()}`).verno).toBe(FIELD_DB_VERSION)
    expect(FIELD_DB_NAME).toBe('bloodbus')
    expect(LAST_PULL_KEY).toBe(META_KEYS.lastPullServerTime)
  })

  it('read the same rows in the same order: drive with its records, reference, PINs, memory, draft', async () => {
    const db = freshDb()
    const roster = await makeRoster()
    await seedReference(db, [roster.leader, roster.collector])
    await db.syncMeta.put({ key: META_KEYS.lastPullServerTime, value: '2023-06-14T07:00:00.000Z' })
    const { drive, other, donations } = await seedDrive(db)
    await updatePinAttempts(roster.collector.id, () => ({ failures: 2, lastFailureAt: 5, pinHash: 'x' }) as never)
    await putDraft({ driveId: drive.id, staffId: STAFF, form: { name: '赵' }, updatedAt: 7 })
    // The stored name order (the Dexie read writes it when missing; the boot read never writes).
    const dexieReference = await readReference()

    expect(await bootReadReference()).toEqual(dexieReference)
    expect(await bootReadPinAttempts()).toEqual(await readPinAttempts())
    expect(Object.keys((await bootReadPinAttempts())!)).toEqual([roster.collector.id])
    expect(await bootReadDriveMemory()).toEqual(await readDriveMemory())
    expect(await bootReadDraft(`${drive.id}:${STAFF}`)).toEqual(await readDraft(drive.id, STAFF))
    expect(await bootReadDraft(`${drive.id}:nobody`)).toBeNull()

    const records = await readDriveRecords(drive.id)
    const lookback = await lookbackFlagsOf(records!.donations.map((d) => d.id))
    const boot = await bootReadDrive(drive.id)
    expect(boot).toEqual({ records, lookback })
    // The comparison has something to compare (the voided donation's bag 3 is free again).
    expect(boot!.records!.dinUses.map((u) => u.din).sort()).toEqual([
      'W123423000001',
      'W123423000002',
      'W123423000004',
      'W123423000009',
      'W123423000020',
      'W123423000021',
    ])
    expect(boot!.records!.identityFixes).toHaveLength(1)
    expect(boot!.lookback.map((f) => f.donationId)).toEqual([donations[1]!.id, donations[0]!.id])
    const otherRecords = await readDriveRecords(other.id)
    const otherBoot = await bootReadDrive(other.id)
    expect(otherBoot).toEqual({
      records: otherRecords,
      lookback: await lookbackFlagsOf(otherRecords!.donations.map((d) => d.id)),
    })
    // The other drive's records between this drive's: read with it, never with this one.
    expect(otherBoot!.records!.voids).toHaveLength(1)
    expect(otherBoot!.records!.corrections).toHaveLength(1)
    expect(otherBoot!.records!.reactions).toHaveLength(1)
    expect(otherBoot!.lookback).toHaveLength(1)
    expect(boot!.records!.voids).toHaveLength(1)
    expect(boot!.records!.reactions).toHaveLength(1)
    expect(await bootReadDrive(newId())).toEqual({ records: null, lookback: [] })
  })

  it('leaves a missing database uncreated and an older one unchanged; the Dexie path then answers', async () => {
    const name = `boot-${newId()}`
    const db = useFieldDb(new FieldDb(name))
    expect(await bootReadReference()).toBeNull()
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(name)
    // The store's read falls back to Dexie, which creates the database.
    expect((await loadReference()).device).toBeNull()
    expect(db.isOpen()).toBe(true)
    expect(await bootReadReference()).not.toBeNull()
    await db.delete()
    await closeBootConnection()

    // An older app's database (Dexie version 5 is IndexedDB version 50).
    const older = `boot-old-${newId()}`
    await new Promise<void>((resolve, reject) => {
      const open = indexedDB.open(older, 50)
      open.onupgradeneeded = () => {
        open.result.createObjectStore('device', { keyPath: 'key' })
        open.result.createObjectStore('syncMeta', { keyPath: 'key' })
      }
      open.onsuccess = () => {
        open.result.close()
        resolve()
      }
      open.onerror = () => reject(open.error)
    })
    useFieldDb(new FieldDb(older))
    expect(await bootReadPinAttempts()).toBeNull()
    expect(await bootReadDrive(newId())).toBeUndefined()
    expect(await bootReadDraft('a:b')).toBeUndefined()
    expect(await bootReadDriveMemory()).toBeNull()
    const versions = await indexedDB.databases()
    expect(versions.find((d) => d.name === older)?.version).toBe(50)
  })
})
