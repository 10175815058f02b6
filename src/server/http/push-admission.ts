// Admission for pushes. A station writes one push at a time per station (SQLite has one writer;
// on PostgreSQL the station row lock serialises them), so when a district's buses come back into
// coverage together their pushes queue. A phone gives up after its timeout (20 s) and sends the
// batch again: a push committed after that is wasted work and a late answer. So a push is admitted
// only when the pushes ahead of it are expected to be done within the budget, judged by how fast
// recent pushes went; otherwise it is answered 503 `busy` at once, before its body is read or
// anything written, with a Retry-After spread out so the turned-away phones do not return together.
//
// Cost is counted in request bytes (the gzip'd body): known from Content-Length before the body
// is read, and close enough to the work a push makes.

export interface PushAdmissionOptions {
  /** A push is admitted only if those ahead of it are expected to finish within this. */
  budgetMs: number
  /** Starting guess of the cost of one request byte, until pushes have been measured. */
  initialMsPerByte?: number
  random?: () => number
  now?: () => number
}

/** Well under the phone's 20 s timeout: the margin covers a slow upload and a wrong estimate. */
export const DEFAULT_PUSH_BUDGET_MS = 8_000

/** Turned away for load: nothing was done; try again after `retryAfterSeconds`. */
export class PushBusy {
  constructor(readonly retryAfterSeconds: number) {}
}

/** An admitted push: run its work in turn, and release it whatever happens. */
export interface PushTicket {
  run<T>(work: () => Promise<T>): Promise<T | PushBusy>
  release(): void
}

/** One queue per writer (one for SQLite, one per station on PostgreSQL). */
export class PushAdmission {
  private readonly budgetMs: number
  private readonly random: () => number
  private readonly now: () => number
  private msPerByte: number
  private busyWriting = false
  private readonly waiting: Array<() => void> = []
  /** Bytes of pushes admitted and not yet released. */
  private pendingBytes = 0

  constructor(opts: PushAdmissionOptions) {
    this.budgetMs = opts.budgetMs
    this.msPerByte = opts.initialMsPerByte ?? 0.01
    this.random = opts.random ?? Math.random
    this.now = opts.now ?? Date.now
  }

  /** Milliseconds until the pushes admitted so far, and one of `bytes` more, would be done. */
  expectedMs(bytes: number): number {
    return (this.pendingBytes + bytes) * this.msPerByte
  }

  /**
   * Admits a push of `bytes` or turns it away. An idle station takes any push, however large.
   * `waitedMs`: how long the request already waited at the station before it got here (on SQLite
   * its authentication queues behind the writes for the one connection).
   */
  admit(bytes: number, waitedMs = 0): PushTicket | PushBusy {
    // Queued that long before it got here: the phone's patience is mostly spent, and so is the station's.
    if (waitedMs > this.budgetMs) return this.busy(Math.max(waitedMs, this.expectedMs(bytes)))
    const alone = this.pendingBytes === 0
    if (!alone && this.expectedMs(bytes) > this.budgetMs) return this.busy(this.expectedMs(bytes))
    this.pendingBytes += bytes
    const admittedAt = this.now() - waitedMs
    let released = false
    return {
      run: (work) => this.runInTurn(bytes, admittedAt, alone, work),
      release: () => {
        if (released) return
        released = true
        this.pendingBytes -= bytes
      },
    }
  }

  /** Report work done for a push outside `run` (reading and checking its body), so estimates include it. */
  measured(bytes: number, ms: number): void {
    // Recent pushes weigh most: a station warms up, and its load changes through the day.
    this.msPerByte = 0.7 * this.msPerByte + 0.3 * (ms / Math.max(1, bytes))
  }

  private async runInTurn<T>(
    bytes: number,
    admittedAt: number,
    alone: boolean,
    work: () => Promise<T>,
  ): Promise<T | PushBusy> {
    // The writer is handed from one push to the next, so none can slip in between.
    if (this.busyWriting) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.busyWriting = true
    try {
      // Waited behind others longer than hoped: better a quick "busy" than a commit the phone no
      // longer waits for. Alone, the wait was only its own upload and the push goes ahead.
      if (!alone && this.now() - admittedAt > this.budgetMs) return this.busy(this.expectedMs(0))
      const started = this.now()
      const result = await work()
      this.measured(bytes, this.now() - started)
      return result
    } finally {
      const next = this.waiting.shift()
      // Handed over on the next turn of the event loop, not as a microtask: between two writes the
      // server reads new requests (and turns them away if need be) instead of leaving them unseen.
      if (next) setImmediate(next)
      else this.busyWriting = false
    }
  }

  private busy(expectedMs: number): PushBusy {
    const seconds = Math.max(1, expectedMs / 1000)
    return new PushBusy(Math.min(120, Math.ceil(seconds * (1 + this.random()))))
  }
}
