// `generate-into-db`: the generated seed year (src/domain/generator) into a station, with the
// roster its records name, so reports and the station pages have a full year to show.
import { generateSeedYear } from '../../domain/generator/seed-year'
import { hashPin } from '../../domain/pin'
import { importBundle, rebaseStation, rosterForRecords } from '../repo/import'
import { createStation, findStationByCode } from '../repo/stations'
import { CliUsageError, parseOptions, registerCommand } from './registry'
import { where, withStationDb } from './station-db'

const usage = `Usage: npm run cli -- generate-into-db --station <code> [--name <station name>] [--profile luoyang-2023] [--seed N] [--staff-pin <PIN>]

Generates the profile's year and imports its sites, channels, teams, population, a roster
(every generated staff member with --staff-pin, default 2580) and every record into the station
(created with --name when missing). Idempotent for the same profile and seed.`

registerCommand({
  name: 'generate-into-db',
  summary: 'Generate the seed year into a station of the database',
  usage,
  async run(args, io) {
    const { values } = parseOptions(args, {
      station: { type: 'string' },
      name: { type: 'string' },
      profile: { type: 'string' },
      seed: { type: 'string' },
      'staff-pin': { type: 'string' },
    })
    if (!values.station) throw new CliUsageError('--station <code> is required')
    const seed = values.seed === undefined ? undefined : Number(values.seed)
    if (seed !== undefined && !Number.isInteger(seed)) throw new CliUsageError('--seed must be a whole number')
    const started = Date.now()
    const year = generateSeedYear({
      profile: values.profile ?? 'luoyang-2023',
      ...(seed === undefined ? {} : { seed }),
    })
    return withStationDb(async (store) => {
      let station = await findStationByCode(store.db, values.station!)
      if (!station) {
        if (!values.name) throw new Error(`no station with code ${values.station}; give --name to create it`)
        await createStation(store.db, { code: values.station!, name: values.name })
        station = (await findStationByCode(store.db, values.station!))!
      }
      const from = year.reference.stations[0]!.id
      const records = rebaseStation(year.records, from, station.id)
      const reference = rebaseStation(year.reference, from, station.id)
      const roster = rosterForRecords(records, station.id, await hashPin(values['staff-pin'] ?? '2580'))
      const summary = await importBundle(
        store,
        station.id,
        { ...reference, roster, records },
        {
          onProgress: (done, total) => {
            if (done % 20_000 < 1000 || done === total) io.stderr(`  ${done}/${total}\n`)
          },
        },
      )
      io.stdout(
        `Generated ${year.profile} (seed ${year.seed}, ${year.year}) into ${station.code} (${where(store)}): ${summary.applied} applied, ${summary.duplicate} already there, ${summary.rejected} refused in ${Math.round((Date.now() - started) / 1000)} s\n`,
      )
      return summary.rejected > 0 ? 1 : 0
    })
  },
})
