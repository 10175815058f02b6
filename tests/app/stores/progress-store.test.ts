// The progress store on the phone's real database (Dexie over fake-indexeddb): records saved by the
// field app's own save path, confirmed by the sync port's settle and followed by a pull that
// brings new totals. At every step the station figures hold each record exactly once.
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { emptyCounts, type IndicatorCounts } from '../../../src/domain/indicators'
import { newId } from '../../../src/domain/ids'
import type { AdverseReaction, Correction, DonorIdentity, Target, Void } from '../../../src/domain/records'
import type { MutationResult, PullChange, StationTotals } from '../../../src/domain/sync-protocol'
import { type TargetTotals, targetTotalsKey } from '../../../src/domain/target-totals'
import type { FieldDb } from '../../../src/app/db'
import { saveFieldRecords } from '../../../src/app/db/field-records'
import { outboxSummary } from '../../../src/app/db/outbox'
import { dexieOutboxPort, dexieReferenceSink } from '../../../src/app/sync/dexie-ports'
import { META_KEYS, receiptBatchRow } from '../../../src/app/db/sync-meta'
import { readFieldProgress, useFieldProgressStore } from '../../../src/app/stores/useFieldProgressStore'
import {
  freshDb,
  makeDeferral,
  makeDonation,
  makeDrive,
  RURAL,
  seedReference,
  STATION,
  UNIVERSITY,
} from '../support/field-fixtures'
import { settle } from '../support/field-app'

const STAFF = newId()
const TODAY = '2026-11-20'
const MONTH = { kind: 'month' as const, start: '2026-11-01', end: '2026-11-30' }
const YEAR = { kind: 'year' as const, start: '2026-01-01', end: '2026-12-31' }

/** Station totals of `donations` whole-blood 400 ml donations, `rural` of them on rural buses. */
function totals(kind: 'month' | 'year', donations: number, rural: number, computedAt: string): StationTotals {
  const c: IndicatorCounts = {
    ...emptyCounts(),
    donations,
    wholeBloodDonations: donations,
    wholeBlood400: donations,
    wholeBloodUnits: 2 * donations,
    ruralMobileWholeBlood: rural,
    byChannel: { [RURAL.id]: rural, [UNIVERSITY.id]: donations - rural },
  }
  const channel = (n: number, isRural: boolean): IndicatorCounts => ({
    ...emptyCounts(),
    donations: n,
    wholeBloodDonations: n,
    wholeBlood400: n,
    wholeBloodUnits: 2 * n,
    ruralMobileWholeBlood: isRural ? n : 0,
  })
  return {
    key: kind,
    period: kind === 'month' ? MONTH : YEAR,
    computedAt,
    counts: c,
    indicators: null as never,
    byChannel: { [RURAL.id]: channel(rural, true), [UNIVERSITY.id]: channel(donations - rural, false) },
    byTeam: {},
  }
}

const shareTarget: Target = {
  id: newId(),
  stationId: STATION.id,
  period: MONTH,
  scope: { kind: 'station', id: null },
  metric: 'rural_mobile_share',
  comparison: '>=',
  value: 32,
}

let db: FieldDb
const drive = makeDrive(STAFF, { date: TODAY })
const d1 = makeDonation(drive, STAFF, { collectedOn: TODAY, din: 'W123426000001' })
const d2 = makeDonation(drive, STAFF, { collectedOn: TODAY, din: 'W123426000002' })

async function pull(month: StationTotals, year: StationTotals, deviceLastSeq: number): Promise<void> {
  await dexieReferenceSink(db).applyPage({
    cursor: `000000000001.${Date.now()}`,
    reset: false,
    more: false,
    serverTime: month.computedAt,
    deviceLastSeq,
    changes: [
      { op: 'upsert', entity: 'totals', key: 'month', value: month },
      { op: 'upsert', entity: 'totals', key: 'year', value: year },
    ],
  })
}

/** The station answers every pending entry as applied, stamped `receivedAt` by its clock. */
async function confirmAll(receivedAt: string): Promise<number> {
  const pending = await dexieOutboxPort(db).pending(1000)
  const results: MutationResult[] = pending.map((e) => ({
    status: 'applied',
    seq: e.seq,
    mutationId: e.mutationId,
    recordId: e.recordId,
    receivedAt,
  }))
  await dexieOutboxPort(db).settle(results, new Date().toISOString())
  return Math.max(...pending.map((e) => e.seq))
}

