// The engine's Dexie ports over the field app's real database (fake-indexeddb), the needs-attention
// actions, and the PIPL purge.
import { beforeEach, describe, expect, it } from 'vitest'
import { newId } from '../../../src/domain/ids'
import type { Correction, DonorIdentity, RosterEntry } from '../../../src/domain/records'
import type { FieldDb } from '../../../src/app/db'
import { saveFieldRecord, saveFieldRecords } from '../../../src/app/db/field-records'
import { outboxSummary } from '../../../src/app/db/outbox'
import { driveTallyKey, readTally } from '../../../src/app/db/tallies'
import { fixAndResend, resolutions, sendAgain, setAside, voidRejected } from '../../../src/app/sync/attention'
import { dexieMetaPort, dexieOutboxPort, dexieReferenceSink } from '../../../src/app/sync/dexie-ports'
import { receiptOf, recentReceipts } from '../../../src/app/db/sync-meta'
import { donorOnPhone } from '../../../src/app/db/eligibility'
import { createSyncEngine } from '../../../src/app/sync/engine'
import { purgeConfirmedIdentities } from '../../../src/app/sync/purge'
import { FakeStation, type Fault, ScriptedTransport } from '../support/fake-station'
import {
  DEVICE_ID,
  STATION,
  freshDb,
  makeDeferral,
  makeDonation,
  makeDrive,
  seedReference,
} from '../support/field-fixtures'

const staffId = newId()
let db: FieldDb

beforeEach(async () => {
  db = freshDb()
  await seedReference(db)
})

function engineFor(station: FakeStation, script: Fault[] = []) {
  const transport = new ScriptedTransport(station, script, [], DEVICE_ID)
  const engine = createSyncEngine({
    outbox: dexieOutboxPort(db),
    reference: dexieReferenceSink(db),
    meta: dexieMetaPort(db),
    transport,
    clock: { now: () => new Date() },
    deviceId: async () => (await db.device.get('device'))?.deviceId ?? null,
  })
  return { engine, transport }
}

function identity(over: Partial<DonorIdentity> = {}): DonorIdentity {
  return {
    type: 'donor_identity',
    id: newId(),
    stationId: STATION.id,
    deviceId: DEVICE_ID,
    authorStaffId: staffId,
    createdAt: '2023-06-14T09:00:00.000+08:00',
    donorKey: '0123456789abcdef0123456789abcdef',
    idNumber: '11010519491231002X',
    name: '张三',
    phone: '13800000000',
    household: 'rural',
    ...over,
  }
}

