// The engine's ports over the field app's database (src/app/db: its tables, keys and row types).
// Every port call that changes more than one row does it in ONE transaction.
import * as v from 'valibot'
import { newId } from '../../domain/ids'
import {
  type EligibilityEntry,
  type MutationResult,
  type PullResponse,
  PULL_WITH,
  pullValueSchemas,
} from '../../domain/sync-protocol'
import type { FieldDb, OutboxRow } from '../db'
import {
  type ApplyPageSummary,
  EMPTY_SYNC_META,
  type OutboxEntry,
  type OutboxPort,
  type ReferenceSink,
  type SequenceMarks,
  type SettleSummary,
  type SyncMeta,
  type SyncMetaPort,
} from './ports'
import { storeNameOrder } from '../db/name-order'
import { META_KEYS, type Receipt, receiptBatchRow, settledSeqKey } from '../db/sync-meta'
import { PULL_TABLE } from './pull-tables'
import { mergeEligibility, pendingReferenceKeys, referenceKey } from './reference-rules'
import { progressDeltaTables, readMarker, withFamilyChange } from '../db/progress-delta'
import { confirmedAfter } from '../field/progress-model'
import type { FieldRecord } from '../../domain/records'

const ms = (iso: string): number => {
  const t = Date.parse(iso)
  return Number.isFinite(t) ? t : Date.now()
}
const iso = (t: number | null | undefined): string | null => (typeof t === 'number' ? new Date(t).toISOString() : null)

export function toEngineEntry(row: OutboxRow): OutboxEntry {
  return {
    seq: row.seq!,
    mutationId: row.mutationId,
    recordId: row.recordId,
    recordType: row.recordType,
    record: row.record,
    createdAt: iso(row.createdAt) ?? '',
    attempts: row.attempts,
    lastAttemptAt: iso(row.lastAttemptAt),
    lastError: row.lastError,
    status: row.status,
    rejectCode: row.rejectCode ?? null,
  }
}

/**
 * The outbox rows under these seqs (undefined where none), and how many rows the seqs' range holds.
 * A batch is a run of consecutive seqs: read as one range (one IndexedDB request, where a
 * bulkGet makes one per key, each a round trip to the browser's storage process).
 */
async function outboxRows(db: FieldDb, seqs: number[]): Promise<(OutboxRow | undefined)[] & { span?: number }> {
  if (seqs.length === 0) return []
  let low = seqs[0]!
  let high = low
  for (const seq of seqs) {
    if (seq < low) low = seq
    if (seq > high) high = seq
  }
  if (high - low + 1 > seqs.length * 2) return db.outbox.bulkGet(seqs)
  const inRange = await db.outbox.where('seq').between(low, high, true, true).toArray()
  const bySeq = new Map(inRange.map((r) => [r.seq!, r]))
  return Object.assign(
    seqs.map((seq) => bySeq.get(seq)),
    { span: inRange.length },
  )
}

/**
 * Deletes the settled entries: by their range in one request when they are every row of it (read
 * in the same transaction, `span`), else key by key.
 */
async function deleteOutboxRows(db: FieldDb, seqs: number[], span: number | undefined): Promise<unknown> {
  const low = Math.min(...seqs)
  const high = Math.max(...seqs)
  if (span === seqs.length && high - low + 1 === seqs.length && new Set(seqs).size === seqs.length)
    return db.outbox.where('seq').between(low, high, true, true).delete()
  return db.outbox.bulkDelete(seqs)
}

