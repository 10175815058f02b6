// `npm start`: build the app when its sources are newer than dist/, then run the station server.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function newest(path) {
  const s = statSync(path)
  if (!s.isDirectory()) return s.mtimeMs
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), s.mtimeMs)
}

const inputs = ['src/app', 'src/domain', 'index.html', 'vite.config.ts', 'public', 'package-lock.json'].filter(existsSync)
const built = existsSync('dist/index.html') ? statSync('dist/index.html').mtimeMs : 0
if (built < Math.max(...inputs.map(newest))) {
  console.log('Building the app…')
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
const r = spawnSync('npx', ['tsx', 'src/server/main.ts'], { stdio: 'inherit', env: { DEMO: '1', ...process.env } })
process.exit(r.status ?? 0)
