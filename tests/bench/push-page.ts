// The phone side of a push, bundled for the push-browser bench's page: the field database
// (Dexie over the browser's IndexedDB) and the phone's own sync wiring (engine, ports, HTTP
// transport with CompressionStream gzip), against the station at the page's origin.
import { FieldDb } from '../../src/app/db'
import { createPhoneSyncEngine, phoneTransport } from '../../src/app/sync/phone'
import type { SyncTransport } from '../../src/app/sync/ports'

interface PushRun {
  pushMs: number
  roundMs: number
  confirmed: number
  requests: number
  /** Of pushMs, waiting on HTTP and the station (the rest is the phone's own work). */
  httpMs: number
  ok: boolean
}

const db = new FieldDb('bench-push')

async function load(rows: Record<string, unknown[]>): Promise<void> {
  await db.open()
  await db.transaction('rw', db.tables, async () => {
    for (const [name, list] of Object.entries(rows)) await db.table(name).bulkPut(list)
  })
}

async function push(): Promise<PushRun> {
  const http = phoneTransport(db, { timeoutMs: 120_000 })
  let firstPull = 0
  let requests = 0
  let httpMs = 0
  const transport: SyncTransport = {
    push: async (req) => {
      requests++
      const t = performance.now()
      try {
        return await http.push(req)
      } finally {
        httpMs += performance.now() - t
      }
    },
    pull: (cursor) => {
      firstPull ||= performance.now()
      return http.pull(cursor)
    },
  }
  const engine = createPhoneSyncEngine(db, { transport, maxBatchesPerRound: 1000 })
  const t0 = performance.now()
  const report = await engine.sync()
  const t1 = performance.now()
  return {
    pushMs: (firstPull || t1) - t0,
    roundMs: t1 - t0,
    confirmed: report.push.confirmed,
    requests,
    httpMs,
    ok: report.ok,
  }
}

Object.assign(window, { benchPushLoad: load, benchPush: push })
