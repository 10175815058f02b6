// Entry point: `npm start` / `npm run serve`. Starts the station server on PORT (default 8080)
// over SQLite in DATA_DIR, or PostgreSQL when DATABASE_URL is set; with DEMO=1 creates the demo
// station on first run.
import { loadConfig } from './config'
import { openStore, type Store } from './db/store'
import { isDatabaseUnavailable } from './db/unavailable'
import { demoBanner, ensureDemoStation } from './demo'
import { createLogger, parseLogLevel } from './log'
import { startStation } from './server'

const config = loadConfig(process.env)
const log = createLogger({ level: parseLogLevel(process.env.LOG_LEVEL) })

/** Opens the database, waiting while it cannot be reached yet (started before it, or restarting). */
async function openWhenReachable(): Promise<Store> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await openStore({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        pgSchema: config.databaseSchema ?? undefined,
        onConnectionError: (err) => log.warn('database connection lost; reconnecting', { error: err.message }),
      })
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err
      const waitMs = Math.min(30_000, 1_000 * 2 ** Math.min(attempt - 1, 5))
      log.warn('database not reachable; retrying', { error: String(err), attempt, waitMs })
      await new Promise((resolve) => setTimeout(resolve, waitMs))
    }
  }
}

async function main(): Promise<void> {
  const store = await openWhenReachable()
  log.info('database ready', { engine: store.engine, location: store.location })
  if (config.demo) {
    // The whole year to date unless DEMO_DAYS asks for only its last days.
    const days = Number(process.env.DEMO_DAYS) || undefined
    await ensureDemoStation(store, { log, ...(days ? { days } : {}) })
  }
  const station = await startStation({
    config,
    store,
    log,
    staticDir: config.staticDir,
    publicUrl: config.publicUrl,
    trustProxy: config.trustProxy,
  })
  log.info('listening', { url: `${station.url}/` })
  console.log(`Blood Bus is running at ${station.url}/`)
  if (config.demo) console.log(demoBanner(`http://localhost:${station.port}/`))

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    log.info('shutting down', { signal })
    // Requests in flight finish; a stuck keep-alive connection does not hold the exit forever.
    const timer = setTimeout(() => process.exit(0), 5_000)
    timer.unref()
    ;(station.server as { closeIdleConnections?: () => void }).closeIdleConnections?.()
    station
      .close()
      .then(() => store.close())
      .then(() => {
        log.info('stopped')
        process.exit(0)
      })
      .catch((err: unknown) => {
        log.error('shutdown failed', { error: String(err) })
        process.exit(1)
      })
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((err: unknown) => {
  log.error('start failed', { error: err instanceof Error ? err.message : String(err) })
  process.exit(1)
})
