import { availableParallelism } from 'node:os'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the CPUs: on a 2-core machine one file at a time, with
    // the second core idle while a file waits on a browser, a child server or PostgreSQL. Two workers
    // at least; every file (browser ones included) has its own port, data folder and browser.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        test: {
          name: 'domain',
          environment: 'node',
          include: ['tests/domain/**/*.test.ts'],
          // A seed year's checks walk ~100k records; beside another file on 2 cores 5 s ran out.
          testTimeout: 30_000,
        },
      },
      {
        plugins: [vue()],
        test: {
          name: 'app',
          environment: 'jsdom',
          include: ['tests/app/**/*.test.ts'],
          setupFiles: ['tests/app/setup.ts'],
          // Mounted screens run beside the server suites on 2 cores; 5 s was seen to run out.
          testTimeout: 15_000,
        },
      },
      {
        test: {
          name: 'server',
          environment: 'node',
          include: ['tests/server/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          globalSetup: ['tests/support/seed-global-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          // dist/ is built once, beside the first (app, domain) files; each e2e file waits for it.
          globalSetup: ['tests/e2e/global-setup.ts', 'tests/support/seed-global-setup.ts'],
          setupFiles: ['tests/e2e/setup.ts'],
        },
      },
    ],
  },
})
