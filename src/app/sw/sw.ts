/// <reference lib="webworker" />
// The app's service worker: precaches the phone's app (JS, CSS, icons, the scanner's wasm; not the
// station's pages, which run online) so a bus with no network still opens it, and serves every
// in-app URL from the cached shell.
import { clientsClaim } from 'workbox-core'
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'
import { BACKGROUND_SYNC_TAG, SKIP_WAITING_MESSAGE, SYNC_MESSAGE } from './messages'

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> }

precacheAndRoute(self.__WB_MANIFEST)
cleanupOutdatedCaches()
// Every in-app URL opens the cached shell. The API is never cached: there is no runtime caching
// route at all, so /api requests always go to the network (and fail visibly when offline).
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/^\/api\//] }))

// The first install controls the open page at once, so it works offline without a reload. An
// update never activates by itself (registerType 'prompt'): it waits for SKIP_WAITING_MESSAGE below.
clientsClaim()

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === SKIP_WAITING_MESSAGE) void self.skipWaiting()
})

// Background Sync (Chromium only) is a bonus trigger: the records and the sync code live in the
// page, so the worker only tells open pages that a network is back; the page's scheduler decides
// whether its retry backoff allows a round now. Sync also runs on start, on `online`, on becoming
// visible, on a timer and on a button.
interface SyncEvent extends ExtendableEvent {
  readonly tag: string
}
self.addEventListener('sync', ((event: SyncEvent) => {
  if (event.tag !== BACKGROUND_SYNC_TAG) return
  event.waitUntil(
    (async () => {
      const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
      for (const page of pages) page.postMessage({ type: SYNC_MESSAGE })
    })(),
  )
}) as EventListener)
