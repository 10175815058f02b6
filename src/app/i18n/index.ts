// vue-i18n with one message file per feature and locale: locales/<locale>/<feature>.ts exports
// a default object that lands under the feature's name (`drive.open.title`).
//
// Only what the first screen needs ships with the app's first JavaScript: the features of the
// staff lock and the donor form's first step, in Chinese (FIRST_FEATURES). The other field
// features ("core") load after that screen or before any other screen (ready(), router guard);
// English when someone switches to it (or saved it); the manager's features (station, progress)
// when their routes load: loadFeatures() before those screens show.
import { markRaw } from 'vue'
import { createI18n } from 'vue-i18n'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh-CN'
const LOCALE_KEY = 'bloodbus.locale'

/** Features loaded only by the screens that use them (the rest are "core", needed on every field screen). */
export const LAZY_FEATURES = ['station', 'progress'] as const
export type LazyFeature = (typeof LAZY_FEATURES)[number]
const CORE = 'core'
const FIRST = 'first'
/** The staff lock's and the donor form's first step's features: bundled with the app in Chinese. */
export const FIRST_FEATURES = ['common', 'staff', 'pickers', 'field', 'donor', 'errors']

// Message trees are plain nested objects of strings (in the build, precompiled message ASTs).
type Messages = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
type MessageModule = { default: Messages }

// Keep these globs in step with FIRST_FEATURES and DEFAULT_LOCALE (import.meta.glob takes literals).
const eager = import.meta.glob<MessageModule>('./locales/zh-CN/{common,staff,pickers,field,donor,errors}.ts', {
  eager: true,
})
const lazy = import.meta.glob<MessageModule>([
  './locales/en/*.ts',
  './locales/zh-CN/*.ts',
  '!./locales/zh-CN/{common,staff,pickers,field,donor,errors}.ts',
])

function parsePath(path: string): { locale: Locale; feature: string } | null {
  const m = /\.\/locales\/([^/]+)\/([^/]+)\.ts$/.exec(path)
  if (!m || !(LOCALES as readonly string[]).includes(m[1]!)) return null
  return { locale: m[1] as Locale, feature: m[2]! }
}

const isLazyFeature = (feature: string): boolean => (LAZY_FEATURES as readonly string[]).includes(feature)
const isFirstFeature = (feature: string): boolean => FIRST_FEATURES.includes(feature)
/** Whether a message file belongs to a part: FIRST, CORE (every field feature, FIRST's too) or one lazy feature. */
function inPart(feature: string, part: string): boolean {
  if (part === FIRST) return isFirstFeature(feature)
  if (part === CORE) return !isLazyFeature(feature)
  return feature === part
}

/** Messages on hand, per locale; grows as lazy files load. */
const available: Record<Locale, Messages> = { 'zh-CN': {}, en: {} }
/** What has been loaded per locale: FIRST, CORE (all field features), or a lazy feature's name. */
const loaded: Record<Locale, Set<string>> = { 'zh-CN': new Set(), en: new Set() }
for (const [path, mod] of Object.entries(eager)) {
  const p = parsePath(path)
  if (p) available[p.locale][p.feature] = mod.default
}
loaded[DEFAULT_LOCALE].add(FIRST)

/**
 * The messages of a locale as the i18n holds them: a fresh object (the shared table must not
 * become part of one instance's state), marked raw, so a lookup walks plain objects instead of
 * reactive proxies (a tenth of a cold start's script time, measured). Components still follow a
 * change: a load replaces the locale's whole object (setLocaleMessage), which is reactive.
 */
const rawMessages = (locale: Locale): Messages => markRaw({ ...available[locale] })

/** The i18n the app runs with; loadFeatures() and setAppLocale() add messages to it. */
let current: {
  global: { locale: { value: string }; setLocaleMessage: (locale: string, messages: Messages) => void }
} | null = null

const pending = new Map<string, Promise<void>>()

function fetchPart(locale: Locale, part: string): Promise<void> {
  if (loaded[locale].has(part) || (part === FIRST && loaded[locale].has(CORE))) return Promise.resolve()
  const key = `${locale}:${part}`
  let fetching = pending.get(key)
  if (!fetching) {
    fetching = (async () => {
      const wanted = Object.entries(lazy).filter(([path]) => {
        const p = parsePath(path)
        return p !== null && p.locale === locale && !(p.feature in available[locale]) && inPart(p.feature, part)
      })
      const mods = await Promise.all(
        wanted.map(async ([path, load]) => [parsePath(path)!.feature, (await load()).default] as const),
      )
      for (const [feature, msgs] of mods) available[locale][feature] = msgs
      if (mods.length > 0) current?.global.setLocaleMessage(locale, rawMessages(locale))
      loaded[locale].add(part)
    })().finally(() => pending.delete(key))
    pending.set(key, fetching)
  }
  return fetching
}

/**
 * Loads the field features ("core") and the given lazy ones for the active locale (the other
 * locale's come on switching). Every screen but the first awaits it (router guard).
 */
export async function loadFeatures(...features: LazyFeature[]): Promise<void> {
  const locale = (current?.global.locale.value as Locale | undefined) ?? savedLocale()
  await Promise.all([fetchPart(locale, CORE), ...features.map((f) => fetchPart(locale, f))])
}

/** Switches the language: loads what this phone has been showing in the other one first, then remembers the choice. */
export async function setAppLocale(locale: Locale): Promise<void> {
  const other = locale === 'en' ? 'zh-CN' : 'en'
  await Promise.all([
    fetchPart(locale, CORE),
    ...[...loaded[other]].filter((p) => p !== CORE && p !== FIRST).map((p) => fetchPart(locale, p)),
  ])
  if (current) current.global.locale.value = locale
  rememberLocale(locale)
}

/**
 * Every message of both locales (tests, and a check that both locales have the same keys). Also
 * makes every later createAppI18n() carry all of them.
 */
export async function loadMessages(): Promise<Record<Locale, Messages>> {
  await Promise.all(LOCALES.flatMap((l) => [CORE, ...LAZY_FEATURES].map((p) => fetchPart(l, p))))
  return available
}

export function savedLocale(): Locale {
  const saved = globalThis.localStorage?.getItem(LOCALE_KEY)
  return (LOCALES as readonly string[]).includes(saved ?? '') ? (saved as Locale) : DEFAULT_LOCALE
}

export function rememberLocale(locale: Locale): void {
  globalThis.localStorage?.setItem(LOCALE_KEY, locale)
  document.documentElement.lang = locale
}

/**
 * The app's i18n with the messages on hand. For a locale whose core messages are not loaded yet
 * (English), await ready() before mounting.
 */
export function createAppI18n(locale: Locale = savedLocale()) {
  const i18n = createI18n({
    legacy: false,
    locale,
    fallbackLocale: false,
    missingWarn: false,
    fallbackWarn: false,
    messages: { 'zh-CN': rawMessages('zh-CN'), en: rawMessages('en') },
  })
  current = { global: i18n.global as never }
  return i18n
}

/** Resolves once the first screen's messages of the i18n's locale are there (at once for Chinese). */
export function ready(): Promise<void> {
  return fetchPart((current?.global.locale.value as Locale | undefined) ?? savedLocale(), FIRST)
}
