import { availableParallelism } from 'node:os'
import { relative } from 'node:path'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import recorded from './tests/support/file-durations.json' with { type: 'json' }

/** Seconds a file took (Vitest's cache of this machine, else the committed table), else a guess by project. */
function durationOf(spec: TestSpecification, root: string, cache: BaseSequencer['ctx']['cache']): number {
  const path = relative(root, spec.moduleId)
  const kept = cache.getFileTestResults(`${spec.project.name}:${path}`)?.duration
  if (kept && kept > 0) return kept / 1000
  const committed = (recorded as Record<string, number>)[path]
  if (committed !== undefined) return committed
  return spec.project.name === 'e2e' ? 30 : spec.project.name === 'server' ? 5 : 1
}

/** Node files at least this long start before every browser file. */
const LONG_NODE_FILE_S = 10

// The order the suite's files start in, on 2 workers. Vitest's own order runs the projects one
// after another (app, domain, e2e, server), so the longest server files started last and one
// worker sat idle through the tail. Here the longest files go first (fewest idle seconds at the
// end), except that browser files wait behind the long node files: they cannot start before
// dist/ is built (tests/e2e/global-setup.ts), and the long node files fill that wait.
class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root
    const timed = files.map((spec) => ({ spec, s: durationOf(spec, root, this.ctx.cache) }))
    const longestFirst = (a: { s: number }, b: { s: number }) => b.s - a.s
    const browser = timed.filter((f) => f.spec.project.name === 'e2e').sort(longestFirst)
    const node = timed.filter((f) => f.spec.project.name !== 'e2e').sort(longestFirst)
    const longNode = node.filter((f) => f.s >= LONG_NODE_FILE_S)
    const shortNode = node.filter((f) => f.s < LONG_NODE_FILE_S)
    return [...longNode, ...browser, ...shortNode].map((f) => f.spec)
  }
}

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the CPUs: on a 2-core machine one file at a time, with
    // the second core idle while a file waits on a browser, a child server or PostgreSQL. Two workers
    // at least; every file (browser ones included) has its own port, data folder and browser.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Longest files first, browser ones once dist/ can be built (LongestFirstSequencer above).
    sequence: { sequencer: LongestFirstSequencer },
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
