// POST /api/v1/sync/push: a device's batch applied, its answers stored and its last sequence
// recorded in ONE transaction, so a response lost after commit is answered the same way again.
import { addDays } from '../../domain/dates'
import { SCHEMA_VERSION } from '../../domain/records'
import type { MutationResult, PushRequest, PushResponse } from '../../domain/sync-protocol'
import { bulkTable, insertMany } from '../db/bulk'
import type { Store } from '../db/store'
import { Refusal } from './refusal'
import { nowIso, stationToday } from '../time'
import { refreshEligibility } from './eligibility'
import { ingestRecords } from './ingest'
import { lockStation } from './stations'

const PUSH_RESULT_COLUMNS = bulkTable('push_results', ['device_id', 'seq', 'mutation_id', 'result', 'created_at'])

/** Oldest client schema version this server still reads (records are upgraded on the way in). */
export const MIN_SCHEMA_VERSION = 1

/**
 * Brings a record written under an older schema to the current shape. Versions 2 and 3 only added
 * optional fields (Donation.override, Deferral.reasonCodes; the visit's tests, bleed and
 * reactions), so a version-1 or version-2 record is read as it is: its body stays byte for byte what the phone sent (a re-send is still a duplicate), and
 * readers take a deferral without reasonCodes as [reasonCode].
 */
export function upgradeRecord(record: unknown, _fromVersion: number): unknown {
  return record
}

/** Checks the batch as a whole before anything is written (a refusal leaves the database as it was). */
export function checkPushRequest(req: PushRequest, deviceId: string): void {
  if (req.deviceId !== deviceId) throw new Refusal('wrong_device', 'deviceId is not the device this token belongs to')
  if (req.schemaVersion > SCHEMA_VERSION) {
    throw new Refusal(
      'schema_too_new',
      `this server reads records up to schema version ${SCHEMA_VERSION}; update the server`,
      {
        serverSchemaVersion: SCHEMA_VERSION,
      },
    )
  }
  if (req.schemaVersion < MIN_SCHEMA_VERSION) {
    throw new Refusal(
      'schema_too_old',
      `this server reads records from schema version ${MIN_SCHEMA_VERSION}; update the app`,
      {
        serverSchemaVersion: SCHEMA_VERSION,
      },
    )
  }
  const ids = new Set<string>()
  req.mutations.forEach((m, i) => {
    if (m.seq > Number.MAX_SAFE_INTEGER) throw new Refusal('invalid_request', 'seq is too large')
    const prev = req.mutations[i - 1]
    if (prev && m.seq !== prev.seq + 1)
      throw new Refusal('invalid_request', 'the mutations of a batch must have consecutive seq numbers, ascending')
    if (ids.has(m.mutationId))
      throw new Refusal('invalid_request', `mutation ${m.mutationId} appears twice in the batch`)
    ids.add(m.mutationId)
  })
}

export async function applyPush(
  store: Store,
  device: { id: string; stationId: string },
  req: PushRequest,
  /** The request's text held no NUL escape, so no record needs the per-record NUL walk. */
  opts: { nulFree?: boolean } = {},
): Promise<PushResponse> {
  checkPushRequest(req, device.id)
  return store.db.transaction().execute(async (trx) => {
    const receivedAt = nowIso()
    // Lock order everywhere: device row, then station row.
    const dev = await trx
      .updateTable('devices')
      .set({ last_push_at: receivedAt })
      .where('id', '=', device.id)
      .where('revoked_at', 'is', null)
      .returning(['last_seq', 'station_id'])
      .executeTakeFirst()
    if (!dev) throw new Refusal('unauthorized', 'this device is not enrolled or was revoked')
    const station = await trx
      .selectFrom('stations')
      .select(['id', 'time_zone'])
      .where('id', '=', device.stationId)
      .executeTakeFirstOrThrow()
    await lockStation(trx, station.id)
    const lastSeq = Number(dev.last_seq)
    const first = req.mutations[0]!.seq
    // A hole the phone declares (afterSeq is what it knows we hold) is skipped; any other gap is a 409.
    if (first > lastSeq + 1 && req.afterSeq !== lastSeq) {
      throw new Refusal(
        'sequence_gap',
        `the server holds this device's mutations up to seq ${lastSeq}; send from ${lastSeq + 1}`,
        { lastSeq },
      )
    }

    const resent = req.mutations.filter((m) => m.seq <= lastSeq)
    const answers = new Map<number, MutationResult>()
    if (resent.length > 0) {
      const stored = await trx
        .selectFrom('push_results')
        .select(['seq', 'mutation_id', 'result'])
        .where('device_id', '=', device.id)
        .where(
          'seq',
          'in',
          resent.map((m) => m.seq),
        )
        .execute()
      const bySeq = new Map(stored.map((r) => [Number(r.seq), r]))
      for (const m of resent) {
        const s = bySeq.get(m.seq)
        if (!s || s.mutation_id !== m.mutationId) {
          throw new Refusal(
            'sequence_conflict',
            `seq ${m.seq} was already used by another mutation; number new mutations from ${lastSeq + 1}`,
            { lastSeq },
          )
        }
        const original = JSON.parse(s.result) as MutationResult
        answers.set(m.seq, original.status === 'applied' ? { ...original, status: 'duplicate' } : original)
      }
    }

    const fresh = req.mutations.filter((m) => m.seq > lastSeq)
    if (fresh.length > 0) {
      const ingest = await ingestRecords(
        trx,
        {
          stationId: station.id,
          deviceId: device.id,
          receivedAt,
          latestCollectionDate: addDays(stationToday(station.time_zone), 1),
        },
        fresh.map((m) => ({
          record: upgradeRecord(m.record, req.schemaVersion),
          seq: m.seq,
          nulFree: opts.nulFree === true,
        })),
      )
      const rows = fresh.map((m, i) => {
        const o = ingest.outcomes[i]!
        const result: MutationResult =
          o.status === 'rejected'
            ? {
                status: 'rejected',
                seq: m.seq,
                mutationId: m.mutationId,
                recordId: o.recordId,
                code: o.code,
                message: o.message,
                ...(o.clash ? { clash: o.clash } : {}),
              }
            : { status: o.status, seq: m.seq, mutationId: m.mutationId, recordId: o.recordId, receivedAt: o.receivedAt }
        answers.set(m.seq, result)
        return {
          device_id: device.id,
          seq: m.seq,
          mutation_id: m.mutationId,
          result: JSON.stringify(result),
          created_at: receivedAt,
        }
      })
      await insertMany(trx, PUSH_RESULT_COLUMNS, rows)
      await trx
        .updateTable('devices')
        .set({ last_seq: fresh.at(-1)!.seq })
        .where('id', '=', device.id)
        .execute()
      await refreshEligibility(trx, station.id, ingest.donorKeys, stationToday(station.time_zone))
      if (ingest.countsChanged)
        await trx.updateTable('stations').set({ totals_stale: 1 }).where('id', '=', station.id).execute()
    }
    return {
      lastSeq: Math.max(lastSeq, req.mutations.at(-1)!.seq),
      results: req.mutations.map((m) => answers.get(m.seq)!),
    }
  })
}
