// Builds the app into dist/ when any of its inputs is newer than the last build. Used by
// `npm start` and the browser tests; a lock keeps concurrent callers from building over each other.
import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, openSync, readdirSync, statSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

const INPUTS = ['src/app', 'src/domain', 'index.html', 'vite.config.ts', 'public', 'package-lock.json']

function newest(path) {
  const s = statSync(path)
  if (!s.isDirectory()) return s.mtimeMs
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), s.mtimeMs)
}

export function isStale() {
  const built = existsSync('dist/index.html') ? statSync('dist/index.html').mtimeMs : 0
  return built < Math.max(...INPUTS.filter(existsSync).map(newest))
}

export async function buildIfStale() {
  const lock = 'dist.build-lock'
  for (let waited = 0; ; waited += 200) {
    try {
      closeSync(openSync(lock, 'wx'))
      break
    } catch {
      // a build older than 5 minutes is a crashed one
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000) unlinkSync(lock)
      await sleep(200)
    }
  }
  try {
    if (!isStale()) return
    console.log('Building the app…')
    // Under Vitest NODE_ENV is "test", which would build Vue's development flavour into dist/.
    const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    })
    if (r.status !== 0) throw new Error(`vite build failed with ${r.status}`)
  } finally {
    unlinkSync(lock)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildIfStale()
