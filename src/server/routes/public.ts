// Routes without a token: first-run setup, manager login, device enrollment. Each is limited
// (http/limits.ts); the login policy is in docs/admin-api.md, "Sign-in limits".
import { randomBytes } from 'node:crypto'
import { type Context, Hono } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import * as v from 'valibot'
import { keyedHash } from '../auth/secret'
import { sha256Hex } from '../auth/tokens'
import {
  type AppEnv,
  assertSameOrigin,
  clearSessionCookie,
  csrfTokenFor,
  requireAccount,
  setSessionCookie,
} from '../http/auth'
import { readJsonBody } from '../http/body'
import { ApiError, parseOr400 } from '../http/errors'
import { Refusal } from '../repo/refusal'
import { FailureBackoff, longestWait, RequestRate, tooManyAttempts } from '../http/limits'
import { clientAddress, isHttps } from '../http/security'
import { insertAccount, login, logout, Password, prepareAccount, type Session, Username } from '../repo/accounts'
import { EnrollRequestSchema, enrollDevice, enrollmentCodeKind } from '../repo/devices'
import { createStation, findStationByCode, getStationRow, NewStationSchema, stationFromRow } from '../repo/stations'
import type { RouteDeps } from './deps'

const StationCode = v.pipe(v.string(), v.trim(), v.toLowerCase(), v.maxLength(40))
/** `session: 'cookie'` (the station pages): the session goes into an HttpOnly cookie, never into the body. */
const SessionMode = v.optional(v.picklist(['cookie', 'bearer']), 'bearer')
const LoginSchema = v.object({
  /** The station's code; `station` is accepted too, and on a one-station server it may be left out. */
  stationCode: v.optional(StationCode),
  station: v.optional(StationCode),
  username: v.pipe(v.string(), v.maxLength(80)),
  password: v.pipe(v.string(), v.maxLength(400)),
  session: SessionMode,
})

const SetupSchema = v.object({
  stationCode: NewStationSchema.entries.code,
  stationName: NewStationSchema.entries.name,
  timeZone: NewStationSchema.entries.timeZone,
  username: Username,
  password: Password,
  session: SessionMode,
})

/**
 * A browser that signed in to an account before carries a cookie saying so (an HMAC of the account
 * and a random id). Its attempts skip the account's and the address's delays (it has its own), so
 * strangers guessing an account, or sharing the crew's NAT, cannot lock its manager out.
 */
const KNOWN_BROWSER_COOKIE = 'bb_known'
const KNOWN_BROWSER_DAYS = 180

