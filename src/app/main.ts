import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { createAppI18n } from './i18n'
import { createAppRouter } from './router'
import { useSyncStore } from './stores/useSyncStore'
import './styles/tokens.css'
import './styles/base.css'

const pinia = createPinia()
createApp(App).use(pinia).use(createAppRouter()).use(createAppI18n()).mount('#app')
// Sync runs from the first screen on, whichever it is; it waits for the phone to be enrolled.
void useSyncStore(pinia).start()
