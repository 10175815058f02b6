// Sync as the screens see it: what waits, what the station refused, when it last confirmed, and
// the actions on refused records, and the reads the sync screen lists. The engine, scheduler and
// Dexie ports do the work (src/app/sync); they load when sync starts or an action needs them, not
// with the first screen. The outbox counts here are the one source every screen shows.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { newId } from '../../domain/ids'
import type { Deferral, Donation } from '../../domain/records'
import { type FieldDb, fieldDb } from '../db'
import { liveQuery, type Subscription } from '../db/live'
import { type OutboxSummary, outboxSummary as readOutboxSummary } from '../db/outbox'
import { deviceInfo } from '../db/reference'
import { readOutboxView, readReceiptsView, type OutboxView, type ReceiptsView } from '../db/sync-screen'
import { lastPullAt, PURGE_AFTER_DAYS } from '../db/sync-meta'
import type { UnsyncedExport } from '../sync/export'
import type { SyncReport } from '../sync/engine'
import type { RequestErrorKind } from '../net/errors'
import type { PhoneSyncOptions } from '../sync/phone'
import { EMPTY_SYNC_META, type SyncMeta } from '../sync/ports'
import type { SchedulerEnvironment, SchedulerOptions, SchedulerPhase, SyncScheduler } from '../sync/scheduler'
import { useDeviceStore } from './useDeviceStore'
import { useSessionStore } from './useSessionStore'

export type SyncBadgeState = 'offline' | 'waiting' | 'syncing' | 'confirmed' | 'attention' | 'blocked'

export interface SyncStartOptions extends PhoneSyncOptions {
  db?: FieldDb
  environment?: SchedulerEnvironment
  scheduler?: SchedulerOptions
  purgeAfterDays?: number
}

export interface SyncFailure {
  kind: RequestErrorKind
  message: string
  code: string | null
}

