// Wiring for the phone: the engine over the field database and the station's HTTP API.
import type { FieldDb } from '../db'
import { fieldDb } from '../db'
import { outboxCount } from '../db/outbox'
import { deviceInfo } from '../db/reference'
import { dexieMetaPort, dexieOutboxPort, dexieReferenceSink } from './dexie-ports'
import { createSyncEngine, type SyncEngine, type SyncEngineOptions } from './engine'
import { createHttpTransport, type HttpTransportOptions } from './transport'
import { type Clock, systemClock, type SyncTransport } from './ports'

export interface PhoneSyncOptions extends SyncEngineOptions {
  /** Station origin; '' (default) is the page's own origin. */
  baseUrl?: string
  timeoutMs?: number
  clock?: Clock
  transport?: SyncTransport
  gzip?: HttpTransportOptions['gzip']
  fetch?: typeof fetch
  onPushBody?: HttpTransportOptions['onPushBody']
}

export function phoneTransport(db: FieldDb = fieldDb(), opts: PhoneSyncOptions = {}): SyncTransport {
  return createHttpTransport({
    baseUrl: opts.baseUrl ?? '',
    timeoutMs: opts.timeoutMs,
    gzip: opts.gzip,
    fetch: opts.fetch,
    onPushBody: opts.onPushBody,
    token: async () => (await deviceInfo(db))?.token ?? null,
    pending: () => outboxCount(db),
  })
}

export function createPhoneSyncEngine(db: FieldDb = fieldDb(), opts: PhoneSyncOptions = {}): SyncEngine {
  return createSyncEngine(
    {
      outbox: dexieOutboxPort(db),
      reference: dexieReferenceSink(db),
      meta: dexieMetaPort(db),
      transport: opts.transport ?? phoneTransport(db, opts),
      clock: opts.clock ?? systemClock,
      deviceId: async () => (await deviceInfo(db))?.deviceId ?? null,
    },
    opts,
  )
}