describe('Dexie outbox port', () => {
  it('confirms with a receipt and removes the entry in one go; keeps a rejected one with code and message', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    const good = makeDonation(drive, staffId, { din: 'W123423000002' })
    const bad = makeDonation(drive, staffId, { din: 'W123423000003' })
    await saveFieldRecords([good, bad])
    const station = new FakeStation()
    const clash = {
      din: 'W123423000003',
      recordId: newId(),
      driveId: newId(),
      driveDate: '2023-06-14',
      busCode: '豫C-2',
      siteId: null,
      collectedOn: '2023-06-14',
      collectedAt: '2023-06-14T15:08:00.000+08:00',
      donorKey: 'b'.repeat(32),
      deviceId: newId(),
    }
    station.refuse.set(bad.id, {
      code: 'duplicate_din',
      message: 'bag W123423000003 is already used by donation x',
      clash,
    })
    const report = await engineFor(station).engine.sync()
    expect(report.ok).toBe(true)
    expect(await db.outbox.count()).toBe(1)
    const [rejected] = await db.outbox.toArray()
    expect(rejected).toMatchObject({
      recordId: bad.id,
      status: 'rejected',
      rejectCode: 'duplicate_din',
      lastError: 'bag W123423000003 is already used by donation x',
      attempts: 1,
      // The record that holds the bag, as the station named it, for the sync screen.
      rejectClash: clash,
    })
    expect(await receiptOf(db, good.id)).toMatchObject({
      recordId: good.id,
      status: 'applied',
      receivedAt: '2023-06-14T12:00:00.000Z',
    })
    expect(await receiptOf(db, bad.id)).toBeNull()
    expect((await recentReceipts(db)).map((r) => r.recordId).sort()).toEqual([drive.id, good.id].sort())
    expect(await outboxSummary(db)).toMatchObject({ pending: 0, rejected: 1 })
    // the records themselves never move
    expect(await db.donations.get(good.id)).toEqual(good)
  })

  it('settles a batch by its seq range and removes only the entries answered for: a rejected one, one not in the answer and one changed meanwhile stay', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    const donations = Array.from({ length: 6 }, (_, i) =>
      makeDonation(drive, staffId, { din: `W1234230000${String(10 + i)}` }),
    )
    await saveFieldRecords(donations)
    const port = dexieOutboxPort(db)
    const entries = await port.pending(10)
    expect(entries).toHaveLength(7)
    const at = '2023-06-14T12:00:00.000Z'
    const applied = (e: (typeof entries)[number]) => ({
      status: 'applied' as const,
      seq: e.seq,
      mutationId: e.mutationId,
      recordId: e.recordId,
      receivedAt: at,
    })
    // Whole batch: every row of the range is answered, all leave the outbox with receipts.
    const whole = entries.slice(0, 3)
    expect(await port.settle(whole.map(applied), at)).toMatchObject({ confirmed: 3, rejected: 0, ignored: 0 })
    expect((await db.outbox.toArray()).map((r) => r.seq)).toEqual(entries.slice(3).map((e) => e.seq))
    for (const e of whole) expect(await receiptOf(db, e.recordId)).toMatchObject({ status: 'applied' })

    // Mixed: [3] rejected, [4] not in the answer, [5] answered under another mutation id, [6] applied.
    const [rej, unanswered, changed, ok] = entries.slice(3)
    const summary = await port.settle(
      [
        {
          status: 'rejected',
          seq: rej!.seq,
          mutationId: rej!.mutationId,
          recordId: rej!.recordId,
          code: 'duplicate_din',
          message: 'bag used',
        },
        { ...applied(changed!), mutationId: newId() },
        applied(ok!),
      ],
      at,
    )
    expect(summary).toMatchObject({ confirmed: 1, rejected: 1, ignored: 1 })
    const left = await db.outbox.toArray()
    expect(left.map((r) => [r.seq, r.status])).toEqual([
      [rej!.seq, 'rejected'],
      [unanswered!.seq, 'pending'],
      [changed!.seq, 'pending'],
    ])
    expect(await receiptOf(db, ok!.recordId)).toMatchObject({ status: 'applied' })
    expect(await receiptOf(db, changed!.recordId)).toBeNull()
    expect(await receiptOf(db, unanswered!.recordId)).toBeNull()
  })

  it('keeps the receipts of a settled batch as one row, written with the removal of its entries', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    await saveFieldRecords([makeDonation(drive, staffId), makeDonation(drive, staffId, { din: 'W123423000012' })])
    const port = dexieOutboxPort(db)
    const entries = await port.pending(10)
    const [first, second, third] = entries
    const settledAt = '2023-06-14T12:00:05.000Z'
    await port.settle(
      [
        {
          status: 'applied',
          seq: first!.seq,
          mutationId: first!.mutationId,
          recordId: first!.recordId,
          receivedAt: '2023-06-14T12:00:00.000Z',
        },
        {
          status: 'duplicate',
          seq: second!.seq,
          mutationId: second!.mutationId,
          recordId: second!.recordId,
          receivedAt: '2023-06-13T08:00:00.000Z',
        },
        {
          status: 'applied',
          seq: third!.seq,
          mutationId: third!.mutationId,
          recordId: third!.recordId,
          receivedAt: '2023-06-14T12:00:00.000Z',
        },
      ],
      settledAt,
    )
    expect(await db.outbox.count()).toBe(0)
    // One row for the batch; none per record in syncMeta.
    expect(await db.syncMeta.where('key').startsWith('receipt:').count()).toBe(0)
    const rows = await db.receiptBatches.toArray()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      firstSeq: first!.seq,
      lastSeq: third!.seq,
      newestAt: Date.parse('2023-06-14T12:00:00.000Z'),
      settledAt,
      times: ['2023-06-14T12:00:00.000Z', '2023-06-13T08:00:00.000Z'],
      recordIds: entries.map((e) => e.recordId),
      recordTypes: ['drive', 'donation', 'donation'],
      mutationIds: entries.map((e) => e.mutationId),
      seqs: entries.map((e) => e.seq),
      timeOf: [0, 1, 0],
      duplicates: [1],
    })
    // No identity in it: the purge's index does not hold it.
    expect(rows[0]).not.toHaveProperty('purgeDueAt')
    expect(await receiptOf(db, second!.recordId)).toEqual({
      recordId: second!.recordId,
      recordType: 'donation',
      seq: second!.seq,
      mutationId: second!.mutationId,
      status: 'duplicate',
      receivedAt: '2023-06-13T08:00:00.000Z',
      settledAt,
    })
  })

  it('a failing settle leaves every entry pending (no receipt without removal, no removal without receipt)', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    const port = dexieOutboxPort(db)
    const [entry] = await port.pending(10)
    db.receiptBatches.hook('creating', () => {
      throw new Error('disk full')
    })
    await expect(
      port.settle(
        [
          {
            status: 'applied',
            seq: entry!.seq,
            mutationId: entry!.mutationId,
            recordId: drive.id,
            receivedAt: '2023-06-14T12:00:00.000Z',
          },
        ],
        new Date().toISOString(),
      ),
    ).rejects.toThrow('disk full')
    expect(await db.outbox.count()).toBe(1)
    expect(await receiptOf(db, drive.id)).toBeNull()
  })

  it('a batch the station answers rewrites no outbox row; an attempt that fails is counted on its entries', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    const station = new FakeStation()
    let rewrites = 0
    db.outbox.hook('updating', () => {
      rewrites++
    })
    const first = makeDonation(drive, staffId, { din: 'W123423000002' })
    await saveFieldRecords([first])
    expect((await engineFor(station).engine.sync()).ok).toBe(true)
    expect(rewrites).toBe(0)
    expect(await db.outbox.count()).toBe(0)

    const second = makeDonation(drive, staffId, { din: 'W123423000003' })
    await saveFieldRecords([second])
    const failed = await engineFor(station, ['offline']).engine.sync()
    expect(failed.ok).toBe(false)
    const [waiting] = await db.outbox.toArray()
    expect(waiting).toMatchObject({ recordId: second.id, status: 'pending', attempts: 1 })
    expect(waiting!.lastAttemptAt).toEqual(expect.any(Number))
    expect(waiting!.lastError).toBeTruthy()
  })

  it('renumbers pending entries after the station and moves the key generator past them', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    await saveFieldRecord(makeDonation(drive, staffId))
    const port = dexieOutboxPort(db)
    expect(await port.renumberAbove(40)).toBe(2)
    expect((await db.outbox.toArray()).map((e) => [e.seq, e.recordType])).toEqual([
      [41, 'drive'],
      [42, 'donation'],
    ])
    const next = await saveFieldRecord(makeDonation(drive, staffId, { din: 'W123423000009' }))
    expect(next.seq).toBe(43)
    // with nothing pending the generator still moves
    await db.outbox.clear()
    await port.renumberAbove(100)
    expect(await db.outbox.count()).toBe(0)
    expect((await saveFieldRecord(makeDonation(drive, staffId, { din: 'W123423000010' }))).seq).toBe(101)
  })
})

