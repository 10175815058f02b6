// The sync wire over the HTTP core (../net/http.ts): push and pull with the device token, one
// timeout per request, gzip request bodies where the browser has CompressionStream, and only the
// station's own answer to this very request believed (trust 'marked').
import {
  type PullResponse,
  PULL_WITH,
  PullResponseSchema,
  type PushAnswer,
  PushAnswerSchema,
  type PushRequest,
} from '../../domain/sync-protocol'
import { RequestError } from '../net/errors'
import { createHttpClient } from '../net/http'
import type { EncodedPush, SyncTransport } from './ports'

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
  /** Records not yet at the station (the outbox), told to it with each pull for its phones page. */
  pending?: () => Promise<number>
}

const GZIP_MIN_BYTES = 1024
export const DEFAULT_TIMEOUT_MS = 20_000

export function createHttpTransport(options: HttpTransportOptions): SyncTransport {
  const http = createHttpClient({
    baseUrl: options.baseUrl,
    token: options.token,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    trust: 'marked',
    fetch: options.fetch,
  })
  // Turned off for the rest of the session when the station says it cannot read gzip (415).
  let gzip = options.gzip ?? 'auto'

  /** The request's body as sent: JSON text, or its gzip when worth it and the station reads gzip. */
  async function encode(request: PushRequest): Promise<WireBody> {
    // Encoded once: its size decides on gzip, and the same bytes are compressed or sent.
    const text = JSON.stringify(request)
    const json = new TextEncoder().encode(text)
    const jsonBytes = json.byteLength
    const compress =
      gzip === true || (gzip === 'auto' && jsonBytes >= GZIP_MIN_BYTES && typeof CompressionStream === 'function')
    if (!compress) return { request, payload: text, gzip: false, jsonBytes, wireBytes: jsonBytes }
    const packed = await gzipBytes(json)
    return { request, payload: packed, gzip: true, jsonBytes, wireBytes: packed.byteLength }
  }

  const send = (body: WireBody) => {
    options.onPushBody?.({
      jsonBytes: body.jsonBytes,
      wireBytes: body.wireBytes,
      gzip: body.gzip,
      mutations: body.request.mutations.length,
    })
    const headers: Record<string, string> = { 'Content-Type': 'application/json' }
    if (body.gzip) headers['Content-Encoding'] = 'gzip'
    return http.json(
      {
        method: 'POST',
        path: '/api/v1/sync/push',
        body: body.payload as BodyInit,
        headers,
        requestId: body.request.batchId,
      },
      PushAnswerSchema,
    )
  }

  return {
    encodePush: encode,

    async push(request: PushRequest, encoded?: EncodedPush): Promise<PushAnswer> {
      // Bytes made ahead are sent only for the request they were made from, and not as gzip once
      // the station said it cannot read it.
      const ready = encoded && encoded.request === request && isWireBody(encoded) ? encoded : null
      const body = ready && !(ready.gzip && gzip === false) ? ready : await encode(request)
      if (!body.gzip) return send(body)
      try {
        return await send(body)
      } catch (err) {
        if (err instanceof RequestError && err.status === 415 && err.kind === 'request_refused') {
          gzip = false
          return send(await encode(request))
        }
        throw err
      }
    },

    async pull(cursor: string | null): Promise<PullResponse> {
      // `with`: entities this app reads beyond the first protocol's (docs/sync-protocol.md).
      const pending = options.pending ? `&pending=${await options.pending()}` : ''
      const query = `?with=${PULL_WITH}${pending}` + (cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`)
      return http.json({ path: `/api/v1/sync/pull${query}` }, PullResponseSchema)
    },
  }
}

interface WireBody extends EncodedPush {
  payload: string | Uint8Array
  gzip: boolean
  jsonBytes: number
  wireBytes: number
}

function isWireBody(encoded: EncodedPush): encoded is WireBody {
  return 'payload' in encoded && 'gzip' in encoded
}

async function gzipBytes(bytes: Uint8Array): Promise<Uint8Array> {
  // Written straight into the compressor: through a Blob the bytes were copied once more (and, a
  // batch being this large, into the browser's blob store and back).
  const zip = new CompressionStream('gzip')
  const writer = zip.writable.getWriter()
  const [, packed] = await Promise.all([
    writer.write(bytes as BufferSource).then(() => writer.close()),
    new Response(zip.readable).arrayBuffer(),
  ])
  return new Uint8Array(packed)
}
