import type { RouteRecordRaw } from 'vue-router'

/** Manager pages under /station (password sign-in, online). */
export const stationRoutes: RouteRecordRaw[] = []
