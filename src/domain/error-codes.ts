// Every code the station server can answer with, in one list, so each has a message in both of the
// app's languages (tests/app/i18n/error-codes.test.ts reads the server's source and checks it is here).
// The server's own message is English for logs and tools; a screen shows the code's message.
import { REJECT_CODES } from './reject-codes'

/** Codes of a refused request (`{ code, message }` with a 4xx or 5xx status). */
export const API_ERROR_CODES = [
  'already_set_up',
  'bad_credentials',
  'busy',
  'code_taken',
  'csrf_refused',
  'database_unavailable',
  'forbidden',
  'id_taken',
  'internal',
  'invalid_account',
  'invalid_channel',
  'invalid_code',
  'invalid_encoding',
  'invalid_follow_up',
  'invalid_json',
  'invalid_period',
  'invalid_pin',
  'invalid_population',
  'invalid_request',
  'invalid_scope',
  'invalid_site',
  'invalid_staff',
  'invalid_station',
  'invalid_target',
  'invalid_team',
  'not_found',
  'overlapping_duplicate',
  'schema_too_new',
  'schema_too_old',
  'sequence_conflict',
  'sequence_gap',
  'station_exists',
  'too_deep',
  'too_large',
  'too_many_attempts',
  'unauthorized',
  'unsupported_encoding',
  'unsupported_media_type',
  'username_taken',
  'wrong_device',
  // Drive plans and donor flags (issue 15)
  'invalid_plan',
  'invalid_donor_flag',
] as const

/** Every code a phone or a station page can receive from the server (request or per-record refusal). */
export const SERVER_ERROR_CODES: readonly string[] = [...new Set<string>([...API_ERROR_CODES, ...REJECT_CODES])].sort()

export function isServerErrorCode(code: string): boolean {
  return SERVER_ERROR_CODES.includes(code)
}

/**
 * Per-record refusals that something else may fix later (the drive or staff member arrives, the
 * station is updated), so sending the same record again can succeed. Any other refusal of a
 * record needs it corrected or voided: sending it again as it is would be refused again.
 */
export const RETRYABLE_REJECT_CODES: readonly string[] = ['unknown_reference', 'schema_too_new']
