// Device routes under /api/v1/sync: push records, pull reference data and totals.
import { Hono } from 'hono'
import { PushRequestSchema } from '../../domain/sync-protocol'
import { type AppEnv, requireDevice } from '../http/auth'
import { readJsonBody } from '../http/body'
import { ApiError, parseOr400 } from '../http/errors'
import { PULL_DEFAULT_LIMIT, PULL_MAX_LIMIT, pullChanges } from '../repo/pull'
import { applyPush } from '../repo/push'
import { getStationRow, pulledStation } from '../repo/stations'
import type { RouteDeps } from './deps'

export function syncRoutes(deps: RouteDeps): Hono<AppEnv> {
  const { store } = deps
  const app = new Hono<AppEnv>()
  app.use('*', requireDevice(store))

  app.get('/me', async (c) => {
    const device = c.get('device')
    const station = await getStationRow(store.db, device.station_id)
    return c.json({
      deviceId: device.id,
      name: device.name,
      lastSeq: Number(device.last_seq),
      station: pulledStation(station),
    })
  })

  app.post('/push', async (c) => {
    const device = c.get('device')
    const req = parseOr400(PushRequestSchema, await readJsonBody(c, deps.bodyLimits, { allowNul: true }))
    const started = Date.now()
    const res = await applyPush(store, { id: device.id, stationId: device.station_id }, req)
    const tally = { applied: 0, duplicate: 0, rejected: 0 }
    for (const r of res.results) tally[r.status]++
    deps.log.info('push', {
      device: device.id,
      station: device.station_id,
      lastSeq: res.lastSeq,
      ...tally,
      ms: Date.now() - started,
    })
    return c.json(res)
  })

  app.get('/pull', async (c) => {
    const device = c.get('device')
    const limitText = c.req.query('limit')
    const limit = limitText === undefined ? PULL_DEFAULT_LIMIT : Number(limitText)
    if (!Number.isInteger(limit) || limit < 1 || limit > PULL_MAX_LIMIT) {
      throw new ApiError(400, 'invalid_request', `limit must be a whole number from 1 to ${PULL_MAX_LIMIT}`)
    }
    const cursor = c.req.query('cursor')
    if (cursor !== undefined && cursor.length > 100)
      throw new ApiError(400, 'invalid_request', 'the cursor is too long')
    const res = await pullChanges(store, { id: device.id, stationId: device.station_id }, cursor || undefined, limit)
    deps.log.info('pull', {
      device: device.id,
      station: device.station_id,
      changes: res.changes.length,
      reset: res.reset,
      more: res.more,
    })
    return c.json(res)
  })

  return app
}
