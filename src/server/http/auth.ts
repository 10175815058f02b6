// Authentication. Device tokens (bbd_…, bearer) open the sync routes; manager sessions (bbs_…) the
// admin and report routes, either as a bearer token (scripts) or, for the station pages, in an
// HttpOnly SameSite=Strict cookie that page script cannot read. A cookie session's unsafe requests
// also need the CSRF token (X-CSRF-Token) and, when the browser names one, the station's own origin.
import { timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { keyedHash } from '../auth/secret'
import { sha256Hex, tokenKind } from '../auth/tokens'
import type { DeviceRow } from '../db/schema'
import type { Store } from '../db/store'
import { type Account, accountForToken, SESSION_TTL_MS } from '../repo/accounts'
import { deviceForToken } from '../repo/devices'
import { ApiError } from './errors'
import { isHttps, type TransportTrust } from './security'

export interface AppEnv {
  Variables: {
    device: DeviceRow
    account: Account
    /** The manager session's token, however it came (bearer or cookie). */
    sessionToken: string
    /** When the server began on this request (before authentication, which may wait for the database). */
    receivedAt: number
  }
}

export interface SessionDeps {
  store: Store
  secret: Buffer
  trust: TransportTrust
  /** Origin phones and pages reach the station at (PUBLIC_URL), if set. */
  publicUrl: string | null
}

export function bearerToken(c: Context): string | null {
  const header = c.req.header('authorization') ?? ''
  const m = /^Bearer\s+(\S{1,200})$/i.exec(header.trim())
  return m ? m[1]! : null
}

const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message)

export function requireDevice(store: Store): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c)
    if (!token || tokenKind(token) !== 'device')
      throw unauthorized('a device token is required (Authorization: Bearer bbd_…)')
    const device = await deviceForToken(store.db, token)
    if (!device) throw unauthorized('this device is not enrolled or was revoked')
    c.set('device', device)
    await next()
  }
}

// ---------------------------------------------------------------------------------------------
// Session cookie

/** Over HTTPS the cookie takes the __Host- prefix (Secure, Path=/, no Domain: no other host can set it). */
const SESSION_COOKIE = 'bb_session'

export function sessionCookie(c: Context, trust: TransportTrust): string | undefined {
  return isHttps(c, trust) ? getCookie(c, SESSION_COOKIE, 'host') : getCookie(c, SESSION_COOKIE)
}

export function setSessionCookie(c: Context, trust: TransportTrust, token: string): void {
  const secure = isHttps(c, trust)
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
    ...(secure ? { secure: true, prefix: 'host' as const } : {}),
  })
}

export function clearSessionCookie(c: Context, trust: TransportTrust): void {
  const secure = isHttps(c, trust)
  deleteCookie(c, SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    ...(secure ? { secure: true, prefix: 'host' as const } : {}),
  })
}

/** The CSRF token of a session: derived (HMAC of the token's hash), so nothing more is stored. */
export const csrfTokenFor = (secret: Buffer, sessionToken: string): string =>
  keyedHash(secret, 'csrf', sha256Hex(sessionToken))

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * The request comes from the station's own pages: no foreign Origin, no cross-site fetch. Browsers
 * send Origin on every POST/PUT/PATCH/DELETE and Sec-Fetch-Site on every request (Chrome 76+,
 * Firefox 90+, Safari 16.4+); a client without them (a script) must still send the CSRF token.
 */
export function assertSameOrigin(c: Context, deps: Pick<SessionDeps, 'publicUrl'>): void {
  const site = c.req.header('sec-fetch-site')
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new ApiError(403, 'csrf_refused', 'the request did not come from the station’s own pages')
  }
  const origin = c.req.header('origin')
  if (origin === undefined) return
  let host: string
  try {
    host = new URL(origin).host
  } catch {
    throw new ApiError(403, 'csrf_refused', 'the request did not come from the station’s own pages')
  }
  // Compared by host: behind a TLS terminator the page is https:// while this server sees http://.
  const own = [c.req.header('host'), deps.publicUrl ? new URL(deps.publicUrl).host : undefined]
  if (!own.includes(host)) {
    throw new ApiError(403, 'csrf_refused', 'the request did not come from the station’s own pages')
  }
}

export function requireAccount(deps: SessionDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const bearer = bearerToken(c)
    const token = bearer ?? sessionCookie(c, deps.trust)
    if (!token || tokenKind(token) !== 'session')
      throw unauthorized('sign in first (a session cookie, or Authorization: Bearer bbs_…)')
    if (!bearer && !SAFE_METHODS.has(c.req.method)) {
      // Only a cookie rides along on a forged request; a bearer token never does.
      assertSameOrigin(c, deps)
      const sent = c.req.header('x-csrf-token') ?? ''
      if (!sameText(sent, csrfTokenFor(deps.secret, token)))
        throw new ApiError(403, 'csrf_refused', 'the CSRF token is missing or wrong (X-CSRF-Token)')
    }
    const account = await accountForToken(deps.store.db, token)
    if (!account) {
      if (!bearer) clearSessionCookie(c, deps.trust)
      throw unauthorized('the session expired or was ended; sign in again')
    }
    c.set('account', account)
    c.set('sessionToken', token)
    await next()
  }
}

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('account').role !== 'admin') throw new ApiError(403, 'forbidden', 'only the station admin may do this')
  await next()
}
