// The one error type of every call the app makes to the station (sync wire, enrollment, the
// station pages' admin API) and of a sync round. `kind` is what callers branch on; `code` is the
// station's own code when it refused with one.
import type { TargetError } from '../../domain/targets'

export const REQUEST_ERROR_KINDS = [
  'offline', // no connection, connection dropped, DNS, refused
  'timeout', // no answer within the client timeout
  'unauthorized', // 401/403: the device token or the station session is missing, expired or revoked
  'rate_limited', // 429: try again after retryAfterMs
  'server', // 5xx
  'sequence_gap', // 409: the station's last sequence for this device is not where the phone thinks
  'request_refused', // another 4xx: the station refused this request as a whole (code + message)
  'schema_mismatch', // the station cannot read this app's schema version (426, or schema_too_new)
  'bad_response', // an answer that is not the protocol, or one meant for another request
  'not_station', // a 4xx without the station's mark: a captive portal, proxy or firewall answered
  'storage', // the phone's own database failed during a sync round
] as const
export type RequestErrorKind = (typeof REQUEST_ERROR_KINDS)[number]

export interface RequestErrorDetails {
  status?: number | null
  code?: string | null
  retryAfterMs?: number | null
  lastSeq?: number | null
  fieldErrors?: TargetError[]
  cause?: unknown
}

export class RequestError extends Error {
  readonly kind: RequestErrorKind
  /** HTTP status when there was one. */
  readonly status: number | null
  /** The station's error code when it gave one. */
  readonly code: string | null
  readonly retryAfterMs: number | null
  /** For sequence_gap: the station's last sequence for this device. */
  readonly lastSeq: number | null
  /** Per-field errors of a refused target (station pages). */
  readonly fieldErrors: TargetError[]

  constructor(kind: RequestErrorKind, message: string, details: RequestErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = 'RequestError'
    this.kind = kind
    this.status = details.status ?? null
    this.code = details.code ?? null
    this.retryAfterMs = details.retryAfterMs ?? null
    this.lastSeq = details.lastSeq ?? null
    this.fieldErrors = details.fieldErrors ?? []
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

  /**
   * The code a message is chosen by: the station's code, else `network` (no answer),
   * `bad_response`, `http_<status>` (someone else's refusal), or the kind.
   */
  get reason(): string {
    if (this.code !== null) return this.code
    if (this.kind === 'offline' || this.kind === 'timeout') return 'network'
    if (this.kind === 'bad_response') return 'bad_response'
    return this.status !== null ? `http_${this.status}` : this.kind
  }
}

/** Anything a sync round throws, as a RequestError: what is not one is the phone's own storage. */
export function toRequestError(err: unknown): RequestError {
  if (err instanceof RequestError) return err
  const e = err as { name?: string; message?: string } | null
  const name = e?.name ?? ''
  // Dexie's errors all end in "Error" and carry a name like DatabaseClosedError/AbortError.
  if (/Dexie|Database|Transaction|Quota|Constraint|ReadOnly|Version/.test(name)) {
    return new RequestError('storage', `phone storage failed: ${e?.message ?? name}`, { cause: err })
  }
  return new RequestError('storage', e?.message ?? String(err), { cause: err })
}
