// Only src/app/db/ imports Dexie (eslint.config.js): the rule fires anywhere else in the app and
// stays quiet inside db/.
import { readFileSync } from 'node:fs'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint()
const dexieErrors = async (filePath: string, text: string) =>
  (await eslint.lintText(text, { filePath }))
    .flatMap((r) => r.messages)
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message)

describe('the Dexie owner rule', { timeout: 60_000 }, () => {
  it('fails a Dexie import in a store, a view, sync code or a composable', async () => {
    const text =
      "import { liveQuery } from 'dexie'\nimport type { Table } from 'dexie/dist/dexie'\nexport { liveQuery, type Table }\n"
    for (const file of [
      'src/app/stores/useSyncStore.ts',
      'src/app/sync/dexie-ports.ts',
      'src/app/composables/useLiveQuery.ts',
      'src/app/field/waiting.ts',
    ]) {
      const errors = await dexieErrors(file, text)
      expect(errors, file).toHaveLength(2)
      expect(errors[0], file).toContain('src/app/db/')
    }
  })

  it('lets src/app/db/ import Dexie', async () => {
    for (const file of ['src/app/db/schema.ts', 'src/app/db/live.ts'])
      expect(await dexieErrors(file, readFileSync(file, 'utf8')), file).toEqual([])
  })

  it('still keeps Dexie out of the pure domain', async () => {
    expect(
      await dexieErrors('src/domain/records.ts', "import { Dexie } from 'dexie'\nexport { Dexie }\n"),
    ).toHaveLength(1)
  })
})
