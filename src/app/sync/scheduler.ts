// When to sync: on start, on `online`, on becoming visible, after a save, on a timer (exponential
// backoff with jitter after failures), on the "Sync now" button, and when the service worker's
// Background Sync fires (a bonus where it exists, never relied on). One tab at a time.
//
// After a failure the backoff holds for every trigger but the button: start, online, visible,
// saved, Background Sync and another tab all wait for it. It is kept in localStorage, so every tab
// of the phone and a restarted app share one backoff (a station refusing connections sees a
// handful of attempts in ten minutes, not a storm).
import { BACKGROUND_SYNC_TAG, SYNC_MESSAGE } from '../sw/messages'
import type { RequestError } from '../net/errors'
import type { SyncReport } from './engine'

export interface SchedulerEnvironment {
  setTimer(fn: () => void, ms: number): unknown
  clearTimer(handle: unknown): void
  random(): number
  isOnline(): boolean
  /** Run `fn` only if no other tab is syncing; 'busy' when another one holds the lock. */
  exclusive(fn: () => Promise<void>): Promise<'ran' | 'busy'>
  /** Subscribe to online / visible / service-worker "sync" events; returns an unsubscribe. */
  listen(trigger: (reason: SyncTrigger) => void): () => void
  /** Ask the service worker for a Background Sync when a round failed for the network. */
  requestBackgroundSync(): void
  /** The retry backoff every tab of this phone shares (in memory when absent). */
  backoff?: BackoffStore
}

/** Failures in a row and the earliest time (ms since epoch) anything but the button may try again. */
export interface BackoffState {
  failures: number
  notBefore: number
}

export interface BackoffStore {
  read(): BackoffState | null
  write(state: BackoffState | null): void
}

export function memoryBackoff(): BackoffStore {
  let state: BackoffState | null = null
  return {
    read: () => state,
    write: (s) => {
      state = s
    },
  }
}

export type SyncTrigger = 'start' | 'online' | 'visible' | 'timer' | 'button' | 'saved' | 'background-sync' | 'retry'

export interface SchedulerOptions {
  /** Between rounds while all is well (pulls station totals). */
  idleIntervalMs?: number
  /** First retry after a failure; doubles each time up to maxBackoffMs. */
  baseBackoffMs?: number
  maxBackoffMs?: number
  /** A save waits this long for more saves before a round starts. */
  saveDebounceMs?: number
}

export type SchedulerPhase = 'idle' | 'syncing' | 'offline' | 'waiting-retry' | 'blocked'

export interface SchedulerState {
  phase: SchedulerPhase
  failures: number
  /** When the timer will run next (ms since epoch), null when none is set. */
  nextRunAt: number | null
  lastTrigger: SyncTrigger | null
  lastReport: SyncReport | null
  lastError: RequestError | null
}

/**
 * Delay before retry number `failures` (1, 2, …): base·2^(n−1), capped, times a random factor
 * in [0.5, 1.5) so phones that lost the network together do not all come back together.
 */
export function backoffDelay(failures: number, random: () => number, base = 5_000, max = 10 * 60_000): number {
  const exp = Math.min(max, base * 2 ** Math.max(0, failures - 1))
  return Math.round(exp * (0.5 + random()))
}

export class SyncScheduler {
  readonly state: SchedulerState = {
    phase: 'idle',
    failures: 0,
    nextRunAt: null,
    lastTrigger: null,
    lastReport: null,
    lastError: null,
  }
  private timer: unknown = null
  private running: Promise<SyncReport | null> | null = null
  private again = false
  private unlisten: (() => void) | null = null
  private readonly opts: Required<SchedulerOptions>
  private readonly backoff: BackoffStore

  constructor(
    private readonly run: () => Promise<SyncReport>,
    private readonly env: SchedulerEnvironment,
    opts: SchedulerOptions = {},
    private readonly onChange: (state: SchedulerState) => void = () => {},
    private readonly now: () => number = () => Date.now(),
  ) {
    this.opts = {
      idleIntervalMs: opts.idleIntervalMs ?? 5 * 60_000,
      baseBackoffMs: opts.baseBackoffMs ?? 5_000,
      maxBackoffMs: opts.maxBackoffMs ?? 10 * 60_000,
      saveDebounceMs: opts.saveDebounceMs ?? 1_500,
    }
    this.backoff = env.backoff ?? memoryBackoff()
  }

  /** The shared backoff, when it still holds: ms left to wait. */
  private held(): number {
    const b = this.backoff.read()
    if (!b) return 0
    // Never more than the longest wait we set (a phone clock moved back must not stall sync for a day).
    return Math.min(Math.max(0, b.notBefore - this.now()), MAX_WAIT_MS)
  }

  get started(): boolean {
    return this.unlisten !== null
  }

  start(): void {
    if (this.unlisten) return
    this.unlisten = this.env.listen((reason) => {
      void this.trigger(reason)
    })
    void this.trigger('start')
  }

