// A station server holding the whole Luoyang 2023 seed year and a manager account, for the
// station pages' browser tests and screenshots. The year is loaded straight into the data folder
// (the server's own bulk import) before the server starts on it.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../../../src/server/db/store'
import { insertAccount, prepareAccount } from '../../../src/server/repo/accounts'
import { findStationByCode } from '../../../src/server/repo/stations'
import { copySeedInterchangeFile, SEEDED_STATION, seededSqliteDir } from '../../support/seed-template'
import { type RunningServer, startServer } from '../../support/server'

export const MANAGER = {
  stationCode: SEEDED_STATION.code,
  username: 'wang.manager',
  password: 'hongse-2023-bus',
} as const

export interface SeedOptions {
  /** Also write the year as `npm run cli -- generate --out <path>` writes it (same code, same bytes). */
  interchangeFile?: string
}

/** Creates the station with the seed year in a fresh data folder; returns the folder. */
export async function seedStationDataDir(
  opts: SeedOptions = {},
): Promise<{ dataDir: string; applied: number; rejected: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bloodbus-station-'))
  // The year imported once per run into a template (tests/support/seed-template.ts), copied here;
  // the interchange file is the one the template's build wrote with the CLI's own writer.
  const seeded = await seededSqliteDir(dataDir)
  if (opts.interchangeFile) await copySeedInterchangeFile(opts.interchangeFile)
  const store = await openStore({ dataDir })
  try {
    const station = await findStationByCode(store.db, MANAGER.stationCode)
    if (station?.id !== seeded.stationId) throw new Error('the seeded template holds no station luoyang')
    await insertAccount(
      store.db,
      station.id,
      await prepareAccount({ username: MANAGER.username, password: MANAGER.password, role: 'manager' }),
    )
    return { dataDir, applied: seeded.applied, rejected: seeded.rejected }
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
