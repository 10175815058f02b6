import { beforeAll, describe, expect, it } from 'vitest'
import { createAppI18n, LAZY_FEATURES, LOCALES, loadMessages, savedLocale, setAppLocale } from '../../../src/app/i18n'

function keys(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix]
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe('translations', () => {
  let messages: Awaited<ReturnType<typeof loadMessages>>
  beforeAll(async () => {
    messages = await loadMessages()
  })

  it('has messages for every locale', () => {
    for (const l of LOCALES) expect(Object.keys(messages[l]).length).toBeGreaterThan(0)
  })

  it('zh-CN and en have exactly the same keys, none empty', () => {
    const zh = keys(messages['zh-CN']).sort()
    const en = keys(messages.en).sort()
    expect(
      en.filter((k) => !zh.includes(k)),
      'keys only in en',
    ).toEqual([])
    expect(
      zh.filter((k) => !en.includes(k)),
      'keys only in zh-CN',
    ).toEqual([])
    for (const l of LOCALES) {
      const empty = keys(messages[l]).filter((k) => {
        const v = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], messages[l])
        return typeof v !== 'string' || v.trim() === ''
      })
      expect(empty, `empty or non-string messages in ${l}`).toEqual([])
    }
  })

  it('has every lazily loaded feature in both locales', () => {
    for (const l of LOCALES)
      for (const f of LAZY_FEATURES) expect(Object.keys(messages[l][f] ?? {}).length, `${l}/${f}`).toBeGreaterThan(0)
  })

  it('switches the language of the running app and remembers it', async () => {
    const i18n = createAppI18n('zh-CN')
    const t = (k: string) => (i18n.global as unknown as { t: (k: string) => string }).t(k)
    expect(t('common.save')).toBe('保存')
    await setAppLocale('en')
    expect(t('common.save')).toBe(messages.en.common.save)
    expect(savedLocale()).toBe('en')
    expect(document.documentElement.lang).toBe('en')
    await setAppLocale('zh-CN')
    expect(t('common.save')).toBe('保存')
  })
})
