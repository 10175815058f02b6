// Turns any error a field action can throw into a sentence in the user's language.
import { FieldRecordError } from '../db/record-versions'
import { RequestError } from '../net/errors'
import { serverErrorText } from './server-errors'

export { serverErrorText }

type Translate = (key: string, params?: Record<string, unknown>) => string

export function errorMessage(t: Translate, err: unknown): string {
  if (err instanceof FieldRecordError) {
    return err.code === 'invalid_record'
      ? t('errors.record.invalid_record', { detail: err.message })
      : t(`errors.record.${err.code}`)
  }
  if (err instanceof RequestError) {
    if (err.reason === 'network') return t('errors.api.network')
    // The phone's own wording where it has one (an enrollment code typed wrong too often).
    if (err.reason === 'too_many_attempts') return t('errors.api.too_many_attempts')
    return serverErrorText(t, err.reason)
  }
  // The sync screen's own refusals (src/app/sync/attention.ts), by name: that module needs Dexie.
  if (err instanceof Error && err.name === 'AttentionError') {
    const code = (err as Error & { code?: string }).code
    if (code === 'not_rejected' || code === 'not_voidable' || code === 'not_correctable')
      return t(`errors.attention.${code}`)
  }
  if (err instanceof Error && err.name === 'QuotaExceededError') return t('errors.storageFull')
  return t('errors.unexpected', { message: err instanceof Error ? err.message : String(err) })
}
