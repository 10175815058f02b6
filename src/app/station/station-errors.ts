// Any error a station page can meet, as a sentence in the manager's language: known server codes
// have their own message, others show the server's message and code.
import type { TargetError } from '../../domain/targets'
import { RequestError } from '../net/errors'
import { serverErrorText } from '../i18n/server-errors'

type Translate = (key: string, params?: Record<string, unknown>) => string

/** Server codes with a message of their own under `station.errors`. */
const KNOWN = [
  'network',
  'bad_credentials',
  'unauthorized',
  'forbidden',
  'too_many_attempts',
  'csrf_refused',
  'invalid_pin',
  'not_found',
  'code_taken',
  'username_taken',
  'bad_response',
  'overlapping_duplicate',
  'invalid_target',
  // Bounded input and a lost database (issue 11)
  'database_unavailable',
  'too_large',
  'too_deep',
  'invalid_station',
] as const

export function stationErrorMessage(t: Translate, err: unknown): string {
  if (err instanceof RequestError) {
    if ((KNOWN as readonly string[]).includes(err.reason))
      return t(`station.errors.${err.reason}`, { message: err.message })
    return serverErrorText(t, err.reason)
  }
  return t('station.errors.unexpected', { message: err instanceof Error ? err.message : String(err) })
}

/** One target error as the form shows it under its field. */
export function targetErrorMessage(t: Translate, e: TargetError): string {
  const params: Record<string, unknown> = { ...e.params }
  if (typeof params.kind === 'string') {
    params.kindName = t(
      e.code === 'period_not_calendar'
        ? `station.targets.periodKind.${params.kind}`
        : `station.targets.scopeKind.${params.kind}`,
    )
  }
  return t(`station.targets.errors.${e.code}`, params)
}
