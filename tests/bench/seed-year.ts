// The seed year's generation and report, in process and through the CLI: "seconds, not minutes".
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSeedYear } from '../../src/domain/generator/seed-year'
import { computeIndicators } from '../../src/domain/indicators'
import { toJsonLines } from '../../src/domain/interchange'
import { indicatorContextFor } from '../../src/domain/reference-data'
import { summarize } from './summary'

function timed<T>(fn: () => T): { value: T; ms: number; cpuMs: number } {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  const value = fn()
  const c = process.cpuUsage(c0)
  return { value, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 }
}

export default async function run(): Promise<void> {
  const gen = timed(() => generateSeedYear({ profile: 'luoyang-2023', seed: 2023 }))
  const ind = timed(() => computeIndicators(gen.value.records, indicatorContextFor(gen.value.reference, 2023)))
  const jsonl = timed(() => toJsonLines(gen.value.records, { reference: gen.value.reference }))
  const dir = mkdtempSync(join(tmpdir(), 'bloodbus-bench-'))
  try {
    const file = join(dir, 'year.jsonl')
    const cli = (args: string[]) =>
      timed(() => execFileSync('npx', ['tsx', 'src/server/cli.ts', ...args], { stdio: 'pipe' }))
    const cliGen = cli(['generate', '--profile', 'luoyang-2023', '--out', file])
    const cliReport = cli(['report', '--input', file, '--json'])
    const rows = [
      ['generateSeedYear (in process)', gen.ms, `${gen.value.records.length} records`],
      ['computeIndicators', ind.ms, `${ind.value.donations} donations`],
      ['toJsonLines', jsonl.ms, `${(jsonl.value.length / 1e6).toFixed(1)} MB`],
      ['cli generate (incl. tsx start)', cliGen.ms, `${(statSync(file).size / 1e6).toFixed(1)} MB file`],
      ['cli report --json (incl. tsx start)', cliReport.ms, ''],
    ]
    summarize(
      rows.map(([step, ms, note]) => ({
        bench: 'seed-year',
        figure: `${step as string}${note ? ` (${note as string})` : ''}`,
        result: `${Math.round(ms as number)} ms`,
        target: '',
        ok: null,
      })),
    )
    console.table(rows.map(([step, ms, note]) => ({ step, 'wall ms': Math.round(ms as number), note })))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
