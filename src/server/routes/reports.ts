// Report routes under /api/v1/reports (manager session): indicators for a period and scope,
// monthly series, target progress, and the records of a period for listing and export.
import { Hono } from 'hono'
import { isIsoDate } from '../../domain/dates'
import { CSV_FIELD_TYPES, isCsvType, toCsv, toJsonLines } from '../../domain/interchange'
import { computeProgress } from '../../domain/progress'
import { type AppEnv, requireAccount } from '../http/auth'
import { ApiError } from '../http/errors'
import { exportRecords, listRecords, RECORD_LIST_MAX } from '../repo/record-list'
import { drivePhones } from '../repo/drive-phones'
import { listChannels, listPopulations, listSites, listTargets, listTeams } from '../repo/reference'
import { indicatorReport, monthlySeries, reportFilterFromQuery, rulesReport } from '../repo/reports'
import { getStationRow, stationFromRow } from '../repo/stations'
import { yearsWithRecords } from '../repo/admin-pages'
import { flaggedBags, haemovigilanceReport, listFollowUps } from '../repo/clinic'
import { stationToday } from '../time'
import { retentionProgress, retentionQueryFromInput, retentionReport } from '../repo/retention'
import { isRetentionMetric } from '../../domain/retention'
import type { RouteDeps } from './deps'

export function reportRoutes(deps: RouteDeps): Hono<AppEnv> {
  const { store } = deps
  const db = store.db
  const app = new Hono<AppEnv>()
  app.use('*', requireAccount(deps))

  // Years holding counted records (donations and deferrals), newest first: the report opens on the latest.
  app.get('/years', async (c) => c.json({ years: await yearsWithRecords(db, c.get('account').stationId) }))

  app.get('/indicators', async (c) => {
    const filter = reportFilterFromQuery(c.req.query())
    return c.json(await indicatorReport(db, c.get('account').stationId, filter))
  })

  // Deferrals by reason and the leaders' overrides by reason and by drive.
  app.get('/rules', async (c) => {
    const filter = reportFilterFromQuery(c.req.query())
    return c.json(await rulesReport(db, c.get('account').stationId, filter))
  })

  app.get('/monthly', async (c) => {
    const filter = reportFilterFromQuery(c.req.query())
    return c.json({ ...filter, months: await monthlySeries(db, c.get('account').stationId, filter) })
  })

  // Progress of the targets running on `asOf` (default: today at the station), or of all with all=1.
  app.get('/progress', async (c) => {
    const stationId = c.get('account').stationId
    const station = await getStationRow(db, stationId)
    const asOf = c.req.query('asOf') ?? stationToday(station.time_zone)
    if (!isIsoDate(asOf)) throw new ApiError(400, 'invalid_request', 'asOf must be a date (YYYY-MM-DD)')
    const all = c.req.query('all') === '1'
    const targets = (await listTargets(db, stationId)).filter(
      (t) => all || (t.period.start <= asOf && asOf <= t.period.end),
    )
    const out = []
    for (const target of targets) {
      const to = asOf < target.period.end ? asOf : target.period.end
      if (to < target.period.start) {
        out.push({ target, indicators: null, progress: null, note: 'not_started' })
        continue
      }
      if (isRetentionMetric(target.metric)) {
        out.push(await retentionProgress(db, stationId, target, to, asOf))
        continue
      }
      const report = await indicatorReport(db, stationId, { from: target.period.start, to, scope: target.scope })
      const progress =
        target.metric === 'per_1000' && report.indicators.population === null
          ? null
          : computeProgress({ target, actual: report.indicators, asOf })
      out.push({ target, indicators: report.indicators, progress, note: progress ? null : 'no_population' })
    }
    return c.json({ asOf, targets: out })
  })

  // Retention and quality figures of a period and channel (issue 15; docs/indicators-retention.md).
  app.get('/retention', async (c) => {
    const stationId = c.get('account').stationId
    const today = stationToday((await getStationRow(db, stationId)).time_zone)
    const q = await retentionQueryFromInput(db, stationId, c.req.query(), today)
    return c.json(await retentionReport(db, stationId, q))
  })

  // One drive worked by several phones: each phone's part (issue 14).
  app.get('/drives/:driveId/phones', async (c) => {
    const driveId = c.req.param('driveId')
    if (!/^[0-9a-f-]{36}$/.test(driveId)) throw new ApiError(400, 'invalid_request', 'driveId must be a record id')
    return c.json(await drivePhones(db, c.get('account').stationId, driveId))
  })

  // Records of a period, a page at a time (donor identities are never listed).
  app.get('/records', async (c) => {
    const q = c.req.query()
    const filter = reportFilterFromQuery(q)
    const limit = q.limit === undefined ? 500 : Number(q.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > RECORD_LIST_MAX) {
      throw new ApiError(400, 'invalid_request', `limit must be a whole number from 1 to ${RECORD_LIST_MAX}`)
    }
    return c.json(await listRecords(db, c.get('account').stationId, filter, { limit, after: q.after ?? null }))
  })

  // A period's records as an interchange file: JSON Lines with the reference data, or one CSV table.
  app.get('/export', async (c) => {
    const q = c.req.query()
    const filter = reportFilterFromQuery(q)
    const stationId = c.get('account').stationId
    const format = q.format ?? 'jsonl'
    const records = await exportRecords(db, stationId, filter)
    const station = await getStationRow(db, stationId)
    const name = `${station.code}-${filter.from}-${filter.to}`
    if (format === 'jsonl') {
      const reference = {
        stations: [stationFromRow(station)],
        sites: await listSites(db, stationId),
        channels: await listChannels(db, stationId),
        teams: await listTeams(db, stationId),
        populations: await listPopulations(db, stationId),
      }
      c.header('Content-Disposition', `attachment; filename="${name}.jsonl"`)
      return c.body(toJsonLines(records, { reference, source: `station ${station.code}` }), 200, {
        'Content-Type': 'application/x-ndjson; charset=utf-8',
      })
    }
    if (format === 'csv') {
      const type = q.type ?? 'donation'
      if (!isCsvType(type) || !CSV_FIELD_TYPES.includes(type) || type === 'donor_identity') {
        throw new ApiError(
          400,
          'invalid_request',
          `type must be one of ${CSV_FIELD_TYPES.filter((x) => x !== 'donor_identity').join(', ')}`,
        )
      }
      const rows = records.filter((r) => r.type === type)
      c.header('Content-Disposition', `attachment; filename="${name}.${type}.csv"`)
      return c.body(toCsv(type, rows as never), 200, { 'Content-Type': 'text/csv; charset=utf-8' })
    }
    throw new ApiError(400, 'invalid_request', 'format must be jsonl or csv')
  })

  // Clinic (issue 14): bags the bleed flags for the lab, follow-up calls after reactions, reaction rates.
  app.get('/flagged-bags', async (c) => {
    const { from, to } = reportFilterFromQuery(c.req.query())
    return c.json({ from, to, bags: await flaggedBags(db, c.get('account').stationId, from, to) })
  })
  app.get('/reaction-follow-ups', async (c) => {
    const status = c.req.query('status') ?? 'open'
    if (status !== 'open' && status !== 'done' && status !== 'all')
      throw new ApiError(400, 'invalid_request', 'status must be open, done or all')
    return c.json({ followUps: await listFollowUps(db, c.get('account').stationId, { status }) })
  })
  app.get('/haemovigilance', async (c) => {
    const { from, to } = reportFilterFromQuery(c.req.query())
    return c.json(await haemovigilanceReport(db, c.get('account').stationId, from, to))
  })

  return app
}
