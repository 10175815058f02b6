// Runs the station: opens (and migrates) the database, serves the app and API on one port, and
// shuts down cleanly. Used by main.ts and, in-process on port 0, by the server tests.
import { type ServerType, serve } from '@hono/node-server'
import { readFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { createStationApp, type StationAppOptions } from './app'
import type { ServerConfig } from './config'
import { loadServerSecret } from './auth/secret'
import { openStore, type Store } from './db/store'
import { type Logger, silentLogger } from './log'

export interface RunningStation {
  url: string
  port: number
  store: Store
  server: ServerType
  /** Stops accepting requests, waits for those in flight, closes the database (unless it was given). */
  close(): Promise<void>
}

export interface StartStationOptions extends Omit<StationAppOptions, 'store'> {
  config: Pick<ServerConfig, 'port' | 'host' | 'dataDir' | 'databaseUrl'> &
    Partial<Pick<ServerConfig, 'databaseSchema' | 'tlsCertFile' | 'tlsKeyFile'>>
  /** An open store to use (and leave open on close); otherwise one is opened from config. */
  store?: Store
  log?: Logger
}

export async function startStation(opts: StartStationOptions): Promise<RunningStation> {
  const log = opts.log ?? silentLogger
  const ownStore = !opts.store
  const store =
    opts.store ??
    (await openStore({
      databaseUrl: opts.config.databaseUrl,
      dataDir: opts.config.dataDir,
      pgSchema: opts.config.databaseSchema ?? undefined,
      onConnectionError: (err) => log.warn('database connection lost; reconnecting', { error: err.message }),
    }))
  // The data folder keeps the secret (tests without one get a fresh secret per process).
  const secret = opts.secret ?? (opts.config.dataDir ? loadServerSecret(opts.config.dataDir) : undefined)
  const app = createStationApp({ ...opts, store, log, secret })
  const { tlsCertFile, tlsKeyFile } = opts.config
  const tls =
    tlsCertFile && tlsKeyFile
      ? {
          createServer: createHttpsServer,
          serverOptions: { cert: readFileSync(tlsCertFile), key: readFileSync(tlsKeyFile) },
        }
      : {}
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: opts.config.port, hostname: opts.config.host, ...tls }, () => resolve(s))
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `${tlsCertFile ? 'https' : 'http'}://localhost:${port}`,
    port,
    store,
    server,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      if (ownStore) await store.close()
    },
  }
}
