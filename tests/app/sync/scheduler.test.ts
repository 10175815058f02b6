// When sync runs: every trigger, backoff with jitter after failures, 401 waits for a person,
// one tab at a time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SyncReport } from '../../../src/app/sync/engine'
import { RequestError } from '../../../src/app/net/errors'
import {
  backoffDelay,
  type BackoffStore,
  exclusiveSync,
  memoryBackoff,
  type SchedulerEnvironment,
  type SchedulerOptions,
  type SyncTrigger,
  SyncScheduler,
} from '../../../src/app/sync/scheduler'

function report(error: RequestError | null = null, remaining = false): SyncReport {
  return {
    ok: !error && !remaining,
    error,
    storageWipe: null,
    stationBehind: null,
    pull: null,
    push: { batches: 1, confirmed: 1, rejected: 0, remaining, renumbered: 0 },
  }
}

function harness(
  results: Array<SyncReport | (() => Promise<SyncReport>)> = [],
  opts: {
    backoff?: BackoffStore
    random?: () => number
    scheduler?: SchedulerOptions
    fallback?: () => SyncReport
  } = {},
) {
  let online = true
  let busy = false
  let fire: (r: SyncTrigger) => void = () => {}
  const backgroundSyncs: number[] = []
  const env: SchedulerEnvironment = {
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    random: opts.random ?? (() => 0.5),
    isOnline: () => online,
    backoff: opts.backoff ?? memoryBackoff(),
    exclusive: async (fn) => {
      if (busy) return 'busy'
      await fn()
      return 'ran'
    },
    listen: (t) => {
      fire = t
      return () => {
        fire = () => {}
      }
    },
    requestBackgroundSync: () => {
      backgroundSyncs.push(Date.now())
    },
  }
  const run = vi.fn(async () => {
    const next = results.shift() ?? (opts.fallback ?? report)()
    return typeof next === 'function' ? next() : next
  })
  const scheduler = new SyncScheduler(
    run,
    env,
    opts.scheduler ?? {
      idleIntervalMs: 60_000,
      baseBackoffMs: 1_000,
      maxBackoffMs: 16_000,
      saveDebounceMs: 500,
    },
  )
  return {
    scheduler,
    run,
    backgroundSyncs,
    setOnline: (v: boolean) => {
      online = v
    },
    setBusy: (v: boolean) => {
      busy = v
    },
    fire: (r: SyncTrigger) => fire(r),
  }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, with jitter between half and one and a half times', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, () => 0.5, 1000, 16_000))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 16_000,
    ])
    expect(backoffDelay(3, () => 0, 1000, 16_000)).toBe(2000)
    expect(backoffDelay(3, () => 0.999, 1000, 16_000)).toBeCloseTo(5996, -1)
  })
})

