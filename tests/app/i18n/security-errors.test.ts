// The refusals the hardened server adds reach people as sentences in their language, not as codes:
// a phone told to wait after wrong enrollment codes, a station page whose request lacked its CSRF token.
import { beforeAll, describe, expect, it } from 'vitest'
import { stationErrorMessage } from '../../../src/app/station/station-errors'
import { LOCALES, loadMessages } from '../../../src/app/i18n'
import { errorMessage } from '../../../src/app/i18n/errors'
import { RequestError } from '../../../src/app/net/errors'

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
    const phone = errorMessage(
      t,
      new RequestError('rate_limited', 'too many failed enrollment codes', { status: 429, code: 'too_many_attempts' }),
    )
    expect(phone).toBe(t('errors.api.too_many_attempts'))
    expect(phone).not.toContain('too_many_attempts')
    for (const code of ['too_many_attempts', 'csrf_refused']) {
      const text = stationErrorMessage(
        t,
        new RequestError(code === 'csrf_refused' ? 'unauthorized' : 'rate_limited', 'refused', {
          status: code === 'csrf_refused' ? 403 : 429,
          code,
        }),
      )
      expect(text).toBe(t(`station.errors.${code}`))
    }
  })
})
