// A donor's identity as the station holds it now. A phone writes one identity record per visit and
// may correct it later (a correction with an identity replacement, schema version 2); the identity
// row then shows its newest correction (corrected_by, donor_key: see reprojectRoot in ingest.ts).
import type { Correction, DonorIdentity } from '../../domain/records'
import type { Db } from '../db/store'

export interface CurrentDonorIdentity {
  identity: DonorIdentity
  /** The identity record (the visit's); its id stays the same through corrections. */
  recordId: string
  /** The correction whose replacement is shown, if any. */
  correctedBy: string | null
}

/**
 * Of the donor's identity rows that are not voided, the one written or corrected last, as
 * corrected. A corrected ID number moves the row to the new number's donor key.
 */
export async function currentDonorIdentity(
  db: Db,
  stationId: string,
  donorKey: string,
): Promise<CurrentDonorIdentity | null> {
  const rows = await db
    .selectFrom('records')
    .select(['id', 'body', 'corrected_by'])
    .where('station_id', '=', stationId)
    .where('type', '=', 'donor_identity')
    .where('donor_key', '=', donorKey)
    .where('voided', '=', 0)
    .execute()
  if (rows.length === 0) return null
  const corrections = new Map<string, Correction>()
  const ids = rows.flatMap((r) => (r.corrected_by ? [r.corrected_by] : []))
  if (ids.length > 0) {
    for (const c of await db.selectFrom('records').select(['id', 'body']).where('id', 'in', ids).execute())
      corrections.set(c.id, JSON.parse(c.body) as Correction)
  }
  const versions = rows.map((r) => {
    const correction = r.corrected_by ? corrections.get(r.corrected_by) : undefined
    const identity =
      correction?.replacement.type === 'donor_identity' ? correction.replacement : (JSON.parse(r.body) as DonorIdentity)
    return { identity, recordId: r.id, correctedBy: correction ? correction.id : null }
  })
  const at = (x: CurrentDonorIdentity) => Date.parse(x.identity.createdAt) || 0
  return versions.sort((a, b) => at(b) - at(a) || (a.recordId < b.recordId ? 1 : -1))[0]!
}
