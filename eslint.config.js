import js from '@eslint/js'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'
import eslintConfigPrettier from 'eslint-config-prettier/flat'
import { readFileSync } from 'node:fs'

// The phone's tables, as declared in src/app/db/schema.ts (a table added there is covered at once),
// and the database's own members that reach them.
const PHONE_TABLES = [
  ...readFileSync(new URL('./src/app/db/schema.ts', import.meta.url), 'utf8').matchAll(
    /^\s+(\w+)!: (?:Entity)?Table</gm,
  ),
].map((m) => m[1])
const DB_MEMBERS = `/^(${[...PHONE_TABLES, 'transaction', 'tables', 'table', 'delete'].join('|')})$/`
const DB_OWNER = 'Only src/app/db/ reads or writes the phone database: add or use a query there, and pass it the db.'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'screenshots/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    // Only the phone's database layer (src/app/db/) talks to Dexie: its tables, keys, row types and
    // queries live there, and stores, sync and views go through it. (Before the domain block, whose
    // stricter list wins for src/domain.)
    files: ['src/**/*.{ts,vue}'],
    ignores: ['src/app/db/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'dexie', message: 'Dexie is for src/app/db/ only: add or use a query there.' }],
          patterns: [{ group: ['dexie/*'], message: 'Dexie is for src/app/db/ only: add or use a query there.' }],
        },
      ],
    },
  },
  {
    // Nor does anything outside db/ query its tables: the database is handed to db/ functions
    // (by its usual names: db, database, fieldDb()). The sync engine's Dexie ports are the one
    // adapter that still speaks to the tables itself.
    files: ['src/app/**/*.{ts,vue}'],
    ignores: ['src/app/db/**', 'src/app/sync/dexie-ports.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: `MemberExpression[object.name=/^(db|database)$/][property.name=${DB_MEMBERS}]`, message: DB_OWNER },
        {
          selector: `MemberExpression[object.callee.name='fieldDb'][property.name=${DB_MEMBERS}]`,
          message: DB_OWNER,
        },
        {
          selector: "NewExpression[callee.name='FieldDb']",
          message: 'Open the phone database with fieldDb() (src/app/db/).',
        },
      ],
    },
  },
  {
    // Domain code is pure: no IO, no Vue, nothing from app or server.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['vue', 'pinia', 'dexie', 'node:*', 'hono*', 'kysely', '../app/*', '../server/*'] },
      ],
      'no-restricted-globals': ['error', 'fetch', 'localStorage', 'indexedDB', 'document', 'window'],
    },
  },
  {
    // Only the HTTP core (src/app/net/http.ts) calls fetch; everything else goes through it.
    // The service worker (its own bundle) fetches for the cache.
    files: ['src/app/**/*.{ts,vue}'],
    ignores: ['src/app/net/http.ts', 'src/app/sw/**'],
    rules: { 'no-restricted-globals': ['error', 'fetch'] },
  },
  {
    // The repo layer refuses with a code (repo/refusal.ts); only src/server/http/ knows HTTP statuses.
    files: ['src/server/repo/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['hono', 'hono/*', '@hono/*'], message: 'repo/ knows no HTTP; the routes do.' },
            {
              group: ['**/http/errors'],
              message: 'Throw a Refusal (./refusal) with a code; src/server/http/errors.ts maps it to a status.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='ApiError']",
          message: 'Throw a Refusal (./refusal) with a code; src/server/http/errors.ts maps it to a status.',
        },
        {
          selector: 'Property[key.name=/^(status|statusCode|httpStatus)$/][value.raw=/^[1-5][0-9]{2}$/]',
          message: 'No HTTP status in repo/: refuse with a code, src/server/http/errors.ts gives the status.',
        },
        {
          selector: 'NewExpression[arguments.0.type="Literal"][arguments.0.raw=/^[1-5][0-9]{2}$/]',
          message: 'No HTTP status in repo/: refuse with a code, src/server/http/errors.ts gives the status.',
        },
      ],
    },
  },
  // Layout is Prettier's (npm run format); lint keeps to what a formatter cannot see.
  eslintConfigPrettier,
)
