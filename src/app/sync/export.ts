// Last resort when the network never comes: every record the station has not confirmed, in the
// interchange format (JSON Lines, src/domain/interchange.ts), for the station's
// `npm run cli -- import`, which recognises records by id so importing twice changes nothing.
import { toJsonLines } from '../../domain/interchange'
import type { FieldRecord } from '../../domain/records'
import type { FieldDb } from '../db'
import { outboxInOrder } from '../db/outbox'
import { deviceInfo } from '../db/reference'

export interface UnsyncedExport {
  filename: string
  text: string
  /** Records in the file. */
  count: number
}

/** Waiting and refused records in the order they were made (outbox order). */
export async function unsyncedExport(db: FieldDb, now = new Date()): Promise<UnsyncedExport> {
  const [entries, device] = await Promise.all([outboxInOrder(db), deviceInfo(db)])
  const records = entries.map((e) => e.record as FieldRecord).filter((r) => r && typeof r === 'object')
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 15)
  const deviceTag = device?.deviceId.slice(-8) ?? 'phone'
  return {
    filename: `bloodbus-unsynced-${deviceTag}-${stamp}.jsonl`,
    text: toJsonLines(records, {
      source: `phone ${device?.deviceId ?? 'not enrolled'} unsynced export ${now.toISOString()}`,
    }),
    count: records.length,
  }
}

/** Hands the file to the browser's download (on a phone: Files / Downloads). */
export function downloadText(filename: string, text: string, type = 'application/x-ndjson'): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
