// Manager pages under /station: password sign-in, online. Every page but sign-in sits in
// StationLayout and needs a session; without one the guard sends the manager to /station/login.
// The session store (and the station client behind it) and the manager's messages load with the
// first /station page, so none of it weighs on the bus screens.
import type { NavigationGuard, RouteRecordRaw } from 'vue-router'
import { loadFeatures } from '../i18n'

export const requireStationSession: NavigationGuard = async (to) => {
  const [{ useStationSessionStore }] = await Promise.all([
    import('../stores/useStationSessionStore'),
    loadFeatures('station', 'progress'),
  ])
  const session = useStationSessionStore()
  // After a reload or in a new tab the session lives only in the HttpOnly cookie: ask the server.
  await session.resume()
  if (to.name === 'station-login') return session.signedIn ? { name: 'station-dashboard' } : true
  if (!session.signedIn)
    return { name: 'station-login', query: to.fullPath === '/station' ? {} : { next: to.fullPath } }
  return true
}

export const stationRoutes: RouteRecordRaw[] = [
  {
    path: '/station/login',
    name: 'station-login',
    component: () => import('../views/station/StationLoginView.vue'),
    beforeEnter: requireStationSession,
  },
  {
    path: '/station',
    component: () => import('../views/station/StationLayout.vue'),
    beforeEnter: requireStationSession,
    children: [
      { path: '', name: 'station-dashboard', component: () => import('../views/station/StationDashboardView.vue') },
      {
        path: 'channels/:channelId',
        name: 'station-channel',
        component: () => import('../views/station/StationChannelView.vue'),
        props: true,
      },
      { path: 'plans', name: 'station-plans', component: () => import('../views/station/StationPlansView.vue') },
      { path: 'targets', name: 'station-targets', component: () => import('../views/station/StationTargetsView.vue') },
      {
        path: 'report/:year?',
        name: 'station-report',
        component: () => import('../views/station/StationReportView.vue'),
        props: true,
      },
      { path: 'donors', name: 'station-donors', component: () => import('../views/station/StationDonorsView.vue') },
      { path: 'staff', name: 'station-staff', component: () => import('../views/station/StationStaffView.vue') },
      {
        path: 'lookback',
        name: 'station-lookback',
        component: () => import('../views/station/StationLookbackView.vue'),
      },
      { path: 'phones', name: 'station-phones', component: () => import('../views/station/StationPhonesView.vue') },
      { path: 'clinic', name: 'station-clinic', component: () => import('../views/station/StationClinicView.vue') },
      {
        path: 'sites',
        name: 'station-sites',
        component: () => import('../views/station/StationPlacesView.vue'),
        props: { section: 'sites' },
      },
      {
        path: 'channel-list',
        name: 'station-channels',
        component: () => import('../views/station/StationPlacesView.vue'),
        props: { section: 'channels' },
      },
      {
        path: 'teams',
        name: 'station-teams',
        component: () => import('../views/station/StationPlacesView.vue'),
        props: { section: 'teams' },
      },
    ],
  },
]
