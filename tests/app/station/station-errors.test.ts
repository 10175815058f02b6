// The station pages name the refusals of issue 11 in the manager's language instead of showing the
// server's English message: a lost database, a body too large or too deep.
import { beforeAll, describe, expect, it } from 'vitest'
import { stationErrorMessage } from '../../../src/app/station/station-errors'
import { LOCALES, loadMessages } from '../../../src/app/i18n'
import { RequestError } from '../../../src/app/net/errors'

describe('station page errors', () => {
  let messages: Awaited<ReturnType<typeof loadMessages>>
  beforeAll(async () => {
    messages = await loadMessages()
  })

  const translator =
    (locale: (typeof LOCALES)[number]) =>
    (key: string, params: Record<string, unknown> = {}) => {
      const text = key.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)?.[p], messages[locale])
      if (typeof text !== 'string') return `missing:${key}`
      return text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k]))
    }

  it.each(['database_unavailable', 'too_large', 'too_deep'])(
    '%s has a message of its own in both languages',
    (code) => {
      const err = new RequestError('server', 'the database cannot be reached right now; send the request again', {
        status: 503,
        code,
      })
      const zh = stationErrorMessage(translator('zh-CN'), err)
      const en = stationErrorMessage(translator('en'), err)
      expect(zh).not.toMatch(/missing:|send the request again/)
      expect(en).not.toMatch(/missing:|send the request again/)
      expect(zh).not.toBe(en)
    },
  )
})
