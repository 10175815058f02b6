// `export`: a period's records from the database as interchange files (the same as GET /api/v1/reports/export).
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { CSV_FIELD_TYPES, toCsv, toJsonLines } from '../../domain/interchange'
import { exportRecords } from '../repo/record-list'
import { listChannels, listPopulations, listSites, listTeams } from '../repo/reference'
import { reportFilterFromQuery } from '../repo/reports'
import { stationFromRow } from '../repo/stations'
import { CliUsageError, parseOptions, registerCommand } from './registry'
import { stationOrFail, withStationDb } from './station-db'

const usage = `Usage: npm run cli -- export --station <code> --from YYYY-MM-DD --to YYYY-MM-DD [--format jsonl|csv] [--out <file>] [--scope channel|site|team|drive --scope-id <id>]

  jsonl (default): one file with the station's reference data and the records.
  csv: one table per record type, written as <out>.<type>.csv (--out is required).
Records are those collected in the period and everything that points at them (voids,
corrections, reactions, drive closes); donor identities are never exported.`

registerCommand({
  name: 'export',
  summary: 'Export a period of records from the database (JSONL/CSV)',
  usage,
  async run(args, io) {
    const { values } = parseOptions(args, {
      station: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      scope: { type: 'string' },
      'scope-id': { type: 'string' },
    })
    const format = values.format ?? 'jsonl'
    if (format !== 'jsonl' && format !== 'csv') throw new CliUsageError('--format must be jsonl or csv')
    if (format === 'csv' && !values.out) throw new CliUsageError('--out is required for csv')
    let filter
    try {
      filter = reportFilterFromQuery({
        from: values.from,
        to: values.to,
        scope: values.scope,
        scopeId: values['scope-id'],
      })
    } catch (error) {
      throw new CliUsageError(error instanceof Error ? error.message : String(error))
    }
    return withStationDb(async (store) => {
      const station = await stationOrFail(store, values.station)
      const records = await exportRecords(store.db, station.id, filter)
      if (format === 'jsonl') {
        const reference = {
          stations: [stationFromRow(station)],
          sites: await listSites(store.db, station.id),
          channels: await listChannels(store.db, station.id),
          teams: await listTeams(store.db, station.id),
          populations: await listPopulations(store.db, station.id),
        }
        const text = toJsonLines(records, { reference, source: `station ${station.code}` })
        if (values.out) writeFileSync(resolve(io.cwd, values.out), text)
        else io.stdout(text)
      } else {
        const stem = resolve(io.cwd, values.out!).replace(/\.csv$/i, '')
        for (const type of CSV_FIELD_TYPES) {
          if (type === 'donor_identity') continue
          const rows = records.filter((r) => r.type === type)
          if (rows.length > 0) writeFileSync(`${stem}.${type}.csv`, toCsv(type, rows as never))
        }
      }
      io.stderr(`${records.length} records of ${station.code}, ${filter.from}…${filter.to}\n`)
      return 0
    })
  },
})
