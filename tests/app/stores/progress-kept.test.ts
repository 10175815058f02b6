// The progress store keeps its figures between openings of the screen. These tests hold it to
// "never stale": after a save on this phone, a save in another tab, a void, a sync or a new day,
// the next opening shows the new figure or nothing yet, never the kept old one; and when nothing
// changed, the next opening shows the kept figures at once (no read before the first render).
import { Dexie } from 'dexie'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { emptyCounts, type IndicatorCounts } from '../../../src/domain/indicators'
import { newId } from '../../../src/domain/ids'
import type { Void } from '../../../src/domain/records'
import type { MutationResult, StationTotals } from '../../../src/domain/sync-protocol'
import type { FieldDb } from '../../../src/app/db'
import { saveFieldRecords } from '../../../src/app/db/field-records'
import { cellWith, newRecordEffect } from '../../../src/app/db/progress-delta'
import type { EffectCell } from '../../../src/app/field/progress-cells'
import { dexieOutboxPort, dexieReferenceSink } from '../../../src/app/sync/dexie-ports'
import { type ProgressReadOptions, useFieldProgressStore } from '../../../src/app/stores/useFieldProgressStore'
import { freshDb, makeDonation, makeDrive, RURAL, seedReference, STATION } from '../support/field-fixtures'

const STAFF = newId()
const TODAY = '2026-11-20'

function totals(kind: 'month' | 'year', donations: number, computedAt: string, period = kind): StationTotals {
  const counts: IndicatorCounts = {
    ...emptyCounts(),
    donations,
    wholeBloodDonations: donations,
    wholeBlood400: donations,
    wholeBloodUnits: 2 * donations,
  }
  return {
    key: kind,
    period:
      period === 'month'
        ? { kind: 'month', start: '2026-11-01', end: '2026-11-30' }
        : { kind: 'year', start: '2026-01-01', end: '2026-12-31' },
    computedAt,
    counts,
    indicators: null as never,
    byChannel: {},
    byTeam: {},
  }
}

let db: FieldDb
const drive = makeDrive(STAFF, { date: TODAY })
const d1 = makeDonation(drive, STAFF, { collectedOn: TODAY, din: 'W123426000001' })
const d2 = makeDonation(drive, STAFF, { collectedOn: TODAY, din: 'W123426000002' })

async function pull(month: number, year: number, computedAt: string, deviceLastSeq: number): Promise<void> {
  await dexieReferenceSink(db).applyPage({
    cursor: `000000000001.${Date.now()}`,
    reset: false,
    more: false,
    serverTime: computedAt,
    deviceLastSeq,
    changes: [
      { op: 'upsert', entity: 'totals', key: 'month', value: totals('month', month, computedAt) },
      { op: 'upsert', entity: 'totals', key: 'year', value: totals('year', year, computedAt) },
    ],
  })
}

const monthFigure = (store: ReturnType<typeof useFieldProgressStore>) => store.progress?.month.counts.counts.donations

/** Opens the screen (as the view does, before its first render) and returns what it shows at once. */
function open(store: ReturnType<typeof useFieldProgressStore>, opts: ProgressReadOptions = { today: TODAY }) {
  store.watch(opts, db)
  return monthFigure(store)
}

/** Opens, waits for the fresh figure, closes: the figures are kept. */
async function openAndClose(
  store: ReturnType<typeof useFieldProgressStore>,
  expected: number,
  opts: ProgressReadOptions = { today: TODAY },
) {
  store.watch(opts, db)
  await expect.poll(() => monthFigure(store)).toBe(expected)
  store.stop()
}

/** Lets the store's re-read while the screen is closed (when the phone is idle) happen. */
const idle = () => new Promise((r) => setTimeout(r, 700))

beforeEach(async () => {
  setActivePinia(createPinia())
  db = freshDb()
  await seedReference(db)
  await pull(10, 40, '2026-11-20T00:00:00.000Z', 0)
})

afterEach(() => {
  useFieldProgressStore().stop()
  vi.useRealTimers()
})

