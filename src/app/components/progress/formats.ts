// The station pages' number formats, made once per locale: the progress screen formats dozens of
// figures each time it opens, and building Intl formatters is the costly part.
import { type NumberFormats, numberFormats } from '../../station/progress-bar-model'

const byLocale = new Map<string, NumberFormats>()

export function cachedNumberFormats(locale: string): NumberFormats {
  let f = byLocale.get(locale)
  if (!f) {
    f = numberFormats(locale)
    byLocale.set(locale, f)
  }
  return f
}
