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

/** A push: up to 500 records of a few hundred bytes (at most ~4 KB with every note full) each. */
export const PUSH_BODY_LIMITS: BodyLimits = {
  maxBytes: 4 * 1024 * 1024,
  maxDecodedBytes: 4 * 1024 * 1024,
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
    // 256 KB a chunk: a push inflates in one or two passes of the pool (64 KB cost 4× the CPU).
    const inflater = createGunzip({ chunkSize: 256 * 1024 })
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
 * One pass over a JSON body's UTF-8 bytes, without recursion and before any string is made:
 * refuses nesting deeper than `maxDepth` (400) and more than `maxValues` values (413). With
 * `isolatePath` (object keys, '*' for any array element, e.g. ['mutations', '*', 'record']), a
 * value at that path that nests too deep is not a refusal of the body: its byte span is returned,
 * to be replaced. Bytes that are not JSON pass through for JSON.parse to refuse. (In UTF-8 the
 * bytes of quotes, brackets and commas never occur inside a multi-byte character.)
 */
export function scanJson(
  bytes: Buffer,
  limits: Pick<BodyLimits, 'maxDepth' | 'maxValues'>,
  isolatePath: readonly string[] | null = null,
): Array<[number, number]> {
  const spans: Array<[number, number]> = []
  const isolateAt = isolatePath ? isolatePath.length + 1 : -1
  // The last key seen in the object open at each depth up to the isolated path's.
  const keys: (string | null)[] = []
  const n = bytes.length
  let depth = 0
  let values = 1
  let spanStart = -1
  let spanDeep = false
  const tooMany = () => new ApiError(413, 'too_large', 'the request body holds too many values')
  for (let i = 0; i < n; i++) {
    const ch = bytes[i]!
    if (ch === 34) {
      // A string: jump to its closing quote (one not preceded by an odd run of backslashes).
      const open = i
      let from = i + 1
      for (;;) {
        const q = bytes.indexOf(34, from)
        if (q < 0) return spans
        let b = q - 1
        while (b > open && bytes[b] === 92) b--
        if ((q - 1 - b) % 2 === 0) {
          i = q
          break
        }
        from = q + 1
      }
      if (depth < isolateAt) {
        let k = i + 1
        while (k < n && (bytes[k] === 32 || bytes[k] === 10 || bytes[k] === 13 || bytes[k] === 9)) k++
        if (bytes[k] === 58) keys[depth] = bytes.toString('utf8', open + 1, i)
      }
    } else if (ch === 91 || ch === 123) {
      depth++
      if (++values > limits.maxValues) throw tooMany()
      if (depth < isolateAt) keys[depth] = null
      if (depth === isolateAt && isolatePath!.every((key, l) => key === '*' || keys[l + 1] === key)) {
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
      if (++values > limits.maxValues) throw tooMany()
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

// Bodies parsed from a text without the escape `\u0000`: no string or key in them holds NUL (a raw
// NUL byte is no valid JSON), so a caller checking NUL itself may skip the walk.
const NUL_FREE = new WeakSet<object>()

/** True when `value` is a body readJsonBody parsed from a text in which no NUL can hide. */
export function parsedWithoutNul(value: unknown): boolean {
  return value !== null && typeof value === 'object' && NUL_FREE.has(value)
}

export interface ReadJsonOptions {
  /** The caller checks NUL itself (push does, per record, so that one bad record is refused alone). */
  allowNul?: boolean
  /**
   * Where a too-deep value is replaced by TOO_DEEP_VALUE instead of refusing the body (push:
   * ['mutations', '*', 'record']), so the caller can refuse that part alone.
   */
  isolatePath?: readonly string[]
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
  const spans = scanJson(raw, limits, opts.isolatePath ?? null)
  if (spans.length > 0) {
    const marker = Buffer.from(JSON.stringify(TOO_DEEP_VALUE))
    const parts: Buffer[] = []
    let at = 0
    for (const [start, end] of spans) {
      parts.push(raw.subarray(at, start), marker)
      at = end
    }
    parts.push(raw.subarray(at))
    raw = Buffer.concat(parts)
  }
  const text = raw.toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON')
  }
  // PostgreSQL text cannot hold NUL; refuse it for both engines alike.
  const mayHoldNul = text.includes('\\u0000')
  if (!opts.allowNul && mayHoldNul && containsNul(value))
    throw new ApiError(400, 'invalid_json', 'text may not contain NUL characters')
  if (!mayHoldNul && value !== null && typeof value === 'object') NUL_FREE.add(value)
  return value
}
