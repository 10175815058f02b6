// Wrong PINs on a shared phone that holds donor identities: each wrong PIN makes the next try wait
// longer, and after `maxAttempts` in a row the staff member is locked out until the drive leader
// unlocks them with the leader's own PIN, or the station sets them a new PIN (which reaches the
// phone by pull). Times are the phone's clock in ms: only for the short waits, never for sync.

export interface PinAttemptPolicy {
  /** Wrong PINs in a row that lock the staff member out. */
  maxAttempts: number
  /** Wait after the second wrong PIN; it doubles with each further one, up to maxDelayMs. */
  baseDelayMs: number
  maxDelayMs: number
}

/** The station may set maxAttempts within these bounds (a station row without it means the default). */
export const PIN_MAX_ATTEMPTS_MIN = 3
export const PIN_MAX_ATTEMPTS_MAX = 20
export const DEFAULT_PIN_ATTEMPT_POLICY: PinAttemptPolicy = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
})

/** The policy with the station's count, when it sent a usable one. */
export function pinAttemptPolicy(maxAttempts: number | null | undefined): PinAttemptPolicy {
  return Number.isInteger(maxAttempts) && maxAttempts! >= PIN_MAX_ATTEMPTS_MIN && maxAttempts! <= PIN_MAX_ATTEMPTS_MAX
    ? { ...DEFAULT_PIN_ATTEMPT_POLICY, maxAttempts: maxAttempts! }
    : DEFAULT_PIN_ATTEMPT_POLICY
}

/** Wrong PINs of one staff member since their last good one. */
export interface PinAttempts {
  failures: number
  /** When the last wrong PIN was typed (phone clock, ms). */
  lastFailureAt: number
  /** The PIN hash the failures were against: a new PIN from the station starts afresh. */
  pinHash: string
}

/** `remaining`: wrong PINs left before the lockout. */
export type PinGate =
  { kind: 'open'; remaining: number } | { kind: 'wait'; ms: number; remaining: number } | { kind: 'locked' }

/** How long the next try waits after `failures` wrong PINs: none after the first, then 1 s, 2 s, 4 s… */
export function delayAfter(failures: number, policy: PinAttemptPolicy = DEFAULT_PIN_ATTEMPT_POLICY): number {
  if (failures < 2) return 0
  return Math.min(policy.baseDelayMs * 2 ** (failures - 2), policy.maxDelayMs)
}

/** The attempts that still count against this PIN hash (none when the station has set a new PIN). */
export function attemptsFor(stored: PinAttempts | undefined, pinHash: string): PinAttempts | null {
  return stored && stored.pinHash === pinHash && stored.failures > 0 ? stored : null
}

/** Whether a PIN may be tried now. A clock set back never makes the wait longer than the delay. */
export function pinGate(
  attempts: PinAttempts | null,
  now: number,
  policy: PinAttemptPolicy = DEFAULT_PIN_ATTEMPT_POLICY,
): PinGate {
  const failures = attempts?.failures ?? 0
  if (failures >= policy.maxAttempts) return { kind: 'locked' }
  const delay = delayAfter(failures, policy)
  const waited = attempts ? now - attempts.lastFailureAt : delay
  const ms = waited < 0 ? delay : Math.max(0, delay - waited)
  const remaining = policy.maxAttempts - failures
  return ms > 0 ? { kind: 'wait', ms, remaining } : { kind: 'open', remaining }
}

/** The attempts after one more wrong PIN. */
export function afterWrongPin(attempts: PinAttempts | null, now: number, pinHash: string): PinAttempts {
  return { failures: (attempts?.failures ?? 0) + 1, lastFailureAt: now, pinHash }
}
