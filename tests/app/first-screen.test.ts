import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

// One page load per test: the module holds the page's "first screen usable" state.
async function freshModule() {
  vi.resetModules()
  return import('../../src/app/first-screen')
}

beforeEach(() => {
  vi.useFakeTimers()
  // jsdom has no requestIdleCallback: the fallback timer stands in for the idle moment.
  expect('requestIdleCallback' in window).toBe(false)
})
afterEach(() => vi.useRealTimers())

describe('work after the first screen', () => {
  it('waits for the first screen to be usable, then for an idle moment', async () => {
    const { afterFirstScreen, firstScreenUsable } = await freshModule()
    const work = vi.fn()
    afterFirstScreen(work)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(work).not.toHaveBeenCalled()
    firstScreenUsable()
    firstScreenUsable()
    await vi.advanceTimersByTimeAsync(199)
    expect(work).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(work).toHaveBeenCalledTimes(1)
  })

  it('does nothing once cancelled', async () => {
    const { afterFirstScreen, firstScreenUsable } = await freshModule()
    const work = vi.fn()
    const cancel = afterFirstScreen(work)
    firstScreenUsable()
    cancel()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(work).not.toHaveBeenCalled()
  })

  it('starts anyway on a phone nobody unlocks', async () => {
    const { afterFirstScreen, LOCKED_PHONE_WAIT_MS } = await freshModule()
    const work = vi.fn()
    afterFirstScreen(work)
    await vi.advanceTimersByTimeAsync(LOCKED_PHONE_WAIT_MS - 1)
    expect(work).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(201)
    expect(work).toHaveBeenCalledTimes(1)
  })

  it('marks the moment deferred work begins, once (the bench counts the JS fetched before it)', async () => {
    // The page's own performance timeline, not the fake timers' stand-in.
    vi.useRealTimers()
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { afterFirstScreen, firstScreenUsable, AFTER_FIRST_SCREEN_MARK } = await freshModule()
    performance.clearMarks(AFTER_FIRST_SCREEN_MARK)
    afterFirstScreen(() => {})
    afterFirstScreen(() => {})
    firstScreenUsable()
    expect(performance.getEntriesByName(AFTER_FIRST_SCREEN_MARK)).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(200)
    expect(performance.getEntriesByName(AFTER_FIRST_SCREEN_MARK)).toHaveLength(1)
  })
})
