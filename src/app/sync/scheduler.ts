// When to sync: on start, on `online`, on becoming visible, after a save, on a timer (exponential
// backoff with jitter after failures), on the "Sync now" button, and when the service worker's
// Background Sync fires (a bonus where it exists, never relied on). One tab at a time.
import type { SyncError } from './errors'
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
  lastError: SyncError | null
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

  /** Run a round now unless one is running (then one more follows it). */
  async trigger(reason: SyncTrigger): Promise<SyncReport | null> {
    this.state.lastTrigger = reason
    if (this.running) {
      this.again = true
      return this.running
    }
    // A 401 waits for a person (re-enrollment or a new token); only the button tries again.
    if (this.state.phase === 'blocked' && reason !== 'button' && reason !== 'start') return null
    // The backoff is not cut short by the timer's own events, but people and the network may.
    if (this.state.phase === 'waiting-retry' && (reason === 'saved' || reason === 'visible')) return null
    if (!this.env.isOnline()) {
      this.clear()
      this.set({ phase: 'offline' })
      return null
    }
    this.running = this.round()
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

  private async round(): Promise<SyncReport | null> {
    this.clear()
    this.set({ phase: 'syncing' })
    let report: SyncReport | null = null
    let outcome: 'ran' | 'busy'
    try {
      outcome = await this.env.exclusive(async () => {
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
    const r = report as SyncReport | null
    if (!r) return null
    this.state.lastReport = r
    if (r.error) {
      this.failed(r, r.error)
    } else {
      this.set({ phase: 'idle', failures: 0, lastError: null })
      // More waiting than one round takes: go on at once; otherwise the quiet timer.
      this.schedule(r.push.remaining ? 0 : this.opts.idleIntervalMs, 'timer')
    }
    return r
  }

  private failed(report: SyncReport | null, err: unknown): void {
    const error = (report?.error ?? null) as SyncError | null
    const failures = this.state.failures + 1
    if (error?.kind === 'unauthorized') {
      this.set({ phase: 'blocked', failures, lastError: error })
      return
    }
    const offline = error?.kind === 'offline' || !this.env.isOnline()
    let delay = backoffDelay(failures, () => this.env.random(), this.opts.baseBackoffMs, this.opts.maxBackoffMs)
    if (error?.retryAfterMs != null) delay = Math.max(delay, error.retryAfterMs)
    if (offline) this.env.requestBackgroundSync()
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

function toError(err: unknown): SyncError | null {
  return err && typeof err === 'object' && 'kind' in err ? (err as SyncError) : null
}

const LOCK_NAME = 'bloodbus-sync'
const LEASE_KEY = 'bloodbus-sync-lease'
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

/** The browser's events and APIs for the scheduler. */
export function browserEnvironment(tabId: string): SchedulerEnvironment {
  return {
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    random: Math.random,
    isOnline: () => globalThis.navigator?.onLine ?? true,
    exclusive: (fn) => exclusiveSync(fn, tabId),
    listen(trigger) {
      const online = () => trigger('online')
      const visible = () => {
        if (document.visibilityState === 'visible') trigger('visible')
      }
      const fromWorker = (event: MessageEvent) => {
        // src/app/sw/sw.ts relays a Background Sync event as BLOODBUS_SYNC.
        const type = (event.data as { type?: string } | null)?.type
        if (type === 'BLOODBUS_SYNC' || type === 'bloodbus-sync') trigger('background-sync')
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
          return sync?.register(LOCK_NAME)
        })
        .catch(() => {
          /* not supported or not allowed: the timer and events still run */
        })
    },
  }
}
