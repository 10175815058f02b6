// The phone's progress screen: this phone's drives today against their targets, and the station's
// month and year (and its quarter, custom-period and site targets) as of the last sync plus what
// this phone has not synced yet. Reads only running aggregates (drive tallies, the pulled station
// totals, and what the records those totals do not hold add to them, kept by cell) and the
// outbox (what waits, per drive), never every record on the phone, and re-reads by itself when any
// of it changes (a save, a sync, a pull, in this tab or another).
//
// The figures stay in memory between openings: a later opening shows them at once when nothing
// they come from has changed since they were read (and it is still the same day), and re-checks
// in the background. A change while the screen is closed marks them stale at once and re-reads
// them when the phone is idle, so the next opening is quick after a save too; stale figures are
// never shown (the screen waits for a fresh read instead).
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { type FieldDb, fieldDb } from '../db'
import { isoDateOf } from '../../domain/dates'
import {
  onProgressSourcesChange,
  type ProgressReadOptions,
  type ProgressSources,
  readProgressSources,
} from '../db/progress'
import {
  type DriveCard,
  driveCard,
  type OtherTargetRow,
  otherTargets,
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
  const { today, targets, unsynced } = src
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
    month: stationCard({ kind: 'month', today, totals: src.monthTotals, unsynced, targets, ctx: src.ctx }),
    year: stationCard({ kind: 'year', today, totals: src.yearTotals, unsynced, targets, ctx: src.ctx }),
    refused: unsynced.refused,
    others: otherTargets({
      today,
      targets,
      targetTotals: src.targetTotals,
      computedAt: src.computedAt,
      unsynced,
      ctx: src.ctx,
    }),
  }
}

/** Runs `work` when the phone is idle (soon at the latest), after a short pause that gathers a burst of changes. */
function whenIdle(work: () => void): () => void {
  let idle = 0
  const pause = setTimeout(() => {
    if (typeof requestIdleCallback === 'function') idle = requestIdleCallback(work, { timeout: 2000 })
    else work()
  }, 300)
  return () => {
    clearTimeout(pause)
    if (idle && typeof cancelIdleCallback === 'function') cancelIdleCallback(idle)
  }
}

/** Runs `work` once the screen has painted (or soon, where frames do not come: a hidden tab, tests). */
function afterPaint(work: () => void): void {
  let done = false
  const once = () => {
    if (done) return
    done = true
    work()
  }
  const fallback = setTimeout(once, 100)
  if (typeof requestAnimationFrame === 'function')
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback)
        once()
      }),
    )
}

const optsKey = (opts: ProgressReadOptions): string => `${opts.driveId ?? ''}|${opts.today ?? ''}`

export const useFieldProgressStore = defineStore('fieldProgress', () => {
  const progress = shallowRef<FieldProgress | null>(null)
  const error = ref<string | null>(null)
  /** performance.now() when the last figures arrived, and how long reading them took (0: shown from memory). */
  const readyAt = ref<number | null>(null)
  const readMs = ref<number | null>(null)

  // What the kept figures are of, and whether they are still fresh: every change notice bumps
  // `changes`; figures read while `changes` stayed at n are fresh as long as it is n.
  let db: FieldDb | null = null
  let opts: ProgressReadOptions = {}
  let keptFor: string | null = null
  let keptZone = 'Asia/Shanghai'
  let changes = 0
  let readAt = -1
  let open = false
  let stopListening: (() => void) | null = null
  let cancelIdle: (() => void) | null = null
  let reading = false
  let again = false

  function changed(): void {
    changes++
    cancelIdle?.()
    cancelIdle = null
    if (open) void refresh()
    else if (keptFor !== null) cancelIdle = whenIdle(() => void refresh())
  }

  /** One read at a time; a change during a read reads again after it (the newest change always gets a read). */
  async function refresh(): Promise<void> {
    if (!db) return
    if (reading) {
      again = true
      return
    }
    reading = true
    const at = changes
    const readOpts = opts
    const from = db
    const started = performance.now()
    try {
      const src = await readProgressSources(from, readOpts)
      if (from === db && readOpts === opts) {
        progress.value = progressOf(src, readOpts)
        keptFor = optsKey(readOpts)
        keptZone = src.timeZone
        readAt = at
        error.value = null
        readyAt.value = performance.now()
        readMs.value = readyAt.value - started
      } else again = true
    } catch (err) {
      if (open) error.value = err instanceof Error ? err.message : String(err)
    } finally {
      reading = false
      if (again) {
        again = false
        void refresh()
      }
    }
  }

  /** Whether the kept figures may be shown for `next`: fresh, of the same drive, and of today. */
  function keptFits(next: ProgressReadOptions): boolean {
    return (
      progress.value !== null &&
      keptFor === optsKey(next) &&
      readAt === changes &&
      progress.value.today === (next.today ?? isoDateOf(new Date(), keptZone))
    )
  }

  /**
   * Show progress (live: re-read whenever the records, the outbox or the pulled data change).
   * Call it before the screen renders: it drops kept figures that no longer fit at once.
   */
  function watch(next: ProgressReadOptions = {}, on: FieldDb = fieldDb()): void {
    if (db !== on) {
      stopListening?.()
      db = on
      keptFor = null
      stopListening = onProgressSourcesChange(on, changed)
    }
    cancelIdle?.()
    cancelIdle = null
    const fits = keptFits(next)
    opts = next
    open = true
    error.value = null
    if (fits) {
      readyAt.value = performance.now()
      readMs.value = 0
      // Re-checked behind the screen, once the kept figures are painted.
      afterPaint(() => {
        if (open && opts === next) void refresh()
      })
    } else {
      progress.value = null
      keptFor = null
      void refresh()
    }
  }

  /** The screen closed: keep the figures (and their freshness) for the next opening. */
  function stop(): void {
    open = false
  }

  /** One read without watching (tests, the bench). */
  async function load(readOpts: ProgressReadOptions = {}, from: FieldDb = fieldDb()): Promise<FieldProgress> {
    const value = await readFieldProgress(from, readOpts)
    progress.value = value
    keptFor = null // not what a watch would keep: the next opening reads
    readyAt.value = performance.now()
    return value
  }

  return { progress, error, readyAt, readMs, watch, stop, load }
})
