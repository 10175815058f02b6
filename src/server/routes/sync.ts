// Device routes under /api/v1/sync: push records, pull reference data and totals.
import { type Context, Hono } from 'hono'
import { compactPushResponse, type PushRequest, PushRequestSchema } from '../../domain/sync-protocol'
import { type AppEnv, requireDevice } from '../http/auth'
import { parsedWithoutNul, readJsonBody } from '../http/body'
import { ApiError, parseOr400 } from '../http/errors'
import { PushBusy } from '../http/push-admission'
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
    const arrived = Date.now()
    const receivedAt = c.get('receivedAt') ?? arrived
    // Judged before the body is read: a station under a burst turns a push away for nothing.
    const declared = Number(c.req.header('Content-Length'))
    const ticket = deps
      .pushAdmission(device.station_id)
      .admit(Number.isFinite(declared) && declared > 0 ? declared : deps.pushBodyLimits.maxBytes, arrived - receivedAt)
    if (ticket instanceof PushBusy) {
      // Read the upload to its end unparsed, so the phone gets the answer, not a closed socket.
      await discardBody(c.req.raw.body, deps.pushBodyLimits.maxBytes)
      return busyAnswer(c, deps, device.id, ticket)
    }
    try {
      // A record nested too deep arrives as TOO_DEEP_VALUE and is refused alone (ingest.ts).
      const body = await readJsonBody(c, deps.pushBodyLimits, {
        allowNul: true,
        isolatePath: ['mutations', '*', 'record'],
      })
      const started = Date.now()
      const timing = () =>
        `auth;dur=${arrived - receivedAt}, body;dur=${started - arrived}, write;dur=${Date.now() - started}`
      // Checking the batch is part of its cost, so it runs in turn with the write.
      let req: PushRequest | null = null
      const res = await ticket.run(async () => {
        req = parseOr400(PushRequestSchema, body)
        return applyPush(store, { id: device.id, stationId: device.station_id }, req, {
          nulFree: parsedWithoutNul(body),
        })
      })
      // How long the body took to arrive and the push to be written (shown by browser dev tools).
      c.header('Server-Timing', timing())
      if (res instanceof PushBusy) return busyAnswer(c, deps, device.id, res)
      const tally = { applied: 0, duplicate: 0, rejected: 0 }
      for (const r of res.results) tally[r.status]++
      deps.log.info('push', {
        device: device.id,
        station: device.station_id,
        lastSeq: res.lastSeq,
        ...tally,
        ms: Date.now() - started,
      })
      // A phone that names its batch gets the compact answer echoing it; an older phone the old form.
      const sent = req as PushRequest | null
      return c.json(sent?.batchId ? compactPushResponse({ ...sent, batchId: sent.batchId }, res) : res)
    } finally {
      ticket.release()
    }
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
    // Entities an older phone would refuse come only to a phone that names them (?with=lookback).
    const optIn = new Set((c.req.query('with') ?? '').split(',').filter(Boolean))
    // Records waiting in the phone's outbox (newer apps say so), for the station's phones page.
    const pendingText = c.req.query('pending')
    const pending = pendingText !== undefined && /^\d{1,9}$/.test(pendingText) ? Number(pendingText) : null
    const res = await pullChanges(
      store,
      { id: device.id, stationId: device.station_id },
      cursor || undefined,
      limit,
      optIn,
      pending,
    )
    deps.log.info('pull', {
      device: device.id,
      station: device.station_id,
      changes: res.changes.length,
      reset: res.reset,
      more: res.more,
    })
    return c.json({ ...res, deviceId: device.id })
  })

  return app
}

/** 503 busy: nothing was read or written; the phone retries after Retry-After (with its own backoff). */
function busyAnswer(c: Context<AppEnv>, deps: RouteDeps, deviceId: string, busy: PushBusy) {
  deps.log.info('push busy', { device: deviceId, retryAfter: busy.retryAfterSeconds })
  return c.json(
    {
      code: 'busy',
      message: 'the station is busy with other phones; nothing was written, try again later',
      retryAfterSeconds: busy.retryAfterSeconds,
    },
    503,
    { 'Retry-After': String(busy.retryAfterSeconds) },
  )
}

async function discardBody(body: ReadableStream<Uint8Array> | null, limit: number): Promise<void> {
  if (!body) return
  const reader = body.getReader()
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      size += value.byteLength
      if (size > limit) return void (await reader.cancel())
    }
  } catch {
    // The phone went away: nothing to answer.
  }
}
