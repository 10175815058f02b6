// `npm start`: build the app when its sources are newer than dist/, then run the station server.
import { spawnSync } from 'node:child_process'
import { buildIfStale } from './build-if-stale.mjs'

await buildIfStale()
const r = spawnSync('npx', ['tsx', 'src/server/main.ts'], { stdio: 'inherit', env: { DEMO: '1', ...process.env } })
process.exit(r.status ?? 0)
