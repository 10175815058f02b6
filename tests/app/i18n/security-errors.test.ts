// The refusals the hardened server adds reach people as sentences in their language, not as codes:
// a phone told to wait after wrong enrollment codes, a station page whose request lacked its CSRF token.
import { beforeAll, describe, expect, it } from 'vitest'
import { stationErrorMessage } from '../../../src/app/station/station-errors'
import { LOCALES, loadMessages } from '../../../src/app/i18n'
import { errorMessage } from '../../../src/app/i18n/errors'
import { ApiError } from '../../../src/app/sync/api'
import { StationApiError } from '../../../src/app/sync/station-client'

describe('messages for the security refusals', () => {
  let messages: Awaited<ReturnType<typeof loadMessages>>
  beforeAll(async () => {
    messages = await loadMessages()
  })
  const translate = (locale: (typeof LOCALES)[number]) => (key: string) => {
    const text = key
      .split('.')
      .reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], messages[locale])
    if (typeof text !== 'string') throw new Error(`no message ${key} in ${locale}`)
    return text
  }

  it.each(LOCALES)('has its own sentence for each, in %s', (locale) => {
    const t = translate(locale)
    const phone = errorMessage(t, new ApiError('too_many_attempts', 'too many failed enrollment codes', 429))
    expect(phone).toBe(t('errors.api.too_many_attempts'))
    expect(phone).not.toContain('too_many_attempts')
    for (const code of ['too_many_attempts', 'csrf_refused']) {
      const text = stationErrorMessage(t, new StationApiError(code, 'refused', code === 'csrf_refused' ? 403 : 429))
      expect(text).toBe(t(`station.errors.${code}`))
    }
  })
})
