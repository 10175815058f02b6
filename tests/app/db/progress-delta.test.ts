// What progress adds to the pulled totals, kept as records change (src/app/db/progress-delta.ts):
// after any run of saves, voids, corrections, settles (confirmed after the totals, refused, or
// confirmed before them), attention decisions and pulls, the kept sum equals one built from
// scratch; the progress screen reads it and no receipt; an upgraded phone builds it at its first read.
import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import { emptyCounts } from '../../../src/domain/indicators'
import { newId } from '../../../src/domain/ids'
import type { Correction, Deferral, Donation, Drive, FieldRecord, Void } from '../../../src/domain/records'
import type { MutationResult, StationTotals } from '../../../src/domain/sync-protocol'
import type { FieldDb } from '../../../src/app/db'
import { FieldDb as FieldDatabase } from '../../../src/app/db/schema'
import { saveFieldRecords } from '../../../src/app/db/field-records'
import { outboxEntry } from '../../../src/app/db/outbox'
import { readMarker, rebuildProgressDelta } from '../../../src/app/db/progress-delta'
import { readProgressSources } from '../../../src/app/db/progress'
import { dexieOutboxPort, dexieReferenceSink } from '../../../src/app/sync/dexie-ports'
import { sendAgain, setAside, voidRejected } from '../../../src/app/sync/attention'
import { readFieldProgress } from '../../../src/app/stores/useFieldProgressStore'
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
import { databaseAt } from '../support/schema-versions'

const STAFF = newId()
const TODAY = '2026-11-20'
const MONTH = { kind: 'month' as const, start: '2026-11-01', end: '2026-11-30' }
const YEAR = { kind: 'year' as const, start: '2026-01-01', end: '2026-12-31' }
const ctx = { ruralMobileChannelIds: new Set([RURAL.id]) }

let db: FieldDb
/** The station's clock, a minute further at each step. */
let stationMinute = 0
const stationNow = () => new Date(Date.UTC(2026, 10, 20, 1, stationMinute++)).toISOString()

function totals(kind: 'month' | 'year', donations: number, computedAt: string): StationTotals {
  return {
    key: kind,
    period: kind === 'month' ? MONTH : YEAR,
    computedAt,
    counts: { ...emptyCounts(), donations, wholeBloodDonations: donations, wholeBlood400: donations },
    indicators: null as never,
    byChannel: {},
    byTeam: {},
  }
}

/** A pull that follows a push (the engine's order): its totals were made after every receipt. */
async function pull(): Promise<string> {
  const at = stationNow()
  const marks = await dexieOutboxPort(db).sequenceMarks()
  await dexieReferenceSink(db).applyPage({
    cursor: `000000000001.${Date.now()}.${stationMinute}`,
    reset: false,
    more: false,
    serverTime: at,
    deviceLastSeq: marks.settled,
    changes: [
      { op: 'upsert', entity: 'totals', key: 'month', value: totals('month', 10, at) },
      { op: 'upsert', entity: 'totals', key: 'year', value: totals('year', 40, at) },
    ],
  })
  return at
}

/** The station answers the pending entries (all, or the first `n`) with `status`. */
async function answer(status: 'applied' | 'rejected', receivedAt: string, n = Infinity): Promise<void> {
  const pending = (await dexieOutboxPort(db).pending(1000)).slice(0, n)
  if (pending.length === 0) return
  const results: MutationResult[] = pending.map((e) =>
    status === 'applied'
      ? { status: 'applied', seq: e.seq, mutationId: e.mutationId, recordId: e.recordId, receivedAt }
      : {
          status: 'rejected',
          seq: e.seq,
          mutationId: e.mutationId,
          recordId: e.recordId,
          code: 'invalid_record',
          message: 'no',
        },
  )
  await dexieOutboxPort(db).settle(results, new Date().toISOString())
}

/** The kept sum, keyed, in a form two sums compare by (a cell's sample record may differ). */
async function keptSum(): Promise<unknown> {
  const [cells, groups, marker] = await Promise.all([
    db.progressCells.toArray(),
    db.progressGroups.toArray(),
    readMarker(db),
  ])
  return {
    cells: Object.fromEntries(cells.map((c) => [c.key, { counts: c.counts, records: c.records }])),
    groups: Object.fromEntries(groups.map((g) => [g.key, g.addedFigures])),
    refused: marker?.refused,
  }
}

/** The sum built from scratch for the totals the phone holds (it replaces the kept one). */
async function builtSum(): Promise<unknown> {
  const marker = await readMarker(db)
  await rebuildProgressDelta(db, marker!.computedAt, ctx)
  return keptSum()
}

