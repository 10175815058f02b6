// Every refusal the API gives is JSON `{ code, message }` with a 4xx status; only a fault of the
// server itself is a 5xx. The HTTP layer's own refusals (body limits, CSRF, sessions, query
// strings) are ApiErrors with their status; the repo layer's are Refusals, given a status here.
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import * as v from 'valibot'
import { describeIssues, type Refusal, type RefusalCode } from '../repo/refusal'

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    /** Extra fields sent beside code and message (e.g. lastSeq for a sequence gap). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** The one place a repo refusal becomes an HTTP status. */
export const REFUSAL_STATUS: Record<RefusalCode, ContentfulStatusCode> = {
  invalid_request: 400,
  invalid_plan: 400,
  invalid_donor_flag: 400,
  invalid_account: 400,
  invalid_station: 400,
  invalid_site: 400,
  invalid_channel: 400,
  invalid_team: 400,
  invalid_staff: 400,
  invalid_pin: 400,
  invalid_population: 400,
  invalid_target: 400,
  invalid_period: 400,
  invalid_scope: 400,
  invalid_code: 400,
  bad_credentials: 401,
  unauthorized: 401,
  wrong_device: 403,
  not_found: 404,
  username_taken: 409,
  station_exists: 409,
  id_taken: 409,
  code_taken: 409,
  overlapping_duplicate: 409,
  invalid_follow_up: 409,
  sequence_gap: 409,
  sequence_conflict: 409,
  // The batch is well-formed but this server cannot read its schema version.
  schema_too_new: 422,
  schema_too_old: 422,
  // Another writer stored the same record at the same moment: sending again works.
  busy: 503,
}

/** A repo refusal as the API's answer: status from the table, `{ code, message, ...details }`. */
export function refusalAnswer(err: Refusal): { status: ContentfulStatusCode; body: Record<string, unknown> } {
  return { status: REFUSAL_STATUS[err.code], body: { code: err.code, message: err.message, ...err.details } }
}

/** Parses with a shared schema or throws a 400 naming what is wrong. */
export function parseOr400<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  code = 'invalid_request',
): v.InferOutput<S> {
  const result = v.safeParse(schema, input)
  if (!result.success) throw new ApiError(400, code, describeIssues(result.issues))
  return result.output
}
