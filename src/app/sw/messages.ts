// Names the page and the service worker share (this folder has its own tsconfig; the app imports
// this file too). Background Sync is one path: the scheduler registers the tag, the worker relays
// the browser's "sync" event to open pages as SYNC_MESSAGE, and the scheduler decides (backoff).

/** The Background Sync registration tag. */
export const BACKGROUND_SYNC_TAG = 'bloodbus-sync'
/** postMessage type the worker sends to pages when Background Sync fires. */
export const SYNC_MESSAGE = 'BLOODBUS_SYNC'
/** postMessage type that activates a waiting update; workbox-window's messageSkipWaiting() sends it. */
export const SKIP_WAITING_MESSAGE = 'SKIP_WAITING'
