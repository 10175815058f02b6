// `npm run bench [name…]`: runs the benchmarks listed below; each prints its own table.
// To add one, add a line: a name and a module whose default export runs it.
// With no name (or several), each bench runs in its own process: they load different IndexedDB
// implementations (a real browser's, fake-indexeddb) that cannot share one.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BENCHES: Record<string, () => Promise<{ default: () => Promise<void> }>> = {
  browser: () => import('./browser'),
  push: () => import('./push-throughput'),
  progress: () => import('./progress-phone'),
  report: () => import('./report-annual'),
  'seed-year': () => import('./seed-year'),
  load: () => import('./load'),
}

const wanted = process.argv.slice(2)
const unknown = wanted.filter((n) => !(n in BENCHES))
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')} (known: ${Object.keys(BENCHES).join(', ')})`)
  process.exit(2)
}

if (wanted.length === 1) {
  const name = wanted[0]!
  console.log(`\n== bench: ${name} ==`)
  await (await BENCHES[name]!()).default()
} else {
  const failed: string[] = []
  for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), name], {
      stdio: 'inherit',
    })
    if (run.status !== 0) failed.push(name)
  }
  if (failed.length > 0) {
    console.error(`\nbenches that failed: ${failed.join(', ')}`)
    process.exit(1)
  }
}

export {} // a module, for top-level await
