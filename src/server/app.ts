// The station's HTTP app: the API under /api/v1 and the built PWA for everything else.
import { existsSync } from 'node:fs'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import { compress } from 'hono/compress'
import { HTTPException } from 'hono/http-exception'
import { SCHEMA_VERSION } from '../domain/records'
import type { Store } from './db/store'
import { isDatabaseUnavailable } from './db/unavailable'
import type { AppEnv } from './http/auth'
import { type BodyLimits, DEFAULT_BODY_LIMITS, PUSH_BODY_LIMITS } from './http/body'
import { ApiError, refusalAnswer } from './http/errors'
import { Refusal } from './repo/refusal'
import { DEFAULT_PUSH_BUDGET_MS, PushAdmission } from './http/push-admission'
import { resolveLimits, type StationLimits } from './http/limits'
import { securityHeaders } from './http/security'
import { decoyPasswordHash } from './auth/passwords'
import { ephemeralSecret } from './auth/secret'
import { stationMark } from './http/station-mark'
import { type Logger, silentLogger } from './log'
import { adminRoutes } from './routes/admin'
import { planRoutes } from './routes/plans'
import type { RouteDeps } from './routes/deps'
import { publicRoutes } from './routes/public'
import { reportRoutes } from './routes/reports'
import { syncRoutes } from './routes/sync'

export interface StationAppOptions {
  store: Store
  log?: Logger
  /** Folder with the built app, or null for the API only. */
  staticDir?: string | null
  bodyLimits?: BodyLimits
  pushBodyLimits?: BodyLimits
  pinIterations?: number
  publicUrl?: string | null
  /** Raises the per-address attempt limits (tests that sign in many times from one address). */
  failedAttemptsPerMinute?: number
  /** A push is admitted only if expected to finish within this; else 503 busy (push-admission.ts). */
  pushBudgetMs?: number
  /** Key of the server's HMACs; a fresh one per process when not given (codes then die with it). */
  secret?: Buffer
  /** TRUST_PROXY: believe X-Forwarded-Proto / X-Forwarded-For (docs/operations.md). */
  trustProxy?: boolean
  limits?: Partial<StationLimits>
  /** How long /api/v1/health waits for the database before answering 503. */
  healthProbeTimeoutMs?: number
}

export function createStationApp(opts: StationAppOptions): Hono<AppEnv> {
  const log = opts.log ?? silentLogger
  const deps: RouteDeps = {
    store: opts.store,
    log,
    bodyLimits: opts.bodyLimits ?? DEFAULT_BODY_LIMITS,
    pushBodyLimits: opts.pushBodyLimits ?? PUSH_BODY_LIMITS,
    pinIterations: opts.pinIterations,
    publicUrl: opts.publicUrl ?? null,
    pushAdmission: pushQueues(opts.store.engine, opts.pushBudgetMs ?? DEFAULT_PUSH_BUDGET_MS),
    secret: opts.secret ?? ephemeralSecret(),
    trust: { trustProxy: opts.trustProxy ?? false },
    limits: resolveLimits(opts.limits, opts.failedAttemptsPerMinute),
  }
  const app = new Hono<AppEnv>()

  // Answers and pages go compressed to whoever asks (phones on rural 3G): a push answer shrinks to
  // a fraction, the app's scripts to about a third.
  app.use('*', compress())

  // --- security (headers on every answer; see http/security.ts) ---
  app.use('*', securityHeaders(deps.trust))
  // The decoy hash for unknown users is made now, not inside the first login that needs it.
  void decoyPasswordHash()
  // --- end security ---
  // The station's mark and the request id echo on every API answer (syncclient; outermost, so refusals get it).
  app.use('/api/*', stationMark())

  app.use('/api/*', async (c, next) => {
    const started = Date.now()
    c.set('receivedAt', started)
    await next()
    // Path only: query strings may carry cursors, never personal data, but bodies are never logged.
    log.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Date.now() - started,
      ...(c.get('device') ? { device: c.get('device').id } : {}),
      ...(c.get('account') ? { account: c.get('account').id } : {}),
    })
    c.header('Cache-Control', 'no-store')
  })

  // PostgreSQL text cannot hold NUL: refuse it in paths and query strings for both engines alike.
  app.use('/api/*', async (c, next) => {
    let decoded: string
    try {
      decoded = decodeURIComponent(c.req.url)
    } catch {
      throw new ApiError(400, 'invalid_request', 'the URL is not well-formed')
    }
    if (decoded.includes('\0')) throw new ApiError(400, 'invalid_request', 'the URL may not contain NUL characters')
    await next()
  })

  // Health probes the database (its own connection, a short timeout): 503 with the reason while it is away.
  app.get('/api/v1/health', async (c) => {
    const about = { schemaVersion: SCHEMA_VERSION, engine: opts.store.engine }
    try {
      await opts.store.probe(opts.healthProbeTimeoutMs ?? 2_000)
    } catch (err) {
      c.header('Retry-After', '5')
      const reason = err instanceof Error ? err.message : String(err)
      return c.json({ status: 'unavailable', code: 'database_unavailable', reason, ...about }, 503)
    }
    return c.json({ status: 'ok', ...about })
  })
  app.route('/api/v1', publicRoutes(deps))
  app.route('/api/v1/sync', syncRoutes(deps))
  app.route('/api/v1/admin', adminRoutes(deps))
  app.route('/api/v1/admin', planRoutes(deps))
  app.route('/api/v1/reports', reportRoutes(deps))
  app.all('/api/*', (c) =>
    c.json({ code: 'not_found', message: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404),
  )

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json({ code: err.code, message: err.message, ...err.extra }, err.status)
    if (err instanceof Refusal) {
      const { status, body } = refusalAnswer(err)
      return c.json(body, status)
    }
    if (err instanceof HTTPException && err.status < 500)
      return c.json({ code: `http_${err.status}`, message: err.message || 'refused' }, err.status)
    // The database went away under the request: its transaction is rolled back; phones retry a 503.
    if (isDatabaseUnavailable(err)) {
      log.warn('database unavailable', { method: c.req.method, path: c.req.path, error: String(err) })
      c.header('Retry-After', '5')
      return c.json(
        { code: 'database_unavailable', message: 'the database cannot be reached right now; send the request again' },
        503,
      )
    }
    log.error('request failed', {
      method: c.req.method,
      path: c.req.path,
      error: err instanceof Error ? err.message : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    })
    return c.json({ code: 'internal', message: 'the server failed; the request may be retried' }, 500)
  })

  if (opts.staticDir && existsSync(opts.staticDir)) {
    const root = opts.staticDir
    // The service worker must never be cached by HTTP, or updates stall for a day.
    app.use('/sw.js', async (c, next) => {
      await next()
      c.header('Cache-Control', 'no-cache')
    })
    app.use('/*', serveStatic({ root }))
    app.get('*', serveStatic({ root, path: 'index.html' }))
  }
  return app
}

/** SQLite has one writer for every station; on PostgreSQL each station's row lock is its own queue. */
function pushQueues(engine: Store['engine'], budgetMs: number): (stationId: string) => PushAdmission {
  if (engine === 'sqlite') {
    const shared = new PushAdmission({ budgetMs })
    return () => shared
  }
  const byStation = new Map<string, PushAdmission>()
  return (stationId) => {
    let queue = byStation.get(stationId)
    if (!queue) byStation.set(stationId, (queue = new PushAdmission({ budgetMs })))
    return queue
  }
}
