// `generate`: writes a synthetic collection year (src/domain/generator) as JSON Lines or CSV tables.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { DEFAULT_SEED, SEED_YEAR_PROFILES, generateSeedYear, type SeedYear } from '../../domain/generator/seed-year'
import { CSV_FIELD_TYPES, toCsv, toJsonLines, type CsvType } from '../../domain/interchange'
import { CliUsageError, parseOptions, registerCommand, type CliIo } from './registry'

const usage = `Usage: npm run cli -- generate --out <file.jsonl|file.csv> [--profile luoyang-2023] [--seed N]

  --out      .jsonl: one JSON Lines file with reference data and every record.
             .csv:   one table per record type beside it, <name>.<type>.csv (docs/data-format.md).
  --profile  Seed-year profile (${Object.keys(SEED_YEAR_PROFILES).join(', ')}); default luoyang-2023.
  --seed     Integer 0–4294967295; default ${DEFAULT_SEED}. The same seed writes the same bytes.`

/** Where `generate --out <base>.csv` puts the table of `type`. */
export function csvTablePath(outCsv: string, type: CsvType): string {
  return `${outCsv.replace(/\.csv$/i, '')}.${type}.csv`
}

/** The files a year is written to, path → content; CSV writes reference tables and non-empty record tables. */
export function seedYearFiles(year: SeedYear, out: string): Map<string, string> {
  const files = new Map<string, string>()
  const source = `generate ${year.profile} seed ${year.seed}`
  if (/\.csv$/i.test(out)) {
    const ref = year.reference
    files.set(csvTablePath(out, 'station'), toCsv('station', ref.stations))
    files.set(csvTablePath(out, 'site'), toCsv('site', ref.sites))
    files.set(csvTablePath(out, 'channel'), toCsv('channel', ref.channels))
    files.set(csvTablePath(out, 'team'), toCsv('team', ref.teams))
    files.set(csvTablePath(out, 'population'), toCsv('population', ref.populations))
    for (const type of CSV_FIELD_TYPES) {
      const records = year.records.filter((r) => r.type === type)
      if (records.length > 0) files.set(csvTablePath(out, type), toCsv(type, records as never[]))
    }
  } else {
    files.set(out, toJsonLines(year.records, { reference: year.reference, source }))
  }
  return files
}

function parseSeed(text: string | undefined): number {
  if (text === undefined) return DEFAULT_SEED
  if (!/^\d+$/.test(text) || Number(text) > 0xffffffff)
    throw new CliUsageError(`--seed must be an integer from 0 to 4294967295, not ${JSON.stringify(text)}`)
  return Number(text)
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, {
    out: { type: 'string' },
    profile: { type: 'string', default: 'luoyang-2023' },
    seed: { type: 'string' },
  })
  if (!values.out) throw new CliUsageError('--out is required')
  if (!/\.(jsonl|ndjson|csv)$/i.test(values.out)) throw new CliUsageError('--out must end in .jsonl or .csv')
  if (!Object.hasOwn(SEED_YEAR_PROFILES, values.profile)) {
    throw new CliUsageError(
      `unknown profile ${JSON.stringify(values.profile)}; known: ${Object.keys(SEED_YEAR_PROFILES).join(', ')}`,
    )
  }
  const seed = parseSeed(values.seed)
  const out = resolve(io.cwd, values.out)

  const t0 = performance.now()
  const year = generateSeedYear({ profile: values.profile, seed })
  const t1 = performance.now()
  const files = seedYearFiles(year, out)
  let bytes = 0
  for (const [path, content] of files) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, content, 'utf8')
    bytes += Buffer.byteLength(content, 'utf8')
  }
  const t2 = performance.now()
  const count = new Intl.NumberFormat('en-US').format(year.records.length)
  io.stdout(
    `${year.profile} seed ${seed}: ${count} records, ${(bytes / 1e6).toFixed(1)} MB in ${files.size} file(s); generated in ${((t1 - t0) / 1000).toFixed(1)} s, written in ${((t2 - t1) / 1000).toFixed(1)} s\n`,
  )
  for (const path of files.keys()) io.stdout(`  ${path}\n`)
  return 0
}

registerCommand({
  name: 'generate',
  summary: 'Write a synthetic collection year (seed profile) as JSON Lines or CSV',
  usage,
  run,
})
