// Opening the phone's database takes IndexedDB a while at a cold start: begin while the module
// scripts load (the browser keeps it open a moment for the app's own connection). Never creates
// it: a phone without one gets it from the app. A classic script in <head>, so it runs before the
// modules; a file of its own because the Content-Security-Policy allows no inline script.
try {
  const warm = indexedDB.open('bloodbus')
  warm.onupgradeneeded = () => warm.transaction.abort()
  warm.onsuccess = () => warm.result.close()
  warm.onerror = (e) => e.preventDefault()
} catch {
  /* no IndexedDB: the app says so itself */
}
