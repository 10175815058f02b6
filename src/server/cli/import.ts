// `import`: interchange files (JSON Lines or CSV, docs/data-format.md) into a station, through the
// same checks as a phone's push. Idempotent: importing twice gives the same rows.
import type { FieldRecord } from '../../domain/records'
import { hashPin } from '../../domain/pin'
import { importBundle, rebaseStation, rosterForRecords } from '../repo/import'
import { CliUsageError, parseOptions, registerCommand } from './registry'
import { loadInputs } from './report'
import { stationOrFail, where, withStationDb } from './station-db'

const usage = `Usage: npm run cli -- import --station <code> --input <file> [--input <file>…] [--staff-pin <PIN>] [--rebase]

  --input      JSON Lines or CSV (a table per record type; x.csv reads every x.<type>.csv beside it)
  --staff-pin  staff the records name but the roster lacks are added with this PIN (default: refuse those records)
  --rebase     the files come from another station (one station line): move their ids onto this station
Sites, channels, teams and population lines are imported by id first. Prints what was applied,
already there (duplicate) and refused, with the first refusals and their codes.`

registerCommand({
  name: 'import',
  summary: 'Import interchange files (JSONL/CSV) into a station',
  usage,
  async run(args, io) {
    const { values } = parseOptions(args, {
      station: { type: 'string' },
      input: { type: 'string', multiple: true },
      'staff-pin': { type: 'string' },
      rebase: { type: 'boolean' },
    })
    if (!values.input?.length) throw new CliUsageError('--input <file> is required')
    const loaded = loadInputs(values.input, io.cwd)
    for (const e of loaded.errors.slice(0, 20)) io.stderr(`${e.file}:${e.line}: ${e.message}\n`)
    if (loaded.errors.length > 20) io.stderr(`…and ${loaded.errors.length - 20} more unreadable lines\n`)
    return withStationDb(async (store) => {
      const station = await stationOrFail(store, values.station)
      let { records, reference } = loaded
      if (values.rebase) {
        if (reference.stations.length !== 1) throw new Error('--rebase needs files with exactly one station line')
        const from = reference.stations[0]!.id
        records = rebaseStation(records, from, station.id)
        reference = rebaseStation(reference, from, station.id)
      }
      const known = new Set(
        (await store.db.selectFrom('staff').select('id').where('station_id', '=', station.id).execute()).map(
          (r) => r.id,
        ),
      )
      const roster = values['staff-pin']
        ? rosterForRecords(records as FieldRecord[], station.id, await hashPin(values['staff-pin']), known)
        : []
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
        `Imported into ${station.code} (${where(store)}): ${summary.applied} applied, ${summary.duplicate} already there, ${summary.rejected} refused; reference rows ${summary.reference.inserted} new, ${summary.reference.updated} changed\n`,
      )
      for (const r of summary.rejections.slice(0, 10))
        io.stdout(`  refused #${r.index + 1} ${r.recordId ?? ''}: ${r.code} — ${r.message}\n`)
      return summary.rejected > 0 || loaded.errors.length > 0 ? 1 : 0
    })
  },
})
