// Server→phone reference data by the station's cursor (never the phone's clock), for callers
// outside a sync round (enrollment, "refresh"). A sync round pulls through the engine with the
// same sink, so both paths protect rows with pending local changes the same way.
import type { FieldDb } from '../db'
import { fieldDb } from '../db'
import { dexieReferenceSink } from './dexie-ports'
import { phoneTransport } from './phone'
import { afterSyncRounds } from './scheduler'

export { PULL_TABLE } from './pull-tables'

export interface PullOutcome {
  pages: number
  applied: number
  serverTime: string
}

/**
 * Pull every page now, once no sync round runs (a round that finds the lock taken looks again later).
 * Throws RequestError (kind `offline` when the station cannot be reached).
 */
export function pullReference(opts: PullOptions = {}): Promise<PullOutcome> {
  return afterSyncRounds(() => pullPages(opts))
}

export interface PullOptions {
  maxPages?: number
  db?: FieldDb
}

async function pullPages(opts: PullOptions): Promise<PullOutcome> {
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
