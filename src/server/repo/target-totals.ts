// The station's figure for each target a phone cannot read from the month and year totals
// (quarters, custom periods, sites; domain/target-totals.ts), written beside those totals in the
// same refresh and pulled as `totals` changes keyed `target:<id>`. One count per target, by the
// same query the dashboard's target cards use (indicatorReport), so the phone and the dashboard
// agree. Rows of targets deleted, edited out of reach or over are sent as deletes.
import { needsTargetTotals, TARGET_TOTALS_PREFIX, type TargetTotals, targetTotalsKey } from '../../domain/target-totals'
import type { Db } from '../db/store'
import { listTargets } from './reference'
import { indicatorReport } from './reports'

/** What a refresh writes for targets: the rows to upsert and the keys to send as deletes. */
export interface TargetTotalsPlan {
  rows: TargetTotals[]
  gone: string[]
}

/** Counts every target that needs its own figure (call inside the refresh's transaction). */
export async function planTargetTotals(
  trx: Db,
  stationId: string,
  today: string,
  computedAt: string,
): Promise<TargetTotalsPlan> {
  const targets = (await listTargets(trx, stationId)).filter((t) => needsTargetTotals(t, today))
  const rows: TargetTotals[] = []
  for (const t of targets) {
    const report = await indicatorReport(trx, stationId, { from: t.period.start, to: t.period.end, scope: t.scope })
    rows.push({
      key: targetTotalsKey(t.id),
      targetId: t.id,
      period: { start: t.period.start, end: t.period.end },
      scope: t.scope,
      computedAt,
      counts: report.counts,
      population: report.indicators.population,
    })
  }
  const wanted = new Set(rows.map((r) => r.key))
  const held = await trx
    .selectFrom('station_totals')
    .select('key')
    .where('station_id', '=', stationId)
    .where('key', 'like', `${TARGET_TOTALS_PREFIX}%`)
    .where('deleted', '=', 0)
    .execute()
  return { rows, gone: held.map((r) => r.key).filter((k) => !wanted.has(k)) }
}

/** Writes the plan with sequence numbers from `firstSeq` on (rows, then deletes). */
export async function writeTargetTotals(
  trx: Db,
  stationId: string,
  plan: TargetTotalsPlan,
  firstSeq: number,
): Promise<void> {
  let seq = firstSeq
  for (const value of plan.rows) {
    const row = {
      station_id: stationId,
      key: value.key,
      value: JSON.stringify(value),
      change_seq: seq++,
      deleted: 0 as const,
    }
    await trx
      .insertInto('station_totals')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['station_id', 'key']).doUpdateSet({ value: row.value, change_seq: row.change_seq, deleted: 0 }),
      )
      .execute()
  }
  for (const key of plan.gone) {
    await trx
      .updateTable('station_totals')
      .set({ deleted: 1, change_seq: seq++ })
      .where('station_id', '=', stationId)
      .where('key', '=', key)
      .execute()
  }
}

/** Highest change sequence of the station's targets (a target saved or deleted after the totals makes them stale). */
export async function lastTargetChange(db: Db, stationId: string): Promise<number> {
  const row = await db
    .selectFrom('targets')
    .select((eb) => eb.fn.max('change_seq').as('seq'))
    .where('station_id', '=', stationId)
    .executeTakeFirst()
  return Number(row?.seq ?? 0)
}
