// A station server holding the whole Luoyang 2023 seed year and a manager account, for the
// station pages' browser tests and screenshots. The year is loaded straight into the data folder
// (the server's own bulk import) before the server starts on it.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSeedYear } from '../../../src/domain/generator/seed-year'
import { seedYearFiles } from '../../../src/server/cli/generate'
import { hashPin } from '../../../src/domain/pin'
import { openStore } from '../../../src/server/db/store'
import { insertAccount, prepareAccount } from '../../../src/server/repo/accounts'
import { importBundle, rebaseStation, rosterForRecords } from '../../../src/server/repo/import'
import { createStation } from '../../../src/server/repo/stations'
import { type RunningServer, startServer } from '../../support/server'

export const MANAGER = { stationCode: 'luoyang', username: 'wang.manager', password: 'hongse-2023-bus' } as const

export interface SeedOptions {
  /** Also write the year as `npm run cli -- generate --out <path>` writes it (same code, same bytes). */
  interchangeFile?: string
}

/** Creates the station with the seed year in a fresh data folder; returns the folder. */
export async function seedStationDataDir(
  opts: SeedOptions = {},
): Promise<{ dataDir: string; applied: number; rejected: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bloodbus-station-'))
  const store = await openStore({ dataDir })
  try {
    const seed = generateSeedYear({ profile: 'luoyang-2023', seed: 2023 })
    // One year generated per test file: a second `generate` process would cost as much again.
    if (opts.interchangeFile) {
      for (const [path, content] of seedYearFiles(seed, opts.interchangeFile)) writeFileSync(path, content, 'utf8')
    }
    const station = await createStation(store.db, {
      code: MANAGER.stationCode,
      name: '洛阳市中心血站',
      timeZone: 'Asia/Shanghai',
    })
    await insertAccount(
      store.db,
      station.id,
      await prepareAccount({ username: MANAGER.username, password: MANAGER.password, role: 'manager' }),
    )
    const fromId = seed.reference.stations[0]!.id
    const reference = rebaseStation(seed.reference, fromId, station.id)
    const records = rebaseStation(seed.records, fromId, station.id)
    const roster = rosterForRecords(records, station.id, await hashPin('2580'))
    const summary = await importBundle(store, station.id, {
      sites: reference.sites,
      channels: reference.channels,
      teams: reference.teams,
      populations: reference.populations,
      roster,
      records,
    })
    return { dataDir, applied: summary.applied, rejected: summary.rejected }
  } finally {
    await store.close()
  }
}

export async function startSeededStation(
  opts: SeedOptions = {},
): Promise<RunningServer & { applied: number; rejected: number }> {
  const seeded = await seedStationDataDir(opts)
  const server = await startServer({ dataDir: seeded.dataDir })
  return Object.assign(server, { applied: seeded.applied, rejected: seeded.rejected })
}
