// The station's HTTP app: the API under /api/v1 and the built PWA for everything else.
import { existsSync } from 'node:fs'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import { SCHEMA_VERSION } from '../domain/records'
import type { ServerConfig } from './config'

export function createStationApp(config: ServerConfig): Hono {
  const app = new Hono()
  app.get('/api/v1/health', (c) => c.json({ status: 'ok', schemaVersion: SCHEMA_VERSION }))
  app.all('/api/*', (c) => c.json({ code: 'not_found', message: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404))
  if (config.staticDir && existsSync(config.staticDir)) {
    const root = config.staticDir
    // The service worker must never be cached by HTTP, or updates stall for a day.
    app.use('/sw.js', async (c, next) => { await next(); c.header('Cache-Control', 'no-cache') })
    app.use('/*', serveStatic({ root }))
    app.get('*', serveStatic({ root, path: 'index.html' }))
  }
  return app
}
