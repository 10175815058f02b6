// The Luoyang 2023 seed year imported into a station once per engine, then copied for each test
// file: importing ~100k records costs ~35 s of CPU on SQLite and ~70 s on PostgreSQL (its server
// included), a copy about a second. The template is built by the same code the files ran before
// (generateSeedYear, createStation, the bulk import) and kept while its sources are unchanged:
// its name carries a hash of src/domain, src/server and this file.
//   SQLite: node_modules/.cache/bloodbus-seed/<hash>/bloodbus.sqlite, copied into a data folder.
//   PostgreSQL: database bloodbus_seed_<hash> (schema `seeded`), copied by CREATE DATABASE … TEMPLATE.
// The station has the seed's own station id, so the generated records need no rebasing; it has the
// seed's reference data and a roster (PIN 2580) but no accounts: each file adds its own.
import { createHash, randomBytes } from 'node:crypto'
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import pg from 'pg'
import { generateSeedYear } from '../../src/domain/generator/seed-year'
import { hashPin } from '../../src/domain/pin'
import { seedYearFiles } from '../../src/server/cli/generate'
import { type Engine, openStore, type Store } from '../../src/server/db/store'
import { importBundle, rosterForRecords } from '../../src/server/repo/import'
import { createStation } from '../../src/server/repo/stations'
import { PG_URL, type TestStore } from '../server/support/engines'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CACHE = join(ROOT, 'node_modules', '.cache', 'bloodbus-seed')
const SQLITE_FILE = 'bloodbus.sqlite'
/** The schema the PostgreSQL template (and so each copy) keeps the station in. */
export const SEEDED_SCHEMA = 'seeded'
/** The station every template holds. */
export const SEEDED_STATION = { code: 'luoyang', name: '洛阳市中心血站' } as const

export interface SeededYear {
  stationId: string
  /** The bulk import's counts when the template was built. */
  applied: number
  duplicate: number
  rejected: number
}

// ---------------------------------------------------------------------------------------------
// The template's key

let key: string | undefined
/** A hash of everything that decides the template's rows: the generator, the import, the migrations. */
export function seedTemplateKey(): string {
  if (key) return key
  const hash = createHash('sha256')
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (/\.(ts|json)$/.test(name)) hash.update(relative(ROOT, path)).update('\0').update(readFileSync(path))
    }
  }
  walk(join(ROOT, 'src', 'domain'))
  walk(join(ROOT, 'src', 'server'))
  hash.update(readFileSync(fileURLToPath(import.meta.url)))
  key = hash.digest('hex').slice(0, 16)
  return key
}

// ---------------------------------------------------------------------------------------------
// Building a template

/** Generates the year into a fresh store: what the seeded test files each did in their beforeAll. */
async function fillStore(store: Store, interchangeFile?: string): Promise<SeededYear> {
  const seed = generateSeedYear({ profile: 'luoyang-2023', seed: 2023 })
  const stationId = seed.reference.stations[0]!.id
  if (interchangeFile) {
    // As `npm run cli -- generate --out year.jsonl` writes it (same function, same bytes).
    for (const [path, content] of seedYearFiles(seed, interchangeFile)) writeFileSync(path, content, 'utf8')
  }
  const station = await createStation(store.db, SEEDED_STATION)
  // The seed's own station id (nothing refers to the new row yet), so its records load unchanged.
  await store.db.updateTable('stations').set({ id: stationId }).where('id', '=', station.id).execute()
  const summary = await importBundle(store, stationId, {
    sites: seed.reference.sites,
    channels: seed.reference.channels,
    teams: seed.reference.teams,
    populations: seed.reference.populations,
    roster: rosterForRecords(seed.records, stationId, await hashPin('2580', { iterations: 1000 })),
    records: seed.records,
  })
  return { stationId, applied: summary.applied, duplicate: summary.duplicate, rejected: summary.rejected }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The SQLite template's folder, built first if missing (one builder at a time, across processes). */
export async function sqliteTemplate(): Promise<{ dir: string; seeded: SeededYear }> {
  const k = seedTemplateKey()
  const dir = join(CACHE, k)
  const meta = join(dir, 'meta.json')
  const lock = join(CACHE, `${k}.lock`)
  mkdirSync(CACHE, { recursive: true })
  for (;;) {
    if (existsSync(meta)) return { dir, seeded: JSON.parse(readFileSync(meta, 'utf8')) as SeededYear }
    let fd: number
    try {
      fd = openSync(lock, 'wx')
    } catch {
      // Another process builds it; a lock whose process is gone is a crashed build.
      let pid = 0
      try {
        pid = Number(readFileSync(lock, 'utf8'))
      } catch {
        // just released
      }
      if (pid > 0 && !alive(pid)) rmSync(lock, { force: true })
      await sleep(500)
      continue
    }
    writeFileSync(fd, String(process.pid))
    closeSync(fd)
    try {
      if (existsSync(meta)) continue
      for (const name of readdirSync(CACHE)) {
        // Templates of older sources, and half-built ones of crashed builders.
        const tmp = /\.tmp-(\d+)$/.exec(name)
        if ((tmp && !alive(Number(tmp[1]))) || (/^[0-9a-f]{16}$/.test(name) && name !== k))
          rmSync(join(CACHE, name), { recursive: true, force: true })
      }
      const tmp = join(CACHE, `${k}.tmp-${process.pid}`)
      rmSync(tmp, { recursive: true, force: true })
      const store = await openStore({ dataDir: tmp, sqliteFile: SQLITE_FILE })
      let seeded: SeededYear
      try {
        seeded = await fillStore(store, join(tmp, 'year.jsonl'))
        // Everything into the database file, so copying that one file copies the station.
        await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.db)
      } finally {
        await store.close()
      }
      writeFileSync(join(tmp, 'meta.json'), JSON.stringify(seeded))
      renameSync(tmp, dir)
    } finally {
      rmSync(lock, { force: true })
    }
  }
}

