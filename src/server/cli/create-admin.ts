// `create-admin`: the station admin account (creating the station too when --name is given and it is missing).
import { insertAccount, prepareAccount } from '../repo/accounts'
import { createStation, findStationByCode } from '../repo/stations'
import { CliUsageError, parseOptions, registerCommand } from './registry'
import { where, withStationDb } from './station-db'

const usage = `Usage: npm run cli -- create-admin --station <code> [--name <station name>] --username <name> --password <password> [--role admin|manager]

  --station   station code; with --name the station is created when it does not exist
  --username  2–40 letters, digits, dot, dash or underscore
  --password  at least 8 characters (stored as a salted scrypt hash)
  --role      admin (default: may manage accounts) or manager`

registerCommand({
  name: 'create-admin',
  summary: 'Create the station admin (or a manager) account',
  usage,
  async run(args, io) {
    const { values } = parseOptions(args, {
      station: { type: 'string' },
      name: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string' },
    })
    if (!values.station || !values.username || !values.password)
      throw new CliUsageError('--station, --username and --password are required')
    if (values.role !== undefined && values.role !== 'admin' && values.role !== 'manager')
      throw new CliUsageError('--role must be admin or manager')
    const prepared = await prepareAccount({
      username: values.username,
      password: values.password,
      role: values.role ?? 'admin',
    })
    return withStationDb(async (store) => {
      let station = await findStationByCode(store.db, values.station!)
      if (!station) {
        if (!values.name) throw new Error(`no station with code ${values.station}; give --name to create it`)
        await createStation(store.db, { code: values.station!, name: values.name })
        station = (await findStationByCode(store.db, values.station!))!
        io.stdout(`Created station ${station.code} (${station.name})\n`)
      }
      const account = await insertAccount(store.db, station.id, prepared)
      io.stdout(`Created ${account.role} ${account.username} for station ${station.code} in ${where(store)}\n`)
      return 0
    })
  },
})
