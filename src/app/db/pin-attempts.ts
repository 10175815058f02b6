// Wrong PINs per staff member, kept in IndexedDB (syncMeta) so a reload or a killed app does not
// wipe the count. The policy itself is pure (src/domain/pin-attempts.ts).
import type { PinAttempts } from '../../domain/pin-attempts'
import { fieldDb, type FieldDb } from './index'

import { PIN_ATTEMPTS_KEY, type PinAttemptsByStaff } from './boot-read'

export { PIN_ATTEMPTS_KEY, type PinAttemptsByStaff }

export async function readPinAttempts(db: FieldDb = fieldDb()): Promise<PinAttemptsByStaff> {
  const row = await db.syncMeta.get(PIN_ATTEMPTS_KEY)
  const value = row?.value
  return value && typeof value === 'object' ? (value as PinAttemptsByStaff) : {}
}

/** Replaces (or with null, clears) one staff member's attempts, read and written in one transaction. */
export async function updatePinAttempts(
  staffId: string,
  change: (current: PinAttempts | undefined) => PinAttempts | null,
  db: FieldDb = fieldDb(),
): Promise<PinAttempts | null> {
  return db.transaction('rw', db.syncMeta, async () => {
    const all = { ...(await readPinAttempts(db)) }
    const next = change(all[staffId])
    if (next) all[staffId] = next
    else delete all[staffId]
    await db.syncMeta.put({ key: PIN_ATTEMPTS_KEY, value: all })
    return next
  })
}
