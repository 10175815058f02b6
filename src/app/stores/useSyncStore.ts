// Sync as the screens see it: what waits, what the station refused, when it last confirmed, and
// the actions on refused records. The engine, scheduler and Dexie ports do the work (src/app/sync).
import { liveQuery, type Subscription } from 'dexie'
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { newId } from '../../domain/ids'
import type { Deferral, Donation } from '../../domain/records'
import { type FieldDb, fieldDb } from '../db'
import { outboxSummary } from '../db/outbox'
import { fixAndResend, sendAgain, setAside, voidRejected } from '../sync/attention'
import { dexieMetaPort } from '../sync/dexie-ports'
import { unsyncedExport, type UnsyncedExport } from '../sync/export'
import type { SyncReport } from '../sync/engine'
import type { SyncErrorKind } from '../sync/errors'
import { createPhoneSyncEngine, type PhoneSyncOptions } from '../sync/phone'
import { EMPTY_SYNC_META, type SyncMeta } from '../sync/ports'
import { DEFAULT_PURGE_AFTER_DAYS, purgeConfirmedIdentities } from '../sync/purge'
import {
  browserEnvironment, type SchedulerEnvironment, type SchedulerOptions, type SchedulerPhase, SyncScheduler,
} from '../sync/scheduler'
import { useDeviceStore } from './device'
import { useSessionStore } from './session'

export type SyncBadgeState = 'offline' | 'waiting' | 'syncing' | 'confirmed' | 'attention' | 'blocked'

export interface SyncStartOptions extends PhoneSyncOptions {
  db?: FieldDb
  environment?: SchedulerEnvironment
  scheduler?: SchedulerOptions
  purgeAfterDays?: number
}

export interface SyncFailure {
  kind: SyncErrorKind
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
  const purgeAfterDays = ref(DEFAULT_PURGE_AFTER_DAYS)

  let db: FieldDb | null = null
  let scheduler: SyncScheduler | null = null
  let subscriptions: Subscription[] = []
  let stopOnlineWatch: (() => void) | null = null

  const badge = computed<{ state: SyncBadgeState, count: number, at: string | null }>(() => {
    const at = meta.value.lastCompleteAt ?? meta.value.lastPushAt
    if (phase.value === 'blocked') return { state: 'blocked', count: pending.value, at }
    if (phase.value === 'syncing') return { state: 'syncing', count: pending.value, at }
    if (!online.value || phase.value === 'offline') return { state: 'offline', count: pending.value, at }
    if (pending.value > 0) return { state: 'waiting', count: pending.value, at }
    if (rejected.value > 0) return { state: 'attention', count: rejected.value, at }
    return { state: 'confirmed', count: 0, at }
  })

  /** Start syncing on its own (idempotent). Waits for enrollment: nothing runs without a device. */
  async function start(opts: SyncStartOptions = {}): Promise<void> {
    if (started.value) return
    started.value = true
    db = opts.db ?? fieldDb()
    if (opts.purgeAfterDays !== undefined) purgeAfterDays.value = opts.purgeAfterDays
    const database = db
    const engine = createPhoneSyncEngine(database, opts)
    const run = async (): Promise<SyncReport> => {
      const report = await engine.sync()
      lastReport.value = report
      if (!report.error) {
        // Personal data leaves the phone only after the station confirmed it (PIPL).
        await purgeConfirmedIdentities(database, { afterDays: purgeAfterDays.value }).catch(() => 0)
      }
      // New roster, sites or channels from the pull: the screens read them from the device store.
      if (report.pull && report.pull.applied > 0) await useDeviceStore().load().catch(() => {})
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
    subscriptions = [
      liveQuery(() => outboxSummary(database)).subscribe({
        next: (s) => {
          const grew = s.pending > pending.value
          pending.value = s.pending
          rejected.value = s.rejected
          oldestCreatedAt.value = s.oldestCreatedAt
          if (grew) scheduler?.noteSaved()
        },
        error: () => { /* keep the last counts; the next change retries */ },
      }),
      liveQuery(() => dexieMetaPort(database).get()).subscribe({
        next: (m) => { meta.value = m },
        error: () => {},
      }),
    ]
    if (typeof window !== 'undefined') {
      const update = () => { online.value = navigator.onLine }
      window.addEventListener('online', update)
      window.addEventListener('offline', update)
      stopOnlineWatch = () => { window.removeEventListener('online', update); window.removeEventListener('offline', update) }
    }
    // Sync starts once the phone is enrolled, and a new token (enrolled again after a 401) retries at once.
    let token: string | null | undefined
    subscriptions.push(liveQuery(() => database.device.get('device')).subscribe({
      next: (device) => {
        if (!device || !scheduler) return
        if (!scheduler.started) scheduler.start()
        else if (token !== undefined && device.token !== token) void scheduler.trigger('button')
        token = device.token
      },
      error: () => {},
    }))
  }

  /** After enrollment (or a new token) the automatic sync may begin. */
  function enrolled(): void {
    if (!scheduler) return
    if (!scheduler.started) scheduler.start()
    else void scheduler.trigger('button')
  }

  function stop(): void {
    scheduler?.stop()
    for (const s of subscriptions) s.unsubscribe()
    subscriptions = []
    stopOnlineWatch?.()
    stopOnlineWatch = null
    scheduler = null
    started.value = false
  }

  /** "Sync now". */
  async function syncNow(): Promise<SyncReport | null> {
    if (!scheduler) await start()
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

  async function voidRefused(seq: number, reason: string): Promise<void> {
    await voidRejected(database(), seq, reason, actor())
  }

  async function fixRefused(seq: number, replacement: Donation | Deferral, reason: string): Promise<void> {
    await fixAndResend(database(), seq, replacement, reason, actor())
    scheduler?.noteSaved()
  }

  async function sendRefusedAgain(seq: number): Promise<void> {
    await sendAgain(database(), seq, actor())
    scheduler?.noteSaved()
  }

  async function setRefusedAside(seq: number, reason: string): Promise<void> {
    await setAside(database(), seq, reason, actor())
  }

  /** Everything not confirmed, as an interchange file (the view hands it to the browser). */
  async function exportUnsynced(): Promise<UnsyncedExport> {
    return unsyncedExport(database())
  }

  /** The staff read the wiped-storage or station-behind notice. */
  async function dismissNotice(which: 'storageWipe' | 'stationBehind'): Promise<void> {
    await dexieMetaPort(database()).patch({ [which]: null })
  }

  return {
    phase, pending, rejected, oldestCreatedAt, meta, lastReport, lastFailure, nextRunAt, online, started, purgeAfterDays,
    badge, start, stop, enrolled, syncNow, voidRefused, fixRefused, sendRefusedAgain, setRefusedAside, dismissNotice,
    exportUnsynced,
  }
})
