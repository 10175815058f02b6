// The bus screens. All but enrollment sit inside FieldLayout, which holds the staff lock; each
// screen is its own chunk so the first load stays small.
import type { NavigationGuard, RouteLocationNormalized, RouteRecordRaw } from 'vue-router'
import { loadFeatures } from '../i18n'
import { useDeviceStore } from '../stores/useDeviceStore'

/** Field screens need an enrolled phone; an enrolled phone has no business on the enroll page. */
export const requireEnrollment: NavigationGuard = async (to) => {
  const device = useDeviceStore()
  if (!device.loaded) {
    // Cold start: fetch the screen's code, and the drive it shows, while the database opens.
    prefetchComponents(to)
    if (to.name === 'donor' && typeof to.params.driveId === 'string') {
      const driveId = to.params.driveId
      void import('../stores/useDriveStore')
        .then(({ useDriveStore }) => useDriveStore().whenLoaded(driveId))
        .catch(() => {
          /* the screen loads it again */
        })
    }
    await device.load()
  }
  if (!device.enrolled && to.name !== 'enroll') return { name: 'enroll' }
  if (device.enrolled && to.name === 'enroll') return { name: 'drives' }
  return true
}

/** Starts loading the lazy components of a route; the router's own import later gets the same module. */
function prefetchComponents(to: RouteLocationNormalized): void {
  for (const record of to.matched) {
    for (const component of Object.values(record.components ?? {})) {
      if (typeof component === 'function')
        void (component as () => Promise<unknown>)()?.catch?.(() => {
          /* the router reports it */
        })
    }
  }
}

declare module 'vue-router' {
  interface RouteMeta {
    /** Screens under the staff lock (FieldLayout). */
    staffLock?: boolean
  }
}

export const fieldRoutes: RouteRecordRaw[] = [
  {
    path: '/enroll',
    name: 'enroll',
    component: () => import('../views/EnrollView.vue'),
    beforeEnter: requireEnrollment,
  },
  {
    // A donor kiosk: no staff lock and no enrollment needed (it uses the station's questions if enrolled).
    path: '/kiosk',
    name: 'kiosk',
    component: () => import('../views/KioskView.vue'),
    beforeEnter: async () => {
      const device = useDeviceStore()
      if (!device.loaded) await device.load()
      return true
    },
  },
  {
    path: '/',
    component: () => import('../views/FieldLayout.vue'),
    beforeEnter: requireEnrollment,
    // Under the staff lock: the first screen counts as usable only once someone unlocks.
    meta: { staffLock: true },
    children: [
      { path: '', name: 'home', redirect: { name: 'drives' } },
      { path: 'drives', name: 'drives', component: () => import('../views/DriveListView.vue') },
      { path: 'drives/new', name: 'drive-open', component: () => import('../views/DriveOpenView.vue') },
      // One drive, several phones (issue 14).
      { path: 'drives/join', name: 'drive-join', component: () => import('../views/DriveJoinView.vue') },
      {
        path: 'drives/:driveId/crew',
        name: 'drive-crew',
        component: () => import('../views/DriveCrewView.vue'),
        props: true,
      },
      {
        path: 'drives/:driveId/handover',
        name: 'drive-handover',
        component: () => import('../views/DriveHandOverView.vue'),
        props: true,
      },
      { path: 'drives/:driveId', name: 'drive', component: () => import('../views/DriveView.vue'), props: true },
      {
        path: 'drives/:driveId/donor',
        name: 'donor',
        component: () => import('../views/DonorRecordView.vue'),
        props: true,
      },
      {
        path: 'drives/:driveId/records/:recordId',
        name: 'record',
        component: () => import('../views/RecordView.vue'),
        props: true,
      },
      {
        path: 'drives/:driveId/close',
        name: 'drive-close',
        component: () => import('../views/DriveCloseView.vue'),
        props: true,
      },
      { path: 'settings', name: 'settings', component: () => import('../views/SettingsView.vue') },
      { path: 'sync', name: 'sync', component: () => import('../views/SyncView.vue') },
      {
        path: 'progress',
        name: 'progress',
        component: () => import('../views/ProgressView.vue'),
        beforeEnter: () => loadFeatures('progress', 'station').then(() => true),
      },
    ],
  },
]
