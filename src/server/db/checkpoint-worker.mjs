// The SQLite station's WAL checkpoints, off the request path: a worker thread with a connection of
// its own to the database file (started by checkpoints.ts). Every `intervalMs` it copies what the
// WAL holds into the database file (PASSIVE: it never waits for, nor blocks, the request
// connection's writes); when the WAL still holds more than `truncateAfterPages` pages after that
// (writes kept coming, so SQLite never found the whole WAL copied and could not start it over), a
// TRUNCATE checkpoint waits for the writer, copies the rest and empties the file, so the WAL cannot
// grow without bound. Plain JavaScript: a worker loads it with Node alone, under tsx or vitest.
import { createRequire } from 'node:module'
import { parentPort, workerData } from 'node:worker_threads'

const Database = createRequire(import.meta.url)('better-sqlite3')
const { path, intervalMs, truncateAfterPages, busyTimeoutMs } = workerData

let db = null
let timer = null
let last = 0
let stopped = false

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
      db = new Database(path, { fileMustExist: true, timeout: busyTimeoutMs })
      // A checkpoint syncs the WAL before copying it and the database file before the WAL is
      // reused; FULL (the request connection's setting) keeps both.
      db.pragma('synchronous = FULL')
    }
    let mode = 'PASSIVE'
    let result = db.pragma('wal_checkpoint(PASSIVE)')[0]
    if (result.log > truncateAfterPages) {
      mode = 'TRUNCATE'
      result = db.pragma('wal_checkpoint(TRUNCATE)')[0]
    }
    // Told when something was copied (an idle WAL is looked at every tick, and nothing is said).
    if (mode === 'TRUNCATE' || (result.checkpointed > 0 && result.checkpointed !== last))
      parentPort.postMessage({ kind: 'checkpoint', mode, ...result })
    last = result.checkpointed
  } catch (err) {
    // Busy past the timeout (another process's long write) is tried again at the next tick.
    if (err?.code !== 'SQLITE_BUSY') {
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
