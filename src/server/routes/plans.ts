// Drive plans, the plan summary, recruitment lists and donor flags under /api/v1/admin (manager or
// admin session; changes need the CSRF token like every admin route). docs/admin-api.md.
import { Hono } from 'hono'
import { isIsoDate } from '../../domain/dates'
import { RECRUITMENT_MONTHS_DEFAULT, RECRUITMENT_MONTHS_MAX } from '../../domain/plans'
import { type AppEnv, requireAccount } from '../http/auth'
import { readJsonBody } from '../http/body'
import { ApiError } from '../http/errors'
import {
  deletePlan,
  listDonorFlags,
  listPlans,
  planSummary,
  recruitmentList,
  savePlan,
  setDonorFlag,
} from '../repo/plans'
import { getStationRow } from '../repo/stations'
import { stationToday } from '../time'
import type { RouteDeps } from './deps'

export function planRoutes(deps: RouteDeps): Hono<AppEnv> {
  const db = deps.store.db
  const app = new Hono<AppEnv>()
  app.use('*', requireAccount(deps))
  const body = (c: Parameters<typeof readJsonBody>[0]) => readJsonBody(c, deps.bodyLimits)
  const tx = <T>(fn: (trx: typeof db) => Promise<T>): Promise<T> =>
    db.transaction().execute((trx) => fn(trx as unknown as typeof db))

  app.get('/plans', async (c) =>
    c.json(await listPlans(db, c.get('account').stationId, { from: c.req.query('from'), to: c.req.query('to') })),
  )
  app.post('/plans', async (c) => {
    const input = await body(c)
    return c.json(await tx((trx) => savePlan(trx, c.get('account').stationId, input)), 201)
  })
  app.on(['PATCH', 'PUT'], '/plans/:id', async (c) => {
    const input = await body(c)
    return c.json(await tx((trx) => savePlan(trx, c.get('account').stationId, input, c.req.param('id'))))
  })
  app.delete('/plans/:id', async (c) => {
    await tx((trx) => deletePlan(trx, c.get('account').stationId, c.req.param('id')))
    return c.body(null, 204)
  })

  // Planned vs done of a year and the pace of its bus-trip target (default: this year, as of today).
  app.get('/plan-summary', async (c) => {
    const stationId = c.get('account').stationId
    const station = await getStationRow(db, stationId)
    const asOf = c.req.query('asOf') ?? stationToday(station.time_zone)
    if (!isIsoDate(asOf)) throw new ApiError(400, 'invalid_request', 'asOf must be a date (YYYY-MM-DD)')
    const yearText = c.req.query('year') ?? asOf.slice(0, 4)
    if (!/^\d{4}$/.test(yearText)) throw new ApiError(400, 'invalid_request', 'year must be four digits')
    return c.json(await planSummary(db, stationId, Number(yearText), asOf))
  })

  // Whom to invite to a planned drive; identity data, so the answer is never cached.
  app.get('/plans/:id/recruitment', async (c) => {
    const text = c.req.query('months') ?? String(RECRUITMENT_MONTHS_DEFAULT)
    const months = /^\d{1,3}$/.test(text) ? Number(text) : NaN
    if (!(months >= 0 && months <= RECRUITMENT_MONTHS_MAX))
      throw new ApiError(400, 'invalid_request', `months must be a whole number from 0 to ${RECRUITMENT_MONTHS_MAX}`)
    const list = await recruitmentList(db, c.get('account').stationId, c.req.param('id'), months)
    deps.log.info('recruitment list', { plan: list.plan.id, rows: list.rows.length, by: c.get('account').id })
    return c.json(list)
  })

  // The station's own donor flags: emergency-team members for call-up (never sent to phones).
  app.get('/donor-flags', async (c) => c.json(await listDonorFlags(db, c.get('account').stationId)))
  app.put('/donor-flags', async (c) => {
    const input = await body(c)
    const account = c.get('account')
    return c.json(await setDonorFlag(db, account.stationId, input, account.id))
  })

  return app
}
