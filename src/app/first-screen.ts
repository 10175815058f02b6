// Work that must not compete with the first screen (sync, registering the service worker) waits
// until that screen is usable: on the bus, until someone unlocks; elsewhere, until it has
// rendered. A phone left locked starts it anyway after a while, so its records still go out.
export const LOCKED_PHONE_WAIT_MS = 10_000

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
    if (!cancelled) work()
  }
  void Promise.race([usable, new Promise<void>((resolve) => setTimeout(resolve, LOCKED_PHONE_WAIT_MS))]).then(() => {
    if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 2000 })
    else setTimeout(run, 200)
  })
  return () => {
    cancelled = true
  }
}