beforeEach(async () => {
  setActivePinia(createPinia())
  db = freshDb()
  await seedReference(db)
  await db.targets.put({ key: shareTarget.id, value: shareTarget })
  // Last pull, before this drive: 10 donations this month (3 rural), 40 this year (12 rural).
  await pull(totals('month', 10, 3, '2026-11-20T00:00:00.000Z'), totals('year', 40, 12, '2026-11-20T00:00:00.000Z'), 0)
})

describe('progress store on the real database', () => {
  it('adds waiting records, keeps them once after confirmation and once more after the next pull', async () => {
    await saveFieldRecords([drive, d1, d2], db)

    // 1. Offline: the two donations and the trip wait in the outbox and are added.
    let p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts.donations).toBe(12)
    expect(p.month.counts.counts.ruralMobileWholeBlood).toBe(5)
    expect(p.month.counts.counts.busTrips).toBe(1)
    expect(p.month.unsynced).toBe(3)
    expect(p.year.counts.counts.donations).toBe(42)
    expect(p.drives).toHaveLength(1)
    expect(p.drives[0]).toMatchObject({ notSent: 3, closed: false })
    expect(p.drives[0]!.counts.donations).toBe(2)
    expect(p.month.targets[0]!.progress!.actual).toBeCloseTo((5 / 12) * 100, 9)

    // 2. Pushed and confirmed, but the pull failed: the totals the phone holds are older than the
    //    receipts, so the records are still added, still once.
    const lastSeq = await confirmAll('2026-11-20T03:00:00.000Z')
    expect(await db.outbox.count()).toBe(0)
    p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts.donations).toBe(12)
    expect(p.month.unsynced).toBe(3)
    expect(p.drives[0]!.notSent).toBe(0)

    // 3. The next pull brings totals computed after the push: they hold the records; nothing is added.
    await pull(
      totals('month', 12, 5, '2026-11-20T03:00:05.000Z'),
      totals('year', 42, 14, '2026-11-20T03:00:05.000Z'),
      lastSeq,
    )
    p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts.donations).toBe(12)
    expect(p.month.counts.counts.ruralMobileWholeBlood).toBe(5)
    expect(p.month.unsynced).toBe(0)
    expect(p.year.counts.counts.donations).toBe(42)

    // 4. A void of a confirmed donation, not yet sent, takes it away from the station figures.
    const v: Void = {
      type: 'void',
      id: newId(),
      stationId: STATION.id,
      deviceId: d1.deviceId,
      authorStaffId: STAFF,
      createdAt: new Date().toISOString(),
      targetId: d1.id,
      reason: 'entered twice',
    }
    await saveFieldRecords([v], db)
    p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts.donations).toBe(11)
    expect(p.month.counts.counts.ruralMobileWholeBlood).toBe(4)
    expect(p.month.unsynced).toBe(1)
    expect(p.drives[0]!.counts.donations).toBe(1)
    expect(p.drives[0]!.notSent).toBe(1)
  })

  it('completes a family from the tables when the totals hold its original (a void of a corrected donation); a waiting donation corrected before sending counts once', async () => {
    await saveFieldRecords([drive, d1, d2], db)
    const corrected = { ...d1, product: { type: 'whole_blood' as const, volumeMl: 200 as const } }
    const correction: Correction = {
      type: 'correction',
      id: newId(),
      stationId: STATION.id,
      deviceId: d1.deviceId,
      authorStaffId: STAFF,
      createdAt: new Date().toISOString(),
      targetId: d1.id,
      reason: 'was 200 ml',
      replacement: corrected,
    }
    await saveFieldRecords([correction], db)
    const lastSeq = await confirmAll('2026-11-20T03:00:00.000Z')
    // The station holds the drive, both donations and the correction (d1 as 200 ml).
    const month = totals('month', 12, 5, '2026-11-20T03:00:05.000Z')
    month.counts = { ...month.counts, wholeBlood400: 11, wholeBlood200: 1, wholeBloodUnits: 23, busTrips: 1 }
    await pull(month, totals('year', 42, 14, '2026-11-20T03:00:05.000Z'), lastSeq)
    let p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts).toMatchObject({ donations: 12, wholeBlood200: 1, wholeBloodUnits: 23, busTrips: 1 })
    expect(p.month.unsynced).toBe(0)

    // Voiding the corrected donation takes away what the station counts for it: 200 ml, not 400.
    const v: Void = {
      type: 'void',
      id: newId(),
      stationId: STATION.id,
      deviceId: d1.deviceId,
      authorStaffId: STAFF,
      createdAt: new Date().toISOString(),
      targetId: d1.id,
      reason: 'wrong donor',
    }
    await saveFieldRecords([v], db)
    p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts).toMatchObject({
      donations: 11,
      wholeBlood200: 0,
      wholeBlood400: 11,
      wholeBloodUnits: 22,
    })
    expect(p.month.unsynced).toBe(1)

    // A new donation corrected before it was sent counts once, as corrected.
    const d3 = makeDonation(drive, STAFF, { collectedOn: TODAY, din: 'W123426000003' })
    const fix: Correction = {
      type: 'correction',
      id: newId(),
      stationId: STATION.id,
      deviceId: d3.deviceId,
      authorStaffId: STAFF,
      createdAt: new Date().toISOString(),
      targetId: d3.id,
      reason: 'apheresis',
      replacement: { ...d3, product: { type: 'apheresis_platelets', doses: 2 } },
    }
    await saveFieldRecords([d3, fix], db)
    p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts).toMatchObject({
      donations: 12,
      wholeBloodDonations: 11,
      apheresisDonations: 1,
      apheresisDoses: 2,
    })
    expect(p.month.unsynced).toBe(3)
  })

  it('the drive card and the sync badge count the same waiting records (not "4 not yet sent" beside "7 waiting")', async () => {
    await saveFieldRecords([drive], db)
    const people = ['a', 'b', 'c'].map((k, i) => {
      const donorKey = k.repeat(32)
      const donation = makeDonation(drive, STAFF, { collectedOn: TODAY, din: `W12342600001${i}`, donorKey })
      const identity: DonorIdentity = {
        type: 'donor_identity',
        id: newId(),
        stationId: STATION.id,
        deviceId: donation.deviceId,
        authorStaffId: STAFF,
        createdAt: donation.createdAt,
        donorKey,
        idNumber: `41032719950721051${i}`,
        name: ['赵丽', '孙强', '周敏'][i]!,
        phone: '',
        household: 'rural',
      }
      return { identity, donation }
    })
    for (const p of people) await saveFieldRecords([p.identity, p.donation], db)
    // Three people on a fresh drive: the badge said 7 (entries), the card 4 (records).
    let badge = await outboxSummary(db)
    let p = await readFieldProgress(db, { today: TODAY })
    expect(badge.pending).toBe(4)
    expect(p.drives[0]!.notSent).toBe(4)

    // A void, a reaction and a corrected name each add one to both.
    const v: Void = {
      type: 'void',
      id: newId(),
      stationId: STATION.id,
      deviceId: people[0]!.donation.deviceId,
      authorStaffId: STAFF,
      createdAt: new Date().toISOString(),
      targetId: people[0]!.donation.id,
      reason: 'entered twice',
    }
    const reaction: AdverseReaction = {
      type: 'adverse_reaction',
      id: newId(),
      stationId: STATION.id,
      deviceId: people[1]!.donation.deviceId,
      authorStaffId: STAFF,
      createdAt: new Date().toISOString(),
      donationId: people[1]!.donation.id,
      code: 'vasovagal',
      severity: 'mild',
      occurredAt: new Date().toISOString(),
      note: '',
    }
    await saveFieldRecords([v, reaction], db)
    badge = await outboxSummary(db)
    p = await readFieldProgress(db, { today: TODAY })
    expect(badge.pending).toBe(6)
    expect(p.drives[0]!.notSent).toBe(6)

    // Sent and confirmed, then a name corrected: one record waiting, on this drive's card too.
    await confirmAll('2026-11-20T03:00:00.000Z')
    const who = people[2]!.identity
    const fix: Correction = {
      type: 'correction',
      id: newId(),
      stationId: STATION.id,
      deviceId: who.deviceId,
      authorStaffId: STAFF,
      createdAt: new Date().toISOString(),
      targetId: who.id,
      reason: '姓名登记错误',
      replacement: { ...who, name: '改正的名字' },
    }
    await saveFieldRecords([fix], db)
    badge = await outboxSummary(db)
    p = await readFieldProgress(db, { today: TODAY })
    expect(badge.pending).toBe(1)
    expect(p.drives[0]!.notSent).toBe(1)
  })

  it('a refused donation is not counted for the station and is said apart', async () => {
    await saveFieldRecords([drive, d1], db)
    const [tripEntry, donationEntry] = await dexieOutboxPort(db).pending(10)
    await dexieOutboxPort(db).settle(
      [
        {
          status: 'applied',
          seq: tripEntry!.seq,
          mutationId: tripEntry!.mutationId,
          recordId: tripEntry!.recordId,
          receivedAt: '2026-11-20T03:00:00.000Z',
        },
        {
          status: 'rejected',
          seq: donationEntry!.seq,
          mutationId: donationEntry!.mutationId,
          recordId: donationEntry!.recordId,
          code: 'duplicate_din',
          message: 'bag already used',
        },
      ],
      new Date().toISOString(),
    )
    const p = await readFieldProgress(db, { today: TODAY })
    expect(p.refused).toBe(1)
    expect(p.month.counts.counts.donations).toBe(10)
    expect(p.month.counts.counts.busTrips).toBe(1)
    // Said apart from what waits, as the sync badge says it.
    expect(p.drives[0]).toMatchObject({ notSent: 0, refused: 1 })
  })

  it('reads no receipt when the last pull knew every sequence the station answered', async () => {
    await saveFieldRecords([drive, d1], db)
    const lastSeq = await confirmAll('2026-11-20T03:00:00.000Z')
    await pull(
      totals('month', 11, 4, '2026-11-20T03:00:05.000Z'),
      totals('year', 41, 13, '2026-11-20T03:00:05.000Z'),
      lastSeq,
    )
    // A receipt stamped after these totals would be counted if receipts were read.
    await db.receiptBatches.add(
      receiptBatchRow(
        [
          {
            recordId: d1.id,
            recordType: 'donation',
            seq: 2,
            mutationId: newId(),
            status: 'applied',
            receivedAt: '2026-11-20T05:00:00.000Z',
            settledAt: '',
          },
        ],
        '',
      ),
    )
    expect((await db.syncMeta.get(META_KEYS.deviceLastSeq))?.value).toBe(lastSeq)
    const p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts.donations).toBe(11)
    expect(p.month.unsynced).toBe(0)
  })

  it('after a push whose pull failed, reads only the receipt batches newer than the totals', async () => {
    await saveFieldRecords([drive, d1], db)
    const lastSeq = await confirmAll('2026-11-20T03:00:00.000Z')
    await pull(
      totals('month', 11, 4, '2026-11-20T03:00:05.000Z'),
      totals('year', 41, 13, '2026-11-20T03:00:05.000Z'),
      lastSeq,
    )
    // Earlier batches of the phone's history, one a settle.
    for (let i = 0; i < 20; i++) {
      await db.receiptBatches.add(
        receiptBatchRow(
          [
            {
              recordId: newId(),
              recordType: 'donation',
              seq: 1000 + i,
              mutationId: newId(),
              status: 'applied',
              receivedAt: new Date(Date.parse('2026-11-19T00:00:00.000Z') + i * 60_000).toISOString(),
              settledAt: '',
            },
          ],
          '',
        ),
      )
    }
    // d2 is pushed and confirmed after those totals; the pull after it fails.
    await saveFieldRecords([d2], db)
    await confirmAll('2026-11-20T04:00:00.000Z')
    let read = 0
    db.receiptBatches.hook('reading', (row) => {
      read++
      return row
    })
    const p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts.donations).toBe(12)
    expect(p.month.unsynced).toBe(1)
    // d2's batch alone, not the 21 before it.
    expect(read).toBe(1)
  })

  it('after a push of many records whose pull failed, each counts once, whether their ids lie together or among held ones', async () => {
    // 99 donations, every third confirmed after the totals, the others before (their ids lie
    // among held ones); then 40 deferrals, all confirmed after the totals (their ids lie together).
    const donations = Array.from({ length: 99 }, (_, i) =>
      makeDonation(drive, STAFF, { collectedOn: TODAY, din: `W123426${String(100 + i).padStart(6, '0')}` }),
    )
    const deferrals = Array.from({ length: 40 }, () =>
      makeDeferral(drive, STAFF, { collectedOn: TODAY, donorKey: newId().replaceAll('-', '') }),
    )
    await saveFieldRecords([drive], db)
    for (const d of donations) await saveFieldRecords([d], db)
    for (const d of deferrals) await saveFieldRecords([d], db)
    const late = new Set([...donations.filter((_, i) => i % 3 === 0), ...deferrals].map((r) => r.id))
    const pending = await dexieOutboxPort(db).pending(1000)
    const results: MutationResult[] = pending.map((e) => ({
      status: 'applied',
      seq: e.seq,
      mutationId: e.mutationId,
      recordId: e.recordId,
      receivedAt: late.has(e.recordId) ? '2026-11-20T05:00:00.000Z' : '2026-11-20T03:00:00.000Z',
    }))
    await dexieOutboxPort(db).settle(results, new Date().toISOString())
    // The last pull's totals hold the drive and the 66 donations confirmed before them; it knew
    // none of this phone's sequences (the later confirmations came after it).
    const held = 66
    const month = totals('month', 10 + held, 3 + held, '2026-11-20T04:00:00.000Z')
    const year = totals('year', 40 + held, 12 + held, '2026-11-20T04:00:00.000Z')
    for (const t of [month, year]) {
      t.counts.busTrips += 1
      t.counts.ruralBusTrips += 1
    }
    await pull(month, year, 0)
    expect(await db.outbox.count()).toBe(0)
    const p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts.donations).toBe(10 + 99)
    expect(p.month.counts.counts.deferrals).toBe(40)
    expect(p.month.counts.counts.busTrips).toBe(1)
    expect(p.month.unsynced).toBe(33 + 40)
    expect(p.year.counts.counts.donations).toBe(40 + 99)
  })

  it('moves by itself when a record is saved or a pull lands', async () => {
    const store = useFieldProgressStore()
    store.watch({ today: TODAY }, db)
    await expect.poll(() => store.progress?.month.counts.counts.donations).toBe(10)
    await saveFieldRecords([drive, d1], db)
    await expect.poll(() => store.progress?.month.counts.counts.donations).toBe(11)
    expect(store.progress?.month.unsynced).toBe(2)
    const lastSeq = await confirmAll('2026-11-20T03:00:00.000Z')
    await pull(
      totals('month', 11, 4, '2026-11-20T03:00:05.000Z'),
      totals('year', 41, 13, '2026-11-20T03:00:05.000Z'),
      lastSeq,
    )
    await expect.poll(() => store.progress?.month.unsynced).toBe(0)
    expect(store.progress?.month.counts.counts.donations).toBe(11)
    store.stop()
    await settle(1)
  })

  it("shows a site quarter target from the station's figure the pull brought, plus this phone's records, once", async () => {
    const site: Target = {
      id: newId(),
      stationId: STATION.id,
      period: { kind: 'quarter', start: '2026-10-01', end: '2026-12-31' },
      scope: { kind: 'site', id: drive.siteId },
      metric: 'donations',
      comparison: '>=',
      value: 100,
    }
    const figure = (donations: number, computedAt: string): TargetTotals => ({
      key: targetTotalsKey(site.id),
      targetId: site.id,
      period: { start: site.period.start, end: site.period.end },
      scope: site.scope,
      computedAt,
      counts: { ...emptyCounts(), donations },
      population: null,
    })
    const pullTarget = async (changes: PullChange[], computedAt: string, deviceLastSeq: number) =>
      dexieReferenceSink(db).applyPage({
        cursor: `000000000001.${Date.now()}`,
        reset: false,
        more: false,
        serverTime: computedAt,
        deviceLastSeq,
        changes: [
          { op: 'upsert', entity: 'target', key: site.id, value: site },
          { op: 'upsert', entity: 'totals', key: 'month', value: totals('month', 12, 5, computedAt) },
          { op: 'upsert', entity: 'totals', key: 'year', value: totals('year', 42, 14, computedAt) },
          ...changes,
        ],
      })
    await saveFieldRecords([drive, d1, d2], db)
    const actual = async () => (await readFieldProgress(db, { today: TODAY })).others[0]
    await pullTarget([], '2026-11-20T00:00:00.000Z', 0)
    // The target came without its figure (an older station): nothing made up.
    expect(await actual()).toMatchObject({ progress: null, reason: 'no_totals' })
    await pullTarget(
      [{ op: 'upsert', entity: 'totals', key: targetTotalsKey(site.id), value: figure(7, '2026-11-20T00:00:00.000Z') }],
      '2026-11-20T00:00:00.000Z',
      0,
    )
    expect((await actual())!.progress!.progress!.actual).toBe(9)
    expect((await actual())!.unsynced).toBe(3)
    // Confirmed, then the next pull holds them: still 9, nothing added.
    const lastSeq = await confirmAll('2026-11-20T03:00:00.000Z')
    expect((await actual())!.progress!.progress!.actual).toBe(9)
    await pullTarget(
      [{ op: 'upsert', entity: 'totals', key: targetTotalsKey(site.id), value: figure(9, '2026-11-20T03:00:05.000Z') }],
      '2026-11-20T03:00:05.000Z',
      lastSeq,
    )
    expect(await actual()).toMatchObject({ unsynced: 0, reason: null })
    expect((await actual())!.progress!.progress!.actual).toBe(9)
    // The station deleted the target: its figure goes with it.
    await pullTarget(
      [{ op: 'delete', entity: 'totals', key: targetTotalsKey(site.id) }],
      '2026-11-20T03:00:05.000Z',
      lastSeq,
    )
    expect(await db.stationTotals.get(targetTotalsKey(site.id))).toBeUndefined()
  })
})