/** A data folder (new or given) holding a copy of the seeded SQLite station. */
export async function seededSqliteDir(dataDir: string): Promise<SeededYear> {
  const { dir, seeded } = await sqliteTemplate()
  mkdirSync(dataDir, { recursive: true })
  copyFileSync(join(dir, SQLITE_FILE), join(dataDir, SQLITE_FILE))
  return seeded
}

/** The seed year as `npm run cli -- generate --out <path>.jsonl` writes it, copied to `path`. */
export async function copySeedInterchangeFile(path: string): Promise<void> {
  const { dir } = await sqliteTemplate()
  copyFileSync(join(dir, 'year.jsonl'), path)
}

// PostgreSQL: the template is a database; its name says it is complete (built under another name,
// renamed at the end). Builders take an advisory lock in the test database, so a crashed builder
// frees it with its connection.
const PG_LOCK = 0x5eed_2023
const TEMPLATES_KEPT = 6

function databaseUrl(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

const isLocal = (url: string) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(new URL(url).hostname)

/** The name of the PostgreSQL template database, built first if missing. */
export async function pgTemplate(url: string): Promise<{ database: string; seeded: SeededYear }> {
  const database = `bloodbus_seed_${seedTemplateKey()}`
  const ready = async (client: pg.Client) => {
    const row = (
      await client.query<{ comment: string | null }>(
        `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
        [database],
      )
    ).rows[0]
    return row ? (JSON.parse(row.comment ?? 'null') as SeededYear | null) : null
  }
  return withClient(url, async (client) => {
    const found = await ready(client)
    if (found) return { database, seeded: found }
    await client.query('SELECT pg_advisory_lock($1)', [PG_LOCK])
    try {
      const built = await ready(client)
      if (built) return { database, seeded: built }
      await dropStale(client, url)
      const tmp = `${database}_tmp`
      await client.query(`DROP DATABASE IF EXISTS ${tmp} WITH (FORCE)`)
      await client.query(`CREATE DATABASE ${tmp}`)
      const store = await openStore({ databaseUrl: databaseUrl(url, tmp), pgSchema: SEEDED_SCHEMA, pgPoolSize: 4 })
      let seeded: SeededYear
      try {
        seeded = await fillStore(store)
        // Planner statistics travel with the copies (a fresh copy has nothing that would start autovacuum's ANALYZE).
        await sql`analyze`.execute(store.db)
      } finally {
        await store.close()
      }
      await client.query(`ALTER DATABASE ${tmp} RENAME TO ${database}`)
      await client.query(`COMMENT ON DATABASE ${database} IS ${client.escapeLiteral(JSON.stringify(seeded))}`)
      return { database, seeded }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PG_LOCK])
    }
  })
}

/** Drops the copies of processes that are gone, and all but the newest templates. */
async function dropStale(client: pg.Client, url: string): Promise<void> {
  const names = (
    await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'bloodbus\\_seed%' ORDER BY oid DESC`,
    )
  ).rows.map((r) => r.datname)
  const templates = names.filter((n) => /^bloodbus_seed_[0-9a-f]{16}$/.test(n))
  const stale = [
    ...templates.slice(TEMPLATES_KEPT),
    ...names.filter((n) => {
      const copy = /^bloodbus_seedcopy_(\d+)_/.exec(n)
      return copy && isLocal(url) && !alive(Number(copy[1]))
    }),
  ]
  for (const name of stale) {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name}`)
    } catch {
      // in use (being copied): next time
    }
  }
}

/** A new database copied from the template; `drop` removes it. */
export async function seededPgDatabase(
  url: string,
): Promise<{ url: string; schema: string; seeded: SeededYear; drop(): Promise<void> }> {
  const { database, seeded } = await pgTemplate(url)
  const copy = `bloodbus_seedcopy_${process.pid}_${randomBytes(4).toString('hex')}`
  await withClient(url, (client) => client.query(`CREATE DATABASE ${copy} TEMPLATE ${database}`))
  return {
    url: databaseUrl(url, copy),
    schema: SEEDED_SCHEMA,
    seeded,
    drop: () =>
      withClient(url, (client) => client.query(`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`)).then(() => {}),
  }
}

/** A test store (as openTestStore gives) holding a copy of the seeded station. */
export async function openSeededTestStore(engine: Engine): Promise<TestStore & { seeded: SeededYear }> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'bloodbus-test-'))
    const seeded = await seededSqliteDir(dir)
    const store = await openStore({ dataDir: dir })
    return {
      ...store,
      seeded,
      async dispose() {
        await store.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  if (!PG_URL)
    throw new Error('PostgreSQL is required here (CI=true or REQUIRE_POSTGRES=1) but TEST_DATABASE_URL is not set')
  const copy = await seededPgDatabase(PG_URL)
  const store = await openStore({ databaseUrl: copy.url, pgSchema: copy.schema, pgPoolSize: 6 })
  return {
    ...store,
    seeded: copy.seeded,
    async dispose() {
      await store.close()
      await copy.drop()
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Building ahead: `node --import tsx tests/support/seed-template.ts build` (seed-global-setup.ts)

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'build') {
  const started = Date.now()
  await sqliteTemplate()
  if (process.env.TEST_DATABASE_URL) await pgTemplate(process.env.TEST_DATABASE_URL)
  console.log(`seed templates ready (${seedTemplateKey()}) in ${Math.round((Date.now() - started) / 1000)} s`)
}
