// In-memory phone storage with the same rules as the Dexie ports (one "transaction" per call,
// a key generator that never goes back), for the engine tests.
import { newId } from '../../../src/domain/ids'
import type { EligibilityEntry, MutationResult, PullResponse } from '../../../src/domain/sync-protocol'
import { mergeEligibility, pendingReferenceKeys, referenceKey } from '../../../src/app/sync/reference-rules'
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
} from '../../../src/app/sync/ports'

export interface MemoryRecordRow {
  record: { id: string; type: string } & Record<string, unknown>
  state: 'pending' | 'confirmed' | 'rejected'
  receipt: { receivedAt: string; status: 'applied' | 'duplicate' } | null
}

export class MemoryPhoneStore {
  readonly outbox = new Map<number, OutboxEntry>()
  readonly records = new Map<string, MemoryRecordRow>()
  readonly reference = new Map<string, unknown>()
  cursor: string | null = null
  meta: SyncMeta = { ...EMPTY_SYNC_META }
  /** Next auto-increment key; like IndexedDB's key generator it only grows. */
  private nextSeq = 1
  private settledHigh = 0

  /** saveFieldRecord: the record and its outbox entry together. */
  save(
    record: { id: string; type: string } & Record<string, unknown>,
    createdAt = new Date().toISOString(),
  ): OutboxEntry {
    const entry: OutboxEntry = {
      seq: this.nextSeq++,
      mutationId: newId(),
      recordId: record.id,
      recordType: record.type,
      record,
      createdAt,
      attempts: 0,
      lastAttemptAt: null,
      lastError: null,
      status: 'pending',
      rejectCode: null,
    }
    this.outbox.set(entry.seq, entry)
    this.records.set(record.id, { record, state: 'pending', receipt: null })
    return entry
  }

  pendingEntries(): OutboxEntry[] {
    return [...this.outbox.values()].filter((e) => e.status === 'pending').sort((a, b) => a.seq - b.seq)
  }

  rejectedEntries(): OutboxEntry[] {
    return [...this.outbox.values()].filter((e) => e.status === 'rejected').sort((a, b) => a.seq - b.seq)
  }

  outboxPort(): OutboxPort {
    return {
      pending: async (limit, after) =>
        clone(
          this.pendingEntries()
            .filter((e) => after === undefined || e.seq > after)
            .slice(0, limit),
        ),
      noteFailure: async (seqs, message, at) => {
        for (const s of seqs) {
          const e = this.outbox.get(s)
          if (e && e.status === 'pending') {
            e.attempts++
            e.lastAttemptAt = at
            e.lastError = message
          }
        }
      },
      settle: async (results: MutationResult[], at: string, opts = {}): Promise<SettleSummary> => {
        const summary: SettleSummary = { confirmed: 0, rejected: 0, ignored: 0, settled: 0 }
        for (const r of results) {
          const e = this.outbox.get(r.seq)
          if (!e || e.status !== 'pending' || e.mutationId !== r.mutationId) {
            summary.ignored++
            continue
          }
          if (opts.byStation !== false) this.settledHigh = Math.max(this.settledHigh, r.seq)
          const row = this.records.get(e.recordId)
          if (r.status === 'rejected') {
            Object.assign(e, {
              status: 'rejected',
              rejectCode: r.code,
              lastError: r.message,
              attempts: e.attempts + 1,
              lastAttemptAt: at,
            })
            if (row) row.state = 'rejected'
            summary.rejected++
          } else {
            if (r.recordId !== e.recordId) {
              summary.ignored++
              continue
            }
            this.outbox.delete(r.seq)
            if (row) {
              row.state = 'confirmed'
              row.receipt = { receivedAt: r.receivedAt, status: r.status }
            }
            summary.confirmed++
          }
        }
        summary.settled = this.settledHigh
        return summary
      },
      renumberAbove: async (after) => {
        const moving = [...this.outbox.values()].filter((e) => e.seq > after || e.status === 'pending')
        const pending = moving.filter((e) => e.status === 'pending').sort((a, b) => a.seq - b.seq)
        const rejected = moving.filter((e) => e.status !== 'pending').sort((a, b) => a.seq - b.seq)
        for (const e of moving) this.outbox.delete(e.seq)
        let next = after + 1
        for (const e of [...pending, ...rejected]) {
          e.seq = next++
          this.outbox.set(e.seq, e)
        }
        this.nextSeq = Math.max(this.nextSeq, next)
        return pending.length
      },
      sequenceMarks: async (): Promise<SequenceMarks> => ({
        issued: Math.max(this.settledHigh, ...[...this.outbox.keys()], 0),
        settled: this.settledHigh,
      }),
    }
  }

  referenceSink(): ReferenceSink {
    return {
      cursor: async () => this.cursor,
      applyPage: async (page: PullResponse): Promise<ApplyPageSummary> => {
        const protectedKeys = pendingReferenceKeys(this.pendingEntries())
        if (page.reset) {
          for (const key of [...this.reference.keys()]) if (!protectedKeys.has(key)) this.reference.delete(key)
        }
        let applied = 0
        let keptLocal = 0
        for (const change of page.changes) {
          const key = referenceKey(change)
          const local = this.reference.get(key)
          if (protectedKeys.has(key) && local !== undefined) {
            keptLocal++
            if (change.op === 'upsert' && change.entity === 'eligibility') {
              this.reference.set(key, mergeEligibility(local as EligibilityEntry, change.value as EligibilityEntry))
            }
            continue
          }
          if (change.op === 'delete') this.reference.delete(key)
          else this.reference.set(key, structuredClone(change.value))
          applied++
        }
        this.cursor = page.cursor
        return { applied, keptLocal }
      },
    }
  }

  metaPort(): SyncMetaPort {
    return {
      get: async () => structuredClone(this.meta),
      patch: async (change) => {
        this.meta = { ...this.meta, ...structuredClone(change) }
      },
    }
  }

  /** The browser cleared site data: everything goes, the key generator starts again at 1. */
  wipe(): void {
    this.outbox.clear()
    this.records.clear()
    this.reference.clear()
    this.cursor = null
    this.meta = { ...EMPTY_SYNC_META }
    this.nextSeq = 1
    this.settledHigh = 0
  }
}

function clone<T>(value: T): T {
  return structuredClone(value)
}
