// Station admin API under /api/v1/admin (manager or admin session): reference data, staff,
// devices, enrollment codes, population, accounts. Every row read or written is the caller's station's.
import { Hono, type MiddlewareHandler } from 'hono'
import * as v from 'valibot'
import { MAX_RECORD_YEAR, MIN_RECORD_YEAR } from '../../domain/records'
import { isIsoDate } from '../../domain/dates'
import { type AppEnv, requireAccount, requireAdmin } from '../http/auth'
import { readJsonBody } from '../http/body'
import { ApiError, parseOr400 } from '../http/errors'
import { hashPassword } from '../auth/passwords'
import {
  getAccount,
  insertAccount,
  listAccounts,
  Password,
  prepareAccount,
  updateAccount,
  verifyLogin,
} from '../repo/accounts'
import {
  enrollmentUrl,
  issueEnrollmentCode,
  listDevices,
  listEnrollmentCodes,
  renameDevice,
  revokeDevice,
  revokeEnrollmentCode,
} from '../repo/devices'
import { pageQuery, pageSites, pageStaff } from '../repo/admin-pages'
import { RequestRate, tooManyAttempts } from '../http/limits'
import {
  createStaff,
  deleteChannel,
  deletePopulation,
  deleteSite,
  deleteStaff,
  deleteTarget,
  deleteTeam,
  listChannels,
  listPopulations,
  listSites,
  listStaff,
  listTargets,
  listTeams,
  preparePin,
  saveChannel,
  savePopulation,
  saveSite,
  saveTarget,
  saveTeam,
  setStaffPin,
  updateStaff,
} from '../repo/reference'
import { decideLookback, listLookbacks } from '../repo/lookback'
import {
  getStationRow,
  setBleedLimits,
  setDonorRules,
  setQuestionnaire,
  stationFromRow,
  updateStation,
} from '../repo/stations'
import { markFollowUpDone } from '../repo/clinic'
import type { RouteDeps } from './deps'
import { contactsCsv, contactsXlsx, listContactConsents, listSelfExclusions } from '../repo/donor-visits'