export function dexieOutboxPort(db: FieldDb): OutboxPort {
  // Kept per device id: a phone enrolled again starts a new numbering at the station, and the
  // old device's numbers must not read as "the station lost records".
  const settledKey = async (): Promise<string> => settledSeqKey((await db.device.get('device'))?.deviceId ?? '')
  const settledSeq = async (): Promise<number> => {
    const row = await db.syncMeta.get(await settledKey())
    return typeof row?.value === 'number' ? row.value : 0
  }
  return {
    async pending(limit, after) {
      if (after === undefined) {
        // The status index orders equal keys by primary key: lowest seq first.
        const rows = await db.outbox.where('status').equals('pending').limit(limit).toArray()
        return rows.map(toEngineEntry)
      }
      // The next batch, read while the one before it is on its way: by key, in one request; a
      // rejected entry among them only ends the batch early (a hole, see the engine).
      const rows = await db.outbox.where('seq').above(after).limit(limit).toArray()
      return rows.filter((r) => r.status === 'pending').map(toEngineEntry)
    },

    async noteFailure(seqs, message, at) {
      const t = ms(at)
      await db.outbox
        .where('seq')
        .anyOf(seqs)
        .modify((row) => {
          if (row.status !== 'pending') return
          row.attempts += 1
          row.lastAttemptAt = t
          row.lastError = message
        })
    },

    async settle(results: MutationResult[], at: string, opts: { byStation?: boolean } = {}): Promise<SettleSummary> {
      const byStation = opts.byStation ?? true
      const summary: SettleSummary = { confirmed: 0, rejected: 0, ignored: 0, settled: 0 }
      const t = ms(at)
      await db.transaction('rw', progressDeltaTables(db), async () => {
        const key = await settledKey()
        // One round of reads, then every write queued at once (IndexedDB keeps their order, and
        // any failure aborts all of it): a 500-record batch settles in two round trips. The
        // receipts of the whole batch are one row (db/receipt-batch.ts): an entry leaves the
        // outbox only with its receipt, in this transaction.
        const seqs = results.map((r) => r.seq)
        const [rows, mark, kept] = await Promise.all([outboxRows(db, seqs), db.syncMeta.get(key), readMarker(db)])
        let high = typeof mark?.value === 'number' ? mark.value : 0
        const receipts: Receipt[] = []
        const rejected: OutboxRow[] = []
        const confirmedSeqs: number[] = []
        const confirmedRecords: FieldRecord[] = []
        for (const [i, r] of results.entries()) {
          const row = rows[i]
          if (
            !row ||
            row.status !== 'pending' ||
            row.mutationId !== r.mutationId ||
            (r.status !== 'rejected' && r.recordId !== row.recordId)
          ) {
            summary.ignored++
            continue
          }
          if (byStation) high = Math.max(high, r.seq)
          if (r.status === 'rejected') {
            rejected.push({
              ...row,
              status: 'rejected',
              attempts: row.attempts + 1,
              lastAttemptAt: t,
              lastError: r.message,
              rejectCode: r.code,
              rejectedAt: t,
              rejectClash: r.clash ?? null,
            })
            summary.rejected++
          } else {
            confirmedSeqs.push(r.seq)
            confirmedRecords.push(row.record)
            receipts.push({
              recordId: row.recordId,
              recordType: row.recordType,
              seq: r.seq,
              mutationId: r.mutationId,
              status: r.status,
              receivedAt: r.receivedAt,
              settledAt: at,
            })
            summary.confirmed++
          }
        }
        summary.settled = high
        const write = () =>
          Promise.all([
            confirmedSeqs.length > 0 ? deleteOutboxRows(db, confirmedSeqs, rows.span) : null,
            rejected.length > 0 ? db.outbox.bulkPut(rejected) : null,
            receipts.length > 0 ? db.receiptBatches.add(receiptBatchRow(receipts, at)) : null,
            db.syncMeta.put({ key, value: high }),
          ])
        // What progress adds changes only for a refusal, or a receipt the totals already hold
        // (older than them): a record confirmed after the totals adds as it did while it waited.
        const changed = kept
          ? [
              ...rejected.flatMap((row) => (row.record ? [row.record] : [])),
              ...receipts.flatMap((r, i) =>
                confirmedAfter(r.receivedAt, kept.computedAt) ? [] : [confirmedRecords[i]!],
              ),
            ]
          : []
        await (changed.length > 0 ? withFamilyChange(db, changed, write) : write())
      })
      return summary
    },

    async renumberAbove(after) {
      return db.transaction('rw', db.outbox, async () => {
        const moving = (await db.outbox.where('seq').above(after).toArray()).concat(
          await db.outbox
            .where('seq')
            .belowOrEqual(after)
            .and((r) => r.status === 'pending')
            .toArray(),
        )
        const pending = moving.filter((r) => r.status === 'pending').sort((a, b) => a.seq! - b.seq!)
        const others = moving.filter((r) => r.status !== 'pending').sort((a, b) => a.seq! - b.seq!)
        await db.outbox.bulkDelete(moving.map((r) => r.seq!))
        let next = after + 1
        const renumbered = [...pending, ...others].map((r) => ({ ...r, seq: next++ }))
        if (renumbered.length > 0) await db.outbox.bulkAdd(renumbered)
        // An explicit key moves IndexedDB's key generator past it: records saved later are
        // numbered after the station's last sequence even when nothing was pending.
        if (after > 0 && renumbered.length === 0 && !(await db.outbox.get(after))) {
          const placeholder = await db.outbox.add({
            seq: after,
            mutationId: newId(),
            recordId: '',
            recordType: 'void',
            record: null as never,
            createdAt: Date.now(),
            attempts: 0,
            lastAttemptAt: null,
            lastError: null,
            status: 'rejected',
          })
          await db.outbox.delete(placeholder)
        }
        return pending.length
      })
    },

    async sequenceMarks(): Promise<SequenceMarks> {
      return db.transaction('r', db.outbox, db.syncMeta, db.device, async () => {
        const last = await db.outbox.orderBy('seq').last()
        const settled = await settledSeq()
        return { issued: Math.max(settled, last?.seq ?? 0), settled }
      })
    },
  }
}

type PullTableName = (typeof PULL_TABLE)[keyof typeof PULL_TABLE]