describe('progress kept between openings', () => {
  it('a later opening with nothing changed shows the kept figures before any read', async () => {
    const store = useFieldProgressStore()
    expect(open(store)).toBeUndefined()
    await expect.poll(() => monthFigure(store)).toBe(10)
    store.stop()
    await idle()
    expect(open(store)).toBe(10)
    expect(store.readMs).toBe(0)
  })

  it('a save on this phone: the opening right after it never shows the old figure, and once idle the new one is kept', async () => {
    const store = useFieldProgressStore()
    await saveFieldRecords([drive], db)
    await openAndClose(store, 10)
    // The donor form's save (one donation: straight on IndexedDB, not through Dexie). Straight after the save's commit, before any timer ran (Dexie's live queries hear of a save
    // on a timer, after "saved" is on screen): the kept 10 is not shown.
    vi.useFakeTimers({ toFake: ['setTimeout'] })
    await saveFieldRecords([d1], db)
    expect(open(store)).toBeUndefined()
    vi.runOnlyPendingTimers()
    vi.useRealTimers()
    await expect.poll(() => monthFigure(store)).toBe(11)
    store.stop()

    await saveFieldRecords([d2], db)
    await idle()
    // Re-read while the screen was closed: the next opening shows 12 at once.
    expect(open(store)).toBe(12)
    expect(store.readMs).toBe(0)
  })

  it("another tab's save (told by Dexie over its BroadcastChannel) makes the kept figures stale", async () => {
    const store = useFieldProgressStore()
    await openAndClose(store, 10)
    // Another tab writes on its own connection; this tab hears of it only through the channel.
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open(db.name)
      req.onerror = () => reject(req.error)
      req.onsuccess = () => {
        const other = req.result
        const tx = other.transaction(['donations', 'outbox', 'progressCells'], 'readwrite')
        tx.objectStore('donations').put(d1)
        // What that tab's save adds to progress, as it writes it (db/field-records.ts saveVisit).
        const [added] = newRecordEffect([d1], { ruralMobileChannelIds: new Set([RURAL.id]) }).cells.values()
        const got = tx.objectStore('progressCells').get(added!.key)
        got.onsuccess = () =>
          tx.objectStore('progressCells').put(cellWith(got.result as EffectCell | undefined, added!)!)
        tx.objectStore('outbox').add({
          mutationId: newId(),
          recordId: d1.id,
          recordType: 'donation',
          record: d1,
          status: 'pending',
          createdAt: Date.now(),
          attempts: 0,
          lastAttemptAt: null,
          lastError: null,
        })
        tx.oncomplete = () => {
          other.close()
          resolve()
        }
        tx.onerror = () => reject(tx.error)
      }
    })
    // What the other tab's Dexie posts after its commit, as this tab's Dexie receives it.
    const heard = new Promise<void>((resolve) => {
      const listener = () => {
        Dexie.on.storagemutated.unsubscribe(listener)
        resolve()
      }
      Dexie.on.storagemutated.subscribe(listener)
    })
    const channel = new BroadcastChannel('x-storagemutated-1')
    channel.postMessage({ [`idb://${db.name}/outbox/`]: { d: 1, from: -Infinity, to: [[]] } })
    await heard
    channel.close()
    expect(open(store)).toBeUndefined()
    await expect.poll(() => monthFigure(store)).toBe(11)
  })

  it('a void saved while the screen is closed lowers the next opening at once', async () => {
    const store = useFieldProgressStore()
    await saveFieldRecords([drive, d1, d2], db)
    await openAndClose(store, 12)
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
    expect(open(store)).toBeUndefined()
    await expect.poll(() => monthFigure(store)).toBe(11)
    store.stop()
    await idle()
    expect(open(store)).toBe(11)
  })

  it('a sync (confirmation, then a pull with new totals) is seen by the next opening', async () => {
    const store = useFieldProgressStore()
    await saveFieldRecords([drive, d1], db)
    await openAndClose(store, 11)
    expect(store.progress?.month.unsynced).toBe(2)
    const pending = await dexieOutboxPort(db).pending(100)
    const results: MutationResult[] = pending.map((e) => ({
      status: 'applied',
      seq: e.seq,
      mutationId: e.mutationId,
      recordId: e.recordId,
      receivedAt: '2026-11-20T03:00:00.000Z',
    }))
    await dexieOutboxPort(db).settle(results, new Date().toISOString())
    // The station counted other phones' donations too: 15 this month once pulled.
    await pull(15, 45, '2026-11-20T03:00:05.000Z', Math.max(...pending.map((e) => e.seq)))
    expect(open(store)).toBeUndefined()
    await expect.poll(() => monthFigure(store)).toBe(15)
    expect(store.progress?.month.unsynced).toBe(0)
  })

  it('a new day drops the kept figures (a month rolled over), even when nothing was saved', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-30T15:00:00+08:00'))
    const store = useFieldProgressStore()
    await openAndClose(store, 10, {})
    expect(store.progress?.today).toBe('2026-11-30')
    expect(store.progress?.month.period.start).toBe('2026-11-01')
    await idle()
    vi.setSystemTime(new Date('2026-12-01T08:00:00+08:00'))
    expect(open(store, {})).toBeUndefined()
    await expect.poll(() => store.progress?.today).toBe('2026-12-01')
    // December: November's totals no longer hold this month.
    expect(store.progress?.month.period.start).toBe('2026-12-01')
    expect(store.progress?.month.hasTotals).toBe(false)
  })

  it('a different drive asked for is not served from the figures kept for another', async () => {
    const store = useFieldProgressStore()
    await saveFieldRecords([drive, d1], db)
    await openAndClose(store, 11)
    await idle()
    store.watch({ today: TODAY, driveId: drive.id }, db)
    expect(store.progress).toBeNull()
    await expect.poll(() => store.progress?.drives[0]?.drive.id).toBe(drive.id)
  })
})