function voidOf(target: FieldRecord, reason = 'entered twice'): Void {
  return {
    type: 'void',
    id: newId(),
    stationId: STATION.id,
    deviceId: target.deviceId,
    authorStaffId: STAFF,
    createdAt: new Date().toISOString(),
    targetId: target.id,
    reason,
  }
}

function correctionOf(target: Donation, volumeMl: 200 | 300 | 400): Correction {
  return {
    type: 'correction',
    id: newId(),
    stationId: STATION.id,
    deviceId: target.deviceId,
    authorStaffId: STAFF,
    createdAt: new Date().toISOString(),
    targetId: target.id,
    reason: 'volume',
    replacement: { ...target, product: { type: 'whole_blood', volumeMl } },
  }
}

beforeEach(async () => {
  db = freshDb()
  stationMinute = 0
  await seedReference(db)
})

describe('what progress adds, kept as records change', () => {
  it('equals the sum built from scratch after any run of saves, voids, corrections, settles, decisions and pulls', async () => {
    type Step =
      | { op: 'donate'; rural: boolean; volume: 200 | 300 | 400 }
      | { op: 'defer' }
      | { op: 'void'; pick: number }
      | { op: 'correct'; pick: number; volume: 200 | 300 | 400 }
      | { op: 'confirm'; n: number }
      | { op: 'confirmBeforeTotals'; n: number }
      | { op: 'refuse'; n: number }
      | { op: 'sendAgain'; pick: number }
      | { op: 'voidRefused'; pick: number }
      | { op: 'setAside'; pick: number }
      | { op: 'pull' }
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        op: fc.constant('donate' as const),
        rural: fc.boolean(),
        volume: fc.constantFrom(200 as const, 300 as const, 400 as const),
      }),
      fc.constant({ op: 'defer' as const }),
      fc.record({ op: fc.constant('void' as const), pick: fc.nat() }),
      fc.record({
        op: fc.constant('correct' as const),
        pick: fc.nat(),
        volume: fc.constantFrom(200 as const, 300 as const, 400 as const),
      }),
      fc.record({ op: fc.constant('confirm' as const), n: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ op: fc.constant('confirmBeforeTotals' as const), n: fc.integer({ min: 1, max: 2 }) }),
      fc.record({ op: fc.constant('refuse' as const), n: fc.integer({ min: 1, max: 2 }) }),
      fc.record({ op: fc.constant('sendAgain' as const), pick: fc.nat() }),
      fc.record({ op: fc.constant('voidRefused' as const), pick: fc.nat() }),
      fc.record({ op: fc.constant('setAside' as const), pick: fc.nat() }),
      fc.constant({ op: 'pull' as const }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 14 }), async (steps) => {
        db = freshDb()
        stationMinute = 0
        await seedReference(db)
        await pull()
        // The first read builds the sum (no marker yet): from here on it is kept.
        await readProgressSources(db, { today: TODAY })
        const ruralDrive: Drive = makeDrive(STAFF, { date: TODAY, channelId: RURAL.id })
        const townDrive: Drive = makeDrive(STAFF, { date: TODAY, channelId: UNIVERSITY.id })
        await saveFieldRecords([ruralDrive, townDrive], db)
        const counted: Array<Donation | Deferral> = []
        const voided = new Set<string>()
        let din = 1
        for (const s of steps) {
          switch (s.op) {
            case 'donate': {
              const d = makeDonation(s.rural ? ruralDrive : townDrive, STAFF, {
                collectedOn: TODAY,
                din: `W1234260${String(din++).padStart(5, '0')}`,
                donorKey: newId().replace(/-/g, ''),
                channelId: s.rural ? RURAL.id : UNIVERSITY.id,
                product: { type: 'whole_blood', volumeMl: s.volume },
              })
              await saveFieldRecords([d], db)
              counted.push(d)
              break
            }
            case 'defer': {
              const d = makeDeferral(ruralDrive, STAFF, { collectedOn: TODAY, donorKey: newId().replace(/-/g, '') })
              await saveFieldRecords([d], db)
              counted.push(d)
              break
            }
            case 'void': {
              const live = counted.filter((r) => !voided.has(r.id))
              const target = live[s.pick % Math.max(1, live.length)]
              if (!target) break
              await saveFieldRecords([voidOf(target)], db)
              voided.add(target.id)
              break
            }
            case 'correct': {
              const live = counted.filter((r): r is Donation => r.type === 'donation' && !voided.has(r.id))
              const target = live[s.pick % Math.max(1, live.length)]
              if (!target) break
              await saveFieldRecords([correctionOf(target, s.volume)], db)
              break
            }
            case 'confirm':
              await answer('applied', stationNow(), s.n)
              break
            case 'confirmBeforeTotals':
              // A push whose answer was lost, taken by the station before the totals the phone holds.
              await answer('applied', '2026-11-20T00:00:00.000Z', s.n)
              break
            case 'refuse':
              await answer('rejected', stationNow(), s.n)
              break
            case 'sendAgain':
            case 'voidRefused':
            case 'setAside': {
              const refused = await db.outbox.where('status').equals('rejected').toArray()
              const voidable = ['donation', 'deferral', 'adverse_reaction', 'donor_identity']
              const fits = refused.filter((r) =>
                s.op === 'sendAgain'
                  ? true
                  : voidable.includes(r.recordType) === (s.op === 'voidRefused') && !voided.has(r.recordId),
              )
              const entry = fits[s.pick % Math.max(1, fits.length)]
              if (!entry) break
              if (s.op === 'sendAgain') await sendAgain(db, entry.seq!, { staffId: STAFF })
              else if (s.op === 'voidRefused') {
                await voidRejected(db, entry.seq!, 'entered twice', { staffId: STAFF })
                voided.add(entry.recordId)
              } else await setAside(db, entry.seq!, 'not needed', { staffId: STAFF })
              break
            }
            case 'pull':
              await pull()
              await readProgressSources(db, { today: TODAY })
              break
          }
          const kept = await keptSum()
          expect(kept, `after ${JSON.stringify(s)}`).toEqual(await builtSum())
        }
      }),
      { numRuns: 25 },
    )
  }, 120_000)

  it('is built again when a pull brings other totals or the rural channels change, and read without a receipt', async () => {
    const drive = makeDrive(STAFF, { date: TODAY, channelId: RURAL.id })
    await pull()
    const donations = [1, 2, 3].map((i) =>
      makeDonation(drive, STAFF, { collectedOn: TODAY, din: `W12342600000${i}`, donorKey: `${i}`.repeat(32) }),
    )
    await saveFieldRecords([drive, ...donations], db)
    let p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts.donations).toBe(13)
    const first = await readMarker(db)

    // Confirmed, then the pull after it failed: the three count on top of the old totals, from the
    // kept sum, with no receipt read (the receipts' rows could be gone, the figure would not move).
    await answer('applied', stationNow())
    await db.receiptBatches.clear()
    p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts.donations).toBe(13)
    expect(p.month.counts.counts.ruralMobileWholeBlood).toBe(3)
    expect(await readMarker(db)).toEqual(first)

    // The next pull's totals hold them: the sum is built again, and adds nothing now.
    await pull()
    p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts.donations).toBe(10)
    expect((await readMarker(db))!.computedAt).not.toBe(first!.computedAt)
    expect(await db.progressCells.count()).toBe(0)

    // A waiting donation, then the station says the rural channel no longer is one.
    const late = makeDonation(drive, STAFF, { collectedOn: TODAY, din: 'W123426000009', donorKey: '9'.repeat(32) })
    await saveFieldRecords([late], db)
    p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts.ruralMobileWholeBlood).toBe(1)
    await db.channels.put({ key: RURAL.id, value: { ...RURAL, ruralMobile: false } })
    p = await readFieldProgress(db, { today: TODAY })
    expect(p.month.counts.counts.ruralMobileWholeBlood).toBe(0)
    expect((await readMarker(db))!.ruralChannelIds).toEqual([])
  })

  it('a phone upgraded from version 14 with records waiting counts them at its first progress read', async () => {
    const name = `progress-v14-${newId()}`
    const drive = makeDrive(STAFF, { date: TODAY, channelId: RURAL.id })
    const donation = makeDonation(drive, STAFF, { collectedOn: TODAY, din: 'W123426000001' })
    const old = databaseAt(name, 14)
    await old.open()
    await old.table('channels').bulkPut([RURAL, UNIVERSITY].map((c) => ({ key: c.id, value: c })))
    await old.table('stations').put({ key: STATION.id, value: STATION })
    const at = '2026-11-20T01:00:00.000Z'
    await old.table('stationTotals').bulkPut([
      { key: 'month', value: totals('month', 10, at) },
      { key: 'year', value: totals('year', 40, at) },
    ])
    for (const rec of [drive, donation]) {
      await old.table(rec.type === 'drive' ? 'drives' : 'donations').add(rec)
      await old.table('outbox').add(outboxEntry(rec))
    }
    old.close()

    const upgraded = new FieldDatabase(name)
    await upgraded.open()
    expect(await readMarker(upgraded)).toBeUndefined()
    const p = await readFieldProgress(upgraded, { today: TODAY })
    expect(p.month.counts.counts.donations).toBe(11)
    expect(p.month.unsynced).toBe(2)
    expect((await readMarker(upgraded))!.computedAt).toBe(at)
    expect(await upgraded.progressCells.count()).toBe(2)
    expect(await upgraded.progressGroups.count()).toBe(0)
    upgraded.close()
  })
})
