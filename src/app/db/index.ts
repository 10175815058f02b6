// One database per phone profile. Tests swap in a fresh one per test with useFieldDb().
import { bootReadsFrom, FIELD_DB_NAME } from './boot-read'
import { FieldDb } from './schema'

export { FIELD_DB_NAME }

let current: FieldDb | null = null

/** The open field database (opened lazily under the default name). */
export function fieldDb(): FieldDb {
  current ??= new FieldDb(FIELD_DB_NAME)
  return current
}

/** Point the app at another database (tests: a fresh name per test). Closes the previous one. */
export function useFieldDb(db: FieldDb): FieldDb {
  if (current && current !== db) current.close()
  current = db
  bootReadsFrom(db.name)
  return db
}

export { FieldDb } from './schema'
export type { DeviceInfo, DonorDraftRow, OutboxRow, ReferenceRow, SyncMetaRow, TallyRow } from './schema'
