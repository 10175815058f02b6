// Whose answer is it: the fetch transport counts a 4xx as the station's refusal only with the
// station's mark and this request's id echoed; anything else on the way is transient.
import { describe, expect, it } from 'vitest'
import { newId } from '../../../src/domain/ids'
import { REQUEST_ID_HEADER, STATION_MARK_HEADER } from '../../../src/domain/sync-protocol'
import { createHttpTransport } from '../../../src/app/sync/transport'
import type { RequestError } from '../../../src/app/net/errors'

type Reply = { status: number; body: string; headers?: Record<string, string>; station?: boolean | 'other' }

function transport(reply: Reply) {
  const seen: Headers[] = []
  const fetch = (async (_url: string, init: RequestInit) => {
    const sent = new Headers(init.headers)
    seen.push(sent)
    const headers = new Headers(reply.headers)
    if (reply.station) {
      headers.set(STATION_MARK_HEADER, '1')
      headers.set(REQUEST_ID_HEADER, reply.station === 'other' ? newId() : sent.get(REQUEST_ID_HEADER)!)
    }
    return new Response(reply.body, { status: reply.status, headers })
  }) as unknown as typeof globalThis.fetch
  return { seen, t: createHttpTransport({ token: () => 'bbd_x', fetch, gzip: false }) }
}

const push = {
  deviceId: newId(),
  schemaVersion: 1,
  batchId: newId(),
  mutations: [{ seq: 1, mutationId: newId(), record: {} }],
}
const json = (code: string, message: string, extra = {}) => JSON.stringify({ code, message, ...extra })

async function failure(reply: Reply): Promise<RequestError> {
  const { t } = transport(reply)
  return t.push(push).then(
    () => {
      throw new Error('expected a failure')
    },
    (e: RequestError) => e,
  )
}

describe('whose answer is it', () => {
  it('sends the batch id as the request id', async () => {
    const { seen, t } = transport({ status: 200, body: JSON.stringify({ lastSeq: 1, results: [] }) })
    await t.push(push)
    expect(seen[0]!.get(REQUEST_ID_HEADER)).toBe(push.batchId)
  })

  it.each([
    [
      'a captive portal’s HTML 400',
      { status: 400, body: '<html>Sign in to Wi-Fi</html>', headers: { 'content-type': 'text/html' } },
    ],
    ['a proxy’s 401', { status: 401, body: '<html>Proxy authentication required</html>' }],
    ['a firewall’s 403 with JSON', { status: 403, body: json('forbidden', 'blocked by policy') }],
    ['a 409 without the mark', { status: 409, body: json('sequence_gap', 'x', { lastSeq: 99 }) }],
    ['the station’s mark but no JSON error', { status: 400, body: 'Bad Request', station: true }],
  ] as Array<[string, Reply]>)('%s is transient, never a refusal', async (_, reply) => {
    const e = await failure(reply)
    expect(e.kind).toBe('not_station')
    expect(e.transient).toBe(true)
  })

  it('the station’s own refusals keep their meaning', async () => {
    expect((await failure({ status: 401, body: json('unauthorized', 'revoked'), station: true })).kind).toBe(
      'unauthorized',
    )
    expect((await failure({ status: 400, body: json('invalid_json', 'bad'), station: true })).kind).toBe(
      'request_refused',
    )
    const gap = await failure({ status: 409, body: json('sequence_gap', 'x', { lastSeq: 7 }), station: true })
    expect(gap).toMatchObject({ kind: 'sequence_gap', lastSeq: 7 })
  })

  it('the station’s answer to another request is ignored as misrouted, whatever it says', async () => {
    for (const status of [200, 401, 409]) {
      const e = await failure({ status, body: json('unauthorized', 'x', { lastSeq: 9 }), station: 'other' })
      expect(e).toMatchObject({ kind: 'bad_response', code: 'misrouted' })
    }
  })

  it('5xx and 429 from anyone stay transient', async () => {
    expect((await failure({ status: 502, body: 'bad gateway' })).kind).toBe('server')
    expect((await failure({ status: 429, body: '', headers: { 'retry-after': '3' } })).retryAfterMs).toBe(3000)
  })
})
