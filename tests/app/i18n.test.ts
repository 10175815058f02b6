import { describe, expect, it } from 'vitest'
import { LOCALES, loadMessages } from '../../src/app/i18n'

function keys(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix]
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe('translations', () => {
  const messages = loadMessages()

  it('has messages for every locale', () => {
    for (const l of LOCALES) expect(Object.keys(messages[l]).length).toBeGreaterThan(0)
  })

  it('zh-CN and en have exactly the same keys, none empty', () => {
    const zh = keys(messages['zh-CN']).sort()
    const en = keys(messages.en).sort()
    expect(en.filter((k) => !zh.includes(k)), 'keys only in en').toEqual([])
    expect(zh.filter((k) => !en.includes(k)), 'keys only in zh-CN').toEqual([])
    for (const l of LOCALES) {
      const empty = keys(messages[l]).filter((k) => {
        const v = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], messages[l])
        return typeof v !== 'string' || v.trim() === ''
      })
      expect(empty, `empty or non-string messages in ${l}`).toEqual([])
    }
  })
})
