// Locks the phone after a spell without touches or key presses (the session store decides when).
import { onBeforeUnmount, onMounted } from 'vue'
import { useSessionStore } from '../stores/useSessionStore'

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'touchstart', 'scroll'] as const
const CHECK_EVERY_MS = 10_000

export function useInactivityLock(): void {
  const session = useSessionStore()
  let timer: ReturnType<typeof setInterval> | undefined
  const onActivity = (): void => {
    if (!session.locked) session.noteActivity()
  }
  // A phone put in a pocket stops its timers: check again the moment it comes back.
  const onVisible = (): void => {
    if (document.visibilityState === 'visible') session.lockIfIdle()
  }

  onMounted(() => {
    for (const e of ACTIVITY_EVENTS) window.addEventListener(e, onActivity, { passive: true, capture: true })
    document.addEventListener('visibilitychange', onVisible)
    timer = setInterval(() => session.lockIfIdle(), CHECK_EVERY_MS)
  })
  onBeforeUnmount(() => {
    for (const e of ACTIVITY_EVENTS) window.removeEventListener(e, onActivity, { capture: true })
    document.removeEventListener('visibilitychange', onVisible)
    clearInterval(timer)
  })
}