describe('SyncScheduler', () => {
  it('runs on start, then on the idle timer', async () => {
    const h = harness()
    h.scheduler.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(h.run).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(h.run).toHaveBeenCalledTimes(2)
    h.scheduler.stop()
  })

  it('runs on online, on becoming visible, on the button and on a Background Sync message', async () => {
    const h = harness()
    h.scheduler.start()
    await vi.advanceTimersByTimeAsync(0)
    for (const reason of ['online', 'visible', 'background-sync'] as const) {
      h.fire(reason)
      await vi.advanceTimersByTimeAsync(0)
    }
    await h.scheduler.trigger('button')
    expect(h.run).toHaveBeenCalledTimes(5)
    h.scheduler.stop()
  })

  it('backs off exponentially after failures and resets after a success', async () => {
    const offline = () => report(new RequestError('server', '500', { status: 500 }))
    const h = harness([offline(), offline(), offline(), report()])
    h.scheduler.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(h.scheduler.state).toMatchObject({ phase: 'waiting-retry', failures: 1 })
    await vi.advanceTimersByTimeAsync(999)
    expect(h.run).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(h.run).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(2000)
    expect(h.run).toHaveBeenCalledTimes(3)
    await vi.advanceTimersByTimeAsync(3999)
    expect(h.run).toHaveBeenCalledTimes(3)
    await vi.advanceTimersByTimeAsync(1)
    expect(h.run).toHaveBeenCalledTimes(4)
    expect(h.scheduler.state).toMatchObject({ phase: 'idle', failures: 0 })
    h.scheduler.stop()
  })

  it('waits at least as long as the station asked (429 Retry-After)', async () => {
    const h = harness([report(new RequestError('rate_limited', 'slow down', { status: 429, retryAfterMs: 30_000 }))])
    h.scheduler.start()
    await vi.advanceTimersByTimeAsync(29_999)
    expect(h.run).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(h.run).toHaveBeenCalledTimes(2)
    h.scheduler.stop()
  })

  it('after a 401 only a person tries again (the button), nothing automatic', async () => {
    const h = harness([report(new RequestError('unauthorized', 'revoked', { status: 401 }))])
    h.scheduler.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(h.scheduler.state.phase).toBe('blocked')
    h.fire('online')
    h.fire('visible')
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(h.run).toHaveBeenCalledTimes(1)
    await h.scheduler.trigger('button')
    expect(h.run).toHaveBeenCalledTimes(2)
    expect(h.scheduler.state.phase).toBe('idle')
    h.scheduler.stop()
  })

  it('does not try while the browser says offline, asks for Background Sync only then, and goes on `online` once the backoff allows', async () => {
    const h = harness([
      async () => {
        h.setOnline(false)
        return report(new RequestError('offline', 'no network'))
      },
    ])
    h.scheduler.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(h.backgroundSyncs).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(h.run).toHaveBeenCalledTimes(1)
    expect(h.scheduler.state.phase).toBe('offline')
    h.setOnline(true)
    h.fire('online')
    await vi.advanceTimersByTimeAsync(0)
    expect(h.run).toHaveBeenCalledTimes(2)
    h.scheduler.stop()
  })

  it('asks for no Background Sync while the browser believes it is online (it would fire at once)', async () => {
    const h = harness([report(new RequestError('offline', 'connection refused'))])
    h.scheduler.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(h.backgroundSyncs).toHaveLength(0)
    h.scheduler.stop()
  })

  it('after a failure the backoff holds for every trigger but the button: online, visible, Background Sync, a save, a restart', async () => {
    const backoff = memoryBackoff()
    const h = harness([report(new RequestError('offline', 'connection refused'))], { backoff })
    h.scheduler.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(h.run).toHaveBeenCalledTimes(1)
    for (const reason of ['online', 'visible', 'background-sync', 'start', 'timer'] as const) {
      h.fire(reason)
      await vi.advanceTimersByTimeAsync(100)
    }
    h.scheduler.noteSaved()
    await vi.advanceTimersByTimeAsync(100)
    // The app restarts (or a second tab opens): same phone, same backoff.
    const restarted = harness([], { backoff })
    restarted.scheduler.start()
    await vi.advanceTimersByTimeAsync(100)
    expect(h.run).toHaveBeenCalledTimes(1)
    expect(restarted.run).toHaveBeenCalledTimes(0)
    expect(restarted.scheduler.state.phase).toBe('waiting-retry')
    // The button is a person asking: it goes at once.
    await h.scheduler.trigger('button')
    expect(h.run).toHaveBeenCalledTimes(2)
    h.scheduler.stop()
    restarted.scheduler.stop()
  })

  it('a station refusing connections for 10 minutes sees at most a dozen attempts, whatever fires', async () => {
    const refused = () => report(new RequestError('offline', 'connection refused'))
    // The shortest jitter every time: the worst case.
    const h = harness([], { random: () => 0, fallback: refused, scheduler: {} })
    h.scheduler.start()
    for (let s = 0; s < 600; s++) {
      h.fire((['online', 'visible', 'background-sync'] as const)[s % 3]!)
      if (s % 7 === 0) h.scheduler.noteSaved()
      await vi.advanceTimersByTimeAsync(1000)
    }
    expect(h.run.mock.calls.length).toBeGreaterThanOrEqual(5)
    expect(h.run.mock.calls.length).toBeLessThanOrEqual(12)
    h.scheduler.stop()
  })

  it('a save starts a round shortly after, and saves during a round start one more after it', async () => {
    let release: () => void = () => {}
    const slow = () =>
      new Promise<SyncReport>((resolve) => {
        release = () => resolve(report())
      })
    const h = harness([report(), slow])
    h.scheduler.start()
    await vi.advanceTimersByTimeAsync(0)
    h.scheduler.noteSaved()
    await vi.advanceTimersByTimeAsync(500)
    expect(h.run).toHaveBeenCalledTimes(2)
    h.scheduler.noteSaved()
    h.scheduler.noteSaved()
    release()
    await vi.advanceTimersByTimeAsync(0)
    expect(h.run).toHaveBeenCalledTimes(3)
    h.scheduler.stop()
  })

  it('a round that could not finish the outbox goes on at once', async () => {
    const h = harness([report(null, true), report()])
    h.scheduler.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(h.run).toHaveBeenCalledTimes(2)
    h.scheduler.stop()
  })

  it('when another tab holds the sync lock this tab does not run and looks again later', async () => {
    const h = harness()
    h.setBusy(true)
    h.scheduler.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(h.run).not.toHaveBeenCalled()
    h.setBusy(false)
    await vi.advanceTimersByTimeAsync(15_000)
    expect(h.run).toHaveBeenCalledTimes(1)
    h.scheduler.stop()
  })
})

describe('exclusiveSync without Web Locks', () => {
  it('lets one tab in at a time through a localStorage lease', async () => {
    vi.useRealTimers()
    const locks = (navigator as { locks?: unknown }).locks
    Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true })
    try {
      localStorage.removeItem('bloodbus-sync-lease')
      let inside = 0
      let overlap = false
      const work = async () => {
        inside++
        if (inside > 1) overlap = true
        await new Promise((r) => setTimeout(r, 30))
        inside--
      }
      const [a, b] = await Promise.all([exclusiveSync(work, 'tab-a'), exclusiveSync(work, 'tab-b')])
      expect([a, b].sort()).toEqual(['busy', 'ran'])
      expect(overlap).toBe(false)
      expect(await exclusiveSync(work, 'tab-b')).toBe('ran')
    } finally {
      Object.defineProperty(navigator, 'locks', { value: locks, configurable: true })
    }
  })
})