describe('Dexie reference sink', () => {
  it('applies a page and its cursor together, skips rows that fail the schema, and resets on request', async () => {
    const sink = dexieReferenceSink(db)
    const site = { id: newId(), stationId: STATION.id, name: '新安县', kind: 'township', area: '新安县' }
    await sink.applyPage({
      cursor: 'c1',
      reset: false,
      more: false,
      serverTime: '2023-06-14T12:00:00.000Z',
      deviceLastSeq: 0,
      changes: [
        { op: 'upsert', entity: 'site', key: site.id, value: site },
        { op: 'upsert', entity: 'site', key: 'bad', value: { id: 'nope' } },
      ],
    })
    expect(await sink.cursor()).toBe('c1')
    expect((await db.sites.get(site.id))?.value).toEqual(site)
    expect(await db.sites.get('bad')).toBeUndefined()
    await sink.applyPage({
      cursor: 'c2',
      reset: true,
      more: false,
      serverTime: '2023-06-14T12:00:00.000Z',
      deviceLastSeq: 0,
      changes: [],
    })
    expect(await db.sites.count()).toBe(0)
    expect(await sink.cursor()).toBe('c2')
  })

  it('a page naming one row twice leaves it as the later change says', async () => {
    const sink = dexieReferenceSink(db)
    const site = (name: string) => ({ id: newId(), stationId: STATION.id, name, kind: 'township', area: name })
    const [gone, renamed, back] = [site('新安县'), site('孟津区'), site('宜阳县')]
    await sink.applyPage({
      cursor: 'c1',
      reset: false,
      more: false,
      serverTime: '2023-06-14T12:00:00.000Z',
      deviceLastSeq: 0,
      changes: [
        { op: 'upsert', entity: 'site', key: gone.id, value: gone },
        { op: 'upsert', entity: 'site', key: renamed.id, value: renamed },
        { op: 'delete', entity: 'site', key: back.id },
        { op: 'delete', entity: 'site', key: gone.id },
        { op: 'upsert', entity: 'site', key: renamed.id, value: { ...renamed, name: '孟津' } },
        { op: 'upsert', entity: 'site', key: back.id, value: back },
      ],
    })
    expect(await db.sites.get(gone.id)).toBeUndefined()
    expect((await db.sites.get(renamed.id))?.value).toMatchObject({ name: '孟津' })
    expect((await db.sites.get(back.id))?.value).toEqual(back)
  })

  it('never lets a pull make a donor with a pending donation look eligible again', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    const donation = makeDonation(drive, staffId)
    await saveFieldRecord(donation)
    const key = donation.donorKey
    const local = {
      donorKey: key,
      lastDonationOn: '2023-06-14',
      lastDonationType: 'whole_blood' as const,
      apheresisLast12Months: 0,
      deferredUntil: null,
      permanentlyDeferred: false,
      hadReaction: false,
      donationCount: 4,
    }
    await db.eligibility.put({ key, value: local })
    const sink = dexieReferenceSink(db)
    const summary = await sink.applyPage({
      cursor: 'c9',
      reset: true,
      more: false,
      serverTime: '2023-06-14T12:00:00.000Z',
      deviceLastSeq: 0,
      changes: [
        {
          op: 'upsert',
          entity: 'eligibility',
          key,
          value: { ...local, lastDonationOn: '2022-11-01', donationCount: 3 },
        },
      ],
    })
    expect(summary.keptLocal).toBe(1)
    expect((await db.eligibility.get(key))?.value).toMatchObject({ lastDonationOn: '2023-06-14', donationCount: 4 })
  })

  it('marks the donors’ history incomplete from a feed’s first page until its last, a reset included, in the page’s own transaction', async () => {
    const sink = dexieReferenceSink(db)
    const snapshot = (n: number) => ({
      op: 'upsert' as const,
      entity: 'eligibility' as const,
      key: `donor-${n}`,
      value: {
        donorKey: `donor-${n}`,
        lastDonationOn: '2023-05-01',
        lastDonationType: 'whole_blood',
        apheresisLast12Months: 0,
        deferredUntil: null,
        permanentlyDeferred: false,
        hadReaction: false,
        donationCount: n,
      },
    })
    const page = (cursor: string, more: boolean, reset = false) => ({
      cursor,
      reset,
      more,
      serverTime: '2023-06-14T12:00:00.000Z',
      deviceLastSeq: 0,
      changes: [snapshot(Number(cursor.slice(1)))],
    })
    const incomplete = async () => (await donorOnPhone('donor-404', db)).historyIncomplete
    expect(await incomplete()).toBe(false)
    await sink.applyPage(page('c1', true))
    expect(await incomplete()).toBe(true)
    await sink.applyPage(page('c2', true))
    expect(await incomplete()).toBe(true)
    // A failing page changes nothing: still incomplete, still at c2.
    await expect(
      sink.applyPage({ ...page('c3', false), changes: [{ ...snapshot(3), entity: 'unknown' as 'eligibility' }] }),
    ).rejects.toThrow()
    expect(await incomplete()).toBe(true)
    expect(await sink.cursor()).toBe('c2')
    await sink.applyPage(page('c3', false))
    expect(await incomplete()).toBe(false)
    // Later rounds bring more pages of changes: the history was whole and stays so.
    await sink.applyPage(page('c4', true))
    expect(await incomplete()).toBe(false)
    // The station starts its feed again: incomplete until that feed ends.
    await sink.applyPage(page('c5', true, true))
    expect(await incomplete()).toBe(true)
    await sink.applyPage(page('c6', false))
    expect(await incomplete()).toBe(false)
  })
})

