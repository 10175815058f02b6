// Work that must not compete with the first screen (sync, registering the service worker) waits
// until that screen is usable: on the bus, until someone unlocks; elsewhere, until it has
// rendered. A phone left locked starts it anyway after a while, so its records still go out.
export const LOCKED_PHONE_WAIT_MS = 10_000
/** A performance mark at the first work deferred past the first screen (sync, prefetches). */
export const AFTER_FIRST_SCREEN_MARK = 'bloodbus:after-first-screen'

let markUsable: () => void = () => {}
const usable = new Promise<void>((resolve) => {
  markUsable = resolve
})

/** The first screen can be used now (called more than once, only the first counts). */
export function firstScreenUsable(): void {
  markUsable()
}

/** Runs `work` when the browser is idle after the first screen became usable; returns a cancel. */
export function afterFirstScreen(work: () => void): () => void {
  let cancelled = false
  const run = (): void => {
    if (cancelled) return
    // The bench counts the JS a cold start fetched before this: what comes after is not the form's.
    if (performance.getEntriesByName(AFTER_FIRST_SCREEN_MARK).length === 0) performance.mark(AFTER_FIRST_SCREEN_MARK)
    work()
  }
  void Promise.race([usable, new Promise<void>((resolve) => setTimeout(resolve, LOCKED_PHONE_WAIT_MS))]).then(() => {
    if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 2000 })
    else setTimeout(run, 200)
  })
  return () => {
    cancelled = true
  }
}