export function adminRoutes(deps: RouteDeps): Hono<AppEnv> {
  const { store } = deps
  const db = store.db
  const app = new Hono<AppEnv>()
  app.use('*', requireAccount(deps))
  const body = (c: Parameters<typeof readJsonBody>[0]) => readJsonBody(c, deps.bodyLimits)
  const tx = <T>(fn: (trx: typeof db) => Promise<T>): Promise<T> =>
    db.transaction().execute((trx) => fn(trx as unknown as typeof db))

  // Station
  app.get('/station', async (c) => c.json(stationFromRow(await getStationRow(db, c.get('account').stationId))))
  app.patch('/station', async (c) => {
    const input = await body(c)
    return c.json(await tx((trx) => updateStation(trx, c.get('account').stationId, input)))
  })
  // Which failed checks a drive leader may override, and the reasons offered (null: the defaults).
  app.put('/station/donor-rules', async (c) => {
    const input = await body(c)
    return c.json(await tx((trx) => setDonorRules(trx, c.get('account').stationId, input)))
  })
  // The donor health questionnaire phones pull (null: the GB 18467 default set).
  app.put('/station/questionnaire', async (c) => {
    const input = await body(c)
    return c.json(await tx((trx) => setQuestionnaire(trx, c.get('account').stationId, input)))
  })

  // Donor visits (schema 3): confidential self-exclusions by bag, and the contact list of
  // consenting donors (names and phones: identity data, only ever here and in this file).
  app.get('/self-exclusions', async (c) => {
    const q = c.req.query()
    for (const d of [q.from, q.to])
      if (d !== undefined && !isIsoDate(d)) throw new ApiError(400, 'invalid_request', 'from and to are YYYY-MM-DD')
    return c.json(await listSelfExclusions(db, c.get('account').stationId, { from: q.from, to: q.to }))
  })
  app.get('/contacts', async (c) => {
    const format = c.req.query('format') ?? 'csv'
    if (format !== 'csv' && format !== 'xlsx') throw new ApiError(400, 'invalid_request', 'format must be csv or xlsx')
    const stationId = c.get('account').stationId
    const rows = await listContactConsents(db, stationId)
    const station = await getStationRow(db, stationId)
    c.header('Content-Disposition', `attachment; filename="${station.code}-contacts.${format}"`)
    c.header('Cache-Control', 'no-store')
    if (format === 'csv') return c.body(contactsCsv(rows), 200, { 'Content-Type': 'text/csv; charset=utf-8' })
    return c.body(new Uint8Array(await contactsXlsx(rows)), 200, {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    })
  })
  // Clinic: whole-blood bleed limits that flag a bag for the lab (null: the defaults); phones pull them.
  app.put('/station/bleed-limits', async (c) => {
    const input = await body(c)
    return c.json(await tx((trx) => setBleedLimits(trx, c.get('account').stationId, input)))
  })
  // Clinic: a follow-up call to a donor after a reaction is marked done (who, when, note).
  app.post('/reaction-follow-ups', async (c) => {
    const input = await body(c)
    return c.json(await tx((trx) => markFollowUpDone(trx, c.get('account'), input)), 201)
  })

  // Staff and sites a page at a time with a search (?q=&limit=&offset=); without limit, the whole list.
  app.get('/sites', async (c, next) => {
    const p = pageQuery(c.req.query())
    if (!p) return next()
    const page = await pageSites(db, c.get('account').stationId, p)
    return c.json({ sites: page.items, total: page.total, offset: page.offset, limit: page.limit })
  })
  app.get('/staff', async (c, next) => {
    const p = pageQuery(c.req.query())
    if (!p) return next()
    const page = await pageStaff(db, c.get('account').stationId, p)
    return c.json({ staff: page.items, total: page.total, offset: page.offset, limit: page.limit })
  })
  // Unspent enrollment codes (named, with expiry), and withdrawing one.
  app.get('/enrollment-codes', async (c) => c.json(await listEnrollmentCodes(db, c.get('account').stationId)))
  app.delete('/enrollment-codes/:id', async (c) => {
    await revokeEnrollmentCode(db, c.get('account').stationId, c.req.param('id'))
    return c.body(null, 204)
  })

  // Sites, channels, teams, targets: list, create, update (merge), delete (tombstone)
  const crud = (
    path: string,
    list: (d: typeof db, stationId: string) => Promise<unknown[]>,
    save: (d: typeof db, stationId: string, input: unknown, id?: string) => Promise<unknown>,
    remove: (d: typeof db, stationId: string, id: string) => Promise<void>,
  ) => {
    app.get(`/${path}`, async (c) => c.json(await list(db, c.get('account').stationId)))
    app.post(`/${path}`, async (c) => {
      const input = await body(c)
      return c.json(await tx((trx) => save(trx, c.get('account').stationId, input)), 201)
    })
    // PATCH merges the given fields into the row; PUT sends the whole row (the same merge, every field given).
    app.on(['PATCH', 'PUT'], `/${path}/:id`, async (c) => {
      const input = await body(c)
      return c.json(await tx((trx) => save(trx, c.get('account').stationId, input, c.req.param('id'))))
    })
    app.delete(`/${path}/:id`, async (c) => {
      await tx((trx) => remove(trx, c.get('account').stationId, c.req.param('id')))
      return c.body(null, 204)
    })
  }
  crud('sites', listSites, saveSite, deleteSite)
  crud('channels', listChannels, saveChannel, deleteChannel)
  crud('teams', listTeams, saveTeam, deleteTeam)
  crud('targets', listTargets, saveTarget, deleteTarget)

  // Each PIN or password change hashes (slow on purpose): a cap per account keeps one session
  // from tying up the server.
  const credentialChanges = new RequestRate(deps.limits.credentialChanges)
  const limitCredentialChanges: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (c.req.method !== 'POST') return next()
    const wait = credentialChanges.take(c.get('account').id)
    if (wait > 0) return tooManyAttempts(c, wait, 'too many PIN or password changes; wait, then try again')
    await next()
  }
  app.use('/staff', limitCredentialChanges)
  app.use('/staff/:id/pin', limitCredentialChanges)
  app.use('/password', limitCredentialChanges)
  app.use('/accounts', limitCredentialChanges)

  // Staff: create with a PIN, reset the PIN, rename/deactivate, delete
  app.get('/staff', async (c) => c.json(await listStaff(db, c.get('account').stationId)))
  app.post('/staff', async (c) => {
    const input = await body(c)
    const pinHash = await preparePin(input, deps.pinIterations)
    return c.json(await tx((trx) => createStaff(trx, c.get('account').stationId, input, pinHash)), 201)
  })
  app.patch('/staff/:id', async (c) => {
    const input = await body(c)
    return c.json(await tx((trx) => updateStaff(trx, c.get('account').stationId, c.req.param('id'), input)))
  })
  app.post('/staff/:id/pin', async (c) => {
    const pinHash = await preparePin(await body(c), deps.pinIterations)
    return c.json(await tx((trx) => setStaffPin(trx, c.get('account').stationId, c.req.param('id'), pinHash)))
  })
  app.delete('/staff/:id', async (c) => {
    await tx((trx) => deleteStaff(trx, c.get('account').stationId, c.req.param('id')))
    return c.body(null, 204)
  })

  // Population per year
  app.get('/populations', async (c) => c.json(await listPopulations(db, c.get('account').stationId)))
  // A year in the path is four digits within the schema's range before it reaches SQL (a 20-digit
  // number overflows PostgreSQL's integer: a 500, not an answer).
  const yearParam = (text: string, refusal: ApiError): number => {
    const year = /^\d{4}$/.test(text) ? Number(text) : NaN
    if (!(year >= MIN_RECORD_YEAR && year <= MAX_RECORD_YEAR)) throw refusal
    return year
  }
  const years = `${MIN_RECORD_YEAR}–${MAX_RECORD_YEAR}`
  app.put('/populations/:year', async (c) => {
    const year = yearParam(
      c.req.param('year'),
      new ApiError(400, 'invalid_population', `year: the year must be a whole year ${years}`),
    )
    const input = await body(c)
    return c.json(await tx((trx) => savePopulation(trx, c.get('account').stationId, year, input)))
  })
  app.delete('/populations/:year', async (c) => {
    const year = yearParam(c.req.param('year'), new ApiError(404, 'not_found', `population not found (years ${years})`))
    await tx((trx) => deletePopulation(trx, c.get('account').stationId, year))
    return c.body(null, 204)
  })

  // Devices and enrollment codes
  app.get('/devices', async (c) => c.json(await listDevices(db, c.get('account').stationId)))
  app.patch('/devices/:id', async (c) => {
    const input = parseOr400(
      v.object({ name: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(120)) }),
      await body(c),
    )
    return c.json(await renameDevice(db, c.get('account').stationId, c.req.param('id'), input.name))
  })
  app.post('/devices/:id/revoke', async (c) => {
    const device = await revokeDevice(db, c.get('account').stationId, c.req.param('id'))
    deps.log.info('device revoked', { device: device.id, by: c.get('account').id })
    return c.json(device)
  })
  app.post('/enrollment-codes', async (c) => {
    const account = c.get('account')
    // The station names the phone the code will enroll (optional): the list shows that name.
    const named = parseOr400(
      v.object({ deviceName: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(120))) }),
      // A POST without a body (as before this field existed) is a code without a name.
      c.req.raw.body === null || c.req.header('content-length') === '0' ? {} : ((await body(c)) ?? {}),
    )
    const issued = await issueEnrollmentCode(
      db,
      deps.secret,
      account.stationId,
      account.id,
      undefined,
      named.deviceName || null,
    )
    const station = await getStationRow(db, account.stationId)
    const base = (deps.publicUrl ?? new URL(c.req.url).origin).replace(/\/$/, '')
    // The QR code carries the long form: nothing to type, and too long to guess.
    const enrollUrl = enrollmentUrl(base, issued.longCode, station.code)
    return c.json({ ...issued, enrollUrl, payload: enrollUrl, stationCode: station.code }, 201)
  })

  // Own password
  app.post('/password', async (c) => {
    const input = parseOr400(v.object({ currentPassword: v.string(), newPassword: Password }), await body(c))
    const account = c.get('account')
    await verifyLogin(db, account.stationId, account.username, input.currentPassword)
    const passwordHash = await hashPassword(input.newPassword)
    await updateAccount(db, account.stationId, account.id, { passwordHash })
    return c.body(null, 204)
  })

  // Accounts (admin only)
  app.get('/accounts', requireAdmin, async (c) => c.json(await listAccounts(db, c.get('account').stationId)))
  app.post('/accounts', requireAdmin, async (c) => {
    const prepared = await prepareAccount(await body(c))
    return c.json(await tx((trx) => insertAccount(trx, c.get('account').stationId, prepared)), 201)
  })
  app.patch('/accounts/:id', requireAdmin, async (c) => {
    const input = parseOr400(
      v.object({
        active: v.optional(v.boolean()),
        role: v.optional(v.picklist(['admin', 'manager'] as const)),
        password: v.optional(Password),
      }),
      await body(c),
    )
    const account = c.get('account')
    await getAccount(db, account.stationId, c.req.param('id'))
    if (c.req.param('id') === account.id && (input.active === false || input.role === 'manager')) {
      throw new ApiError(400, 'invalid_request', 'an admin cannot deactivate or demote their own account')
    }
    const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password)
    return c.json(
      await updateAccount(db, account.stationId, c.req.param('id'), {
        ...(input.active === undefined ? {} : { active: input.active }),
        ...(input.role === undefined ? {} : { role: input.role }),
        ...(passwordHash === undefined ? {} : { passwordHash }),
      }),
    )
  })

  // Lookback quarantine list (issue 15): donations held for the lab; release or confirm with who/when.
  app.get('/lookback', async (c) => c.json(await listLookbacks(db, c.get('account').stationId, c.req.query('status'))))
  app.post('/lookback/:id/decision', async (c) => {
    const input = await body(c)
    const account = c.get('account')
    return c.json(await tx((trx) => decideLookback(trx, account.stationId, c.req.param('id'), input, account.username)))
  })

  return app
}