describe('needs attention', () => {
  async function refusedDonation(code: 'duplicate_din' | 'unknown_reference' = 'duplicate_din') {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    const donation = makeDonation(drive, staffId, { din: 'W123423000004' })
    await saveFieldRecord(donation)
    const station = new FakeStation()
    station.refuse.set(donation.id, { code, message: 'bag W123423000004 is already used by donation y' })
    await engineFor(station).engine.sync()
    const entry = (await db.outbox.toArray())[0]!
    expect(entry.status).toBe('rejected')
    return { drive, donation, station, seq: entry.seq! }
  }

  it('void: a void record stays on the phone, the tallies drop the donation, the queue is clear', async () => {
    const { drive, donation, station, seq } = await refusedDonation()
    expect((await readTally(driveTallyKey(drive.id), db)).donations).toBe(1)
    const v = await voidRejected(db, seq, 'entered twice', { staffId })
    expect(await db.voids.get(v.id)).toMatchObject({
      targetId: donation.id,
      reason: 'entered twice',
      authorStaffId: staffId,
    })
    expect((await readTally(driveTallyKey(drive.id), db)).donations).toBe(0)
    expect(await db.outbox.count()).toBe(0)
    expect(await resolutions(db)).toEqual([
      expect.objectContaining({
        recordId: donation.id,
        how: 'voided',
        code: 'duplicate_din',
        resolutionRecordId: v.id,
      }),
    ])
    const { engine } = engineFor(station)
    expect((await engine.sync()).ok).toBe(true)
    expect(station.rows.has(v.id)).toBe(false)
  })

  it('fix and resend: the fixed donation reaches the station under its own id, then the correction', async () => {
    const { donation, station, seq } = await refusedDonation()
    station.refuse.clear()
    const fixed = { ...donation, din: 'W123423000005' }
    const c = await fixAndResend(db, seq, fixed, 'wrong bag scanned', { staffId })
    const report = await engineFor(station).engine.sync()
    expect(report.ok).toBe(true)
    expect(station.rows.get(donation.id)?.record).toMatchObject({ din: 'W123423000005' })
    expect(station.rows.get(c.id)?.record).toMatchObject({
      type: 'correction',
      targetId: donation.id,
      reason: 'wrong bag scanned',
    })
    expect(station.arrivals.slice(-2)).toEqual([donation.id, c.id])
    expect(await db.outbox.count()).toBe(0)
  })

  it('fix and resend works after the drive was closed (the usual end of day)', async () => {
    const { drive, donation, station, seq } = await refusedDonation()
    const close = {
      type: 'drive_close' as const,
      id: newId(),
      stationId: STATION.id,
      deviceId: DEVICE_ID,
      authorStaffId: staffId,
      createdAt: '2023-06-14T18:00:00.000+08:00',
      driveId: drive.id,
      bagsLoaded: 50,
      bagsUsed: 1,
      bagsSpoiled: 0,
      bagsReturned: 49,
      discrepancyNote: '',
      signedOffBy: staffId,
      closedAt: '2023-06-14T18:00:00.000+08:00',
    }
    await saveFieldRecord(close)
    station.refuse.clear()
    const c = await fixAndResend(db, seq, { ...donation, din: 'W123423000005' }, 'wrong bag scanned', { staffId })
    expect(await db.corrections.get(c.id)).toMatchObject({
      targetId: donation.id,
      authorStaffId: staffId,
      reason: 'wrong bag scanned',
    })
    expect((await readTally(driveTallyKey(drive.id), db)).donations).toBe(1)
    expect((await engineFor(station).engine.sync()).ok).toBe(true)
    expect(station.rows.get(donation.id)?.record).toMatchObject({ din: 'W123423000005' })
    expect(station.rows.get(c.id)?.record).toMatchObject({ type: 'correction', targetId: donation.id })
    expect(await db.outbox.count()).toBe(0)
  })

  it('send again: a record refused for a missing reference goes again, with what depended on it', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    const donation = makeDonation(drive, staffId)
    await saveFieldRecord(donation)
    const station = new FakeStation()
    station.refuse.set(drive.id, { code: 'unknown_reference', message: 'author is not on the roster' })
    station.refuse.set(donation.id, { code: 'unknown_reference', message: `drive ${drive.id} is not known` })
    await engineFor(station).engine.sync()
    expect(await outboxSummary(db)).toMatchObject({ rejected: 2 })
    station.refuse.clear()
    const driveSeq = (await db.outbox.where('recordId').equals(drive.id).first())!.seq!
    await sendAgain(db, driveSeq, { staffId })
    expect(await outboxSummary(db)).toMatchObject({ pending: 2, rejected: 0 })
    expect((await engineFor(station).engine.sync()).ok).toBe(true)
    expect(station.arrivals.slice(-2)).toEqual([drive.id, donation.id])
  })

  it('set aside: a refused drive close leaves the queue with a reason and stays on the phone', async () => {
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    const close = {
      type: 'drive_close' as const,
      id: newId(),
      stationId: STATION.id,
      deviceId: DEVICE_ID,
      authorStaffId: staffId,
      createdAt: '2023-06-14T18:00:00.000+08:00',
      driveId: drive.id,
      bagsLoaded: 50,
      bagsUsed: 10,
      bagsSpoiled: 0,
      bagsReturned: 39,
      discrepancyNote: '',
      signedOffBy: staffId,
      closedAt: '2023-06-14T18:00:00.000+08:00',
    }
    await saveFieldRecord(close)
    const station = new FakeStation()
    station.refuse.set(close.id, { code: 'rule_violation', message: 'bags do not add up' })
    await engineFor(station).engine.sync()
    const seq = (await db.outbox.toArray())[0]!.seq!
    await expect(voidRejected(db, seq, 'x', { staffId })).rejects.toThrow(/cannot be voided/)
    await setAside(db, seq, 'closed again on paper', { staffId })
    expect(await db.outbox.count()).toBe(0)
    expect(await db.driveCloses.get(close.id)).toBeDefined()
  })
})

