// Begun before the modules run (a file: the CSP allows no inline script; src/app/main.ts says why).
// The phone's database opens slowly at a cold start: begin it, never creating it.
try {
  const warm = indexedDB.open('bloodbus')
  warm.onupgradeneeded = () => warm.transaction.abort()
  warm.onsuccess = () => warm.result.close()
  warm.onerror = (e) => e.preventDefault()
} catch {
  // no IndexedDB: the app says so itself
}
// The first screen's fonts, found off the main thread (warm-fonts.js).
try {
  new Worker('/warm-fonts.js')
} catch {
  // no workers: the first layout finds the fonts
}
