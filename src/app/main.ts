import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { createAppI18n, ready } from './i18n'
import { createAppRouter } from './router'
import './styles/tokens.css'
import './styles/base.css'

const pinia = createPinia()
const router = createAppRouter()
const app = createApp(App).use(pinia).use(router).use(createAppI18n())
// Chinese is bundled; English (if this phone chose it) loads first.
void ready().then(() => app.mount('#app'))
// Sync starts from the first screen on, whichever it is, once that screen has rendered: its code
// loads after the screen's own, not in competition with it. It waits for the phone to be enrolled.
void router.isReady().then(() => {
  const start = () => void import('./stores/useSyncStore').then(({ useSyncStore }) => useSyncStore(pinia).start())
  const whenIdle = () => ('requestIdleCallback' in window ? requestIdleCallback(start, { timeout: 2000 }) : setTimeout(start, 200))
  requestAnimationFrame(() => setTimeout(whenIdle, 0))
})
