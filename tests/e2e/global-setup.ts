// Browser tests run against the production build, served by the real station server. The build
// starts here in a child process and runs beside the first test files (the app and domain ones
// come first); each browser test file waits for it in tests/e2e/setup.ts.
import { spawn } from 'node:child_process'

export default function setup(): () => Promise<void> {
  const child = spawn(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: ['ignore', 'inherit', 'inherit'] })
  const ended = new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.once('error', () => resolve())
  })
  return () => ended
}
