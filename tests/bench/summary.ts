// The one summary `npm run bench` ends with: each bench hands its headline figures here (in its
// own process: they go to the file named by BENCH_SUMMARY_FILE), and run.ts prints them in one
// table, with the machine they ran on, and can write them into docs/benchmarks.md.
import { appendFileSync, readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'

export interface SummaryRow {
  bench: string
  figure: string
  /** As printed, with its unit. */
  result: string
  /** "< 1000 ms", "≤ 1.5× raw put", or '' when the figure is for reading only. */
  target: string
  /** null: no target. */
  ok: boolean | null
}

/** Hands rows to the summary (and nothing when a bench runs alone without run.ts). */
export function summarize(rows: SummaryRow[]): void {
  const file = process.env.BENCH_SUMMARY_FILE
  if (!file) return
  for (const row of rows) appendFileSync(file, `${JSON.stringify(row)}\n`)
}

export function readSummary(file: string): SummaryRow[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as SummaryRow)
  } catch {
    return []
  }
}

export interface Machine {
  cores: number
  cpu: string
  /** 1-minute load average, at the start and the end of the run. */
  loadStart: number
  loadEnd: number
  node: string
  at: string
}

export function machineNow(): Pick<Machine, 'cores' | 'cpu' | 'node'> & { load: number } {
  return { cores: cpus().length, cpu: cpus()[0]?.model.trim() ?? 'unknown', node: process.version, load: loadavg()[0]! }
}

export const verdict = (ok: boolean | null): string => (ok === null ? '' : ok ? 'ok' : 'OVER')

/** A plain-text table, columns padded. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((_, c) => Math.max(...[head, ...rows].map((r) => (r[c] ?? '').length)))
  const line = (r: string[]) =>
    r
      .map((cell, c) => (cell ?? '').padEnd(widths[c]!))
      .join('  ')
      .trimEnd()
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/** The same rows as a Markdown table. */
export function markdownTable(head: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|')
  return [
    `| ${head.map(esc).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n')
}
