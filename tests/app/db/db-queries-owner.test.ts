// Only src/app/db/ queries the phone's tables (eslint.config.js): a table, a transaction or a new
// database reached from a store, sync code or a view fails lint; db/ and the engine's Dexie ports
// may; other objects' properties of the same names (the device store's sites) are left alone.
import { readFileSync } from 'node:fs'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint()
const queryErrors = async (filePath: string, text: string) =>
  (await eslint.lintText(text, { filePath }))
    .flatMap((r) => r.messages)
    .filter((m) => m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message)

const QUERIES = [
  "import { fieldDb, FieldDb } from '../db'",
  'const db = fieldDb()',
  "export const a = () => db.outbox.where('status').equals('rejected').count()",
  "export const b = () => db.transaction('rw', db.tables, async () => undefined)",
  "export const c = () => fieldDb().syncMeta.get('sync')",
  'export const d = (database: FieldDb) => database.driveCrew.toArray()',
  "export const e = () => new FieldDb('other')",
].join('\n')

describe('the phone database owner rule', { timeout: 120_000 }, () => {
  it('fails table queries, transactions and a new database outside src/app/db/', async () => {
    for (const file of ['src/app/sync/attention.ts', 'src/app/stores/useSyncStore.ts', 'src/app/views/SyncView.vue']) {
      const text = file.endsWith('.vue') ? `<script setup lang="ts">\n${QUERIES}\n</script>\n` : QUERIES
      const errors = await queryErrors(file, text)
      // db.outbox, db.transaction, db.tables, fieldDb().syncMeta, database.driveCrew, new FieldDb
      expect(errors, file).toHaveLength(6)
      expect(errors[0], file).toContain('src/app/db/')
    }
  })

  it("leaves other objects' properties of the same names alone", async () => {
    const text = 'const device = { sites: [], outbox: 0 }\nexport const n = device.sites.length + device.outbox\n'
    expect(await queryErrors('src/app/stores/useDeviceStore.ts', text)).toEqual([])
  })

  it('lets db/ and the Dexie ports query, and sync/ now goes through db/', async () => {
    for (const file of ['src/app/db/purge.ts', 'src/app/db/outbox.ts', 'src/app/sync/dexie-ports.ts'])
      expect(await queryErrors(file, QUERIES), file).toEqual([])
    for (const file of [
      'src/app/sync/purge.ts',
      'src/app/sync/attention.ts',
      'src/app/sync/phone.ts',
      'src/app/sync/export.ts',
    ])
      expect(await queryErrors(file, readFileSync(file, 'utf8')), file).toEqual([])
  })
})
