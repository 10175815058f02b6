// vue-i18n with one message file per feature and locale: locales/<locale>/<feature>.ts exports
// a default object that lands under the feature's name (`drive.open.title`).
import { createI18n } from 'vue-i18n'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh-CN'
const LOCALE_KEY = 'bloodbus.locale'

// Message trees are plain nested objects of strings.
type Messages = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const files = import.meta.glob<{ default: Messages }>('./locales/*/*.ts', { eager: true })

export function loadMessages(): Record<Locale, Messages> {
  const messages = Object.fromEntries(LOCALES.map((l) => [l, {} as Messages])) as Record<Locale, Messages>
  for (const [path, mod] of Object.entries(files)) {
    const m = /\.\/locales\/([^/]+)\/([^/]+)\.ts$/.exec(path)
    if (!m) continue
    const [, locale, feature] = m as unknown as [string, Locale, string]
    if (messages[locale]) messages[locale][feature] = mod.default
  }
  return messages
}

export function savedLocale(): Locale {
  const saved = globalThis.localStorage?.getItem(LOCALE_KEY)
  return (LOCALES as readonly string[]).includes(saved ?? '') ? (saved as Locale) : DEFAULT_LOCALE
}

export function rememberLocale(locale: Locale): void {
  globalThis.localStorage?.setItem(LOCALE_KEY, locale)
  document.documentElement.lang = locale
}

export function createAppI18n(locale: Locale = savedLocale()) {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: false,
    missingWarn: false,
    fallbackWarn: false,
    messages: loadMessages(),
  })
}
