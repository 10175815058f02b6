// Server error codes as sentences (no Dexie here: station pages import it too).
import { isServerErrorCode } from '../../domain/error-codes'

type Translate = (key: string, params?: Record<string, unknown>) => string

/**
 * A server error code as a sentence in the user's language. The server's own message is English
 * (for logs and tools) and a code is no sentence: neither is shown.
 */
export function serverErrorText(t: Translate, code: string | null | undefined): string {
  return code && isServerErrorCode(code) ? t(`serverErrors.${code}`) : t('serverErrors.other')
}