describe('PIPL purge', () => {
  it('blanks name, ID number and phone of confirmed identities after the set days by station time, keeping the donorKey', async () => {
    const confirmed = identity()
    const pending = identity({ donorKey: 'f'.repeat(32) })
    await saveFieldRecord(confirmed)
    const station = new FakeStation()
    station.clock = () => new Date('2023-06-14T12:00:00.000Z')
    await engineFor(station).engine.sync()
    await saveFieldRecord(pending)
    // the phone clock is a day fast; the station's clock decides
    await dexieMetaPort(db).patch({ serverClockOffsetMs: -86_400_000 })
    expect(await purgeConfirmedIdentities(db, { afterDays: 7, phoneNow: new Date('2023-06-22T11:00:00.000Z') })).toBe(0)
    expect(await purgeConfirmedIdentities(db, { afterDays: 7, phoneNow: new Date('2023-06-22T13:00:00.000Z') })).toBe(1)
    expect(await db.donorIdentities.get(confirmed.id)).toMatchObject({
      donorKey: confirmed.donorKey,
      name: '',
      idNumber: '',
      phone: '',
      household: 'rural',
    })
    expect(await db.donorIdentities.get(pending.id)).toMatchObject({ name: '张三', idNumber: '11010519491231002X' })
    expect(await purgeConfirmedIdentities(db, { afterDays: 7, phoneNow: new Date('2023-07-30T00:00:00.000Z') })).toBe(0)
  })

  it('drops the consent signature of a confirmed identity with its name, and keeps an unconfirmed one', async () => {
    const confirmed = identity({ consentSignature: 'AAECAwQ' })
    const pending = identity({ donorKey: 'e'.repeat(32), consentSignature: 'BBECAwQ' })
    await saveFieldRecord(confirmed)
    const station = new FakeStation()
    station.clock = () => new Date('2023-06-14T12:00:00.000Z')
    await engineFor(station).engine.sync()
    await saveFieldRecord(pending)
    await dexieMetaPort(db).patch({ serverClockOffsetMs: 0 })
    expect(await purgeConfirmedIdentities(db, { afterDays: 7, phoneNow: new Date('2023-06-22T13:00:00.000Z') })).toBe(1)
    expect(await db.donorIdentities.get(confirmed.id)).not.toHaveProperty('consentSignature')
    expect((await db.donorIdentities.get(pending.id))?.consentSignature).toBe('BBECAwQ')
  })

  it('reads only the receipt batches with an identity still to blank, and marks each receipt once blanked', async () => {
    const who = identity()
    await saveFieldRecord(who)
    const station = new FakeStation()
    station.clock = () => new Date('2023-06-14T12:00:00.000Z')
    await engineFor(station).engine.sync()
    // The same identity sent again under a new mutation (answered duplicate): a second batch holds it.
    const again = (await db.receiptBatches.toArray())[0]!
    await db.receiptBatches.add({ ...again, id: undefined, settledAt: '2023-06-15T00:00:00.000Z', duplicates: [0] })
    // A batch of donations only is never read by the purge.
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive)
    await engineFor(station).engine.sync()
    expect(await db.receiptBatches.count()).toBe(3)
    const due = () => db.receiptBatches.where('purgeDueAt').belowOrEqual(Date.parse('2023-06-15T13:00:00.000Z')).count()
    expect(await due()).toBe(2)
    await dexieMetaPort(db).patch({ serverClockOffsetMs: 0 })
    expect(await purgeConfirmedIdentities(db, { afterDays: 7, phoneNow: new Date('2023-06-22T13:00:00.000Z') })).toBe(1)
    expect(await db.donorIdentities.get(who.id)).toMatchObject({ name: '', idNumber: '', phone: '' })
    // Both receipts marked; no batch is left in the purge's index.
    const marked = (await db.receiptBatches.toArray()).filter((b) => b.purged?.[who.id] === '2023-06-22T13:00:00.000Z')
    expect(marked).toHaveLength(2)
    expect(await db.receiptBatches.where('purgeDueAt').aboveOrEqual(0).count()).toBe(0)
    expect(await receiptOf(db, who.id)).toMatchObject({ purgedAt: '2023-06-22T13:00:00.000Z' })
    expect(await purgeConfirmedIdentities(db, { afterDays: 7, phoneNow: new Date('2023-07-30T00:00:00.000Z') })).toBe(0)
  })

  it('blanks a confirmed identity correction (a corrected name or number) by the same rule', async () => {
    const who = identity()
    await saveFieldRecord(who)
    const fix: Correction = {
      type: 'correction',
      id: newId(),
      stationId: who.stationId,
      deviceId: who.deviceId,
      authorStaffId: who.authorStaffId,
      createdAt: who.createdAt,
      targetId: who.id,
      reason: '姓名登记错误',
      replacement: { ...who, name: '张山' },
    }
    await saveFieldRecord(fix)
    const station = new FakeStation()
    station.clock = () => new Date('2023-06-14T12:00:00.000Z')
    await engineFor(station).engine.sync()
    await dexieMetaPort(db).patch({ serverClockOffsetMs: 0 })
    expect(await purgeConfirmedIdentities(db, { afterDays: 7, phoneNow: new Date('2023-06-22T13:00:00.000Z') })).toBe(2)
    expect((await db.corrections.get(fix.id))!.replacement).toMatchObject({
      donorKey: who.donorKey,
      name: '',
      idNumber: '',
      phone: '',
    })
  })
})