export const useSyncStore = defineStore('sync', () => {
  const phase = ref<SchedulerPhase>('idle')
  const pending = ref(0)
  const rejected = ref(0)
  /** Phone clock (ms) of the oldest record still on this phone only. */
  const oldestCreatedAt = ref<number | null>(null)
  const meta = shallowRef<SyncMeta>({ ...EMPTY_SYNC_META })
  const lastReport = shallowRef<SyncReport | null>(null)
  const lastFailure = shallowRef<SyncFailure | null>(null)
  const nextRunAt = ref<number | null>(null)
  const online = ref(globalThis.navigator?.onLine ?? true)
  const started = ref(false)
  const purgeAfterDays = ref(PURGE_AFTER_DAYS)

  let db: FieldDb | null = null
  let scheduler: SyncScheduler | null = null
  let subscriptions: Subscription[] = []
  let stopOnlineWatch: (() => void) | null = null
  let outboxWatch: { db: FieldDb; subscription: Subscription; first: Promise<void> } | null = null
  /** Pending as the running scheduler last saw it: more than that means a save, so sync soon. */
  let scheduledPending = 0

  const outboxSummary = computed<OutboxSummary>(() => ({
    pending: pending.value,
    rejected: rejected.value,
    oldestCreatedAt: oldestCreatedAt.value,
  }))

  /**
   * Keeps the outbox counts current (idempotent per database); sync's start does it too. Resolves
   * once the counts are read, rejects if the first read fails.
   */
  function watchOutbox(database: FieldDb = db ?? fieldDb(), restart = false): Promise<void> {
    if (outboxWatch?.db === database && !restart) return outboxWatch.first
    outboxWatch?.subscription.unsubscribe()
    let seen = false
    let settle: { resolve: () => void; reject: (err: unknown) => void } = { resolve: () => {}, reject: () => {} }
    const first = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject }
    })
    first.catch(() => {})
    const subscription = liveQuery(() => readOutboxSummary(database)).subscribe({
      next: (s) => {
        pending.value = s.pending
        rejected.value = s.rejected
        oldestCreatedAt.value = s.oldestCreatedAt
        seen = true
        settle.resolve()
        if (!scheduler) return
        const grew = s.pending > scheduledPending
        scheduledPending = s.pending
        if (grew) scheduler.noteSaved()
      },
      error: (err) => {
        /* keep the last counts; the next change retries */
        if (!seen) settle.reject(err)
      },
    })
    outboxWatch = { db: database, subscription, first }
    return first
  }

  /** The outbox counts once known (the update prompt and storage panel ask before showing them). */
  async function currentOutboxSummary(): Promise<OutboxSummary> {
    await watchOutbox()
    return outboxSummary.value
  }

  const badge = computed<{ state: SyncBadgeState; count: number; at: string | null }>(() => {
    const at = meta.value.lastCompleteAt ?? meta.value.lastPushAt
    if (phase.value === 'blocked') return { state: 'blocked', count: pending.value, at }
    if (phase.value === 'syncing') return { state: 'syncing', count: pending.value, at }
    if (!online.value || phase.value === 'offline') return { state: 'offline', count: pending.value, at }
    if (pending.value > 0) return { state: 'waiting', count: pending.value, at }
    if (rejected.value > 0) return { state: 'attention', count: rejected.value, at }
    return { state: 'confirmed', count: 0, at }
  })

  let starting: Promise<void> | null = null

  /** Start syncing on its own (idempotent). Waits for enrollment: nothing runs without a device. */
  function start(opts: SyncStartOptions = {}): Promise<void> {
    if (started.value) return starting ?? Promise.resolve()
    started.value = true
    starting = begin(opts)
    return starting
  }

  async function begin(opts: SyncStartOptions): Promise<void> {
    db = opts.db ?? fieldDb()
    if (opts.purgeAfterDays !== undefined) purgeAfterDays.value = opts.purgeAfterDays
    const database = db
    const [
      { createPhoneSyncEngine },
      { browserEnvironment, SyncScheduler },
      { purgeConfirmedIdentities, purgeStaleDrafts },
      { dexieMetaPort },
    ] = await Promise.all([
      import('../sync/phone'),
      import('../sync/scheduler'),
      import('../sync/purge'),
      import('../sync/dexie-ports'),
    ])
    if (!started.value) return // stopped while the code loaded
    const engine = createPhoneSyncEngine(database, opts)
    const run = async (): Promise<SyncReport> => {
      const report = await engine.sync()
      lastReport.value = report
      // Drafts are never sent: their purge needs no answer from the station, nor holds up the report.
      void purgeStaleDrafts(database, { afterDays: purgeAfterDays.value }).catch(() => 0)
      if (!report.error) {
        // Personal data leaves the phone only after the station confirmed it (PIPL).
        await purgeConfirmedIdentities(database, { afterDays: purgeAfterDays.value }).catch(() => 0)
      }
      // New roster, sites or channels from the pull: the screens read them from the device store.
      if (report.pull && report.pull.applied > 0)
        await useDeviceStore()
          .load()
          .catch(() => {})
      return report
    }
    const environment = opts.environment ?? browserEnvironment(newId())
    scheduler = new SyncScheduler(run, environment, opts.scheduler, (state) => {
      phase.value = state.phase
      nextRunAt.value = state.nextRunAt
      lastFailure.value = state.lastError
        ? { kind: state.lastError.kind, message: state.lastError.message, code: state.lastError.code }
        : null
    })
    // Read again now that a scheduler listens: waiting records at start count as saved.
    void watchOutbox(database, true)
    subscriptions = [
      liveQuery(() => dexieMetaPort(database).get()).subscribe({
        next: (m) => {
          meta.value = m
        },
        error: () => {},
      }),
    ]
    if (typeof window !== 'undefined') {
      const update = () => {
        online.value = navigator.onLine
      }
      window.addEventListener('online', update)
      window.addEventListener('offline', update)
      stopOnlineWatch = () => {
        window.removeEventListener('online', update)
        window.removeEventListener('offline', update)
      }
    }
    // Sync starts once the phone is enrolled, and a new token (enrolled again after a 401) retries at once.
    let token: string | null | undefined
    subscriptions.push(
      liveQuery(() => deviceInfo(database)).subscribe({
        next: (device) => {
          if (!device || !scheduler) return
          if (!scheduler.started) scheduler.start()
          else if (token !== undefined && device.token !== token) void scheduler.trigger('button')
          token = device.token
        },
        error: () => {},
      }),
    )
  }

  /** After enrollment (or a new token) the automatic sync may begin. */
  function enrolled(): void {
    if (!scheduler) return
    if (!scheduler.started) scheduler.start()
    else void scheduler.trigger('button')
  }

  function stop(): void {
    starting = null
    scheduler?.stop()
    for (const s of subscriptions) s.unsubscribe()
    subscriptions = []
    outboxWatch?.subscription.unsubscribe()
    outboxWatch = null
    stopOnlineWatch?.()
    stopOnlineWatch = null
    scheduler = null
    started.value = false
  }

  /** "Sync now". */
  async function syncNow(): Promise<SyncReport | null> {
    await start()
    if (!scheduler!.started) scheduler!.start()
    return scheduler!.trigger('button')
  }

  function actor() {
    const session = useSessionStore()
    if (!session.staffId) throw new Error('unlock the phone first')
    return { staffId: session.staffId }
  }

  function database(): FieldDb {
    return db ?? fieldDb()
  }

  const attention = () => import('../sync/attention')

  async function voidRefused(seq: number, reason: string): Promise<void> {
    const by = actor()
    await (await attention()).voidRejected(database(), seq, reason, by)
  }

  async function fixRefused(seq: number, replacement: Donation | Deferral, reason: string): Promise<void> {
    const by = actor()
    await (await attention()).fixAndResend(database(), seq, replacement, reason, by)
    scheduler?.noteSaved()
  }

  async function sendRefusedAgain(seq: number): Promise<void> {
    const by = actor()
    await (await attention()).sendAgain(database(), seq, by)
    scheduler?.noteSaved()
  }

  async function setRefusedAside(seq: number, reason: string): Promise<void> {
    const by = actor()
    await (await attention()).setAside(database(), seq, reason, by)
  }

  /** Everything not confirmed, as an interchange file (the view hands it to the browser); its code loads here. */
  async function exportUnsynced(): Promise<UnsyncedExport> {
    const { unsyncedExport } = await import('../sync/export')
    return unsyncedExport(database())
  }

  /** The sync screen's outbox list with the names of its records (for a live query). */
  function readOutbox(): Promise<OutboxView> {
    return readOutboxView(database())
  }

  /** The sync screen's latest receipts with their records (for a live query). */
  function readReceipts(): Promise<ReceiptsView> {
    return readReceiptsView(database(), 30)
  }

  /** Station time of the last applied pull page (for a live query). */
  function readStationAsOf(): Promise<string | null> {
    return lastPullAt(database())
  }

  /** The staff read the wiped-storage or station-behind notice. */
  async function dismissNotice(which: 'storageWipe' | 'stationBehind'): Promise<void> {
    const { dexieMetaPort } = await import('../sync/dexie-ports')
    await dexieMetaPort(database()).patch({ [which]: null })
  }

  return {
    phase,
    pending,
    rejected,
    oldestCreatedAt,
    outboxSummary,
    meta,
    lastReport,
    lastFailure,
    nextRunAt,
    online,
    started,
    purgeAfterDays,
    badge,
    start,
    stop,
    watchOutbox,
    currentOutboxSummary,
    readOutbox,
    readReceipts,
    readStationAsOf,
    enrolled,
    syncNow,
    voidRefused,
    fixRefused,
    sendRefusedAgain,
    setRefusedAside,
    dismissNotice,
    exportUnsynced,
  }
})
