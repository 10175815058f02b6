// The phone side of a push, bundled for the push-browser bench's page: the field database
// (Dexie over the browser's IndexedDB) and the phone's own sync wiring (engine, ports, HTTP
// transport with CompressionStream gzip), against the station at the page's origin, or against a
// loopback that answers every batch at once (the phone's own share of the work, alone).
import { FieldDb } from '../../src/app/db'
import { createPhoneSyncEngine, phoneTransport } from '../../src/app/sync/phone'
import type { SyncTransport } from '../../src/app/sync/ports'
import { compactPushResponse, type PullResponse, type PushRequest } from '../../src/domain/sync-protocol'

interface PushRun {
  pushMs: number
  roundMs: number
  confirmed: number
  requests: number
  /** Of pushMs, waiting on HTTP and the station (the rest is the phone's own work). */
  httpMs: number
  ok: boolean
}

const dbs = new Map<string, FieldDb>()
const database = (name: string): FieldDb => {
  let db = dbs.get(name)
  if (!db) dbs.set(name, (db = new FieldDb(name)))
  return db
}

async function load(rows: Record<string, unknown[]>, name = 'bench-push'): Promise<void> {
  const db = database(name)
  await db.open()
  await db.transaction('rw', db.tables, async () => {
    for (const [table, list] of Object.entries(rows)) await db.table(table).bulkPut(list)
  })
}

/** A fetch that answers each push as a station that applied it all would, and each pull with nothing. */
function loopbackFetch(sent: { request: PushRequest | null }): typeof fetch {
  return async (input, init) => {
    const url = String(input)
    const requestId = new Headers(init?.headers).get('X-Blood-Bus-Request') ?? ''
    const headers = { 'Content-Type': 'application/json', 'X-Blood-Bus': '1', 'X-Blood-Bus-Request': requestId }
    if (url.includes('/sync/pull')) {
      const page: PullResponse = {
        cursor: 'loopback',
        reset: false,
        more: false,
        serverTime: new Date().toISOString(),
        deviceLastSeq: sent.request?.mutations.at(-1)?.seq ?? 0,
        changes: [],
      }
      return new Response(JSON.stringify(page), { headers })
    }
    // The body (gzip) is the station's to read; the loopback answers from the request it was given.
    const req = sent.request!
    const receivedAt = new Date().toISOString()
    const answer = compactPushResponse(
      { ...req, batchId: req.batchId! },
      {
        lastSeq: req.mutations.at(-1)!.seq,
        results: req.mutations.map((m) => ({
          status: 'applied' as const,
          seq: m.seq,
          mutationId: m.mutationId,
          recordId: (m.record as { id: string }).id,
          receivedAt,
        })),
      },
    )
    return new Response(JSON.stringify(answer), { headers })
  }
}

async function push(loopback = false): Promise<PushRun> {
  const db = database(loopback ? 'bench-push-loopback' : 'bench-push')
  const sent: { request: PushRequest | null } = { request: null }
  const http = phoneTransport(db, {
    timeoutMs: 120_000,
    ...(loopback ? { fetch: loopbackFetch(sent) } : {}),
  })
  let firstPull = 0
  let requests = 0
  let httpMs = 0
  const transport: SyncTransport = {
    // Encoded ahead while the batch before is on its way (the phone's own transport does it).
    encodePush: (req) => http.encodePush!(req),
    push: async (req, encoded) => {
      requests++
      sent.request = req
      const t = performance.now()
      try {
        return await http.push(req, encoded)
      } finally {
        httpMs += performance.now() - t
      }
    },
    pull: async (cursor) => {
      if (!firstPull) {
        firstPull = performance.now()
        // The bench takes its CPU readings here: the push is over, the pull not begun.
        await (window as { benchPushDone?: () => Promise<void> }).benchPushDone?.()
      }
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