  stop(): void {
    this.unlisten?.()
    this.unlisten = null
    this.clear()
  }

  /** A record was saved: sync soon, after the burst of saves. */
  noteSaved(): void {
    if (this.state.phase === 'blocked' || this.running) {
      this.again = true
      return
    }
    if (this.state.phase === 'waiting-retry') return // the backoff decides
    this.schedule(this.opts.saveDebounceMs, 'saved')
  }

  /** Run a round now unless one is running (then one more follows it), the backoff holds or a 401 waits. */
  async trigger(reason: SyncTrigger): Promise<SyncReport | null> {
    this.state.lastTrigger = reason
    if (this.running) {
      this.again = true
      return this.running
    }
    // A 401 waits for a person (re-enrollment or a new token); only the button tries again.
    if (this.state.phase === 'blocked' && reason !== 'button' && reason !== 'start') return null
    if (!this.env.isOnline()) {
      this.clear()
      this.set({ phase: 'offline' })
      return null
    }
    // After failures nothing but the button cuts the wait short: not the network coming back, not
    // Background Sync (which fires at once while the phone believes it is online), not a restart.
    const wait = reason === 'button' ? 0 : this.held()
    if (wait > 0) {
      const failures = this.backoff.read()?.failures ?? this.state.failures
      if (this.state.nextRunAt === null || this.state.nextRunAt > this.now() + wait) this.schedule(wait, 'timer')
      this.set({ phase: 'waiting-retry', failures })
      return null
    }
    this.running = this.round(reason === 'button')
    try {
      return await this.running
    } finally {
      this.running = null
      if (this.again) {
        this.again = false
        if (this.state.phase === 'idle') this.schedule(0, 'retry')
      }
    }
  }

  private async round(byButton: boolean): Promise<SyncReport | null> {
    this.clear()
    this.set({ phase: 'syncing' })
    let report: SyncReport | null = null
    let outcome: 'ran' | 'busy'
    let heldByOtherTab = 0
    try {
      outcome = await this.env.exclusive(async () => {
        // Another tab may have failed a round while this one waited for the lock.
        heldByOtherTab = byButton ? 0 : this.held()
        if (heldByOtherTab > 0) return
        report = await this.run()
      })
    } catch (err) {
      // The engine never throws; the lock or the environment did. Treat it as a failed round.
      this.failed(null, err)
      return null
    }
    if (outcome === 'busy') {
      // Another tab is syncing this phone's database; look again later.
      this.set({ phase: 'idle' })
      this.schedule(this.opts.idleIntervalMs / 4, 'timer')
      return null
    }
    if (heldByOtherTab > 0) {
      this.set({ phase: 'waiting-retry', failures: this.backoff.read()?.failures ?? this.state.failures })
      this.schedule(heldByOtherTab, 'timer')
      return null
    }
    const r = report as SyncReport | null
    if (!r) return null
    this.state.lastReport = r
    if (r.error) {
      this.failed(r, r.error)
    } else {
      this.backoff.write(null)
      this.set({ phase: 'idle', failures: 0, lastError: null })
      // More waiting than one round takes: go on at once; otherwise the quiet timer.
      this.schedule(r.push.remaining ? 0 : this.opts.idleIntervalMs, 'timer')
    }
    return r
  }

  private failed(report: SyncReport | null, err: unknown): void {
    const error = (report?.error ?? null) as RequestError | null
    const failures = Math.max(this.state.failures, this.backoff.read()?.failures ?? 0) + 1
    if (error?.kind === 'unauthorized') {
      this.set({ phase: 'blocked', failures, lastError: error })
      return
    }
    const offline = error?.kind === 'offline' || !this.env.isOnline()
    let delay = backoffDelay(failures, () => this.env.random(), this.opts.baseBackoffMs, this.opts.maxBackoffMs)
    if (error?.retryAfterMs != null) delay = Math.max(delay, Math.min(error.retryAfterMs, MAX_WAIT_MS))
    this.backoff.write({ failures, notBefore: this.now() + delay })
    // Background Sync fires as soon as the browser believes it is online, so it is worth asking
    // for only while it does not; the backoff still decides when the next round runs.
    if (offline && !this.env.isOnline()) this.env.requestBackgroundSync()
    this.set({
      phase: offline && !this.env.isOnline() ? 'offline' : 'waiting-retry',
      failures,
      lastError: error ?? toError(err),
    })
    this.schedule(delay, 'timer')
  }

  private schedule(ms: number, reason: SyncTrigger): void {
    this.clear()
    this.state.nextRunAt = this.now() + ms
    this.timer = this.env.setTimer(() => {
      this.timer = null
      this.state.nextRunAt = null
      // A timer after a failure is a retry: it may run even though the phase says waiting.
      if (this.state.phase === 'waiting-retry' || this.state.phase === 'offline') this.set({ phase: 'idle' })
      void this.trigger(reason)
    }, ms)
    this.onChange(this.state)
  }

