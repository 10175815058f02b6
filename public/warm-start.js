// Runs before the modules (src/app/main.ts says why); a file, as the CSP allows no inline script.
try {
  const warm = indexedDB.open('bloodbus')
  warm.onupgradeneeded = () => warm.transaction.abort()
  warm.onsuccess = () => warm.result.close()
  warm.onerror = (e) => e.preventDefault()
} catch {
  // no IndexedDB: the app says so itself
}
try {
  new Worker('/warm-fonts.js')
} catch {
  // no workers: the first layout finds the fonts
}
