// Staff and sites in pinyin order. Building a Chinese collator costs tens of milliseconds on a
// slow phone, so the order is worked out when a pull brings new names and stored; a start only
// looks it up.
import type { RosterEntry, Site } from '../../domain/records'
import type { FieldDb } from './index'

/** syncMeta key of the stored order. */
export const NAME_ORDER_KEY = 'nameOrder'

export interface NameOrder {
  roster: string[]
  sites: string[]
}

let collator: Intl.Collator | null = null
const byName = (a: { name: string }, b: { name: string }): number =>
  (collator ??= new Intl.Collator('zh-CN')).compare(a.name, b.name)

export function nameOrderOf(roster: RosterEntry[], sites: Site[]): NameOrder {
  return {
    roster: [...roster].sort(byName).map((s) => s.id),
    sites: [...sites].sort(byName).map((s) => s.id),
  }
}

/** Works the order out from the rows stored now; call inside the transaction that changed them. */
export async function storeNameOrder(db: FieldDb): Promise<void> {
  const [roster, sites] = await Promise.all([db.roster.toArray(), db.sites.toArray()])
  await db.syncMeta.put({
    key: NAME_ORDER_KEY,
    value: nameOrderOf(
      roster.map((r) => r.value),
      sites.map((r) => r.value),
    ),
  })
}

/** Whether `order` places every one of these staff and sites. */
export function coversAll(order: NameOrder | undefined, roster: RosterEntry[], sites: Site[]): order is NameOrder {
  if (!order) return false
  const placed = new Set([...order.roster, ...order.sites])
  return roster.every((s) => placed.has(s.id)) && sites.every((s) => placed.has(s.id))
}

/** `rows` in the order of `ids`. */
export function inNameOrder<T extends { id: string }>(rows: T[], ids: string[]): T[] {
  const rank = new Map(ids.map((id, i) => [id, i]))
  return [...rows].sort((a, b) => (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity))
}
