// The app's one way to the station over HTTP: every request (sync wire, enrollment, the station
// pages' admin API) gets its headers, token, CSRF token, request id, timeout, JSON parsing and
// error mapping here, so a failure is always one RequestError with a kind and the station's code.
// Nothing else in the app calls fetch (lint rule in eslint.config.js).
import * as v from 'valibot'
import { newId } from '../../domain/ids'
import { REQUEST_ID_HEADER, STATION_MARK, STATION_MARK_HEADER } from '../../domain/sync-protocol'
import type { TargetError } from '../../domain/targets'
import { RequestError } from './errors'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface HttpClientOptions {
  /** Station origin, '' for the page's own origin. */
  baseUrl?: string
  /** Sent as `Authorization: Bearer …` when it gives one (the phone's device token). */
  token?: () => string | null | Promise<string | null>
  /** The station session's CSRF token, sent as X-CSRF-Token on every request that changes something. */
  csrfToken?: () => string | null
  /** Whole request, answer included; null (default) waits as long as the browser does. */
  timeoutMs?: number | null
  /** 'same-origin' sends the station session's cookie. */
  credentials?: RequestCredentials
  /**
   * Whose refusal is believed: 'marked' (the sync wire) only the station's own answer to this very
   * request (its mark and our request id echoed), 'any' every answer (the station's own pages).
   */
  trust?: 'marked' | 'any'
  /** Told of every 401 with the request's path. */
  onUnauthorized?: (path: string) => void
  fetch?: typeof fetch
}

export interface HttpRequest {
  method?: HttpMethod
  /** Path and query, after baseUrl. */
  path: string
  /** A JSON value to send (Content-Type set here). */
  json?: unknown
  /** A body already made (e.g. gzip bytes); its Content-Type goes in `headers`. */
  body?: BodyInit
  headers?: Record<string, string>
  /** Default application/json. */
  accept?: string
  /** Echoed by the station; a push sends its batch id so a retry is recognised. */
  requestId?: string
}

export interface HttpClient {
  /** The answer's JSON, checked against `schema`. */
  json<T>(req: HttpRequest, schema: v.GenericSchema<unknown, T>): Promise<T>
  /** A request whose answer body does not matter (logout, delete). */
  send(req: HttpRequest): Promise<void>
  /** The answer as a file (exports). */
  blob(req: HttpRequest): Promise<Blob>
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const base = (options.baseUrl ?? '').replace(/\/$/, '')
  const timeoutMs = options.timeoutMs ?? null
  const trust = options.trust ?? 'marked'
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init))
  const seconds = () => Math.round((timeoutMs ?? 0) / 1000)

  async function exchange<B>(
    req: HttpRequest,
    read: (res: Response) => Promise<B>,
  ): Promise<{ res: Response; body: B | string }> {
    const method = req.method ?? 'GET'
    const requestId = req.requestId ?? newId()
    const headers = new Headers(req.headers)
    headers.set('Accept', req.accept ?? 'application/json')
    headers.set(REQUEST_ID_HEADER, requestId)
    if (req.json !== undefined) headers.set('Content-Type', 'application/json')
    const token = options.token ? await options.token() : null
    if (token) headers.set('Authorization', `Bearer ${token}`)
    const csrf = options.csrfToken?.()
    if (csrf && method !== 'GET') headers.set('X-CSRF-Token', csrf)

    const controller = new AbortController()
    let timedOut = false
    const timer =
      timeoutMs === null
        ? null
        : setTimeout(() => {
            timedOut = true
            controller.abort()
          }, timeoutMs)
    try {
      let res: Response
      try {
        res = await doFetch(`${base}${req.path}`, {
          method,
          headers,
          body: req.json !== undefined ? JSON.stringify(req.json) : req.body,
          signal: controller.signal,
          cache: 'no-store',
          credentials: options.credentials,
        })
      } catch (err) {
        if (timedOut)
          throw new RequestError('timeout', `no answer from the station within ${seconds()} s`, { cause: err })
        throw new RequestError('offline', 'cannot reach the station', { cause: err })
      }
      const origin = answerOrigin(res, requestId)
      // The station's answer to another request (a middlebox mixing connections): never acted on.
      if (trust === 'marked' && origin === 'other-request')
        throw new RequestError('bad_response', 'an answer meant for another request was ignored', {
          status: res.status,
          code: 'misrouted',
        })
      let body: B | string
      try {
        body = res.ok ? await read(res) : await res.text()
      } catch (err) {
        if (timedOut)
          throw new RequestError('timeout', `the station's answer stopped after ${seconds()} s`, { cause: err })
        throw new RequestError('offline', 'the connection dropped during the answer', { cause: err })
      }
      if (!res.ok) {
        if (res.status === 401) options.onUnauthorized?.(req.path)
        throw errorFromResponse(res, body as string, trust === 'any' || origin === 'station')
      }
      return { res, body }
    } finally {
      if (timer !== null) clearTimeout(timer)
    }
  }

  return {
    async json<T>(req: HttpRequest, schema: v.GenericSchema<unknown, T>): Promise<T> {
      const { res, body } = await exchange(req, (r) => r.text())
      let data: unknown
      try {
        data = JSON.parse(body)
      } catch (err) {
        throw new RequestError('bad_response', `the station answered ${res.status} without JSON`, {
          status: res.status,
          cause: err,
        })
      }
      const parsed = v.safeParse(schema, data)
      if (!parsed.success) {
        const issue = parsed.issues[0]
        const at = v.getDotPath(issue)
        throw new RequestError(
          'bad_response',
          `the station's answer to ${req.path.split('?')[0]} does not follow the protocol: ${at ? `${at} ` : ''}${issue.message}`,
          { status: res.status },
        )
      }
      return parsed.output
    },

    async send(req: HttpRequest): Promise<void> {
      await exchange(req, (r) => r.text())
    },

    async blob(req: HttpRequest): Promise<Blob> {
      const { body } = await exchange(req, (r) => r.blob())
      return body as Blob
    },
  }
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
 * An answer other than 2xx as a RequestError. Only the station's own answer (`fromStation`) with
 * its `{ code, message }` body can refuse a request, block the phone (401/403) or renumber (409);
 * anything else is a middlebox's and is transient: 5xx stays `server`, 429 `rate_limited`, every
 * other status `not_station`.
 */
