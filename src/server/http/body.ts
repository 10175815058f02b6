// Request bodies: JSON only, optionally gzip-compressed (Content-Encoding: gzip), within limits on
// bytes (before and after decompression), decompression time, nesting depth and value count. The
// depth and count are checked by one flat pass over the text before JSON.parse builds anything,
// so no body can overflow a recursive walk or hold the event loop. Every failure is a 4xx with a code.
import { createGunzip } from 'node:zlib'
import type { Context } from 'hono'
import { ApiError } from './errors'

export interface BodyLimits {
  /** Bytes on the wire. */
  maxBytes: number
  /** Bytes after gunzip (guards against a zip bomb). */
  maxDecodedBytes: number
  /** Nesting of arrays and objects. */
  maxDepth: number
  /** Values in the body (roughly: commas plus arrays and objects); bounds the work of JSON.parse. */
  maxValues: number
  /** Time gunzip may take before the body is refused. */
  maxInflateMs: number
}

/** Setup, login, enrollment and the admin routes: small forms. */
export const DEFAULT_BODY_LIMITS: BodyLimits = {
  maxBytes: 256 * 1024,
  maxDecodedBytes: 1024 * 1024,
  maxDepth: 32,
  maxValues: 50_000,
  maxInflateMs: 1_000,
}

/** A push: up to 500 records of a few hundred bytes to a few KB each. */
export const PUSH_BODY_LIMITS: BodyLimits = {
  maxBytes: 4 * 1024 * 1024,
  maxDecodedBytes: 8 * 1024 * 1024,
  maxDepth: 32,
  maxValues: 250_000,
  maxInflateMs: 2_000,
}

/**
 * Stands in for a value nested deeper than the limit inside an isolated part of the body (a
 * push's record), so that record alone is refused. NUL cannot come from a valid client.
 */
export const TOO_DEEP_VALUE = '\u0000too_deep'

const tooLarge = (limit: number) => new ApiError(413, 'too_large', `the request body is larger than ${limit} bytes`)
const tooDeep = (limit: number) =>
  new ApiError(400, 'too_deep', `the request body is nested more than ${limit} levels deep`)

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

/** Streams gunzip (in libuv's pool, a chunk at a time) and stops at the byte or time limit. */
function gunzipLimited(raw: Buffer, limits: BodyLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const inflater = createGunzip()
    const parts: Buffer[] = []
    let size = 0
    let settled = false
    const finish = (err: Error | null, out?: Buffer) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (err) {
        inflater.destroy()
        reject(err)
      } else resolve(out!)
    }
    const timer = setTimeout(
      () => finish(new ApiError(413, 'too_large', 'the request body took too long to decompress')),
      limits.maxInflateMs,
    )
    inflater.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limits.maxDecodedBytes) finish(tooLarge(limits.maxDecodedBytes))
      else parts.push(chunk)
    })
    inflater.on('end', () => finish(null, Buffer.concat(parts)))
    inflater.on('error', () => finish(new ApiError(400, 'invalid_encoding', 'the body is not valid gzip')))
    inflater.end(raw)
  })
}

/**
 * One pass over JSON text, without recursion: refuses nesting deeper than `maxDepth` (400) and
 * more than `maxValues` values (413). With `isolateAt`, an array or object that opens at that
 * depth and nests too deep is not a refusal of the body: its text span is returned, to be replaced.
 * Text that is not JSON passes through for JSON.parse to refuse.
 */
export function scanJson(
  text: string,
  limits: Pick<BodyLimits, 'maxDepth' | 'maxValues'>,
  isolateAt: number | null = null,
): Array<[number, number]> {
  const spans: Array<[number, number]> = []
  const n = text.length
  let depth = 0
  let values = 1
  let spanStart = -1
  let spanDeep = false
  for (let i = 0; i < n; i++) {
    const ch = text.charCodeAt(i)
    if (ch === 34) {
      // A string: jump to its closing quote (one not preceded by an odd run of backslashes).
      let from = i + 1
      for (;;) {
        const q = text.indexOf('"', from)
        if (q < 0) return spans
        let b = q - 1
        while (b > i && text.charCodeAt(b) === 92) b--
        if ((q - 1 - b) % 2 === 0) {
          i = q
          break
        }
        from = q + 1
      }
    } else if (ch === 91 || ch === 123) {
      depth++
      if (++values > limits.maxValues) throw new ApiError(413, 'too_large', 'the request body holds too many values')
      if (depth === isolateAt) {
        spanStart = i
        spanDeep = false
      }
      if (depth > limits.maxDepth) {
        if (spanStart < 0) throw tooDeep(limits.maxDepth)
        spanDeep = true
      }
    } else if (ch === 93 || ch === 125) {
      if (depth === isolateAt && spanStart >= 0) {
        if (spanDeep) spans.push([spanStart, i + 1])
        spanStart = -1
      }
      depth--
    } else if (ch === 44) {
      if (++values > limits.maxValues) throw new ApiError(413, 'too_large', 'the request body holds too many values')
    }
  }
  return depth === 0 ? spans : []
}

/** True when a string or key anywhere in the value holds NUL. Iterative: no depth can overflow it. */
export function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const item = stack.pop()
    if (typeof item === 'string') {
      if (item.includes('\0')) return true
    } else if (Array.isArray(item)) {
      for (const x of item) stack.push(x)
    } else if (item !== null && typeof item === 'object') {
      for (const [k, x] of Object.entries(item)) {
        if (k.includes('\0')) return true
        stack.push(x)
      }
    }
  }
  return false
}

export interface ReadJsonOptions {
  /** The caller checks NUL itself (push does, per record, so that one bad record is refused alone). */
  allowNul?: boolean
  /**
   * Depth at which a too-deep array or object is replaced by TOO_DEEP_VALUE instead of refusing the
   * body (push: 4, a mutation's record), so the caller can refuse that part alone.
   */
  isolateAt?: number
}

export async function readJsonBody(
  c: Context,
  limits: BodyLimits = DEFAULT_BODY_LIMITS,
  opts: ReadJsonOptions = {},
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
  if (encoding === 'gzip') raw = await gunzipLimited(raw, limits)
  else if (raw.length > limits.maxDecodedBytes) throw tooLarge(limits.maxDecodedBytes)
  if (raw.length === 0) throw new ApiError(400, 'invalid_json', 'the request body is empty')
  let text = raw.toString('utf8')
  const spans = scanJson(text, limits, opts.isolateAt ?? null)
  if (spans.length > 0) {
    const parts: string[] = []
    let at = 0
    for (const [start, end] of spans) {
      parts.push(text.slice(at, start), JSON.stringify(TOO_DEEP_VALUE))
      at = end
    }
    parts.push(text.slice(at))
    text = parts.join('')
  }
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
