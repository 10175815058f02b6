// One database per phone profile. Tests swap in a fresh one per test with useFieldDb().
import { FieldDb } from './schema'

export const FIELD_DB_NAME = 'bloodbus'

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
  return db
}

export { FieldDb } from './schema'
export type { DeviceInfo, DonorDraftRow, OutboxRow, ReferenceRow, SyncMetaRow, TallyRow } from './schema'
