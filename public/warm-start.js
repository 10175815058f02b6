// What a cold start waits on besides its scripts, begun while the module scripts load. A classic
// script in <head>, so it runs before the modules; a file of its own because the
// Content-Security-Policy allows no inline script.
//
// Opening the phone's database takes IndexedDB a while at a cold start: begin it (the browser
// keeps it open a moment for the app's own connection). Never creates it: a phone without one
// gets it from the app.
try {
  const warm = indexedDB.open('bloodbus')
  warm.onupgradeneeded = () => warm.transaction.abort()
  warm.onsuccess = () => warm.result.close()
  warm.onerror = (e) => e.preventDefault()
} catch {
  /* no IndexedDB: the app says so itself */
}
// The first layout of Chinese text finds and opens the system's CJK font faces, one per weight,
// with the main thread waiting (tens of milliseconds each on a slow phone): a worker finds them
// first (warm-fonts.js), in parallel, and the browser keeps them for the page's own text.
try {
  new Worker('/warm-fonts.js')
} catch {
  /* no workers: the first layout loads the fonts itself */
}
