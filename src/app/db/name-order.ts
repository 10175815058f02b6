// Staff and sites in pinyin order. Building a Chinese collator costs tens of milliseconds on a
// slow phone, so the order is worked out when a pull brings new names and stored; a start only
// looks it up.
import type { FieldDb } from './index'

/** syncMeta key of the stored order: `{ roster: id[], sites: id[] }`. */
export const NAME_ORDER_KEY = 'nameOrder'

export interface NameOrder {
  roster: string[]
  sites: string[]
}

let collator: Intl.Collator | null = null
const byName = (a: { name: string }, b: { name: string }): number => (collator ??= new Intl.Collator('zh-CN')).compare(a.name, b.name)

/** Works the order out from the rows stored now; call inside the transaction that changed them. */
export async function storeNameOrder(db: FieldDb): Promise<void> {
  const [roster, sites] = await Promise.all([db.roster.toArray(), db.sites.toArray()])
  const order: NameOrder = {
    roster: roster.map((r) => r.value).sort(byName).map((s) => s.id),
    sites: sites.map((r) => r.value).sort(byName).map((s) => s.id),
  }
  await db.syncMeta.put({ key: NAME_ORDER_KEY, value: order })
}

/** `rows` in the stored order; sorted by name here when the order does not cover them all. */
export function inNameOrder<T extends { id: string, name: string }>(rows: T[], order: string[] | undefined): T[] {
  const rank = new Map(order?.map((id, i) => [id, i]))
  if (rows.some((r) => !rank.has(r.id))) return [...rows].sort(byName)
  return [...rows].sort((a, b) => rank.get(a.id)! - rank.get(b.id)!)
}
