// Service worker registration and app updates. A new version is downloaded in the background and
// then waits: it is applied only when staff agree, and never while a form holds unsaved input.
// Records are not at risk from an update (they live in IndexedDB, which an update keeps), but
// reloading over a half-filled form would lose the typing, and staff should know what is unsynced.
import { computed, type ComputedRef, type Ref, ref } from 'vue'
import type { Workbox } from 'workbox-window'
import { anyFormDirty } from './useDirtyForms'

/** The build's version, shown to staff and stamped into index.html (`VITE_APP_VERSION` at build time). */
export const APP_VERSION: string = import.meta.env.VITE_APP_VERSION || 'dev'

/** How often a running app asks the server for a new version, when online. */
export const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000
/** Coming back to the app checks at most this often. */
const VISIBLE_CHECK_MIN_GAP_MS = 5 * 60 * 1000
/** If the new worker has not taken over by then, reload anyway (it loads whichever version is active). */
const APPLY_FALLBACK_MS = 10_000

export interface UpdateSituation {
  /** A new version is installed and waiting (or already controls the page from another tab). */
  updateReady: boolean
  /** Some form holds unsaved input. */
  formDirty: boolean
  /** Records on this phone not yet confirmed by the server (pending + rejected), null if unknown. */
  unsynced: number | null
  /** The update is being applied right now. */
  applying: boolean
}

export interface UpdateAdvice {
  show: boolean
  canApply: boolean
  /** Why the update button is disabled. */
  blockedBy: 'formDirty' | 'applying' | null
  /** Say, before applying, that unsynced records stay safe on the phone. */
  warnUnsynced: boolean
}

/** What the update prompt shows and allows in a given situation. */
export function updateAdvice(s: UpdateSituation): UpdateAdvice {
  if (!s.updateReady) return { show: false, canApply: false, blockedBy: null, warnUnsynced: false }
  const blockedBy = s.applying ? 'applying' : s.formDirty ? 'formDirty' : null
  return { show: true, canApply: blockedBy === null, blockedBy, warnUnsynced: (s.unsynced ?? 0) > 0 }
}

interface PwaState {
  needRefresh: Ref<boolean>
  offlineReady: Ref<boolean>
  applying: Ref<boolean>
  registration: Ref<ServiceWorkerRegistration | null>
  lastCheckedAt: Ref<number | null>
}

const state: PwaState = {
  needRefresh: ref(false),
  offlineReady: ref(false),
  applying: ref(false),
  registration: ref(null),
  lastCheckedAt: ref(null),
}
let workbox: Workbox | null = null
let started = false

// Built apps only: the dev server has no service worker. MODE, not PROD: a build started with
// NODE_ENV=test (from inside Vitest) is still a production-mode build that must register it.
function serviceWorkerAvailable(): boolean {
  return import.meta.env.MODE !== 'development' && typeof navigator !== 'undefined' && 'serviceWorker' in navigator
}

/** Asks the server whether a newer service worker exists. Quietly does nothing offline. */
export async function checkForUpdate(): Promise<void> {
  const reg = state.registration.value
  if (!reg || (typeof navigator !== 'undefined' && navigator.onLine === false)) return
  try {
    await reg.update()
    state.lastCheckedAt.value = Date.now()
  } catch {
    // Offline or the server is unreachable: the next trigger tries again.
  }
}

/**
 * Registers the service worker and starts watching for updates; main.ts calls it once the first
 * screen is usable (workbox-window loads then, off the path of the form's first load).
 */
export function registerServiceWorker(): void {
  if (started || !serviceWorkerAvailable()) return
  started = true
  void import('workbox-window')
    .then(({ Workbox }) => {
      workbox = new Workbox('/sw.js', { scope: '/' })
      // Any worker that reaches "waiting" (ours or found by another tab) is a version to offer.
      workbox.addEventListener('waiting', () => {
        state.needRefresh.value = true
      })
      workbox.addEventListener('installed', (e) => {
        if (!e.isUpdate) state.offlineReady.value = true
      })
      workbox.addEventListener('controlling', (e) => {
        if (state.applying.value) window.location.reload()
        // Another tab applied the update: this page still runs the old code, so offer a reload.
        else if (e.isUpdate) state.needRefresh.value = true
      })
      return workbox.register()
    })
    .then((reg) => {
      state.registration.value = reg ?? null
      if (reg?.active) state.offlineReady.value = true
    })
    .catch(() => undefined)

  setInterval(() => {
    if (document.visibilityState === 'visible') void checkForUpdate()
  }, UPDATE_CHECK_INTERVAL_MS)
  window.addEventListener('online', () => void checkForUpdate())
  document.addEventListener('visibilitychange', () => {
    const last = state.lastCheckedAt.value ?? 0
    if (document.visibilityState === 'visible' && Date.now() - last > VISIBLE_CHECK_MIN_GAP_MS) void checkForUpdate()
  })
}

/**
 * Applies the waiting version: the new worker takes over and the page reloads into it.
 * Refuses (returns false) while a form is dirty; the prompt keeps its button disabled then anyway.
 */
export function applyUpdate(): boolean {
  if (anyFormDirty.value || state.applying.value) return false
  state.applying.value = true
  const waiting = state.registration.value?.waiting
  if (waiting && workbox) {
    workbox.messageSkipWaiting()
    setTimeout(() => window.location.reload(), APPLY_FALLBACK_MS)
  } else {
    // Nothing waiting: the new worker already controls this page (another tab applied it).
    window.location.reload()
  }
  return true
}

export interface PwaUpdate {
  needRefresh: Ref<boolean>
  offlineReady: Ref<boolean>
  applying: Ref<boolean>
  lastCheckedAt: Ref<number | null>
  formDirty: ComputedRef<boolean>
  checkForUpdate: typeof checkForUpdate
  applyUpdate: typeof applyUpdate
}

/** The app-wide update state (registerServiceWorker fills it). */
export function usePwaUpdate(): PwaUpdate {
  return {
    needRefresh: state.needRefresh,
    offlineReady: state.offlineReady,
    applying: state.applying,
    lastCheckedAt: state.lastCheckedAt,
    formDirty: computed(() => anyFormDirty.value),
    checkForUpdate,
    applyUpdate,
  }
}
