// Every way a sync request can fail, as one error type the engine and the scheduler branch on.

export const SYNC_ERROR_KINDS = [
  'offline', // no connection, connection dropped, DNS, refused
  'timeout', // no answer within the client timeout
  'unauthorized', // 401/403: the device token is missing, expired or revoked
  'rate_limited', // 429: try again after retryAfterMs
  'server', // 5xx
  'sequence_gap', // 409: the station's last sequence for this device is not where the phone thinks
  'request_refused', // another 4xx: the station refused this request as a whole (code + message)
  'schema_mismatch', // the station cannot read this app's schema version (426, or schema_too_new)
  'bad_response', // an answer that is not the protocol, or one meant for another request
  'not_station', // a 4xx without the station's mark: a captive portal, proxy or firewall answered
  'storage', // the phone's own database failed
] as const
export type SyncErrorKind = (typeof SYNC_ERROR_KINDS)[number]

export class SyncError extends Error {
  readonly kind: SyncErrorKind
  /** HTTP status when there was one. */
  readonly status: number | null
  /** The station's error code when it gave one. */
  readonly code: string | null
  readonly retryAfterMs: number | null
  /** For sequence_gap: the station's last sequence for this device. */
  readonly lastSeq: number | null

  constructor(
    kind: SyncErrorKind,
    message: string,
    extra: {
      status?: number | null
      code?: string | null
      retryAfterMs?: number | null
      lastSeq?: number | null
      cause?: unknown
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause })
    this.name = 'SyncError'
    this.kind = kind
    this.status = extra.status ?? null
    this.code = extra.code ?? null
    this.retryAfterMs = extra.retryAfterMs ?? null
    this.lastSeq = extra.lastSeq ?? null
  }

  /** Worth trying again later without anyone doing anything. */
  get transient(): boolean {
    return (
      this.kind === 'offline' ||
      this.kind === 'timeout' ||
      this.kind === 'rate_limited' ||
      this.kind === 'server' ||
      this.kind === 'bad_response' ||
      this.kind === 'not_station' ||
      this.kind === 'storage'
    )
  }
}

export function toSyncError(err: unknown): SyncError {
  if (err instanceof SyncError) return err
  const e = err as { name?: string; message?: string } | null
  const name = e?.name ?? ''
  // Dexie's errors all end in "Error" and carry a name like DatabaseClosedError/AbortError.
  if (/Dexie|Database|Transaction|Quota|Constraint|ReadOnly|Version/.test(name)) {
    return new SyncError('storage', `phone storage failed: ${e?.message ?? name}`, { cause: err })
  }
  return new SyncError('storage', e?.message ?? String(err), { cause: err })
}
