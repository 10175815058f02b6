// Security headers on every answer, and what the server may believe about a request's scheme and
// client address (docs/operations.md, "Running behind HTTPS").
import { isIP } from 'node:net'
import type { Context, MiddlewareHandler } from 'hono'
import { secureHeaders } from 'hono/secure-headers'

export interface TransportTrust {
  /**
   * TRUST_PROXY: the server sits behind one reverse proxy that sets X-Forwarded-Proto and appends
   * the client to X-Forwarded-For. Off, both headers are ignored (anyone could send them).
   */
  trustProxy: boolean
}

interface NodeEnv {
  incoming?: { socket?: { remoteAddress?: string; encrypted?: boolean } }
}

const socketOf = (c: Context) => (c.env as NodeEnv | undefined)?.incoming?.socket

/** HTTPS when the server itself terminates TLS, or, with TRUST_PROXY, when the proxy says so. */
export function isHttps(c: Context, trust: TransportTrust): boolean {
  if (socketOf(c)?.encrypted) return true
  if (new URL(c.req.url).protocol === 'https:') return true
  if (!trust.trustProxy) return false
  const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase()
  return proto === 'https'
}

/**
 * The client's address for the limits: the socket's, or with TRUST_PROXY the last hop the proxy
 * appended. IPv6 counts by its /64 (one household or phone gets a whole /64 to pick from).
 */
export function clientAddress(c: Context, trust: TransportTrust): string {
  if (trust.trustProxy) {
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean)
    if (hops.length > 0) return limitKey(hops[hops.length - 1]!)
  }
  return limitKey(socketOf(c)?.remoteAddress ?? 'local')
}

/** "::ffff:10.0.0.1" → "10.0.0.1"; "2001:db8:1:2:a::1" → "2001:db8:1:2::/64"; anything else as is. */
export function limitKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return mapped[1]!
  if (!isIP(address) || !address.includes(':')) return address
  const [head = '', tail = ''] = address.toLowerCase().split('::')
  const left = head ? head.split(':') : []
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : []
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}

// What the built app needs, nothing more: its own scripts, styles, workers, manifest and icons;
// WebAssembly compilation for the ZXing scanner ('wasm-unsafe-eval' allows compiling wasm, not JS
// eval); data: and blob: images (QR codes, exported files' previews); the camera stream is a
// MediaStream (srcObject), which media-src does not govern.
const PAGE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  mediaSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  frameSrc: ["'none'"],
}

// JSON answers are never a document: nothing may load from them, and nothing may frame them.
const API_CSP = { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] }

const COMMON: Parameters<typeof secureHeaders>[0] = {
  xFrameOptions: 'DENY',
  referrerPolicy: 'no-referrer',
  xContentTypeOptions: 'nosniff',
  crossOriginOpenerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
  // Set below, only over HTTPS.
  strictTransportSecurity: false,
  permissionsPolicy: {
    camera: ['self'],
    microphone: [],
    geolocation: [],
    payment: [],
    usb: [],
    serial: [],
    bluetooth: [],
    hid: [],
    midi: [],
    displayCapture: [],
    fullscreen: ['self'],
  },
}

export const HSTS_VALUE = 'max-age=31536000'

/** Headers for every answer: pages and the API each get their CSP; HSTS only over HTTPS. */
export function securityHeaders(trust: TransportTrust): MiddlewareHandler {
  const page = secureHeaders({ ...COMMON, contentSecurityPolicy: PAGE_CSP })
  const api = secureHeaders({ ...COMMON, contentSecurityPolicy: API_CSP })
  return async (c, next) => {
    const apply = c.req.path.startsWith('/api/') ? api : page
    await apply(c, next)
    // No includeSubDomains: the station's name may share a domain with hosts that are not HTTPS.
    if (isHttps(c, trust)) c.res.headers.set('Strict-Transport-Security', HSTS_VALUE)
  }
}
