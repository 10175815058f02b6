// Receipts by the station time they were confirmed (Dexie version 5's value.receivedAt index):
// the indexed reads give what a scan of every receipt gives, on a new database and on one
// written at version 4 and opened by this app.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FieldDb } from '../../../src/app/db'
import { latestReceipts, RECEIPT_PREFIX, type Receipt, receiptsConfirmedAfter } from '../../../src/app/db/sync-meta'
import { confirmedAfter } from '../../../src/app/field/progress-model'
import { newId } from '../../../src/domain/ids'
import { databaseAt, declaredVersions } from '../support/schema-versions'

const BASE = Date.parse('2026-11-20T00:00:00.000Z')

/** A receipt time a few seconds around BASE, written with or without milliseconds (both occur). */
const stationTime = fc.tuple(fc.integer({ min: 0, max: 20_000 }), fc.boolean()).map(([ms, withMillis]) => {
  const iso = new Date(BASE + ms).toISOString()
  return withMillis ? iso : iso.replace(/\.\d{3}Z$/, 'Z')
})

const receiptRows = fc.array(fc.tuple(stationTime, fc.integer({ min: 1, max: 500 })), { maxLength: 40 }).map((rs) =>
  rs.map(([receivedAt, seq]): { key: string; value: Receipt } => {
    const recordId = newId()
    return {
      key: RECEIPT_PREFIX + recordId,
      value: {
        recordId,
        recordType: 'donation',
        seq,
        mutationId: newId(),
        status: 'applied',
        receivedAt,
        settledAt: '',
      },
    }
  }),
)

/** syncMeta rows that are not receipts, some with an object value. */
const OTHER_META = [
  { key: 'pullCursor', value: 'c-1' },
  { key: 'lastPullAt', value: '2026-11-20T00:00:09.000Z' },
  { key: 'deviceLastSeq', value: 7 },
  { key: 'sync', value: { lastSyncAt: '2026-11-20T00:00:09.000Z', receivedAt: 'x' } },
]

const scan = (rows: Array<{ value: Receipt }>, after: string | null) =>
  rows
    .map((r) => r.value)
    .filter((r) => confirmedAfter(r.receivedAt, after))
    .map((r) => r.recordId)
    .sort()

async function check(db: FieldDb, rows: Array<{ key: string; value: Receipt }>, after: string | null): Promise<void> {
  const late = await receiptsConfirmedAfter(db, after)
  expect(
    late
      .filter((r) => confirmedAfter(r.receivedAt, after))
      .map((r) => r.recordId)
      .sort(),
  ).toEqual(scan(rows, after))
  // Never a row that is not a receipt.
  expect(late.every((r) => typeof r.recordId === 'string' && r.recordType === 'donation')).toBe(true)
  const newest = await latestReceipts(db, 5)
  const byTime = rows.map((r) => r.value).sort((a, b) => Date.parse(b.receivedAt) - Date.parse(a.receivedAt))
  expect(newest.map((r) => Date.parse(r.receivedAt))).toEqual(byTime.slice(0, 5).map((r) => Date.parse(r.receivedAt)))
}

describe('receipts by confirmation time', () => {
  it('give what a scan of every receipt gives', async () => {
    await fc.assert(
      fc.asyncProperty(receiptRows, fc.option(stationTime, { nil: null }), async (rows, after) => {
        const db = new FieldDb(`receipts-${newId()}`)
        try {
          await db.syncMeta.bulkPut([...OTHER_META, ...rows])
          await check(db, rows, after)
        } finally {
          db.delete()
        }
      }),
      { numRuns: 40 },
    )
  })

  it('are found by index on a phone database written at version 4', async () => {
    await fc.assert(
      fc.asyncProperty(receiptRows, stationTime, async (rows, after) => {
        const name = `receipts-v4-${newId()}`
        const v4 = databaseAt(name, 4)
        await v4.table('syncMeta').bulkPut([...OTHER_META, ...rows])
        v4.close()
        const db = new FieldDb(name)
        try {
          await db.open()
          expect(db.verno).toBe(declaredVersions().at(-1)!.version)
          expect(await db.syncMeta.get('deviceLastSeq')).toEqual({ key: 'deviceLastSeq', value: 7 })
          await check(db, rows, after)
        } finally {
          db.delete()
        }
      }),
      { numRuns: 15 },
    )
  })
})
