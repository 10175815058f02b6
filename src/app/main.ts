import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { fieldDb } from './db'
import { afterFirstScreen, firstScreenUsable } from './first-screen'
import { createAppI18n, loadFeatures, ready } from './i18n'
import { createAppRouter } from './router'
import './styles/tokens.css'
import './styles/base.css'

// The phone's database opens while the app sets itself up (a cold start waits on both).
void fieldDb()
  .open()
  .catch(() => {
    /* the first read reports it */
  })
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
  void import('./stores/useSyncStore').then(({ useSyncStore }) => useSyncStore(pinia).start())
  // The field messages the first screen did not need; the update prompt shows some of them.
  void loadFeatures()
    .catch(() => {
      /* the next screen's guard asks again */
    })
    .finally(() => void import('./composables/usePwaUpdate').then((m) => m.registerServiceWorker()))
  void import('./composables/useStoragePersistence').then((m) => m.ensurePersistenceRequested())
})
