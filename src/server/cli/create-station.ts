// `create-station`: a new station in the database (several stations may share one server).
import { createStation } from '../repo/stations'
import { parseOptions, registerCommand, CliUsageError } from './registry'
import { where, withStationDb } from './station-db'

const usage = `Usage: npm run cli -- create-station --code <code> --name <name> [--time-zone <IANA zone>]

  --code       lower_snake_case code people sign in with (e.g. luoyang)
  --name       the station's name
  --time-zone  where its dates are counted (default Asia/Shanghai)
Uses DATA_DIR (SQLite) or DATABASE_URL (PostgreSQL) like the server.`

registerCommand({
  name: 'create-station',
  summary: 'Create a station in the database',
  usage,
  async run(args, io) {
    const { values } = parseOptions(args, {
      code: { type: 'string' },
      name: { type: 'string' },
      'time-zone': { type: 'string' },
    })
    if (!values.code || !values.name) throw new CliUsageError('--code and --name are required')
    return withStationDb(async (store) => {
      const station = await createStation(store.db, {
        code: values.code!,
        name: values.name!,
        timeZone: values['time-zone'],
      })
      io.stdout(
        `Created station ${station.code} (${station.name}, ${station.timeZone}) id ${station.id} in ${where(store)}\n`,
      )
      return 0
    })
  },
})
