import type { RouteRecordRaw } from 'vue-router'

export const fieldRoutes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('../views/HomeView.vue') },
]
