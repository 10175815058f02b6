// Lookback holds the station placed on this phone's donations (pulled as entity `lookback`).
import type { LookbackFlag } from '../../domain/lookback'
import { fieldDb } from '.'
import type { FieldDb } from './schema'

/** The station's lookback flags on these donations, oldest first. */
export async function lookbackFlagsOf(
  donationIds: readonly string[],
  db: FieldDb = fieldDb(),
): Promise<LookbackFlag[]> {
  if (donationIds.length === 0) return []
  const rows = await db.lookbackFlags
    .where('value.donationId')
    .anyOf([...donationIds])
    .toArray()
  return rows.map((r) => r.value).sort((a, b) => (a.flaggedAt < b.flaggedAt ? -1 : a.flaggedAt > b.flaggedAt ? 1 : 0))
}
