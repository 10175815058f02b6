// The sync transport over fetch: one timeout per request (AbortController), gzip request bodies
// where the browser has CompressionStream, the device token in Authorization, and every failure
// turned into a SyncError the engine can branch on.
import * as v from 'valibot'
import { newId } from '../../domain/ids'
import {
  type PullResponse,
  PullResponseSchema,
  type PushAnswer,
  PushAnswerSchema,
  type PushRequest,
  REQUEST_ID_HEADER,
  STATION_MARK,
  STATION_MARK_HEADER,
} from '../../domain/sync-protocol'
import { SyncError } from './errors'
import type { SyncTransport } from './ports'

// One-off JSON calls (enrollment, pull for the field app) live in api.ts; kept importable from here.
export { ApiError, apiFetch, type ApiRequest } from './api'

export interface HttpTransportOptions {
  /** Station origin, '' for the page's own origin. */
  baseUrl?: string
  /** The device token from enrollment; null sends no Authorization (the station answers 401). */
  token: () => string | null | Promise<string | null>
  /** Whole request, body included. */
  timeoutMs?: number
  /** Compress push bodies; 'auto' = when CompressionStream exists and the body is worth it. */
  gzip?: boolean | 'auto'
  fetch?: typeof fetch
  /** Told the size of every push body as sent (for the benchmark's bytes-on-the-wire). */
  onPushBody?: (info: { jsonBytes: number; wireBytes: number; gzip: boolean; mutations: number }) => void
}

const GZIP_MIN_BYTES = 1024
export const DEFAULT_TIMEOUT_MS = 20_000

export function createHttpTransport(options: HttpTransportOptions): SyncTransport {
  const base = (options.baseUrl ?? '').replace(/\/$/, '')
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init))
  // Turned off for the rest of the session when the station says it cannot read gzip (415).
  let gzip = options.gzip ?? 'auto'

  async function request<T>(
    path: string,
    init: RequestInit,
    schema: v.GenericSchema<unknown, T>,
    requestId: string = newId(),
  ): Promise<T> {
    const token = await options.token()
    const headers = new Headers(init.headers)
    headers.set('Accept', 'application/json')
    headers.set(REQUEST_ID_HEADER, requestId)
    if (token) headers.set('Authorization', `Bearer ${token}`)
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, timeoutMs)
    try {
      let res: Response
      try {
        res = await doFetch(`${base}${path}`, { ...init, headers, signal: controller.signal, cache: 'no-store' })
      } catch (err) {
        if (timedOut)
          throw new SyncError('timeout', `no answer from the station within ${Math.round(timeoutMs / 1000)} s`, {
            cause: err,
          })
        throw new SyncError('offline', 'cannot reach the station', { cause: err })
      }
      let text: string
      try {
        text = await res.text()
      } catch (err) {
        if (timedOut)
          throw new SyncError('timeout', `the station's answer stopped after ${Math.round(timeoutMs / 1000)} s`, {
            cause: err,
          })
        throw new SyncError('offline', 'the connection dropped during the answer', { cause: err })
      }
      const origin = answerOrigin(res, requestId)
      // The station's answer to another request (a middlebox mixing connections): never acted on.
      if (origin === 'other-request')
        throw new SyncError('bad_response', 'an answer meant for another request was ignored', {
          status: res.status,
          code: 'misrouted',
        })
      if (!res.ok) throw errorFromResponse(res, text, origin === 'station')
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch (err) {
        throw new SyncError('bad_response', `the station answered ${res.status} without JSON`, {
          status: res.status,
          cause: err,
        })
      }
      const parsed = v.safeParse(schema, body)
      if (!parsed.success) {
        const issue = parsed.issues[0]
        throw new SyncError('bad_response', `the station's answer does not follow the protocol: ${issue.message}`, {
          status: res.status,
        })
      }
      return parsed.output
    } finally {
      clearTimeout(timer)
    }
  }

  return {
    async push(body: PushRequest): Promise<PushAnswer> {
      const json = JSON.stringify(body)
      const jsonBytes = new TextEncoder().encode(json).byteLength
      const compress =
        gzip === true || (gzip === 'auto' && jsonBytes >= GZIP_MIN_BYTES && typeof CompressionStream === 'function')
      const send = async (zip: boolean) => {
        const payload = zip ? await gzipBytes(json) : json
        options.onPushBody?.({
          jsonBytes,
          wireBytes: zip ? (payload as Uint8Array).byteLength : jsonBytes,
          gzip: zip,
          mutations: body.mutations.length,
        })
        const headers: Record<string, string> = { 'Content-Type': 'application/json' }
        if (zip) headers['Content-Encoding'] = 'gzip'
        return request(
          '/api/v1/sync/push',
          { method: 'POST', headers, body: payload as BodyInit },
          PushAnswerSchema,
          body.batchId,
        )
      }
      if (!compress) return send(false)
      try {
        return await send(true)
      } catch (err) {
        if (err instanceof SyncError && err.status === 415 && err.kind === 'request_refused') {
          gzip = false
          return send(false)
        }
        throw err
      }
    },

    pull(cursor: string | null): Promise<PullResponse> {
      const query = cursor === null ? '' : `?cursor=${encodeURIComponent(cursor)}`
      return request(`/api/v1/sync/pull${query}`, { method: 'GET' }, PullResponseSchema)
    },
  }
}