  private clear(): void {
    if (this.timer !== null) this.env.clearTimer(this.timer)
    this.timer = null
    this.state.nextRunAt = null
  }

  private set(change: Partial<SchedulerState>): void {
    Object.assign(this.state, change)
    this.onChange(this.state)
  }
}

function toError(err: unknown): RequestError | null {
  return err && typeof err === 'object' && 'kind' in err ? (err as RequestError) : null
}

/** The longest a Retry-After may hold sync, and so the longest any stored backoff may. */
const MAX_WAIT_MS = 60 * 60_000

const LOCK_NAME = 'bloodbus-sync'
const LEASE_KEY = 'bloodbus-sync-lease'
const BACKOFF_KEY = 'bloodbus-sync-backoff'

/** The backoff in localStorage, shared by every tab and surviving a restart (memory where it is missing). */
export function localStorageBackoff(): BackoffStore {
  const storage = globalThis.localStorage
  if (!storage) return memoryBackoff()
  return {
    read() {
      try {
        const v = JSON.parse(storage.getItem(BACKOFF_KEY) ?? 'null') as BackoffState | null
        return v && Number.isFinite(v.failures) && Number.isFinite(v.notBefore) ? v : null
      } catch {
        return null
      }
    },
    write(state) {
      try {
        if (state) storage.setItem(BACKOFF_KEY, JSON.stringify(state))
        else storage.removeItem(BACKOFF_KEY)
      } catch {
        /* storage full or blocked: this tab's memory of it still holds */
      }
    },
  }
}
const LEASE_MS = 30_000

/** Web Locks where the browser has them; otherwise a lease in localStorage that expires. */
export async function exclusiveSync(fn: () => Promise<void>, tabId: string): Promise<'ran' | 'busy'> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  if (locks?.request) {
    return locks.request(LOCK_NAME, { ifAvailable: true }, async (lock) => {
      if (!lock) return 'busy' as const
      await fn()
      return 'ran' as const
    })
  }
  const storage = globalThis.localStorage
  if (!storage) {
    await fn()
    return 'ran'
  }
  const read = (): { owner: string; until: number } | null => {
    try {
      return JSON.parse(storage.getItem(LEASE_KEY) ?? 'null') as { owner: string; until: number } | null
    } catch {
      return null
    }
  }
  const held = read()
  if (held && held.owner !== tabId && held.until > Date.now()) return 'busy'
  storage.setItem(LEASE_KEY, JSON.stringify({ owner: tabId, until: Date.now() + LEASE_MS }))
  // Two tabs may write at once: whoever reads its own id back after a beat goes ahead.
  await new Promise((r) => setTimeout(r, 50))
  if (read()?.owner !== tabId) return 'busy'
  const renew = setInterval(
    () => storage.setItem(LEASE_KEY, JSON.stringify({ owner: tabId, until: Date.now() + LEASE_MS })),
    LEASE_MS / 3,
  )
  try {
    await fn()
    return 'ran'
  } finally {
    clearInterval(renew)
    if (read()?.owner === tabId) storage.removeItem(LEASE_KEY)
  }
}

/**
 * Runs `fn` once no sync round of any tab holds the sync lock, holding it meanwhile: a pull outside
 * a round (enrollment, "refresh") beside a round would fetch and write every page twice.
 */
export async function afterSyncRounds<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  if (!locks?.request) return fn()
  return locks.request(LOCK_NAME, () => fn()) as Promise<T>
}

/** The browser's events and APIs for the scheduler. */
export function browserEnvironment(tabId: string): SchedulerEnvironment {
  return {
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    random: Math.random,
    isOnline: () => globalThis.navigator?.onLine ?? true,
    exclusive: (fn) => exclusiveSync(fn, tabId),
    backoff: localStorageBackoff(),
    listen(trigger) {
      const online = () => trigger('online')
      const visible = () => {
        if (document.visibilityState === 'visible') trigger('visible')
      }
      const fromWorker = (event: MessageEvent) => {
        // src/app/sw/sw.ts relays a Background Sync event as SYNC_MESSAGE.
        if ((event.data as { type?: string } | null)?.type === SYNC_MESSAGE) trigger('background-sync')
      }
      window.addEventListener('online', online)
      document.addEventListener('visibilitychange', visible)
      navigator.serviceWorker?.addEventListener('message', fromWorker)
      return () => {
        window.removeEventListener('online', online)
        document.removeEventListener('visibilitychange', visible)
        navigator.serviceWorker?.removeEventListener('message', fromWorker)
      }
    },
    requestBackgroundSync() {
      // Chromium only; iOS and Firefox have no Background Sync, which is why it is only a bonus.
      void navigator.serviceWorker
        ?.getRegistration()
        .then((reg) => {
          const sync = (
            reg as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined
          )?.sync
          return sync?.register(BACKGROUND_SYNC_TAG)
        })
        .catch(() => {
          /* not supported or not allowed: the timer and events still run */
        })
    },
  }
}