export function publicRoutes(deps: RouteDeps): Hono<AppEnv> {
  const { store, limits, trust, secret } = deps
  const app = new Hono<AppEnv>()
  const perAccount = new FailureBackoff(limits.loginAccount)
  const perAddress = new FailureBackoff(limits.loginAddress)
  const perKnownBrowser = new FailureBackoff(limits.loginKnownBrowser)
  const enrollPerAddress = new FailureBackoff(limits.enrollAddress)
  const shortCodePerAddress = new FailureBackoff(limits.enrollShortAddress)
  const shortCodeFailures = new RequestRate(limits.enrollShortGlobal)
  const requests = new RequestRate(limits.unauthenticated)
  const setups = new RequestRate(limits.setup)

  // Every route here: a cap on requests per address before anything else runs.
  app.use('/setup', async (c, next) => {
    const wait = requests.take(clientAddress(c, trust))
    if (wait > 0) return tooManyAttempts(c, wait, 'too many requests from this address; wait, then try again')
    await next()
  })
  app.use('/auth/login', async (c, next) => {
    const wait = requests.take(clientAddress(c, trust))
    if (wait > 0) return tooManyAttempts(c, wait, 'too many requests from this address; wait, then try again')
    await next()
  })
  app.use('/devices/enroll', async (c, next) => {
    const wait = requests.take(clientAddress(c, trust))
    if (wait > 0) return tooManyAttempts(c, wait, 'too many requests from this address; wait, then try again')
    await next()
  })

  const onlyStation = async () => {
    const rows = await store.db.selectFrom('stations').selectAll().limit(2).execute()
    return rows.length === 1 ? rows[0] : undefined
  }

  const knownBrowserCookie = (c: Context) =>
    isHttps(c, trust) ? getCookie(c, KNOWN_BROWSER_COOKIE, 'host') : getCookie(c, KNOWN_BROWSER_COOKIE)
  const knownBrowserMac = (accountKey: string, browserId: string) =>
    keyedHash(secret, 'known-browser', `${accountKey}\n${browserId}`)
  /** The browser's id when its cookie vouches for this account, else null. */
  const knownBrowser = (c: Context, accountKey: string): string | null => {
    const [browserId, mac] = (knownBrowserCookie(c) ?? '').split('.')
    return browserId && mac && knownBrowserMac(accountKey, browserId) === mac ? browserId : null
  }
  const rememberBrowser = (c: Context, accountKey: string) => {
    const browserId = randomBytes(12).toString('base64url')
    setCookie(c, KNOWN_BROWSER_COOKIE, `${browserId}.${knownBrowserMac(accountKey, browserId)}`, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: KNOWN_BROWSER_DAYS * 24 * 3600,
      ...(isHttps(c, trust) ? { secure: true, prefix: 'host' as const } : {}),
    })
  }

  /** The answer to a successful sign-in, in the mode asked for. */
  const sessionAnswer = (c: Context, mode: 'cookie' | 'bearer', session: Session) => {
    const { token, ...rest } = session
    if (mode === 'bearer') return { ...session }
    setSessionCookie(c, trust, token)
    return { ...rest, csrfToken: csrfTokenFor(secret, token) }
  }

  app.get('/setup', async (c) => {
    const any = await store.db.selectFrom('stations').select('id').limit(1).executeTakeFirst()
    return c.json({ needed: !any })
  })

  // First run without the CLI: the first station and its admin, only while there is no station at all.
  app.post('/setup', async (c) => {
    const wait = setups.take(clientAddress(c, trust))
    if (wait > 0) return tooManyAttempts(c, wait)
    // Refused before the password is hashed: a set-up server costs a stranger's request nothing.
    const setUp = async () => !!(await store.db.selectFrom('stations').select('id').limit(1).executeTakeFirst())
    const alreadySetUp = () => new ApiError(409, 'already_set_up', 'this server already has a station; sign in instead')
    if (await setUp()) throw alreadySetUp()
    const input = parseOr400(SetupSchema, await readJsonBody(c, deps.bodyLimits))
    if (input.session === 'cookie') assertSameOrigin(c, deps)
    const prepared = await prepareAccount({ username: input.username, password: input.password, role: 'admin' })
    await store.db.transaction().execute(async (trx) => {
      const any = await trx.selectFrom('stations').select('id').limit(1).executeTakeFirst()
      if (any) throw alreadySetUp()
      const station = await createStation(trx, {
        code: input.stationCode,
        name: input.stationName,
        timeZone: input.timeZone,
      })
      await insertAccount(trx, station.id, prepared)
    })
    const station = (await findStationByCode(store.db, input.stationCode))!
    const session = await login(store.db, station.id, input.username, input.password)
    return c.json({ ...sessionAnswer(c, input.session, session), station: stationFromRow(station) }, 201)
  })

  app.post('/auth/login', async (c) => {
    const input = parseOr400(LoginSchema, await readJsonBody(c, deps.bodyLimits))
    // A cookie session made by a foreign page would sign the browser in as someone else.
    if (input.session === 'cookie') assertSameOrigin(c, deps)
    const code = input.stationCode || input.station
    const station = code ? await findStationByCode(store.db, code) : await onlyStation()
    // Unknown stations and users are limited like known ones, so the limits reveal nothing either.
    const accountKey = `${station?.id ?? `?${code ?? ''}`}\n${input.username.trim().toLowerCase()}`
    const address = clientAddress(c, trust)
    const browser = knownBrowser(c, accountKey)
    const wait = browser
      ? perKnownBrowser.wait(browser)
      : longestWait(perAccount.wait(accountKey), perAddress.wait(address))
    if (wait > 0) return tooManyAttempts(c, wait, 'too many failed sign-ins; wait, then try again')
    let session: Session
    try {
      session = await login(store.db, station?.id ?? null, input.username, input.password)
    } catch (err) {
      if (err instanceof Refusal && err.code === 'bad_credentials') {
        if (browser) perKnownBrowser.fail(browser)
        else {
          perAccount.fail(accountKey)
          perAddress.fail(address)
        }
        deps.log.info('login refused', { station: code ?? null })
      }
      throw err
    }
    perAccount.reset(accountKey)
    if (browser) perKnownBrowser.reset(browser)
    rememberBrowser(c, accountKey)
    deps.log.info('login', { account: session.account.id, station: station!.code })
    return c.json({ ...sessionAnswer(c, input.session, session), station: stationFromRow(station!) })
  })

  app.post('/auth/logout', requireAccount(deps), async (c) => {
    await logout(store.db, c.get('sessionToken'))
    clearSessionCookie(c, trust)
    return c.body(null, 204)
  })

  app.get('/auth/me', requireAccount(deps), async (c) => {
    const account = c.get('account')
    const session = await store.db
      .selectFrom('sessions')
      .select('expires_at')
      .where('token_hash', '=', sha256Hex(c.get('sessionToken')))
      .executeTakeFirst()
    return c.json({
      account,
      station: stationFromRow(await getStationRow(store.db, account.stationId)),
      expiresAt: session?.expires_at ?? null,
      // The page keeps this in memory only; it is useless without the HttpOnly cookie.
      csrfToken: csrfTokenFor(secret, c.get('sessionToken')),
    })
  })

  app.post('/devices/enroll', async (c) => {
    const address = clientAddress(c, trust)
    const input = parseOr400(EnrollRequestSchema, await readJsonBody(c, deps.bodyLimits))
    const short = enrollmentCodeKind(input.code) === 'short'
    const wait = longestWait(
      enrollPerAddress.wait(address),
      short ? shortCodePerAddress.wait(address) : 0,
      short ? shortCodeFailures.peek('all') : 0,
    )
    if (wait > 0) return tooManyAttempts(c, wait, 'too many failed enrollment codes; wait, then try again')
    try {
      const enrollment = await store.db.transaction().execute((trx) => enrollDevice(trx, secret, input))
      deps.log.info('device enrolled', { device: enrollment.deviceId, station: enrollment.stationCode })
      return c.json(enrollment, 201)
    } catch (err) {
      if (err instanceof Refusal && err.code === 'invalid_code') {
        enrollPerAddress.fail(address)
        if (short) {
          shortCodePerAddress.fail(address)
          // Across all addresses: past the cap, typed codes wait; the QR code's long form still works.
          shortCodeFailures.take('all')
        }
      }
      throw err
    }
  })

  return app
}
