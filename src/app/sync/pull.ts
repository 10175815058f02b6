// Server→phone reference data by the station's cursor (never the phone's clock), for callers
// outside a sync round (enrollment, "refresh"). A sync round pulls through the engine with the
// same sink, so both paths protect rows with pending local changes the same way.
import type { FieldDb } from '../db'
import { fieldDb } from '../db'
import { dexieReferenceSink } from './dexie-ports'
import { phoneTransport } from './phone'

export { PULL_TABLE } from './pull-tables'

export interface PullOutcome {
  pages: number
  applied: number
  serverTime: string
}

/** Pull every page now. Throws RequestError (kind `offline` when the station cannot be reached). */
export async function pullReference(opts: { maxPages?: number; db?: FieldDb } = {}): Promise<PullOutcome> {
  const db = opts.db ?? fieldDb()
  const transport = phoneTransport(db)
  const sink = dexieReferenceSink(db)
  const outcome: PullOutcome = { pages: 0, applied: 0, serverTime: '' }
  for (let page = 0; page < (opts.maxPages ?? 1000); page++) {
    const res = await transport.pull(await sink.cursor())
    const counts = await sink.applyPage(res)
    outcome.pages++
    outcome.applied += counts.applied
    outcome.serverTime = res.serverTime
    if (!res.more) break
  }
  return outcome
}