async function gzipBytes(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/**
 * Who answered: this station for this very request (its mark and our request id echoed), this
 * station for another request (a reply a middlebox mixed up), or something else on the way.
 */
export function answerOrigin(
  res: Pick<Response, 'headers'>,
  requestId: string,
): 'station' | 'other-request' | 'not-station' {
  if (res.headers.get(STATION_MARK_HEADER) !== STATION_MARK) return 'not-station'
  const echo = res.headers.get(REQUEST_ID_HEADER)
  if (echo === requestId) return 'station'
  return echo === null ? 'not-station' : 'other-request'
}

/**
 * An answer other than 2xx as an error the engine branches on. Only the station's own answer
 * (`fromStation`: its mark and our request id) with its `{ code, message }` body can refuse a
 * request, block the phone (401/403) or renumber (409); anything else is a middlebox's and is
 * transient: 5xx stays `server`, 429 `rate_limited`, every other status `not_station`.
 */
export function errorFromResponse(
  res: Pick<Response, 'status' | 'headers'>,
  text: string,
  fromStation = true,
): SyncError {
  let code: string | null = null
  let message: string | null = null
  let lastSeq: number | null = null
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown; lastSeq?: unknown }
    if (typeof body.code === 'string') code = body.code
    if (typeof body.message === 'string' && body.message) message = body.message
    if (typeof body.lastSeq === 'number' && Number.isInteger(body.lastSeq)) lastSeq = body.lastSeq
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  const retryAfter = retryAfterMs(res.headers.get('Retry-After'))
  if (res.status >= 500)
    return new SyncError('server', message ?? `the station answered ${res.status}`, {
      status: res.status,
      code,
      retryAfterMs: retryAfter,
    })
  if (res.status === 429)
    return new SyncError('rate_limited', message ?? 'too many requests', {
      status: res.status,
      code,
      retryAfterMs: retryAfter,
    })
  if (!fromStation || code === null || message === null)
    return new SyncError('not_station', `HTTP ${res.status} from something on the network other than the station`, {
      status: res.status,
    })
  const extra = { status: res.status, code }
  if (res.status === 401 || res.status === 403) return new SyncError('unauthorized', message, extra)
  if (res.status === 426 || code === 'schema_too_new' || code === 'schema_too_old')
    return new SyncError('schema_mismatch', message, extra)
  // sequence_gap: the batch starts after a hole; sequence_conflict: its numbers were used by other
  // mutations (a wiped phone numbering from 1 again). Both are cured by renumbering after lastSeq.
  if (res.status === 409 && (code === 'sequence_gap' || code === 'sequence_conflict') && lastSeq !== null) {
    return new SyncError('sequence_gap', message, { ...extra, lastSeq })
  }
  return new SyncError('request_refused', message, extra)
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const at = Date.parse(header)
  return Number.isFinite(at) ? Math.max(0, at - now) : null
}
