// Browser tests run against the production build, served by the real station server.
import { execFileSync } from 'node:child_process'

export default function setup(): void {
  if (process.env.E2E_SKIP_BUILD === '1') return
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' })
}
