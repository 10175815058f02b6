// `report`: reads interchange files (docs/data-format.md) and prints the collection indicators
// (docs/domain.md), as a table with Chinese and English labels or as JSON.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import {
  BLOOD_GROUPS,
  collectionDate,
  countRecords,
  effectiveRecords,
  indicatorsFromCounts,
  metricValue,
  type Indicators,
} from '../../domain/indicators'
import {
  CSV_FIELD_TYPES,
  detectCsvType,
  parseCsv,
  parseJsonLines,
  type InterchangeError,
} from '../../domain/interchange'
import { DEFERRAL_REASONS } from '../../domain/deferral-reasons'
import { countRules, DEFAULT_OVERRIDE_REASONS, type RulesCounts } from '../../domain/overrides'
import { METRICS, type FieldRecord, type Metric } from '../../domain/records'
import { emptyReferenceData, indicatorContextFor, type ReferenceData } from '../../domain/reference-data'
import { CliUsageError, parseOptions, registerCommand, type CliIo } from './registry'

const usage = `Usage: npm run cli -- report --input <file> [--input <file>…] [--json] [--year YYYY] [--population N]

  --input       A JSON Lines file, a CSV table, or the name given to generate --out x.csv
                (reads every x.<type>.csv beside it). Repeat for several files.
  --json        Print JSON instead of the table.
  --year        Count only records of that calendar year (default: the year the records cover,
                when it is a single one) and use that year's population.
  --population  Population for donations per 1,000 (overrides the files' population lines).`

export interface LoadedInput {
  records: FieldRecord[]
  reference: ReferenceData
  errors: { file: string; line: number; message: string }[]
  files: string[]
}

function mergeReference(into: ReferenceData, from: ReferenceData): void {
  const add = <T>(list: T[], items: T[], key: (x: T) => string) => {
    const seen = new Set(list.map(key))
    for (const item of items) if (!seen.has(key(item))) list.push(item)
  }
  add(into.stations, from.stations, (s) => s.id)
  add(into.sites, from.sites, (s) => s.id)
  add(into.channels, from.channels, (c) => c.id)
  add(into.teams, from.teams, (t) => t.id)
  add(into.populations, from.populations, (p) => `${p.stationId}/${p.year}`)
}

/** The files an --input names: the file itself, or for a missing x.csv the x.<type>.csv tables beside it. */
function expandInput(path: string): string[] {
  if (existsSync(path)) return [path]
  if (/\.csv$/i.test(path)) {
    const dir = dirname(path)
    const stem = basename(path).replace(/\.csv$/i, '')
    if (existsSync(dir)) {
      const tables = readdirSync(dir)
        .filter((f) => f.startsWith(`${stem}.`) && /\.csv$/i.test(f) && f !== basename(path))
        .sort()
      if (tables.length > 0) return tables.map((f) => join(dir, f))
    }
  }
  throw new Error(`no such file: ${path}`)
}

export function loadInputs(paths: string[], cwd: string): LoadedInput {
  const loaded: LoadedInput = { records: [], reference: emptyReferenceData(), errors: [], files: [] }
  const note = (file: string, errors: InterchangeError[]) => {
    for (const e of errors) loaded.errors.push({ file, ...e })
  }
  for (const input of paths) {
    for (const file of expandInput(resolve(cwd, input))) {
      loaded.files.push(file)
      const text = readFileSync(file, 'utf8')
      if (/\.csv$/i.test(file)) {
        const type = detectCsvType(text)
        if (type === null) {
          note(file, [{ line: 1, message: 'the header is not that of any Blood Bus table (docs/data-format.md)' }])
          continue
        }
        const parsed = parseCsv(type, text)
        note(file, parsed.errors)
        if (CSV_FIELD_TYPES.includes(type)) loaded.records.push(...(parsed.records as FieldRecord[]))
        else {
          const ref = emptyReferenceData()
          const key = (
            {
              station: 'stations',
              site: 'sites',
              channel: 'channels',
              team: 'teams',
              population: 'populations',
            } as const
          )[type as 'station']
          ;(ref[key] as unknown[]).push(...parsed.records)
          mergeReference(loaded.reference, ref)
        }
      } else {
        const parsed = parseJsonLines(text)
        note(file, parsed.errors)
        loaded.records.push(...parsed.records)
        mergeReference(loaded.reference, parsed.reference)
      }
    }
  }
  return loaded
}

