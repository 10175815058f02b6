// Shared by the database commands: the station database from DATA_DIR / DATABASE_URL
// (DATABASE_SCHEMA), opened and migrated like the server does, and a station by its code.
import { loadConfig } from '../config'
import { openStore, type Store } from '../db/store'
import type { StationRow } from '../db/schema'
import { findStationByCode } from '../repo/stations'
import { CliUsageError } from './registry'

export async function withStationDb<T>(
  fn: (store: Store) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const config = loadConfig(env)
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgSchema: config.databaseSchema ?? undefined,
  })
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}

export async function stationOrFail(store: Store, code: string | undefined): Promise<StationRow> {
  if (!code) throw new CliUsageError('--station <code> is required')
  const station = await findStationByCode(store.db, code)
  if (!station) throw new Error(`no station with code ${code} (create it with create-station)`)
  return station
}

export function where(store: Store): string {
  return `${store.engine} ${store.location}`
}
