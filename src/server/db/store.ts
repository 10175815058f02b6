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
  SqliteDialect,
  SqliteDriver,
  type KyselyConfig,
  type SqliteDatabase as KyselySqliteDatabase,
  type SqliteStatement,
  sql,
  type Transaction,
} from 'kysely'
import pg from 'pg'
import { type RawSqlite, registerRawSqlite } from './bulk'
import { CHECKPOINT_DEFAULTS, type CheckpointEvent, type CheckpointOptions, startCheckpointer } from './checkpoints'
import { migrateToLatest } from './migrations'
import { CurrentSchemaPostgresDialect } from './pg-introspector'
import type { Database } from './schema'

export type Engine = 'sqlite' | 'postgres'
export type Db = Kysely<Database> | Transaction<Database>

export interface Store {
  db: Kysely<Database>
  engine: Engine
  /** Where the data lives, for logs (never includes a password). */
  location: string
  /**
   * A cheap query on a connection of its own (not one the pool's requests wait for); throws when
   * the database does not answer within `timeoutMs`. Health checks use it.
   */
  probe(timeoutMs: number): Promise<void>
  close(): Promise<void>
}

export interface OpenStoreOptions {
  /** PostgreSQL connection string; when null, SQLite in `dataDir`. */
  databaseUrl?: string | null
  dataDir?: string
  /** SQLite file name inside dataDir. */
  sqliteFile?: string
  /** How long a write waits for another process's write lock (the CLI's) before SQLITE_BUSY (503). */
  sqliteBusyTimeoutMs?: number
  /**
   * WAL checkpoints in a worker thread instead of inside the commits of requests (checkpoints.ts);
   * false leaves them to SQLite (every 1,000 pages, in the commit that crosses them).
   */
  sqliteCheckpoints?: CheckpointOptions | false
  /** Told of each checkpoint the worker made (tests). */
  onSqliteCheckpoint?: (event: CheckpointEvent) => void
  /** PostgreSQL schema to work in (created if missing); tests give each file its own. */
  pgSchema?: string
  pgPoolSize?: number
  /** Told of every query and its duration (profiling). */
  onQuery?: (sql: string, ms: number) => void
  /** Told when PostgreSQL drops a connection (restart, failover, idle reaping); the pool reconnects. */
  onConnectionError?: (err: Error) => void
  /** How long opening a PostgreSQL connection may take before the request fails with 503. */
  pgConnectTimeoutMs?: number
  /** How long a request waits for a free connection of a busy pool (the phone's own timeout is 20 s). */
  pgPoolWaitMs?: number
  /** application_name of the server's PostgreSQL connections (shown in pg_stat_activity). */
  pgApplicationName?: string
}

// Write transactions on SQLite take the write lock up front, so two processes on one file (server
// and CLI) wait for each other instead of failing with SQLITE_BUSY halfway through.
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: KyselySqliteDatabase
  constructor(database: KyselySqliteDatabase) {
    super({ database })
    this.#database = database
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database })
  }
}

/**
 * Kysely prepares every query anew; a push's big multi-row inserts and per-record updates repeat
 * the same SQL, so statements are kept by their text (a few hundred at most). Safe because every
 * statement runs to its end synchronously (nothing here iterates one lazily).
 */
function cachingStatements(database: SqliteDatabase.Database, max = 300): KyselySqliteDatabase {
  const prepared = new Map<string, SqliteStatement>()
  return {
    prepare(source) {
      let stmt = prepared.get(source)
      if (!stmt) {
        stmt = database.prepare(source)
        if (prepared.size >= max) prepared.delete(prepared.keys().next().value!)
        prepared.set(source, stmt)
      }
      return stmt
    },
    close: () => database.close(),
  }
}

interface SqliteOptions {
  busyTimeoutMs: number
  checkpoints: CheckpointOptions | false
  onCheckpoint?: (event: CheckpointEvent) => void
}