export function errorFromResponse(
  res: Pick<Response, 'status' | 'headers'>,
  text: string,
  fromStation = true,
): RequestError {
  let code: string | null = null
  let message: string | null = null
  let lastSeq: number | null = null
  let fieldErrors: TargetError[] = []
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown; lastSeq?: unknown; errors?: unknown }
    if (typeof body.code === 'string') code = body.code
    if (typeof body.message === 'string' && body.message) message = body.message
    if (typeof body.lastSeq === 'number' && Number.isInteger(body.lastSeq)) lastSeq = body.lastSeq
    if (Array.isArray(body.errors)) fieldErrors = body.errors as TargetError[]
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  const retryAfter = retryAfterMs(res.headers.get('Retry-After'))
  if (res.status >= 500)
    return new RequestError('server', message ?? `the station answered ${res.status}`, {
      status: res.status,
      code,
      retryAfterMs: retryAfter,
    })
  if (res.status === 429)
    return new RequestError('rate_limited', message ?? 'too many requests', {
      status: res.status,
      code,
      retryAfterMs: retryAfter,
    })
  if (!fromStation || code === null || message === null)
    return new RequestError('not_station', `HTTP ${res.status} from something on the network other than the station`, {
      status: res.status,
    })
  const extra = { status: res.status, code, fieldErrors }
  if (res.status === 401 || res.status === 403) return new RequestError('unauthorized', message, extra)
  if (res.status === 426 || code === 'schema_too_new' || code === 'schema_too_old')
    return new RequestError('schema_mismatch', message, extra)
  // sequence_gap: the batch starts after a hole; sequence_conflict: its numbers were used by other
  // mutations (a wiped phone numbering from 1 again). Both are cured by renumbering after lastSeq.
  if (res.status === 409 && (code === 'sequence_gap' || code === 'sequence_conflict') && lastSeq !== null) {
    return new RequestError('sequence_gap', message, { ...extra, lastSeq })
  }
  return new RequestError('request_refused', message, extra)
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const at = Date.parse(header)
  return Number.isFinite(at) ? Math.max(0, at - now) : null
}
