import { resolve } from 'node:path'

export interface ServerConfig {
  port: number
  host: string
  /** Folder for the embedded SQLite database and other station files. */
  dataDir: string
  /** PostgreSQL connection string; when set, used instead of SQLite. */
  databaseUrl: string | null
  /** PostgreSQL schema to use (created if missing); the connection's default when null. */
  databaseSchema: string | null
  /** Folder with the built app to serve, or null to serve the API only. */
  staticDir: string | null
  /** DEMO=1: create the demo station on first run. */
  demo: boolean
  /** Base URL phones reach this server at (for enrollment links); the request's origin when unset. */
  publicUrl: string | null
  /** TRUST_PROXY=1: behind one reverse proxy whose X-Forwarded-Proto / X-Forwarded-For are believed. */
  trustProxy: boolean
  /** TLS_CERT / TLS_KEY: PEM files; when both are set the server speaks HTTPS itself. */
  tlsCertFile: string | null
  tlsKeyFile: string | null
}

export function loadConfig(env: NodeJS.ProcessEnv): ServerConfig {
  if (!env.TLS_CERT !== !env.TLS_KEY) throw new Error('TLS_CERT and TLS_KEY go together: set both or neither')
  const port = Number(env.PORT ?? 8080)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got ${env.PORT}`)
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: resolve(env.DATA_DIR ?? '.data'),
    databaseUrl: env.DATABASE_URL || null,
    databaseSchema: env.DATABASE_SCHEMA || null,
    staticDir: env.STATIC_DIR === '' ? null : resolve(env.STATIC_DIR ?? 'dist'),
    demo: env.DEMO === '1' || env.DEMO === 'true',
    publicUrl: env.PUBLIC_URL || null,
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    tlsCertFile: env.TLS_CERT ? resolve(env.TLS_CERT) : null,
    tlsKeyFile: env.TLS_KEY ? resolve(env.TLS_KEY) : null,
  }
}
