// Field screens (the bus) and station screens (the manager's laptop) live in one app.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { loadFeatures } from '../i18n'
import { fieldRoutes } from './field-routes'
import { stationRoutes } from './station-routes'

export const routes: RouteRecordRaw[] = [
  ...fieldRoutes,
  ...stationRoutes,
  // Last: any other address gets a "not found" screen with the way home, not a blank page.
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('../views/NotFoundView.vue') },
]

/**
 * The screen a cold start on the bus opens most, whose messages ship with the app's first
 * JavaScript (i18n FIRST_FEATURES): it does not wait for the other field messages.
 */
const FIRST_SCREENS = new Set<string | symbol>(['donor'])

export function createAppRouter(history = createWebHistory()) {
  const router = createRouter({ history, routes })
  // Every other screen shows once the field features' messages are there (at once after the first).
  router.beforeResolve(async (to) => {
    if (to.name === undefined || !FIRST_SCREENS.has(to.name)) await loadFeatures()
  })
  return router
}
