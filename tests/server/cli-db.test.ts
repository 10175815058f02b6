// The database commands of the CLI, in-process through runCli, on both engines: create a station
// and its admin, issue an enrollment code, import twice (same rows), export, report from the database.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/domain/ids'
import { toJsonLines } from '../../src/domain/interchange'
import type { FieldRecord } from '../../src/domain/records'
import { seedChannels, seedTeams } from '../../src/domain/reference-data'
import { runCli } from '../../src/server/cli'
import type { CliIo } from '../../src/server/cli/registry'
import { openStore } from '../../src/server/db/store'
import { ENGINES, PG_URL } from './support/engines'

describe.each(ENGINES)('CLI database commands (%s)', (engine) => {
  const dir = mkdtempSync(join(tmpdir(), 'bloodbus-cli-'))
  const schema = `c_${randomBytes(5).toString('hex')}`
  const saved = { ...process.env }
  beforeAll(() => {
    process.env.DATA_DIR = dir
    if (engine === 'postgres') {
      if (!PG_URL)
        throw new Error('PostgreSQL is required here (CI=true or REQUIRE_POSTGRES=1) but TEST_DATABASE_URL is not set')
      process.env.DATABASE_URL = PG_URL
      process.env.DATABASE_SCHEMA = schema
    } else {
      delete process.env.DATABASE_URL
      delete process.env.DATABASE_SCHEMA
    }
  })
  afterAll(async () => {
    process.env = saved
    rmSync(dir, { recursive: true, force: true })
    if (engine === 'postgres' && PG_URL) {
      const client = new pg.Client({ connectionString: PG_URL })
      await client.connect()
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      } finally {
        await client.end()
      }
    }
  })

  const cli = async (...argv: string[]) => {
    let out = ''
    let err = ''
    const io: CliIo = {
      stdout: (t) => {
        out += t
      },
      stderr: (t) => {
        err += t
      },
      cwd: dir,
    }
    const code = await runCli(argv, io)
    return { code, out, err }
  }
  const records = async () => {
    const store = await openStore({
      databaseUrl: process.env.DATABASE_URL,
      dataDir: dir,
      pgSchema: process.env.DATABASE_SCHEMA,
    })
    try {
      return Number(
        (
          await store.db
            .selectFrom('records')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    } finally {
      await store.close()
    }
  }

  it('creates a station and its admin, and issues an enrollment code', async () => {
    expect((await cli('create-station', '--code', 'yichuan', '--name', '伊川县献血站')).code).toBe(0)
    // A repo refusal reaches the terminal as its code and message, as the API would send them.
    const again = await cli('create-station', '--code', 'yichuan', '--name', 'again')
    expect(again.code).toBe(1)
    expect(again.err).toBe('create-station: station_exists: a station with code yichuan exists\n')
    const admin = await cli(
      'create-admin',
      '--station',
      'yichuan',
      '--username',
      'chief',
      '--password',
      'chief-password',
    )
    expect(admin.code, admin.err).toBe(0)
    const short = await cli('create-admin', '--station', 'yichuan', '--username', 'x', '--password', 'short')
    expect(short.code).toBe(1)
    expect(short.err).toMatch(/^create-admin: invalid_account: /)
    expect((await cli('create-admin', '--station', 'yichuan')).code).toBe(2)
    const code = await cli('enroll-code', '--station', 'yichuan', '--url', 'http://station.local:8080')
    expect(code.code).toBe(0)
    expect(code.out).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}\n/)
    expect(code.out).toContain('http://station.local:8080/enroll?code=')
  })

  it('imports a JSON Lines file twice with the same rows, exports it and reports from the database', async () => {
    const stationId = newId()
    const channels = seedChannels(stationId, newId)
    const teams = seedTeams(stationId, newId)
    const staffId = newId()
    const rural = channels.find((c) => c.ruralMobile)!.id
    const donations: FieldRecord[] = Array.from({ length: 30 }, (_, i) => ({
      type: 'donation',
      id: newId(),
      stationId,
      deviceId: newId(),
      authorStaffId: staffId,
      createdAt: '2026-04-03T10:00:00+08:00',
      driveId: null,
      channelId: i % 3 === 0 ? rural : channels[0]!.id,
      siteId: null,
      teamIds: i % 5 === 0 ? [teams[0]!.id] : [],
      collectedOn: '2026-04-03',
      donorKey: newId().replace(/-/g, ''),
      sex: 'M',
      ageYears: 30,
      household: 'rural',
      repeatDonor: i % 2 === 0,
      collectedAt: '2026-04-03T10:00:00+08:00',
      product: { type: 'whole_blood', volumeMl: i % 10 === 0 ? 200 : 400 },
      abo: 'A',
      rhd: 'pos',
      din: `W5555260${String(10000 + i)}`,
    }))
    const file = join(dir, 'in.jsonl')
    writeFileSync(
      file,
      toJsonLines(donations, {
        reference: {
          stations: [{ id: stationId, code: 'elsewhere', name: 'Elsewhere', timeZone: 'Asia/Shanghai' }],
          sites: [],
          channels,
          teams,
          populations: [{ stationId, year: 2026, population: 800_000 }],
        },
      }),
    )
    const refused = await cli('import', '--station', 'yichuan', '--input', 'in.jsonl', '--rebase')
    expect(refused.code).toBe(1) // the author is not on the roster
    expect(refused.out).toContain('unknown_reference')
    const first = await cli('import', '--station', 'yichuan', '--input', 'in.jsonl', '--rebase', '--staff-pin', '4071')
    expect(first.code, first.out + first.err).toBe(0)
    expect(first.out).toContain('30 applied')
    const second = await cli('import', '--station', 'yichuan', '--input', 'in.jsonl', '--rebase', '--staff-pin', '4071')
    expect(second.code).toBe(0)
    expect(second.out).toContain('0 applied, 30 already there')
    expect(await records()).toBe(30)

    const exported = await cli(
      'export',
      '--station',
      'yichuan',
      '--from',
      '2026-04-01',
      '--to',
      '2026-04-30',
      '--out',
      'out.jsonl',
    )
    expect(exported.code, exported.out + exported.err).toBe(0)
    const lines = readFileSync(join(dir, 'out.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string })
    expect(lines.filter((l) => l.type === 'donation').length).toBe(30)
    const csv = await cli(
      'export',
      '--station',
      'yichuan',
      '--from',
      '2026-04-01',
      '--to',
      '2026-04-30',
      '--format',
      'csv',
      '--out',
      'out.csv',
    )
    expect(csv.code, csv.out + csv.err).toBe(0)
    expect(readFileSync(join(dir, 'out.donation.csv'), 'utf8').trim().split('\n').length).toBe(31)

    const json = await cli('db-report', '--station', 'yichuan', '--year', '2026', '--json')
    expect(json.code).toBe(0)
    const report = JSON.parse(json.out) as {
      indicators: { donations: number; wholeBlood400: number; ruralMobileWholeBlood: number; per1000: number }
    }
    expect(report.indicators).toMatchObject({ donations: 30, wholeBlood400: 27, ruralMobileWholeBlood: 10 })
    expect(report.indicators.per1000).toBeCloseTo(30 / 800, 6)
    const table = await cli('db-report', '--station', 'yichuan', '--year', '2026')
    expect(table.code).toBe(0)
    expect(table.out).toContain('30')
    expect((await cli('db-report', '--station', 'nowhere')).code).toBe(1)
  })
})
