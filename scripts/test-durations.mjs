// Writes tests/support/file-durations.json from the durations Vitest kept of the last runs
// (node_modules/.vite/vitest/*/results.json): the suite's sequencer (vitest.config.ts)
// starts the long files first on a clean clone too, where Vitest has kept nothing yet.
// Run after a full `npm test`: `node scripts/test-durations.mjs`.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const cacheRoot = 'node_modules/.vite/vitest'
const seconds = {}
for (const dir of existsSync(cacheRoot) ? readdirSync(cacheRoot) : []) {
  const file = join(cacheRoot, dir, 'results.json')
  if (!existsSync(file)) continue
  for (const [key, result] of JSON.parse(readFileSync(file, 'utf8')).results) {
    const path = key.slice(key.indexOf(':') + 1)
    if (!existsSync(path) || !(result?.duration > 0)) continue
    seconds[path] = Math.round(result.duration / 100) / 10
  }
}
const sorted = Object.fromEntries(Object.entries(seconds).sort(([a], [b]) => (a < b ? -1 : 1)))
writeFileSync('tests/support/file-durations.json', JSON.stringify(sorted, null, 2) + '\n')
console.log(`tests/support/file-durations.json: ${Object.keys(sorted).length} files`)
