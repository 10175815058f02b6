// Receipts, one row per settled batch (Dexie version 14's receiptBatches), read by the station
// time they were confirmed: the indexed reads give what a scan of every receipt gives, on a new
// database and on one whose per-record receipts (versions 1-10) were carried over by the upgrade.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FieldDb } from '../../../src/app/db'
import {
  allReceipts,
  latestReceipts,
  RECEIPT_PREFIX,
  type Receipt,
  receiptBatchRow,
  receiptOf,
  receiptsConfirmedAfter,
  receiptsOfBatch,
} from '../../../src/app/db/sync-meta'
import { confirmedAfter } from '../../../src/app/field/progress-model'
import { newId } from '../../../src/domain/ids'
import { databaseAt, declaredVersions } from '../support/schema-versions'

const BASE = Date.parse('2026-11-20T00:00:00.000Z')

/** A receipt time a few seconds around BASE, written with or without milliseconds (both occur). */
const stationTime = fc.tuple(fc.integer({ min: 0, max: 20_000 }), fc.boolean()).map(([ms, withMillis]) => {
  const iso = new Date(BASE + ms).toISOString()
  return withMillis ? iso : iso.replace(/\.\d{3}Z$/, 'Z')
})

/** Receipts of distinct records, each with the settle (0-4) that wrote it. */
const receiptList = fc
  .array(
    fc.tuple(
      stationTime,
      fc.integer({ min: 1, max: 500 }),
      fc.constantFrom('applied', 'duplicate'),
      fc.constantFrom('donation', 'donor_identity', 'correction'),
      fc.integer({ min: 0, max: 4 }),
    ),
    { maxLength: 40 },
  )
  .map((rs) =>
    rs.map(([receivedAt, seq, status, recordType, settle]): Receipt => ({
      recordId: newId(),
      recordType,
      seq,
      mutationId: newId(),
      status,
      receivedAt,
      settledAt: new Date(BASE + 60_000 + settle).toISOString(),
    })),
  )

/** syncMeta rows that are not receipts, some with an object value. */
const OTHER_META = [
  { key: 'pullCursor', value: 'c-1' },
  { key: 'lastPullAt', value: '2026-11-20T00:00:09.000Z' },
  { key: 'deviceLastSeq', value: 7 },
  { key: 'sync', value: { lastSyncAt: '2026-11-20T00:00:09.000Z', receivedAt: 'x' } },
]

/** The batch rows the settles would have written: one per settledAt. */
function batchesOf(receipts: Receipt[]) {
  const bySettle = new Map<string, Receipt[]>()
  for (const r of receipts) bySettle.set(r.settledAt, [...(bySettle.get(r.settledAt) ?? []), r])
  return [...bySettle].map(([at, list]) => receiptBatchRow(list, at))
}

const ids = (rs: Receipt[]) => rs.map((r) => r.recordId).sort()
const time = (r: Receipt) => Date.parse(r.receivedAt)

async function check(db: FieldDb, receipts: Receipt[], after: string | null): Promise<void> {
  const late = await receiptsConfirmedAfter(db, after)
  expect(ids(late)).toEqual(ids(receipts.filter((r) => confirmedAfter(r.receivedAt, after))))
  // Each receipt whole, as it was settled.
  const byId = new Map(receipts.map((r) => [r.recordId, r]))
  for (const r of late) expect(r).toEqual(byId.get(r.recordId))
  const newest = await latestReceipts(db, 5)
  const byTime = [...receipts].sort((a, b) => time(b) - time(a) || b.seq - a.seq)
  expect(newest.map(time)).toEqual(byTime.slice(0, 5).map(time))
  expect(ids(await allReceipts(db))).toEqual(ids(receipts))
}

describe('receipts, one row per settled batch', () => {
  it('a batch row gives back the receipts it was made of', () => {
    fc.assert(
      fc.property(receiptList, (receipts) => {
        for (const row of batchesOf(receipts)) {
          const back = receiptsOfBatch(row)
          expect(back).toEqual(receipts.filter((r) => r.settledAt === row.settledAt))
          expect(row.firstSeq).toBe(Math.min(...back.map((r) => r.seq)))
          expect(row.lastSeq).toBe(Math.max(...back.map((r) => r.seq)))
          expect(row.newestAt).toBe(Math.max(...back.map(time)))
          // Only batches with an identity or correction not purged yet are in the purge's index.
          const due = back.filter((r) => r.recordType !== 'donation').map(time)
          expect(row.purgeDueAt).toBe(due.length > 0 ? Math.min(...due) : undefined)
        }
      }),
    )
  })

  it('by confirmation time give what a scan of every receipt gives', async () => {
    await fc.assert(
      fc.asyncProperty(receiptList, fc.option(stationTime, { nil: null }), async (receipts, after) => {
        const db = new FieldDb(`receipts-${newId()}`)
        try {
          await db.syncMeta.bulkPut(OTHER_META)
          await db.receiptBatches.bulkAdd(batchesOf(receipts))
          await check(db, receipts, after)
        } finally {
          db.delete()
        }
      }),
      { numRuns: 40 },
    )
  })

  it('the latest receipt of a record sent twice is the later settle', async () => {
    const db = new FieldDb(`receipts-${newId()}`)
    try {
      const first: Receipt = {
        recordId: newId(),
        recordType: 'donation',
        seq: 3,
        mutationId: newId(),
        status: 'applied',
        receivedAt: '2026-11-20T00:00:01.000Z',
        settledAt: '2026-11-20T00:00:02.000Z',
      }
      const again = {
        ...first,
        seq: 9,
        mutationId: newId(),
        status: 'duplicate' as const,
        settledAt: '2026-11-21T00:00:00.000Z',
      }
      await db.receiptBatches.add(receiptBatchRow([first], first.settledAt))
      await db.receiptBatches.add(receiptBatchRow([again], again.settledAt))
      expect(await receiptOf(db, first.recordId)).toEqual(again)
      expect(await latestReceipts(db, 30)).toEqual([again])
      expect(await receiptOf(db, newId())).toBeNull()
    } finally {
      db.delete()
    }
  })

  it.each([4, 10])(
    'a phone database written at version %i keeps its per-record receipts, purge marks included',
    async (version) => {
      await fc.assert(
        fc.asyncProperty(receiptList, stationTime, async (list, after) => {
          // Some identities were purged already: the mark comes along.
          const receipts = list.map((r, i) =>
            r.recordType === 'donor_identity' && i % 2 === 0 ? { ...r, purgedAt: '2026-11-28T00:00:00.000Z' } : r,
          )
          const name = `receipts-v${version}-${newId()}`
          const old = databaseAt(name, version)
          await old
            .table('syncMeta')
            .bulkPut([...OTHER_META, ...receipts.map((value) => ({ key: RECEIPT_PREFIX + value.recordId, value }))])
          old.close()
          const db = new FieldDb(name)
          try {
            await db.open()
            expect(db.verno).toBe(declaredVersions().at(-1)!.version)
            // The other rows stay; the receipts left syncMeta for their batch rows.
            expect(await db.syncMeta.toArray()).toEqual([...OTHER_META].sort((a, b) => a.key.localeCompare(b.key)))
            await check(db, receipts, after)
            const byId = new Map(receipts.map((r) => [r.recordId, r]))
            for (const r of await allReceipts(db)) expect(r).toEqual(byId.get(r.recordId))
            // One row per settle that wrote them.
            expect(await db.receiptBatches.count()).toBe(new Set(receipts.map((r) => r.settledAt)).size)
          } finally {
            db.delete()
          }
        }),
        { numRuns: 15 },
      )
    },
  )
})