export interface StationReport {
  station: string | null
  year: number | null
  population: number | null
  records: { read: number; counted: number }
  indicators: Indicators
  /** Every target metric in its target unit (shares in percent, unrounded). */
  metrics: Record<Metric, number | null>
  channels: {
    id: string
    code: string | null
    nameZh: string | null
    nameEn: string | null
    ruralMobile: boolean
    donations: number
  }[]
  teams: { id: string; code: string | null; nameZh: string | null; nameEn: string | null; donations: number }[]
  /** Schema 2: deferrals by reason (each reason of a deferral once), leaders' overrides by reason and by drive. */
  rules: RulesCounts
}

export function buildReport(
  input: Pick<LoadedInput, 'records' | 'reference'>,
  options: { year?: number; population?: number },
): StationReport {
  const effective = effectiveRecords(input.records)
  const years = new Set<number>()
  for (const r of effective) {
    const date = collectionDate(r)
    if (date) years.add(Number(date.slice(0, 4)))
  }
  const year = options.year ?? (years.size === 1 ? [...years][0]! : null)
  const counted =
    year === null ? effective : effective.filter((r) => collectionDate(r)?.startsWith(`${year}-`) === true)
  const ctx = indicatorContextFor(input.reference, year ?? undefined)
  if (year === null) ctx.population = null
  if (options.population !== undefined) ctx.population = options.population
  const indicators = indicatorsFromCounts(countRecords(counted, ctx), ctx)
  const channelIds = new Set([...input.reference.channels.map((c) => c.id), ...Object.keys(indicators.byChannel)])
  const teamIds = new Set([...input.reference.teams.map((t) => t.id), ...Object.keys(indicators.byTeam)])
  return {
    station: input.reference.stations.length === 1 ? input.reference.stations[0]!.name : null,
    year,
    population: indicators.population,
    records: { read: input.records.length, counted: counted.filter((r) => collectionDate(r) !== null).length },
    indicators,
    rules: countRules(counted),
    metrics: Object.fromEntries(METRICS.map((m) => [m, metricValue(indicators, m)])) as Record<Metric, number | null>,
    channels: [...channelIds].map((id) => {
      const c = input.reference.channels.find((x) => x.id === id)
      return {
        id,
        code: c?.code ?? null,
        nameZh: c?.nameZh ?? null,
        nameEn: c?.nameEn ?? null,
        ruralMobile: c?.ruralMobile ?? false,
        donations: indicators.byChannel[id] ?? 0,
      }
    }),
    teams: [...teamIds].map((id) => {
      const t = input.reference.teams.find((x) => x.id === id)
      return {
        id,
        code: t?.code ?? null,
        nameZh: t?.nameZh ?? null,
        nameEn: t?.nameEn ?? null,
        donations: indicators.byTeam[id] ?? 0,
      }
    }),
  }
}

// ---------------------------------------------------------------------------------------------
// Table

/** Terminal columns a string takes: CJK and full-width characters take two. */
export function displayWidth(text: string): number {
  let w = 0
  for (const ch of text) {
    const cp = ch.codePointAt(0)!
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      cp >= 0x20000
    w += wide ? 2 : 1
  }
  return w
}

