import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { afterFirstScreen, firstScreenUsable } from './first-screen'
import { createAppI18n, loadFeatures, ready } from './i18n'
import { createAppRouter } from './router'
import './styles/tokens.css'
import './styles/base.css'

// The first screen reads the phone's database without Dexie (db/boot-read.ts opens it natively,
// public/warm-start.js began opening it); Dexie and the save code load after that screen.
//
// warm-start.js, a classic script in <head>, runs while the modules load: it begins opening the
// database, which takes IndexedDB a while at a cold start (never creating it: a phone without one
// gets it from the app), and starts a worker (public/warm-fonts.js) that measures text in the
// body's font stack at the lock screen's weights (400, 600, 700). The first layout of Chinese text has the browser find and
// open the system's CJK faces, one per weight, the main thread waiting on its font service: tens
// of milliseconds a face on a slow phone, and at a cold start that was most of the lock screen's
// first layout. The browser shares the faces a worker found with the page, so the worker finds
// them while the modules load and the boot reads wait on IndexedDB, and that layout does not.
const pinia = createPinia()
const router = createAppRouter()
const app = createApp(App).use(pinia).use(router).use(createAppI18n())
// Chinese is bundled; English (if this phone chose it) loads first.
void ready().then(() => app.mount('#app'))
// A screen outside the staff lock (enrollment, the station pages) is usable once rendered; the
// bus screens say so at the unlock (FieldLayout).
void router.isReady().then(() => {
  if (!router.currentRoute.value.meta.staffLock) requestAnimationFrame(() => setTimeout(firstScreenUsable, 0))
})
// Sync, the service worker and the request for persistent storage start after the first screen,
// not in competition with it. Sync waits for the phone to be enrolled.
afterFirstScreen(() => {
  // A save (or anything that writes) then finds Dexie loaded and the database open.
  void import('./db/writers')
    .then((m) => m.warmWriters())
    .catch(() => {
      /* the first write reports it */
    })
  void import('./stores/useDriveStore').then(({ loadSaves }) => loadSaves())
  void import('./stores/useSyncStore').then(({ useSyncStore }) => useSyncStore(pinia).start())
  // The field messages the first screen did not need; the update prompt shows some of them.
  void loadFeatures()
    .catch(() => {
      /* the next screen's guard asks again */
    })
    .finally(() => void import('./composables/usePwaUpdate').then((m) => m.registerServiceWorker()))
  void import('./composables/useStoragePersistence').then((m) => m.ensurePersistenceRequested())
})
