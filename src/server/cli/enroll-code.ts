// `enroll-code`: a one-time code a phone trades for its device identity (POST /api/v1/devices/enroll).
import { issueEnrollmentCode } from '../repo/devices'
import { CliUsageError, parseOptions, registerCommand } from './registry'
import { stationOrFail, withStationDb } from './station-db'

const usage = `Usage: npm run cli -- enroll-code --station <code> [--hours <valid for, default 24>] [--url <server base URL>]

Prints the code (and an enrollment link when --url is given) to type or scan on the phone.`

registerCommand({
  name: 'enroll-code',
  summary: 'Issue a one-time phone enrollment code',
  usage,
  async run(args, io) {
    const { values } = parseOptions(args, {
      station: { type: 'string' },
      hours: { type: 'string' },
      url: { type: 'string' },
    })
    const hours = values.hours === undefined ? 24 : Number(values.hours)
    if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 30)
      throw new CliUsageError('--hours must be a number of hours up to 720')
    return withStationDb(async (store) => {
      const station = await stationOrFail(store, values.station)
      const issued = await issueEnrollmentCode(store.db, station.id, null, hours * 3_600_000)
      io.stdout(`${issued.code}\nvalid until ${issued.expiresAt} for station ${station.code}\n`)
      if (values.url)
        io.stdout(
          `${values.url.replace(/\/$/, '')}/enroll?code=${encodeURIComponent(issued.code)}&station=${encodeURIComponent(station.code)}\n`,
        )
      return 0
    })
  },
})
