// The SQLite station's WAL checkpoints, off the request path: a worker thread with a connection of
// its own to the database file (started by checkpoints.ts). Every `intervalMs` it copies what the
// WAL holds into the database file: PASSIVE, which never waits for the writer nor makes it wait.
// (A TRUNCATE or RESTART checkpoint holds the write lock while it waits for readers, and a push's
// `begin immediate` in the station was seen to fail at once with SQLITE_BUSY, a 503, while
// another connection's TRUNCATE was under way.) Once all of it is copied, the next write starts the
// WAL over from its beginning. Plain JavaScript: a worker loads it with Node alone, under tsx or vitest.
import { createRequire } from 'node:module'
import { parentPort, workerData } from 'node:worker_threads'

const Database = createRequire(import.meta.url)('better-sqlite3')
const { path, intervalMs } = workerData

let db = null
let timer = null
let stopped = false
let last = 0

function stop() {
  stopped = true
  clearTimeout(timer)
  db?.close()
  db = null
  parentPort.close()
}

function tick() {
  if (stopped) return
  try {
    // Opened on the first tick: a store closed at once never waits on a connection being opened.
    if (!db) {
      db = new Database(path, { fileMustExist: true })
      // A checkpoint syncs the WAL before copying it and the database file before the WAL is
      // started over; this SQLite's default in WAL mode is NORMAL, which skips the first.
      db.pragma('synchronous = FULL')
    }
    const result = db.pragma('wal_checkpoint(PASSIVE)')[0]
    // Told when something was copied (an idle WAL is looked at every tick, and nothing is said).
    if (result.checkpointed > 0 && result.checkpointed !== last)
      parentPort.postMessage({ kind: 'checkpoint', ...result })
    last = result.checkpointed
  } catch (err) {
    // Busy (a rare race with another process's checkpoint) is tried again at the next tick.
    if (!String(err?.code).startsWith('SQLITE_BUSY')) {
      parentPort.postMessage({ kind: 'error', message: String(err?.message ?? err), code: err?.code ?? null })
      stop()
      return
    }
  }
  timer = setTimeout(tick, intervalMs)
}

parentPort.on('message', (message) => {
  if (message === 'stop') stop()
})
timer = setTimeout(tick, intervalMs)
