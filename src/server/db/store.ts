// The one storage interface the station uses: a Kysely instance over embedded SQLite (a file in
// DATA_DIR, WAL mode) or over PostgreSQL when DATABASE_URL is set, migrated on open.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type KyselyConfig,
  sql,
  type Transaction,
} from 'kysely'
import pg from 'pg'
import { migrateToLatest } from './migrations'
import type { Database } from './schema'

export type Engine = 'sqlite' | 'postgres'
export type Db = Kysely<Database> | Transaction<Database>

export interface Store {
  db: Kysely<Database>
  engine: Engine
  /** Where the data lives, for logs (never includes a password). */
  location: string
  close(): Promise<void>
}

export interface OpenStoreOptions {
  /** PostgreSQL connection string; when null, SQLite in `dataDir`. */
  databaseUrl?: string | null
  dataDir?: string
  /** SQLite file name inside dataDir. */
  sqliteFile?: string
  /** PostgreSQL schema to work in (created if missing); tests give each file its own. */
  pgSchema?: string
  pgPoolSize?: number
  /** Told of every query and its duration (profiling). */
  onQuery?: (sql: string, ms: number) => void
}

// Write transactions on SQLite take the write lock up front, so two processes on one file (server
// and CLI) wait for each other instead of failing with SQLITE_BUSY halfway through.
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase.Database
  constructor(database: SqliteDatabase.Database) {
    super({ database })
    this.#database = database
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database })
  }
}

function openSqlite(dataDir: string, file: string, log: KyselyConfig['log']): Store {
  mkdirSync(dataDir, { recursive: true })
  const path = join(dataDir, file)
  const database = new SqliteDatabase(path, { timeout: 10_000 })
  database.pragma('journal_mode = WAL')
  // FULL: a record the server answered "applied" for survives a power cut, not only a crash.
  database.pragma('synchronous = FULL')
  database.pragma('foreign_keys = ON')
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(database), log })
  return { db, engine: 'sqlite', location: path, close: () => db.destroy() }
}

// int8 (counts, sums, sequences) and numeric come back as strings by default; every value here fits a double.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format as 'text')
  },
}

async function openPostgres(
  url: string,
  schema: string | undefined,
  poolSize: number,
  log: KyselyConfig['log'],
): Promise<Store> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name: ${schema}`)
  if (schema) {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    } finally {
      await client.end()
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: pgTypes as pg.CustomTypesConfig,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  })
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log })
  const safe = new URL(url)
  safe.password = ''
  return {
    db,
    engine: 'postgres',
    location: `${safe.host}${safe.pathname}${schema ? `#${schema}` : ''}`,
    close: () => db.destroy(),
  }
}

/** Opens the station database and runs pending migrations. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const onQuery = opts.onQuery
  const log: KyselyConfig['log'] = onQuery
    ? (event) => {
        if (event.level === 'query') onQuery(event.query.sql, event.queryDurationMillis)
      }
    : undefined
  const store = opts.databaseUrl
    ? await openPostgres(opts.databaseUrl, opts.pgSchema, opts.pgPoolSize ?? 10, log)
    : openSqlite(opts.dataDir ?? '.data', opts.sqliteFile ?? 'bloodbus.sqlite', log)
  try {
    const pgSchema =
      store.engine === 'postgres'
        ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema
        : undefined
    await migrateToLatest(store.db as unknown as Kysely<unknown>, pgSchema)
  } catch (err) {
    await store.close()
    throw err
  }
  return store
}
