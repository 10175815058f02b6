// Request bodies: JSON only, optionally gzip-compressed (Content-Encoding: gzip), within a size
// limit before and after decompression. Every failure is a 4xx with a code.
import { gunzip } from 'node:zlib'
import type { Context } from 'hono'
import { ApiError } from './errors'

export interface BodyLimits {
  /** Bytes on the wire. */
  maxBytes: number
  /** Bytes after gunzip (guards against a zip bomb). */
  maxDecodedBytes: number
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { maxBytes: 4 * 1024 * 1024, maxDecodedBytes: 16 * 1024 * 1024 }

const tooLarge = (limit: number) => new ApiError(413, 'too_large', `the request body is larger than ${limit} bytes`)

async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer> {
  if (!body) return Buffer.alloc(0)
  const reader = body.getReader()
  const parts: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw tooLarge(limit)
    }
    parts.push(value)
  }
  return Buffer.concat(parts)
}

function gunzipLimited(raw: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(raw, { maxOutputLength: limit }, (err, out) => {
      if (!err) resolve(out)
      else if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(tooLarge(limit))
      else reject(new ApiError(400, 'invalid_encoding', 'the body is not valid gzip'))
    })
  })
}

export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0')
  if (Array.isArray(value)) return value.some(containsNul)
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => k.includes('\0') || containsNul(v))
  }
  return false
}

/**
 * `allowNul`: the caller checks NUL itself (push does, per record, so that one bad record is
 * refused alone instead of the whole batch).
 */
export async function readJsonBody(
  c: Context,
  limits: BodyLimits = DEFAULT_BODY_LIMITS,
  opts: { allowNul?: boolean } = {},
): Promise<unknown> {
  const type = (c.req.header('content-type') ?? 'application/json').toLowerCase()
  if (!type.startsWith('application/json') && !type.startsWith('text/plain')) {
    throw new ApiError(415, 'unsupported_media_type', 'send JSON (Content-Type: application/json)')
  }
  const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase()
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new ApiError(415, 'unsupported_encoding', 'Content-Encoding may be gzip or none')
  }
  const declared = Number(c.req.header('content-length'))
  if (Number.isFinite(declared) && declared > limits.maxBytes) throw tooLarge(limits.maxBytes)
  let raw = await readLimited(c.req.raw.body, limits.maxBytes)
  if (encoding === 'gzip') raw = await gunzipLimited(raw, limits.maxDecodedBytes)
  if (raw.length === 0) throw new ApiError(400, 'invalid_json', 'the request body is empty')
  const text = raw.toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON')
  }
  // PostgreSQL text cannot hold NUL; refuse it for both engines alike.
  if (!opts.allowNul && text.includes('\\u0000') && containsNul(value))
    throw new ApiError(400, 'invalid_json', 'text may not contain NUL characters')
  return value
}