export function dexieReferenceSink(db: FieldDb): ReferenceSink {
  const tables = () => Object.values(PULL_TABLE).map((name) => db[name])
  const cursor = async (): Promise<string | null> => {
    const [row, taken] = await db.syncMeta.bulkGet([META_KEYS.pullCursor, META_KEYS.pullWith])
    // A cursor taken before this app pulled its opt-in entities would skip their older rows.
    if (taken?.value !== PULL_WITH) return null
    return typeof row?.value === 'string' && row.value ? row.value : null
  }
  return {
    cursor,

    async applyPage(page: PullResponse): Promise<ApplyPageSummary> {
      let applied = 0
      let keptLocal = 0
      await db.transaction('rw', [...tables(), db.syncMeta, db.outbox], async () => {
        // A feed from its start (a new phone, or the station reset it) that has not reached its
        // end: a donor missing from the snapshots may still be on the way (db/eligibility.ts).
        const fromStart = page.reset || (await cursor()) === null
        const pendingRows =
          page.reset || page.changes.some((c) => c.entity === 'eligibility')
            ? await db.outbox.where('status').equals('pending').toArray()
            : []
        const protectedKeys = pendingReferenceKeys(pendingRows)
        const kept = new Map<string, unknown>()
        if (page.reset) {
          // Start again from the station's copy, except rows this phone changed and has not sent.
          for (const key of protectedKeys) {
            const [entity, ...rest] = key.split(':')
            const table = db[PULL_TABLE[entity as keyof typeof PULL_TABLE]] as FieldDb['stationTotals']
            const row = await table.get(rest.join(':'))
            if (row) kept.set(key, row.value)
          }
          await Promise.all(tables().map((t) => t.clear()))
          for (const [key, value] of kept) {
            const [entity, ...rest] = key.split(':')
            await (db[PULL_TABLE[entity as keyof typeof PULL_TABLE]] as FieldDb['stationTotals']).put({
              key: rest.join(':'),
              value,
            })
          }
        }
        // Each change is its row's state now: the last one per key wins, and each table is written
        // in one bulk call (a first pull brings ~85,000 donors' snapshots, a put at a time took seconds a page).
        const writes = new Map<PullTableName, Map<string, { value: unknown } | null>>()
        const write = (name: PullTableName, key: string, row: { value: unknown } | null) => {
          const rows = writes.get(name) ?? new Map<string, { value: unknown } | null>()
          rows.set(key, row)
          writes.set(name, rows)
        }
        for (const change of page.changes) {
          const name = PULL_TABLE[change.entity] as PullTableName
          const key = referenceKey(change)
          if (protectedKeys.has(key)) {
            const table = db[name] as FieldDb['stationTotals']
            const local = await table.get(change.key)
            if (local) {
              keptLocal++
              if (change.op === 'upsert' && change.entity === 'eligibility') {
                const incoming = v.safeParse(pullValueSchemas.eligibility, change.value)
                if (incoming.success) {
                  await table.put({
                    key: change.key,
                    value: mergeEligibility(local.value as EligibilityEntry, incoming.output),
                  })
                }
              }
              continue
            }
          }
          if (change.op === 'delete') {
            write(name, change.key, null)
            applied++
            continue
          }
          // One bad row never blocks the rest of the page; the shared schema decides.
          const value = v.safeParse(pullValueSchemas[change.entity], change.value)
          if (!value.success) continue
          write(name, change.key, { value: value.output })
          applied++
        }
        for (const [name, rows] of writes) {
          const table = db[name] as FieldDb['stationTotals']
          const puts: { key: string; value: unknown }[] = []
          const deletes: string[] = []
          for (const [key, row] of rows) {
            if (row) puts.push({ key, value: row.value })
            else deletes.push(key)
          }
          if (deletes.length > 0) await table.bulkDelete(deletes)
          if (puts.length > 0) await table.bulkPut(puts)
        }
        if (page.reset || page.changes.some((c) => c.entity === 'roster' || c.entity === 'site'))
          await storeNameOrder(db)
        await db.syncMeta.bulkPut([
          { key: META_KEYS.pullCursor, value: page.cursor },
          { key: META_KEYS.pullWith, value: PULL_WITH },
          { key: META_KEYS.lastPullServerTime, value: page.serverTime },
          { key: META_KEYS.deviceLastSeq, value: page.deviceLastSeq },
        ])
        if (!page.more) await db.syncMeta.delete(META_KEYS.historyIncomplete)
        else if (fromStart) await db.syncMeta.put({ key: META_KEYS.historyIncomplete, value: true })
      })
      return { applied, keptLocal }
    },
  }
}

export function dexieMetaPort(db: FieldDb): SyncMetaPort {
  const read = async (): Promise<SyncMeta> => {
    const row = await db.syncMeta.get(META_KEYS.sync)
    return { ...EMPTY_SYNC_META, ...(row?.value as Partial<SyncMeta> | undefined) }
  }
  return {
    get: read,
    async patch(change) {
      await db.transaction('rw', db.syncMeta, async () => {
        await db.syncMeta.put({ key: META_KEYS.sync, value: { ...(await read()), ...change } })
      })
    },
  }
}