describe('sign-out and staff switch', () => {
  it('locking, switching staff and unlocking again leave every unsynced record in place', async () => {
    const { setActivePinia, createPinia } = await import('pinia')
    setActivePinia(createPinia())
    const { useSessionStore } = await import('../../../src/app/stores/useSessionStore')
    const { useDeviceStore } = await import('../../../src/app/stores/useDeviceStore')
    const { hashPin } = await import('../../../src/domain/pin')
    const a: RosterEntry = {
      id: newId(),
      stationId: STATION.id,
      name: '李',
      role: 'collector',
      pinHash: await hashPin('2580', { iterations: 1000 }),
      active: true,
    }
    const b: RosterEntry = { ...a, id: newId(), name: '王', pinHash: await hashPin('1397', { iterations: 1000 }) }
    await seedReference(db, [a, b])
    await useDeviceStore().load()
    const session = useSessionStore()
    expect(await session.unlock(a.id, '2580')).toBe('ok')
    const drive = makeDrive(a.id)
    await saveFieldRecords([drive, makeDonation(drive, a.id), makeDeferral(drive, a.id)])
    const before = await db.outbox.toArray()
    session.lock()
    session.switchStaff()
    expect(await session.unlock(b.id, '1397')).toBe('ok')
    session.lock()
    expect(await db.outbox.toArray()).toEqual(before)
    expect(await db.donations.count()).toBe(1)
  })
})
