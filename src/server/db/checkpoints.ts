// WAL checkpoints of the SQLite store in a worker thread (checkpoint-worker.mjs), so that no push
// waits for one. SQLite's own automatic checkpoint runs inside the commit that takes the WAL past
// 1,000 pages: that request then also copies the WAL into the database file and syncs it (about a
// tenth of a 10,000-record push). The request connection turns it off (wal_autocheckpoint = 0) and
// the worker does the copying beside it. Durability is unchanged: a commit is answered once the
// WAL holds it, synced (synchronous = FULL), whether or not it has been copied yet.
import { Worker } from 'node:worker_threads'

export interface CheckpointOptions {
  /** How often the worker copies the WAL into the database file (PASSIVE: never waits for a writer). */
  intervalMs?: number
  /**
   * WAL pages (4 KiB) above which the worker waits for the writer and empties the WAL (TRUNCATE):
   * under a steady stream of writes SQLite may not find the whole WAL copied at the start of a
   * write, the moment it can start the WAL over, and the file would grow.
   */
  truncateAfterPages?: number
  /**
   * How long that TRUNCATE waits for a write in progress, or for a reader of an older snapshot (the
   * CLI's), before it gives up until the next tick: short, as the request connection's writes wait
   * for it meanwhile.
   */
  busyTimeoutMs?: number
  /**
   * The safety net: WAL pages above which the request connection's own commit checkpoints after all
   * (SQLite's wal_autocheckpoint), should the worker fall behind (a starved thread, a failing disk).
   */
  requestConnectionAfterPages?: number
}

export interface CheckpointEvent {
  mode: 'PASSIVE' | 'TRUNCATE'
  /** Pages in the WAL after the checkpoint (SQLite's `log`), and pages of it copied (`checkpointed`). */
  log: number
  checkpointed: number
  busy: number
}

export interface Checkpointer {
  /** Stops the worker and closes its connection; resolves once its thread has ended. */
  stop(): Promise<void>
}

export const CHECKPOINT_DEFAULTS: Required<CheckpointOptions> = {
  intervalMs: 200,
  truncateAfterPages: 4_096,
  busyTimeoutMs: 100,
  requestConnectionAfterPages: 16_384,
}

let running = 0

/** Checkpoint workers running in this process (tests check that none outlives its store). */
export function runningCheckpointers(): number {
  return running
}

/**
 * Starts the worker for the SQLite file at `path` (already in WAL mode). `onEnd` is told when the
 * worker stops of its own accord (an error), so the caller can give the checkpoints back to SQLite.
 */
export function startCheckpointer(
  path: string,
  options: CheckpointOptions,
  hooks: { onEnd(error: Error): void; onCheckpoint?(event: CheckpointEvent): void },
): Checkpointer {
  const worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), {
    workerData: { path, ...CHECKPOINT_DEFAULTS, ...options },
  })
  running++
  // A store left open must not keep the process alive.
  worker.unref()
  let stopping = false
  let failure: Error | null = null
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      running--
      if (!stopping) hooks.onEnd(failure ?? new Error(`the checkpoint worker ended (exit code ${code})`))
      resolve()
    })
  })
  worker.on('message', (message: { kind: string; message?: string } & CheckpointEvent) => {
    if (message.kind === 'checkpoint') hooks.onCheckpoint?.(message)
    else if (message.kind === 'error') failure = new Error(`WAL checkpoint failed: ${message.message}`)
  })
  worker.on('error', (err) => {
    failure = err
  })
  return {
    async stop() {
      if (stopping) return exited
      stopping = true
      worker.postMessage('stop')
      // A checkpoint in progress finishes first; one stuck on the disk does not hold the shutdown.
      const timer = setTimeout(() => void worker.terminate(), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}
