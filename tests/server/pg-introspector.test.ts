// Kysely's migrator asks the database which tables exist. On PostgreSQL the answer must come from
// the schema in use only: listing every schema raced with other schemas being dropped meanwhile
// ('schema "…" does not exist' while migrating, seen in the full suite).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES, openTestStore, type TestStore } from './support/engines'

describe.runIf(ENGINES.includes('postgres'))('PostgreSQL introspection', () => {
  let a: TestStore
  let b: TestStore
  beforeAll(async () => {
    a = await openTestStore('postgres')
    b = await openTestStore('postgres')
  })
  afterAll(async () => {
    await a?.dispose()
    await b?.dispose()
  })

  it("lists the tables of the store's own schema, none of another's", async () => {
    const schemaOf = (s: TestStore) => s.location.split('#')[1]!
    const tables = await a.db.introspection.getTables({ withInternalKyselyTables: true })
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['records', 'kysely_migration']))
    expect(new Set(tables.map((t) => t.schema))).toEqual(new Set([schemaOf(a)]))
    const plain = await a.db.introspection.getTables()
    expect(plain.map((t) => t.name)).not.toContain('kysely_migration')
    expect((await a.db.introspection.getSchemas()).map((s) => s.name)).toContain(schemaOf(b))
  })
})