const padEnd = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)))
const padStart = (text: string, width: number) => ' '.repeat(Math.max(0, width - displayWidth(text))) + text
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(2)} %`)
const num2 = (x: number | null) => (x === null ? '—' : x.toFixed(2))

export function formatReport(r: StationReport): string {
  const i = r.indicators
  type Row = [zh: string, en: string, value: string] | string
  const rows: Row[] = [
    '总量 Totals',
    ['献血总人次', 'Donations', int.format(i.donations)],
    ['全血献血人次', 'Whole-blood donations', int.format(i.wholeBloodDonations)],
    ['  400 ml', '400 ml', int.format(i.wholeBlood400)],
    ['  300 ml', '300 ml', int.format(i.wholeBlood300)],
    ['  200 ml', '200 ml', int.format(i.wholeBlood200)],
    ['全血单位', 'Whole-blood units (u)', int.format(i.wholeBloodUnits)],
    ['单采血小板人次', 'Apheresis donations', int.format(i.apheresisDonations)],
    ['单采治疗量', 'Apheresis doses', int.format(i.apheresisDoses)],
    ['乡村流动全血人次', 'Rural-mobile whole blood', int.format(i.ruralMobileWholeBlood)],
    ['RhD 阴性人次', 'RhD-negative donations', int.format(i.rhdNegativeDonations)],
    ['暂缓献血人次', 'Deferrals', int.format(i.deferrals)],
    ['出车次数', 'Bus trips', int.format(i.busTrips)],
    ['乡村流动出车', 'Rural bus trips', int.format(i.ruralBusTrips)],
    '比率 Rates',
    ['400 ml 采集率', '400 ml rate', pct(i.rate400ml)],
    ['乡村流动占比', 'Rural-mobile share', pct(i.ruralMobileShare)],
    ['农村户籍献血者占比', 'Rural donor share', pct(i.ruralDonorShare)],
    ['重复献血者占比', 'Repeat donor share', pct(i.repeatDonorShare)],
    ['千人口献血率', 'Donations per 1,000', num2(i.per1000)],
    ['暂缓率', 'Deferral rate', pct(i.deferralRate)],
    '渠道 By channel',
    ...r.channels.map((c): Row => [
      `${c.nameZh ?? c.id}${c.ruralMobile ? ' *' : ''}`,
      c.nameEn ?? '',
      int.format(c.donations),
    ]),
    '队伍 By team',
    ...r.teams.map((t): Row => [t.nameZh ?? t.id, t.nameEn ?? '', int.format(t.donations)]),
    '血型 By blood group',
    ...BLOOD_GROUPS.map((g): Row => [g, '', int.format(i.byBloodGroup[g])]),
    '暂缓原因 Deferrals by reason',
    ...Object.entries(r.rules.deferralsByReason)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([code, n]): Row => {
        const reason = DEFERRAL_REASONS.find((x) => x.code === code)
        return [reason?.zh ?? code, reason?.en ?? code, int.format(n)]
      }),
    '负责人例外 Leader exceptions',
    ['例外献血人次', 'Donations on an exception', int.format(r.rules.overrides)],
    ...Object.entries(r.rules.overridesByReason)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([code, n]): Row => {
        const reason = DEFAULT_OVERRIDE_REASONS.find((x) => x.code === code)
        return [`  ${reason?.zh ?? code}`, reason?.en ?? code, int.format(n)]
      }),
    ...Object.entries(r.rules.overridesByDrive)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([drive, n]): Row => [`  车次 ${drive || '—'}`, `drive ${drive || '—'}`, int.format(n)]),
  ]
  const zhWidth = Math.max(...rows.map((row) => (typeof row === 'string' ? 0 : displayWidth(row[0]))))
  const enWidth = Math.max(...rows.map((row) => (typeof row === 'string' ? 0 : displayWidth(row[1]))))
  const valueWidth = Math.max(...rows.map((row) => (typeof row === 'string' ? 0 : displayWidth(row[2]))))
  const title = [
    r.station ?? '',
    r.year === null ? 'all years 全部年份' : `${r.year} 年`,
    r.population === null ? '' : `population 人口 ${int.format(r.population)}`,
  ]
    .filter((s) => s !== '')
    .join(' · ')
  const lines = [
    title,
    `records 记录 ${int.format(r.records.read)} read, ${int.format(r.records.counted)} counted (voids and corrections applied)`,
  ]
  for (const row of rows) {
    if (typeof row === 'string') lines.push('', row)
    else lines.push(`  ${padEnd(row[0], zhWidth)}  ${padEnd(row[1], enWidth)}  ${padStart(row[2], valueWidth)}`)
  }
  if (r.channels.some((c) => c.ruralMobile))
    lines.push('', '* 乡村流动渠道 rural-mobile channel (rural-mobile share, rural bus trips)')
  return lines.join('\n') + '\n'
}

// ---------------------------------------------------------------------------------------------

function parsePositiveInt(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new CliUsageError(`${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(text)}`)
  return Number(text)
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, {
    input: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    year: { type: 'string' },
    population: { type: 'string' },
  })
  if (!values.input || values.input.length === 0) throw new CliUsageError('--input is required')
  const year = parsePositiveInt('--year', values.year, 2000, 2100)
  const population = parsePositiveInt('--population', values.population, 1, 10_000_000_000)
  const loaded = loadInputs(values.input, io.cwd)
  if (loaded.errors.length > 0) {
    for (const e of loaded.errors.slice(0, 20)) io.stderr(`${e.file}:${e.line}: ${e.message}\n`)
    if (loaded.errors.length > 20) io.stderr(`… and ${loaded.errors.length - 20} more\n`)
    io.stderr(
      `report: ${loaded.errors.length} error(s) in the input; nothing reported. Fix the file(s) and run again.\n`,
    )
    return 1
  }
  const report = buildReport(loaded, {
    ...(year === undefined ? {} : { year }),
    ...(population === undefined ? {} : { population }),
  })
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report))
  return 0
}

registerCommand({
  name: 'report',
  summary: 'Print collection indicators (zh/en table or JSON) from interchange files',
  usage,
  run,
})
