// Field screens (the bus) and station screens (the manager's laptop) live in one app.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { fieldRoutes } from './field-routes'
import { stationRoutes } from './station-routes'

export const routes: RouteRecordRaw[] = [...fieldRoutes, ...stationRoutes]

export function createAppRouter(history = createWebHistory()) {
  return createRouter({ history, routes })
}
