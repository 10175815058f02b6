import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { createAppI18n } from './i18n'
import { createAppRouter } from './router'
import './styles/tokens.css'
import './styles/base.css'

createApp(App).use(createPinia()).use(createAppRouter()).use(createAppI18n()).mount('#app')
