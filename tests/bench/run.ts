// `npm run bench [name…] [--write-docs]`: runs the benchmarks (all of them without a name), each in
// its own process (they load different IndexedDB implementations, a real browser's and
// fake-indexeddb, that cannot share one), prints each bench's own table, then one summary of every
// headline figure against its target with the machine it ran on. --write-docs writes that summary
// into docs/benchmarks.md between its generated-results markers.
// To add a bench, add a line below: a name and a module whose default export runs it, and call
// summarize() (summary.ts) with its headline figures.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Machine, machineNow, markdownTable, readSummary, table, verdict } from './summary'

const BENCHES: Record<string, () => Promise<{ default: () => Promise<void> }>> = {
  browser: () => import('./browser'),
  progress: () => import('./progress-phone'),
  'push-browser': () => import('./push-browser'),
  push: () => import('./push-throughput'),
  report: () => import('./report-annual'),
  'report-retention': () => import('./report-retention'),
  'seed-year': () => import('./seed-year'),
  load: () => import('./load'),
  'push-station': () => import('./push-station-replay'),
}

const DOCS = 'docs/benchmarks.md'
const BEGIN = '<!-- bench:results:begin (written by `npm run bench -- --write-docs`) -->'
const END = '<!-- bench:results:end -->'

const args = process.argv.slice(2)
const writeDocs = args.includes('--write-docs')
const wanted = args.filter((a) => !a.startsWith('--'))
const unknown = wanted.filter((n) => !(n in BENCHES))
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')} (known: ${Object.keys(BENCHES).join(', ')})`)
  process.exit(2)
}

if (process.env.BENCH_CHILD) {
  const name = wanted[0]!
  console.log(`\n== bench: ${name} ==`)
  await (await BENCHES[name]!()).default()
} else {
  const dir = mkdtempSync(join(tmpdir(), 'bloodbus-bench-summary-'))
  const file = join(dir, 'summary.jsonl')
  const start = machineNow()
  const t0 = performance.now()
  const failed: string[] = []
  const names = wanted.length > 0 ? wanted : Object.keys(BENCHES)
  for (const name of names) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), name], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_CHILD: '1', BENCH_SUMMARY_FILE: file },
    })
    if (run.status !== 0) failed.push(name)
  }
  const end = machineNow()
  const machine: Machine = {
    cores: start.cores,
    cpu: start.cpu,
    node: start.node,
    loadStart: start.load,
    loadEnd: end.load,
    at: new Date().toISOString(),
  }
  const rows = readSummary(file)
  rmSync(dir, { recursive: true, force: true })
  const head = ['bench', 'figure', 'result', 'target', '']
  const cells = rows.map((r) => [r.bench, r.figure, r.result, r.target, verdict(r.ok)])
  const about = `${machine.cores} cores, ${machine.cpu}, load average ${machine.loadStart.toFixed(2)} at the start and ${machine.loadEnd.toFixed(2)} at the end, Node ${machine.node}, ${machine.at}`
  console.log(`\n== summary (${((performance.now() - t0) / 1000).toFixed(0)} s; ${about}) ==\n`)
  console.log(table(head, cells))
  const over = rows.filter((r) => r.ok === false)
  if (over.length > 0) console.log(`\n${over.length} figure(s) over target`)
  if (failed.length > 0) console.error(`\nbenches that failed: ${failed.join(', ')}`)
  if (writeDocs) {
    const doc = readFileSync(DOCS, 'utf8')
    const i = doc.indexOf(BEGIN)
    const j = doc.indexOf(END)
    if (i < 0 || j < i) throw new Error(`${DOCS} has no ${BEGIN} … ${END} block`)
    const block = [
      BEGIN,
      '',
      `Run of \`npm run bench${names.length === Object.keys(BENCHES).length ? '' : ` ${names.join(' ')}`}\`: ${about}.`,
      ...(failed.length > 0 ? ['', `Benches that failed in this run: ${failed.join(', ')}.`] : []),
      '',
      markdownTable(head, cells),
      '',
      END,
    ].join('\n')
    writeFileSync(DOCS, doc.slice(0, i) + block + doc.slice(j + END.length))
    console.log(`\nwrote the results into ${DOCS}`)
  }
  if (failed.length > 0) process.exit(1)
}

export {} // a module, for top-level await
