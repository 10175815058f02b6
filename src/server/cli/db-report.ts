// `db-report`: the indicators of a period from the station database (SQL over the projected
// columns, as GET /api/v1/reports/indicators), printed like `report` prints files.
import { METRICS, type Metric } from '../../domain/records'
import { metricValue } from '../../domain/indicators'
import { listChannels, listTeams } from '../repo/reference'
import { indicatorReport, reportFilterFromQuery, rulesReport } from '../repo/reports'
import { CliUsageError, parseOptions, registerCommand } from './registry'
import { formatReport, type StationReport } from './report'
import { stationOrFail, withStationDb } from './station-db'

const usage = `Usage: npm run cli -- db-report --station <code> [--year YYYY | --from YYYY-MM-DD --to YYYY-MM-DD] [--scope channel|site|team|drive --scope-id <id>] [--json]

Reads the database (DATA_DIR or DATABASE_URL); \`report\` reads interchange files instead.`

registerCommand({
  name: 'db-report',
  summary: 'Print the indicators of a period from the station database',
  usage,
  async run(args, io) {
    const { values } = parseOptions(args, {
      station: { type: 'string' },
      year: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      scope: { type: 'string' },
      'scope-id': { type: 'string' },
      json: { type: 'boolean' },
    })
    const year = values.year ?? String(new Date().getFullYear())
    let filter
    try {
      filter = reportFilterFromQuery({
        from: values.from ?? `${year}-01-01`,
        to: values.to ?? `${year}-12-31`,
        scope: values.scope,
        scopeId: values['scope-id'],
      })
    } catch (error) {
      throw new CliUsageError(error instanceof Error ? error.message : String(error))
    }
    return withStationDb(async (store) => {
      const station = await stationOrFail(store, values.station)
      const report = await indicatorReport(store.db, station.id, filter)
      const rules = await rulesReport(store.db, station.id, filter)
      if (values.json) {
        io.stdout(`${JSON.stringify({ ...report, rules }, null, 2)}\n`)
        return 0
      }
      const ind = report.indicators
      const channels = await listChannels(store.db, station.id)
      const teams = await listTeams(store.db, station.id)
      const printable: StationReport = {
        station: `${station.name} ${filter.from}…${filter.to}${filter.scope.kind === 'station' ? '' : ` (${filter.scope.kind} ${filter.scope.id})`}`,
        year: filter.from.slice(0, 4) === filter.to.slice(0, 4) ? Number(filter.from.slice(0, 4)) : null,
        population: ind.population,
        records: {
          read: ind.donations + ind.deferrals + ind.busTrips,
          counted: ind.donations + ind.deferrals + ind.busTrips,
        },
        indicators: ind,
        metrics: Object.fromEntries(METRICS.map((m) => [m, metricValue(ind, m)])) as Record<Metric, number | null>,
        channels: channels.map((c) => ({
          id: c.id,
          code: c.code,
          nameZh: c.nameZh,
          nameEn: c.nameEn,
          ruralMobile: c.ruralMobile,
          donations: ind.byChannel[c.id] ?? 0,
        })),
        teams: teams.map((t) => ({
          id: t.id,
          code: t.code,
          nameZh: t.nameZh,
          nameEn: t.nameEn,
          donations: ind.byTeam[t.id] ?? 0,
        })),
        rules: {
          deferrals: rules.deferrals,
          deferralsByReason: Object.fromEntries(rules.deferralsByReason.map((r) => [r.code, r.n])),
          overrides: rules.overrides,
          overridesByReason: Object.fromEntries(rules.overridesByReason.map((r) => [r.code, r.n])),
          overridesByDrive: Object.fromEntries(
            rules.overridesByDrive.map((d) => [
              [d.date, d.busCode].filter(Boolean).join(' ') || (d.driveId ?? ''),
              d.n,
            ]),
          ),
        },
      }
      io.stdout(formatReport(printable))
      return 0
    })
  },
})
