// Which storage engines the server suites run on: SQLite always, PostgreSQL when TEST_DATABASE_URL
// is set. Under CI=true or REQUIRE_POSTGRES=1 a missing URL is a failure, never a silent skip.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { type Engine, openStore, type Store } from '../../../src/server/db/store'

export const PG_URL = process.env.TEST_DATABASE_URL || ''
const PG_REQUIRED = process.env.CI === 'true' || process.env.REQUIRE_POSTGRES === '1'

/** Engines to run each storage suite on. */
export const ENGINES: Engine[] = PG_URL || PG_REQUIRED ? ['sqlite', 'postgres'] : ['sqlite']

export interface TestStore extends Store {
  /** Closes the store and removes its file or schema. */
  dispose(): Promise<void>
}

/** A fresh, empty, migrated database: a temp SQLite file, or a new PostgreSQL schema. */
export async function openTestStore(engine: Engine): Promise<TestStore> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'bloodbus-test-'))
    const store = await openStore({ dataDir: dir })
    return {
      ...store,
      async dispose() {
        await store.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  if (!PG_URL)
    throw new Error('PostgreSQL is required here (CI=true or REQUIRE_POSTGRES=1) but TEST_DATABASE_URL is not set')
  const schema = `t_${randomBytes(6).toString('hex')}`
  const store = await openStore({ databaseUrl: PG_URL, pgSchema: schema, pgPoolSize: 6 })
  return {
    ...store,
    async dispose() {
      await store.close()
      const client = new pg.Client({ connectionString: PG_URL })
      await client.connect()
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      } finally {
        await client.end()
      }
    },
  }
}
