// The donor form in progress, kept per drive and crew member (schema version 4). Drafts hold a
// donor's name and ID number, so they follow the purge rules of donor identities (sync/purge.ts)
// and never leave the phone: no outbox entry, no export.
import { fieldDb, type FieldDb } from './index'
import type { DonorDraftRow } from './schema'
import { draftKey } from './boot-read'

export type { DonorDraftRow } from './schema'

export { draftKey }

/** A PIN typed into the form (an override, a sign-off) is never written to the disk. */
function withoutSecrets(form: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(form).filter(([k]) => !/pin|password/i.test(k)))
}

export async function putDraft(
  draft: { driveId: string; staffId: string; form: Record<string, unknown>; updatedAt?: number },
  db: FieldDb = fieldDb(),
): Promise<DonorDraftRow> {
  const row: DonorDraftRow = {
    key: draftKey(draft.driveId, draft.staffId),
    driveId: draft.driveId,
    staffId: draft.staffId,
    // A structured-clone-safe copy (the form's state is a Vue proxy).
    form: JSON.parse(JSON.stringify(withoutSecrets(draft.form))) as Record<string, unknown>,
    updatedAt: draft.updatedAt ?? Date.now(),
  }
  await db.drafts.put(row)
  return row
}

export async function readDraft(
  driveId: string,
  staffId: string,
  db: FieldDb = fieldDb(),
): Promise<DonorDraftRow | null> {
  return (await db.drafts.get(draftKey(driveId, staffId))) ?? null
}

export async function deleteDraft(driveId: string, staffId: string, db: FieldDb = fieldDb()): Promise<void> {
  await db.drafts.delete(draftKey(driveId, staffId))
}

/**
 * Deletes drafts not touched since `before` (ms, the phone's clock that wrote them) and every draft
 * of a closed drive (nothing more can be recorded on it). Returns how many went.
 */
export async function purgeDrafts(db: FieldDb, before: number): Promise<number> {
  return db.transaction('rw', db.drafts, db.driveCloses, async () => {
    const drafts = await db.drafts.toArray()
    if (drafts.length === 0) return 0
    const closed = new Set(
      (
        await db.driveCloses
          .where('driveId')
          .anyOf([...new Set(drafts.map((d) => d.driveId))])
          .toArray()
      ).map((c) => c.driveId),
    )
    const gone = drafts.filter((d) => d.updatedAt < before || closed.has(d.driveId)).map((d) => d.key)
    await db.drafts.bulkDelete(gone)
    return gone.length
  })
}