function openSqlite(dataDir: string, file: string, opts: SqliteOptions, log: KyselyConfig['log']): Store {
  mkdirSync(dataDir, { recursive: true })
  const path = join(dataDir, file)
  const database = new SqliteDatabase(path, { timeout: opts.busyTimeoutMs })
  const walMode = database.pragma('journal_mode = WAL', { simple: true }) === 'wal'
  // FULL: a record the server answered "applied" for survives a power cut, not only a crash.
  database.pragma('synchronous = FULL')
  database.pragma('foreign_keys = ON')
  // The WAL is copied into the database file by a worker, not by the commit that crosses 1,000
  // pages (checkpoints.ts); the request connection checkpoints only past a far larger WAL, should
  // the worker fall behind. Not for a database without a WAL file (in memory).
  const checkpoints = opts.checkpoints === false ? null : { ...CHECKPOINT_DEFAULTS, ...opts.checkpoints }
  const checkpointer =
    walMode && checkpoints && !database.memory
      ? startCheckpointer(path, checkpoints, {
          onEnd: () => {
            // Without the worker SQLite checkpoints as it did, so the WAL still cannot grow unbounded.
            if (database.open) database.pragma('wal_autocheckpoint = 1000')
          },
          onCheckpoint: opts.onCheckpoint,
        })
      : null
  if (checkpointer && checkpoints) {
    database.pragma(`wal_autocheckpoint = ${Math.trunc(checkpoints.requestConnectionAfterPages)}`)
    // When SQLite starts the WAL over, a file grown past this is cut back to it.
    const pageSize = database.pragma('page_size', { simple: true }) as number
    database.pragma(`journal_size_limit = ${Math.trunc(checkpoints.keepWalPages * pageSize)}`)
  }
  const statements = cachingStatements(database)
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(statements), log })
  // Bulk inserts run their statements directly (bulk.ts), unless every query is to be logged.
  if (!log) registerRawSqlite(db, statements as unknown as RawSqlite)
  return {
    db,
    engine: 'sqlite',
    location: path,
    probe: async () => {
      database.prepare('select 1').get()
    },
    // The worker first: the request connection is then the last one, and its close copies the
    // rest of the WAL into the database file and deletes the WAL.
    close: async () => {
      await checkpointer?.stop()
      await db.destroy()
    },
  }
}

/** Rejects when `work` has not settled within `ms` (the work itself runs on). */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

// int8 (counts, sums, sequences) and numeric come back as strings by default; every value here fits a double.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format as 'text')
  },
}

interface PostgresOptions {
  poolSize: number
  connectTimeoutMs: number
  poolWaitMs: number
  applicationName: string
  onConnectionError: (err: Error) => void
}

async function openPostgres(
  url: string,
  schema: string | undefined,
  opts: PostgresOptions,
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
  // Two waits: a new connection gets `connectTimeoutMs` to open (the database is away: answer 503
  // soon), a request may wait longer for a busy pool's free connection (a burst of pushes is not an outage).
  const connectTimeoutMs = opts.connectTimeoutMs
  class TimedClient extends pg.Client {
    constructor(config: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connectTimeoutMs })
    }
  }
  const config: pg.PoolConfig = {
    connectionString: url,
    types: pgTypes as pg.CustomTypesConfig,
    Client: TimedClient as unknown as new () => pg.ClientBase,
    connectionTimeoutMillis: opts.poolWaitMs,
    application_name: opts.applicationName,
    // Finds a connection whose peer vanished (failover, a cut network) instead of waiting on it forever.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  }
  const pool = new pg.Pool({ ...config, max: opts.poolSize })
  // Health probes get their own connection, so a pool busy with pushes never reads as "down".
  const probePool = new pg.Pool({ ...config, max: 1, idleTimeoutMillis: 60_000 })
  // A dropped connection (restart, failover, pg_terminate_backend, idle reaping) is an 'error' event,
  // on the pool for an idle client and on the client itself while a request holds it. Unheard, it
  // ends the process; heard, the broken client is discarded and the next request connects anew.
  for (const p of [pool, probePool]) {
    p.on('connect', (client) => client.on('error', (err) => opts.onConnectionError(err)))
    // The pool repeats an idle client's error; the client's own listener has reported it already.
    p.on('error', () => {})
  }
  const db = new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool }), log })
  const safe = new URL(url)
  safe.password = ''
  return {
    db,
    engine: 'postgres',
    location: `${safe.host}${safe.pathname}${schema ? `#${schema}` : ''}`,
    probe: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs
      const connecting = probePool.connect()
      let client: pg.PoolClient
      try {
        client = await within(connecting, timeoutMs, 'connecting to the database')
      } catch (err) {
        connecting.then(
          (late) => late.release(),
          () => {},
        )
        throw err
      }
      try {
        await within(client.query('select 1'), Math.max(1, deadline - Date.now()), 'the database')
        client.release()
      } catch (err) {
        // A connection that did not answer is not given to the next probe.
        client.release(err instanceof Error ? err : true)
        throw err
      }
    },
    close: async () => {
      await Promise.all([db.destroy(), probePool.end()])
    },
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
    ? await openPostgres(
        opts.databaseUrl,
        opts.pgSchema,
        {
          poolSize: opts.pgPoolSize ?? 10,
          connectTimeoutMs: opts.pgConnectTimeoutMs ?? 5_000,
          poolWaitMs: opts.pgPoolWaitMs ?? 20_000,
          applicationName: opts.pgApplicationName ?? process.env.PGAPPNAME ?? 'bloodbus',
          onConnectionError: opts.onConnectionError ?? (() => {}),
        },
        log,
      )
    : openSqlite(
        opts.dataDir ?? '.data',
        opts.sqliteFile ?? 'bloodbus.sqlite',
        {
          busyTimeoutMs: opts.sqliteBusyTimeoutMs ?? 10_000,
          checkpoints: opts.sqliteCheckpoints ?? {},
          onCheckpoint: opts.onSqliteCheckpoint,
        },
        log,
      )
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
