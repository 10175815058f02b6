import type { Store } from '../db/store'
import type { BodyLimits } from '../http/body'
import type { PushAdmission } from '../http/push-admission'
import type { Logger } from '../log'

/** What every route module gets from the app. */
export interface RouteDeps {
  store: Store
  log: Logger
  bodyLimits: BodyLimits
  /** PBKDF2 iterations for staff PINs (the domain default unless a test lowers it). */
  pinIterations?: number
  /** Public base URL for enrollment links; the request's own origin when null. */
  publicUrl: string | null
  /** Failed logins or enrollments per client address per minute before 429. */
  failedAttemptsPerMinute: number
  /** The push queue of a station's writer (admits a push or answers busy). */
  pushAdmission: (stationId: string) => PushAdmission
}
