// The app's one HTTP core: what every request carries, and every failure as one RequestError whose
// kind and reason the screens and the sync engine branch on.
import { describe, expect, it } from 'vitest'
import * as v from 'valibot'
import { REQUEST_ID_HEADER, STATION_MARK_HEADER } from '../../../src/domain/sync-protocol'
import { RequestError } from '../../../src/app/net/errors'
import { createHttpClient, type HttpClientOptions } from '../../../src/app/net/http'

type Reply = { status: number; body: string; marked?: boolean } | 'unreachable' | 'never'

function client(reply: Reply, options: Omit<HttpClientOptions, 'fetch'> = {}) {
  const sent: { url: string; init: RequestInit; headers: Headers }[] = []
  const fetch = ((url: string, init: RequestInit) => {
    const headers = new Headers(init.headers)
    sent.push({ url, init, headers })
    if (reply === 'unreachable') return Promise.reject(new TypeError('Failed to fetch'))
    if (reply === 'never')
      return new Promise((_, fail) =>
        init.signal?.addEventListener('abort', () => fail(new DOMException('', 'AbortError'))),
      )
    const answer = new Headers()
    if (reply.marked) {
      answer.set(STATION_MARK_HEADER, '1')
      answer.set(REQUEST_ID_HEADER, headers.get(REQUEST_ID_HEADER)!)
    }
    return Promise.resolve(new Response(reply.body, { status: reply.status, headers: answer }))
  }) as unknown as typeof globalThis.fetch
  return { sent, http: createHttpClient({ ...options, fetch }) }
}

const Ok = v.object({ ok: v.boolean() })
const refusal = (code: string, message: string, extra = {}) => JSON.stringify({ code, message, ...extra })
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure')
    },
    (e: unknown) => e as RequestError,
  )

describe('the HTTP core', () => {
  it('sends the token, a request id, and the CSRF token only on requests that change something', async () => {
    const { sent, http } = client(
      { status: 200, body: '{"ok":true}' },
      {
        baseUrl: 'https://station.example/',
        token: () => 'bbd_x',
        csrfToken: () => 'csrf-1',
        credentials: 'same-origin',
      },
    )
    await http.json({ path: '/api/v1/a' }, Ok)
    await http.json({ method: 'POST', path: '/api/v1/b', json: { n: 1 } }, Ok)
    expect(sent.map((s) => s.url)).toEqual(['https://station.example/api/v1/a', 'https://station.example/api/v1/b'])
    expect(sent[0]!.headers.get('Authorization')).toBe('Bearer bbd_x')
    expect(sent[0]!.headers.get(REQUEST_ID_HEADER)).toBeTruthy()
    expect(sent[0]!.headers.get('X-CSRF-Token')).toBeNull()
    expect(sent[1]!.headers.get('X-CSRF-Token')).toBe('csrf-1')
    expect(sent[1]!.headers.get('Content-Type')).toBe('application/json')
    expect(sent[1]!.init.body).toBe('{"n":1}')
    expect(sent[1]!.init.credentials).toBe('same-origin')
  })

  it('believes an unmarked refusal only when told to (the station’s own pages), and keeps its field errors', async () => {
    const body = refusal('invalid_target', 'value: negative', { errors: [{ field: 'value', code: 'negative' }] })
    const pages = await failure(client({ status: 400, body }, { trust: 'any' }).http.json({ path: '/x' }, Ok))
    expect(pages).toMatchObject({ kind: 'request_refused', code: 'invalid_target', reason: 'invalid_target' })
    expect(pages.fieldErrors).toEqual([{ field: 'value', code: 'negative' }])
    const wire = await failure(client({ status: 400, body }).http.json({ path: '/x' }, Ok))
    expect(wire).toMatchObject({ kind: 'not_station', code: null, reason: 'http_400' })
  })

  it('tells offline, timeout and an answer that is not the protocol apart, each with its reason', async () => {
    const offline = await failure(client('unreachable').http.json({ path: '/x' }, Ok))
    expect(offline).toMatchObject({ kind: 'offline', reason: 'network', transient: true })
    const timeout = await failure(client('never', { timeoutMs: 20 }).http.json({ path: '/x' }, Ok))
    expect(timeout).toMatchObject({ kind: 'timeout', reason: 'network' })
    const html = await failure(client({ status: 200, body: '<html>portal</html>' }).http.json({ path: '/x' }, Ok))
    expect(html).toMatchObject({ kind: 'bad_response', reason: 'bad_response' })
    const shape = await failure(client({ status: 200, body: '{"ok":"yes"}' }).http.json({ path: '/x' }, Ok))
    expect(shape).toBeInstanceOf(RequestError)
    expect(shape.message).toContain('ok')
  })

  it('tells of a 401 with the path, so a station session can end', async () => {
    const paths: string[] = []
    const { http } = client(
      { status: 401, body: refusal('unauthorized', 'session ended'), marked: true },
      { onUnauthorized: (p) => paths.push(p) },
    )
    expect(await failure(http.send({ method: 'POST', path: '/api/v1/auth/logout' }))).toMatchObject({
      kind: 'unauthorized',
      status: 401,
      code: 'unauthorized',
    })
    expect(paths).toEqual(['/api/v1/auth/logout'])
  })
})
