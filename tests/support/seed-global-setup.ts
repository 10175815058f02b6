// When this run has test files that copy the seeded year (tests/support/seed-template.ts), its
// templates are built in a child process from the start, beside the first files, instead of by the
// first such file while its worker waits. A file that starts before they are ready waits for them.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'

const TEMPLATE = new URL('./seed-template.ts', import.meta.url)
const USES_TEMPLATE = /openSeededTestStore|startSeededStation|seedStationDataDir/

export default function setup(project: TestProject): (() => Promise<void>) | undefined {
  // Once per run (each project calls its global setups; they share this process).
  if (process.env.BLOODBUS_SEED_AHEAD) return undefined
  const files = project.vitest.state.getPaths()
  if (!files.some((file) => USES_TEMPLATE.test(readFileSync(file, 'utf8')))) return undefined
  process.env.BLOODBUS_SEED_AHEAD = '1'
  // Its own process (and so its own core), not this one: the build blocks while it imports.
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(TEMPLATE), 'build'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const ended = new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.once('error', () => resolve())
  })
  return () => ended
}
