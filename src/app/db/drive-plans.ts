// The station's drive plans as last pulled (from today on; the pull drops past ones).
import type { DrivePlan } from '../../domain/plans'
import type { FieldDb } from './schema'

/** The plans of one day, by site id so the order stays put between loads. */
export async function plansOn(db: FieldDb, date: string): Promise<DrivePlan[]> {
  const rows = await db.drivePlans.where('value.date').equals(date).toArray()
  return rows.map((r) => r.value).sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0))
}
