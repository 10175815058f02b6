// Brakes on guessing and flooding, in memory (one server process; docs/operations.md "Limits"):
// a growing delay after failed attempts, and a cap on requests per window. A refusal is
// `429 too_many_attempts` with Retry-After (seconds) and `retryAfter` in the body.
import type { Context } from 'hono'

export interface BackoffPolicy {
  /** Failures allowed before any delay. */
  free: number
  /** First delay; each further failure doubles it. */
  baseDelayMs: number
  maxDelayMs: number
  /** Failures are forgotten this long after the last one. */
  forgetAfterMs: number
}

interface Failures {
  count: number
  last: number
}

const MAX_KEYS = 50_000

/** Per key: after `free` failures, the next attempt must wait base·2^(n−free), capped. */
export class FailureBackoff {
  private readonly entries = new Map<string, Failures>()
  constructor(
    readonly policy: BackoffPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds the key must still wait; 0 when it may try now. */
  wait(key: string): number {
    const entry = this.entries.get(key)
    if (!entry) return 0
    const t = this.now()
    if (t - entry.last > this.policy.forgetAfterMs) {
      this.entries.delete(key)
      return 0
    }
    if (entry.count < this.policy.free) return 0
    const delay = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (entry.count - this.policy.free))
    return Math.max(0, entry.last + delay - t)
  }

  fail(key: string): void {
    const t = this.now()
    const entry = this.entries.get(key)
    if (entry && t - entry.last <= this.policy.forgetAfterMs) {
      entry.count++
      entry.last = t
      return
    }
    if (this.entries.size >= MAX_KEYS) this.prune(t)
    this.entries.set(key, { count: 1, last: t })
  }

  reset(key: string): void {
    this.entries.delete(key)
  }

  private prune(t: number): void {
    for (const [k, e] of this.entries) if (t - e.last > this.policy.forgetAfterMs) this.entries.delete(k)
    // Still full: a flood of fresh keys. Forget the oldest half rather than grow without bound.
    if (this.entries.size >= MAX_KEYS) {
      let drop = this.entries.size / 2
      for (const k of this.entries.keys()) {
        if (drop-- <= 0) break
        this.entries.delete(k)
      }
    }
  }
}

export interface RatePolicy {
  /** Requests allowed per window. */
  limit: number
  windowMs: number
}

/** Per key: at most `limit` requests in a fixed window. */
export class RequestRate {
  private readonly windows = new Map<string, { start: number; count: number }>()
  constructor(
    readonly policy: RatePolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds to wait before the key's next request would be allowed, without counting one. */
  peek(key: string): number {
    const t = this.now()
    const w = this.windows.get(key)
    if (!w || t - w.start >= this.policy.windowMs || w.count < this.policy.limit) return 0
    return w.start + this.policy.windowMs - t
  }

  /** Counts the request; milliseconds to wait when over the limit, else 0. */
  take(key: string): number {
    const t = this.now()
    const w = this.windows.get(key)
    if (!w || t - w.start >= this.policy.windowMs) {
      if (this.windows.size >= MAX_KEYS) {
        for (const [k, e] of this.windows) if (t - e.start >= this.policy.windowMs) this.windows.delete(k)
        if (this.windows.size >= MAX_KEYS) this.windows.clear()
      }
      this.windows.set(key, { start: t, count: 1 })
      return 0
    }
    w.count++
    return w.count > this.policy.limit ? w.start + this.policy.windowMs - t : 0
  }
}

/** The 429 answer: Retry-After in whole seconds (at least 1). */
export function tooManyAttempts(c: Context, waitMs: number, message = 'too many attempts; wait, then try again') {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000))
  c.header('Retry-After', String(seconds))
  return c.json({ code: 'too_many_attempts', message, retryAfter: seconds }, 429)
}

/** Every limit the station applies; tests lower them. */
export interface StationLimits {
  /** Failed logins per account (station + username, known or not), from browsers it does not know. */
  loginAccount: BackoffPolicy
  /** Failed logins per client address, from browsers it does not know. */
  loginAddress: BackoffPolicy
  /** Failed logins from one known browser (it signed in to that account before). */
  loginKnownBrowser: BackoffPolicy
  /** Failed enrollments (either form of code) per client address. */
  enrollAddress: BackoffPolicy
  /** Failed typed (short) enrollment codes per client address: the tight one. */
  enrollShortAddress: BackoffPolicy
  /** Failed typed codes across the whole server (any address): beyond it only the long form works. */
  enrollShortGlobal: RatePolicy
  /** Requests per client address to the routes without a token (setup, login, enroll). */
  unauthenticated: RatePolicy
  /** First-run setup requests per client address (each hashes a password). */
  setup: RatePolicy
  /** PIN and password changes per account (each hashes). */
  credentialChanges: RatePolicy
}

const MINUTE = 60_000

export const DEFAULT_LIMITS: StationLimits = {
  loginAccount: { free: 5, baseDelayMs: 1_000, maxDelayMs: 15 * MINUTE, forgetAfterMs: 60 * MINUTE },
  loginAddress: { free: 20, baseDelayMs: 1_000, maxDelayMs: 15 * MINUTE, forgetAfterMs: 60 * MINUTE },
  loginKnownBrowser: { free: 5, baseDelayMs: 1_000, maxDelayMs: 5 * MINUTE, forgetAfterMs: 60 * MINUTE },
  enrollAddress: { free: 10, baseDelayMs: 1_000, maxDelayMs: 15 * MINUTE, forgetAfterMs: 60 * MINUTE },
  enrollShortAddress: { free: 5, baseDelayMs: 5_000, maxDelayMs: 60 * MINUTE, forgetAfterMs: 60 * MINUTE },
  enrollShortGlobal: { limit: 50, windowMs: 60 * MINUTE },
  unauthenticated: { limit: 120, windowMs: MINUTE },
  setup: { limit: 10, windowMs: 10 * MINUTE },
  credentialChanges: { limit: 30, windowMs: MINUTE },
}

/** The limits in force: defaults, what the caller gives, and the legacy per-address knob (tests). */
export function resolveLimits(given: Partial<StationLimits> = {}, perAddress?: number): StationLimits {
  const limits = { ...DEFAULT_LIMITS, ...given }
  if (perAddress !== undefined && perAddress > limits.loginAddress.free) {
    limits.loginAddress = { ...limits.loginAddress, free: perAddress }
    limits.enrollAddress = { ...limits.enrollAddress, free: perAddress }
    limits.unauthenticated = { ...limits.unauthenticated, limit: Math.max(limits.unauthenticated.limit, perAddress) }
    limits.setup = { ...limits.setup, limit: Math.max(limits.setup.limit, perAddress) }
    limits.credentialChanges = {
      ...limits.credentialChanges,
      limit: Math.max(limits.credentialChanges.limit, perAddress),
    }
  }
  return limits
}

/** The larger of the waits (0 when none applies). */
export const longestWait = (...waits: number[]): number => Math.max(0, ...waits)
