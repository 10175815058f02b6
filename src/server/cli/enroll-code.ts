// `enroll-code`: a one-time code a phone trades for its device identity (POST /api/v1/devices/enroll).
import { loadServerSecret } from '../auth/secret'
import { loadConfig } from '../config'
import { enrollmentUrl, issueEnrollmentCode } from '../repo/devices'
import { CliUsageError, parseOptions, registerCommand } from './registry'
import { stationOrFail, withStationDb } from './station-db'

const usage = `Usage: npm run cli -- enroll-code --station <code> [--hours <valid for, default 24>] [--url <server base URL>]

Prints the short code to type on the phone, the long code, and (with --url) the enrollment link
for a QR code. Uses the server's secret (SERVER_SECRET or DATA_DIR/server-secret), as the server does.`

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
    const secret = loadServerSecret(loadConfig(process.env).dataDir)
    return withStationDb(async (store) => {
      const station = await stationOrFail(store, values.station)
      const issued = await issueEnrollmentCode(store.db, secret, station.id, null, hours * 3_600_000)
      io.stdout(
        `${issued.code}\nvalid until ${issued.expiresAt} for station ${station.code}\nlong code ${issued.longCode}\n`,
      )
      if (values.url) io.stdout(`${enrollmentUrl(values.url, issued.longCode, station.code)}\n`)
      return 0
    })
  },
})
