import type { Store } from '../db/store'
import type { BodyLimits } from '../http/body'
import type { StationLimits } from '../http/limits'
import type { PushAdmission } from '../http/push-admission'
import type { TransportTrust } from '../http/security'
import type { Logger } from '../log'

/** What every route module gets from the app. */
export interface RouteDeps {
  store: Store
  log: Logger
  bodyLimits: BodyLimits
  /** Limits of a push body (larger: up to 500 records). */
  pushBodyLimits: BodyLimits
  /** PBKDF2 iterations for staff PINs (the domain default unless a test lowers it). */
  pinIterations?: number
  /** Public base URL for enrollment links; the request's own origin when null. */
  publicUrl: string | null
  /** The push queue of a station's writer (admits a push or answers busy). */
  pushAdmission: (stationId: string) => PushAdmission
  /** Key of the server's HMACs (enrollment codes, CSRF tokens, known-browser cookies). */
  secret: Buffer
  /** Whether X-Forwarded-Proto / X-Forwarded-For come from a trusted proxy. */
  trust: TransportTrust
  /** Attempt and request limits (http/limits.ts). */
  limits: StationLimits
}
