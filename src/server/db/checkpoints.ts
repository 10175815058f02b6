// WAL checkpoints of the SQLite store in a worker thread (checkpoint-worker.mjs), so that no push
// waits for one. SQLite's own automatic checkpoint runs inside the commit that takes the WAL past
// 1,000 pages: that request then also copies the WAL into the database file and syncs it (about a
// tenth of a 10,000-record push). The worker does the copying beside the requests, and the request
// connection checkpoints only past a far larger WAL, should the worker fall behind. Durability is
// unchanged: a commit is answered once the WAL holds it, synced (synchronous = FULL), whether or
// not it has been copied yet.
import { Worker } from 'node:worker_threads'

export interface CheckpointOptions {
  /** How often the worker copies the WAL into the database file (PASSIVE: never waits for a writer). */
  intervalMs?: number
  /**
   * The bound: WAL pages above which the request connection's own commit checkpoints after all
   * (SQLite's wal_autocheckpoint), should the worker fall behind (a starved thread, a slow disk):
   * all copied, the next write starts the WAL over.
   */
  requestConnectionAfterPages?: number
  /** WAL pages kept on disk when the WAL starts over (journal_size_limit): a file grown past it is cut back. */
  keepWalPages?: number
}

export interface CheckpointEvent {
  /** Pages in the WAL at the checkpoint (SQLite's `log`), and pages of it copied so far (`checkpointed`). */
  log: number
  checkpointed: number
  /** 1 when a reader of an older snapshot kept some of it from being copied. */
  busy: number
}

export interface Checkpointer {
  /** Stops the worker and closes its connection; resolves once its thread has ended. */
  stop(): Promise<void>
}

export const CHECKPOINT_DEFAULTS: Required<CheckpointOptions> = {
  intervalMs: 200,
  requestConnectionAfterPages: 16_384,
  keepWalPages: 4_096,
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
    workerData: { path, intervalMs: options.intervalMs ?? CHECKPOINT_DEFAULTS.intervalMs },
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
