// The real CLI in a temp dir: generate the Luoyang 2023 year, report it, and check the published
// figures; the same seed writes the same bytes; CSV tables report the same as JSON Lines.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StationReport } from '../../src/server/cli/report'

// tsx's loader, by path: the CLI runs in a temp dir, where `--import tsx` would not resolve.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const cliPath = fileURLToPath(new URL('../../src/server/cli.ts', import.meta.url))
let dir: string

interface Run {
  code: number
  stdout: string
  stderr: string
  ms: number
}

function cli(...args: string[]): Promise<Run> {
  const t0 = performance.now()
  return new Promise((resolve) => {
    // `npm run cli` is `tsx src/server/cli.ts`; tsx's loader in the CLI's own process spares the
    // relay process tsx's command starts around it (one node start per call).
    execFile(
      process.execPath,
      ['--import', tsxLoader, cliPath, ...args],
      { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({ code, stdout, stderr, ms: performance.now() - t0 })
      },
    )
  })
}

const sha256 = (path: string) =>
  createHash('sha256')
    .update(readFileSync(join(dir, path)))
    .digest('hex')
const round2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100)
const byCode = (rows: { code: string | null; donations: number }[]) =>
  Object.fromEntries(rows.map((r) => [r.code, r.donations]))

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bloodbus-cli-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('cli generate + report', () => {
  let gen: Run
  let rep: Run
  let jsonReport: StationReport

  beforeAll(async () => {
    gen = await cli('generate', '--profile', 'luoyang-2023', '--seed', '2023', '--out', 'year.jsonl')
    rep = await cli('report', '--input', 'year.jsonl', '--json')
    console.info(`generate ${Math.round(gen.ms)} ms, report ${Math.round(rep.ms)} ms (wall, incl. tsx start)`)
    if (rep.code === 0) jsonReport = JSON.parse(rep.stdout) as StationReport
  }, 180_000)

  it('generates the Luoyang 2023 year and reports every published figure', () => {
    expect(gen.stderr).toBe('')
    expect(gen.code).toBe(0)
    expect(gen.stdout).toMatch(/luoyang-2023 seed 2023: [\d,]+ records/)
    expect(rep.stderr).toBe('')
    expect(rep.code).toBe(0)
    const { indicators: i, metrics: m } = jsonReport
    expect(jsonReport.year).toBe(2023)
    expect(jsonReport.population).toBe(7_077_000)
    expect([i.donations, i.wholeBloodDonations, i.wholeBloodUnits, i.apheresisDonations, i.apheresisDoses]).toEqual([
      93_560, 84_609, 169_002, 8_951, 13_187,
    ])
    expect([
      round2(m.rate_400ml),
      round2(m.rural_donor_share),
      round2(m.repeat_donor_share),
      round2(m.rural_mobile_share),
      round2(m.per_1000),
    ]).toEqual([99.73, 69.39, 67.08, 32.59, 13.22])
    expect([i.ruralMobileWholeBlood, i.ruralBusTrips, i.rhdNegativeDonations]).toEqual([27_577, 787, 513])
    expect(byCode(jsonReport.channels)).toMatchObject({
      government_agencies: 1_637,
      universities: 10_258,
      medical_staff_month: 2_655,
      rural_mobile: 27_577,
      enterprises: 1_391,
    })
    expect(byCode(jsonReport.teams)).toMatchObject({
      county_emergency: 10_281,
      apheresis_platelet: 8_951,
      rare_blood_type: 513,
      military: 2_301,
    })
  })

  // That another seed gives another year is the generator's own test (tests/domain/generator.test.ts);
  // here the file writer must not add order or timestamps of its own.
  it('writes byte-identical files for the same seed', { timeout: 180_000 }, async () => {
    expect((await cli('generate', '--seed', '2023', '--out', 'again/year.jsonl')).code).toBe(0)
    expect(sha256('again/year.jsonl')).toBe(sha256('year.jsonl'))
  })

  it('reports the same from the CSV tables as from JSON Lines', { timeout: 180_000 }, async () => {
    const gen = await cli('generate', '--seed', '2023', '--out', 'csv/year.csv')
    expect(gen.code).toBe(0)
    expect(gen.stdout).toContain(join(dir, 'csv', 'year.donation.csv'))
    const rep = await cli('report', '--input', 'csv/year.csv', '--json')
    expect(rep.stderr).toBe('')
    const csvReport = JSON.parse(rep.stdout) as StationReport
    expect(csvReport).toEqual(jsonReport)
  })

  it('prints a readable table with Chinese and English labels', { timeout: 120_000 }, async () => {
    const rep = await cli('report', '--input', 'year.jsonl')
    expect(rep.code).toBe(0)
    expect(rep.stdout).toMatch(/洛阳市中心血站 · 2023 年 · population 人口 7,077,000/)
    expect(rep.stdout).toMatch(/400 ml 采集率\s+400 ml rate\s+99\.73 %/)
    expect(rep.stdout).toMatch(/乡村流动占比\s+Rural-mobile share\s+32\.59 %/)
    expect(rep.stdout).toMatch(/千人口献血率\s+Donations per 1,000\s+13\.22/)
    expect(rep.stdout).toMatch(/稀有血型献血队伍\s+Rare blood type \(RhD negative\) donors\s+513/)
  })
})

describe('cli errors and help', () => {
  it('lists its commands', async () => {
    const help = await cli('help')
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/generate\s+Write a synthetic collection year/)
    expect(help.stdout).toMatch(/report\s+Print collection indicators/)
    const one = await cli('help', 'report')
    expect(one.stdout).toContain('--population')
  }, 60_000)

  it('refuses unknown commands and bad options with exit 2 and the usage', async () => {
    const unknown = await cli('frobnicate')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('Unknown command: frobnicate')
    const bad = await cli('generate', '--out', 'x.txt')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--out must end in \.jsonl or \.csv[\s\S]*Usage: npm run cli -- generate/)
    const flag = await cli('report', '--input', 'x.jsonl', '--colour')
    expect(flag.code).toBe(2)
    expect(flag.stderr).toMatch(/Unknown option '--colour'/)
  }, 60_000)

  it('reports nothing from a file with errors, naming file and line', async () => {
    writeFileSync(
      join(dir, 'bad.jsonl'),
      '{"type":"header","format":"bloodbus-interchange","version":1,"schemaVersion":1}\n{"type":"donation"}\nnot json\n',
    )
    const rep = await cli('report', '--input', 'bad.jsonl')
    expect(rep.code).toBe(1)
    expect(rep.stdout).toBe('')
    expect(rep.stderr).toContain(`${join(dir, 'bad.jsonl')}:2: donation: `)
    expect(rep.stderr).toContain(`${join(dir, 'bad.jsonl')}:3: not valid JSON`)
    expect(rep.stderr).toMatch(/2 error\(s\) in the input; nothing reported/)
    const missing = await cli('report', '--input', 'nowhere.jsonl')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/no such file: .*nowhere\.jsonl/)
  }, 60_000)
})
