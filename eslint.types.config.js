// Type-aware lint, `npm run lint:types`: a promise nobody awaits, catches or marks `void`
// (no-floating-promises), or one handed where nothing waits for it (no-misused-promises). Apart
// from `npm run lint` because type information is dear: cold over src/ on the shared 2-core machine
// under load (load average 20-35) these two rules took 17.5 to 21 min of wall clock (1.5 to 2 min
// of CPU), the plain lint 4.5 min (20 s of CPU); scripts/test.sh runs it beside the whole suite. No cache: a change in one file
// can change the types, and so the findings, of another that the cache would skip.
import pluginVue from 'eslint-plugin-vue'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { files: ['src/**/*.ts'], languageOptions: { parser: tseslint.parser } },
  ...pluginVue.configs['flat/base'],
  {
    files: ['src/**/*.{ts,vue}'],
    languageOptions: {
      parserOptions: {
        parser: tseslint.parser,
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.vue'],
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
)
