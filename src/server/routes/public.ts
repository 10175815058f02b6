// Routes without a token: first-run setup, manager login, device enrollment.
import { Hono } from 'hono'
import * as v from 'valibot'
import { type AppEnv, bearerToken, requireAccount } from '../http/auth'
import { readJsonBody } from '../http/body'
import { ApiError, parseOr400 } from '../http/errors'
import { insertAccount, login, logout, Password, prepareAccount, Username } from '../repo/accounts'
import { EnrollRequestSchema, enrollDevice } from '../repo/devices'
import { createStation, findStationByCode, getStationRow, NewStationSchema, stationFromRow } from '../repo/stations'
import type { RouteDeps } from './deps'

const StationCode = v.pipe(v.string(), v.trim(), v.toLowerCase(), v.maxLength(40))
const LoginSchema = v.object({
  /** The station's code; `station` is accepted too, and on a one-station server it may be left out. */
  stationCode: v.optional(StationCode),
  station: v.optional(StationCode),
  username: v.pipe(v.string(), v.maxLength(80)),
  password: v.pipe(v.string(), v.maxLength(400)),
})

const SetupSchema = v.object({
  stationCode: NewStationSchema.entries.code,
  stationName: NewStationSchema.entries.name,
  timeZone: NewStationSchema.entries.timeZone,
  username: Username,
  password: Password,
})

/** A small in-memory brake on guessing enrollment codes and passwords: failed attempts per client address per minute. */
function attemptLimiter(perMinute: number) {
  const failures = new Map<string, { count: number; until: number }>()
  return {
    check(key: string): void {
      const entry = failures.get(key)
      if (entry && entry.until > Date.now() && entry.count >= perMinute) {
        throw new ApiError(429, 'too_many_attempts', 'too many failed attempts; wait a minute')
      }
    },
    async guard<T>(key: string, attempt: () => Promise<T>): Promise<T> {
      this.check(key)
      try {
        return await attempt()
      } catch (err) {
        if (err instanceof ApiError && err.status < 500) {
          const now = Date.now()
          const entry = failures.get(key)
          if (!entry || entry.until < now) {
            if (failures.size > 10_000) failures.clear()
            failures.set(key, { count: 1, until: now + 60_000 })
          } else {
            entry.count++
          }
        }
        throw err
      }
    },
  }
}

function clientKey(c: { env: unknown }): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
  return incoming?.socket?.remoteAddress ?? 'local'
}

export function publicRoutes(deps: RouteDeps): Hono<AppEnv> {
  const { store } = deps
  const app = new Hono<AppEnv>()
  const enrollAttempts = attemptLimiter(deps.failedAttemptsPerMinute)
  const loginAttempts = attemptLimiter(deps.failedAttemptsPerMinute)

  const onlyStation = async () => {
    const rows = await store.db.selectFrom('stations').selectAll().limit(2).execute()
    return rows.length === 1 ? rows[0] : undefined
  }

  app.get('/setup', async (c) => {
    const any = await store.db.selectFrom('stations').select('id').limit(1).executeTakeFirst()
    return c.json({ needed: !any })
  })

  // First run without the CLI: the first station and its admin, only while there is no station at all.
  app.post('/setup', async (c) => {
    const input = parseOr400(SetupSchema, await readJsonBody(c, deps.bodyLimits))
    const prepared = await prepareAccount({ username: input.username, password: input.password, role: 'admin' })
    await store.db.transaction().execute(async (trx) => {
      const any = await trx.selectFrom('stations').select('id').limit(1).executeTakeFirst()
      if (any) throw new ApiError(409, 'already_set_up', 'this server already has a station; sign in instead')
      const station = await createStation(trx, {
        code: input.stationCode,
        name: input.stationName,
        timeZone: input.timeZone,
      })
      await insertAccount(trx, station.id, prepared)
    })
    const station = await findStationByCode(store.db, input.stationCode)
    const session = await login(store.db, station!.id, input.username, input.password)
    return c.json({ ...session, station: stationFromRow(station!) }, 201)
  })

  app.post('/auth/login', (c) =>
    loginAttempts.guard(clientKey(c), async () => {
      const input = parseOr400(LoginSchema, await readJsonBody(c, deps.bodyLimits))
      const code = input.stationCode || input.station
      const station = code ? await findStationByCode(store.db, code) : await onlyStation()
      if (!station) throw new ApiError(401, 'bad_credentials', 'wrong station, username or password')
      const session = await login(store.db, station.id, input.username, input.password)
      deps.log.info('login', { account: session.account.id, station: station.code })
      return c.json({ ...session, station: stationFromRow(station) })
    }),
  )

  app.post('/auth/logout', requireAccount(store), async (c) => {
    await logout(store.db, bearerToken(c)!)
    return c.body(null, 204)
  })

  app.get('/auth/me', requireAccount(store), async (c) => {
    const account = c.get('account')
    return c.json({ account, station: stationFromRow(await getStationRow(store.db, account.stationId)) })
  })

  app.post('/devices/enroll', (c) =>
    enrollAttempts.guard(clientKey(c), async () => {
      const input = parseOr400(EnrollRequestSchema, await readJsonBody(c, deps.bodyLimits))
      const enrollment = await store.db.transaction().execute((trx) => enrollDevice(trx, input))
      deps.log.info('device enrolled', { device: enrollment.deviceId, station: enrollment.stationCode })
      return c.json(enrollment, 201)
    }),
  )

  return app
}
