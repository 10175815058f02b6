import { describe, expect, it } from 'vitest'
import {
  afterWrongPin,
  attemptsFor,
  DEFAULT_PIN_ATTEMPT_POLICY,
  delayAfter,
  pinAttemptPolicy,
  pinGate,
  type PinAttempts,
} from '../../src/domain/pin-attempts'

const HASH = 'pbkdf2-sha256$1000$aaaa$bbbb'

function wrong(times: number, start = 1_000_000, gap = 60_000): PinAttempts | null {
  let a: PinAttempts | null = null
  for (let i = 0; i < times; i++) a = afterWrongPin(a, start + i * gap, HASH)
  return a
}

describe('PIN attempts', () => {
  it('waits longer after each wrong PIN: none after the first, then 1 s, 2 s, 4 s, capped', () => {
    expect([0, 1, 2, 3, 4].map((n) => delayAfter(n))).toEqual([0, 0, 1000, 2000, 4000])
    expect(delayAfter(30)).toBe(DEFAULT_PIN_ATTEMPT_POLICY.maxDelayMs)
  })

  it('makes the next try wait out the delay from the last wrong PIN', () => {
    const a = wrong(3)!
    expect(pinGate(a, a.lastFailureAt + 500)).toEqual({ kind: 'wait', ms: 1500, remaining: 2 })
    expect(pinGate(a, a.lastFailureAt + 2000)).toEqual({ kind: 'open', remaining: 2 })
  })

  it('locks after five wrong PINs in a row by default, however long one waits', () => {
    expect(pinGate(wrong(4), 10 ** 12).kind).toBe('open')
    expect(pinGate(wrong(5), 10 ** 12)).toEqual({ kind: 'locked' })
  })

  it('takes the station count between 3 and 20, else the default', () => {
    expect(pinGate(wrong(3), 10 ** 12, pinAttemptPolicy(3))).toEqual({ kind: 'locked' })
    expect(pinAttemptPolicy(8).maxAttempts).toBe(8)
    for (const bad of [undefined, null, 0, 2, 21, 4.5]) expect(pinAttemptPolicy(bad).maxAttempts).toBe(5)
  })

  it('never waits longer than the delay when the clock is set back', () => {
    const a = wrong(4)!
    expect(pinGate(a, a.lastFailureAt - 3_600_000)).toEqual({ kind: 'wait', ms: 4000, remaining: 1 })
  })

  it('starts afresh when the station has set a new PIN', () => {
    const a = wrong(5)!
    expect(attemptsFor(a, HASH)).toBe(a)
    expect(attemptsFor(a, 'pbkdf2-sha256$1000$cccc$dddd')).toBeNull()
    expect(pinGate(attemptsFor(a, 'pbkdf2-sha256$1000$cccc$dddd'), a.lastFailureAt)).toEqual({
      kind: 'open',
      remaining: 5,
    })
  })
})
