// The phone's progress screen: this phone's drives today against their targets, and the station's
// month and year (and its quarter, custom-period and site targets) as of the last sync plus what
// this phone has not synced yet. Reads only running aggregates (drive tallies, the pulled station
// totals) and the records that are not in those totals (the outbox, and receipts newer than the
// totals), never every record on the phone, and re-reads by itself when any of it changes (a
// save, a sync, a pull).
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { type FieldDb, fieldDb } from '../db'
import {
  type ProgressReadOptions,
  type ProgressSources,
  readProgressSources,
  watchProgressSources,
} from '../db/progress'
import {
  type DriveCard,
  driveCard,
  type OtherTargetRow,
  otherTargets,
  refusedCount,
  type StationCard,
  stationCard,
} from '../field/progress-model'
import { waitingByDrive } from '../field/waiting'

export type { ProgressReadOptions } from '../db/progress'

export interface FieldProgress {
  today: string
  /** Station time of the last pull (ISO), null before the first. */
  lastSyncAt: string | null
  drives: DriveCard[]
  month: StationCard
  year: StationCard
  /** Records the station refused that change figures; counted nowhere until resolved. */
  refused: number
  /** Quarter, custom-period and site targets running today. */
  others: OtherTargetRow[]
}

/** Everything the progress screen shows, read from the phone's database. */
export async function readFieldProgress(db: FieldDb, opts: ProgressReadOptions = {}): Promise<FieldProgress> {
  return progressOf(await readProgressSources(db, opts), opts)
}

/** The screen's figures from what was read (arithmetic only). */
function progressOf(src: ProgressSources, opts: ProgressReadOptions): FieldProgress {
  const { today, targets, families } = src
  const waiting = waitingByDrive(src.waiting, src.driveOf)
  const driveCards = src.drives
    .map(({ drive, counts, closed }) =>
      driveCard({
        drive,
        closed,
        counts,
        notSent: waiting.get(drive.id)?.waiting ?? 0,
        refused: waiting.get(drive.id)?.refused ?? 0,
        targets,
        today,
      }),
    )
    // The chosen drive first, then open ones, then the latest opened.
    .sort(
      (a, b) =>
        Number(b.drive.id === opts.driveId) - Number(a.drive.id === opts.driveId) ||
        Number(a.closed) - Number(b.closed) ||
        b.drive.createdAt.localeCompare(a.drive.createdAt),
    )
  return {
    today,
    lastSyncAt: src.lastSyncAt,
    drives: driveCards,
    month: stationCard({ kind: 'month', today, totals: src.monthTotals, families, targets, ctx: src.ctx }),
    year: stationCard({ kind: 'year', today, totals: src.yearTotals, families, targets, ctx: src.ctx }),
    refused: refusedCount(families),
    others: otherTargets({
      today,
      targets,
      targetTotals: src.targetTotals,
      computedAt: src.computedAt,
      families,
      ctx: src.ctx,
    }),
  }
}

export const useFieldProgressStore = defineStore('fieldProgress', () => {
  const progress = shallowRef<FieldProgress | null>(null)
  const error = ref<string | null>(null)
  /** performance.now() when the last figures arrived, and how long reading them took (the bench reads both). */
  const readyAt = ref<number | null>(null)
  const readMs = ref<number | null>(null)
  let unwatch: (() => void) | null = null

  /** Show progress (live: re-read whenever the records, the outbox or the pulled data change). */
  function watch(opts: ProgressReadOptions = {}, db: FieldDb = fieldDb()): void {
    stop()
    unwatch = watchProgressSources(db, opts, {
      next: (src, started) => {
        progress.value = progressOf(src, opts)
        error.value = null
        readyAt.value = performance.now()
        readMs.value = readyAt.value - started
      },
      error: (err: unknown) => {
        error.value = err instanceof Error ? err.message : String(err)
      },
    })
  }

  /** Stop watching and forget the figures: the next screen reads afresh, never shows stale ones. */
  function stop(): void {
    unwatch?.()
    unwatch = null
    progress.value = null
  }

  /** One read without watching (tests, the bench). */
  async function load(opts: ProgressReadOptions = {}, db: FieldDb = fieldDb()): Promise<FieldProgress> {
    const value = await readFieldProgress(db, opts)
    progress.value = value
    readyAt.value = performance.now()
    return value
  }

  return { progress, error, readyAt, readMs, watch, stop, load }
})
