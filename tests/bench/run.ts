// `npm run bench [name…]`: runs the benchmarks listed below in turn; each prints its own table.
// To add one, add a line: a name and a module whose default export runs it.
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

for (const [name, load] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue
  console.log(`\n== bench: ${name} ==`)
  await (await load()).default()
}

export {} // a module, for top-level await
