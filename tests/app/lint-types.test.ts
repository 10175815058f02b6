// The type-aware lint (eslint.types.config.js, `npm run lint:types`) sees through types in .ts
// and .vue files alike: a promise left floating, or handed where nothing waits, fails it; one
// marked `void` passes.
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ overrideConfigFile: 'eslint.types.config.js' })
const findings = async (filePath: string, text: string) =>
  (await eslint.lintText(text, { filePath })).flatMap((r) => r.messages).map((m) => m.ruleId ?? m.message)

const CODE = `
import { purgeStaleDrafts } from '../sync/purge'
import { fieldDb } from '../db'
export function dropDrafts(): void {
  purgeStaleDrafts(fieldDb())
  void purgeStaleDrafts(fieldDb())
  ;[fieldDb()].forEach(async (db) => {
    await purgeStaleDrafts(db)
  })
}
`

describe('type-aware lint', { timeout: 300_000 }, () => {
  it('fails a floating and a misused promise in a .ts and a .vue file', async () => {
    expect(await findings('src/app/stores/useSyncStore.ts', CODE)).toEqual([
      '@typescript-eslint/no-floating-promises',
      '@typescript-eslint/no-misused-promises',
    ])
    expect(
      await findings(
        'src/app/views/SyncView.vue',
        `<script setup lang="ts">${CODE}</script>\n<template><p /></template>\n`,
      ),
    ).toEqual(['@typescript-eslint/no-floating-promises', '@typescript-eslint/no-misused-promises'])
  })
})
