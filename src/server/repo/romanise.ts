// Pinyin of the names phones search (sites, staff), worked out here so the phone app carries no
// dictionary (pinyin-pro is server-only; a build check keeps it out of the phone bundle).
import { pinyin } from 'pinyin-pro'
import type { RosterEntry, Site } from '../../domain/records'

export interface Romanisation {
  /** Syllables without tones, space-separated, ü as v; other text kept as lower-case words. */
  pinyin: string
  /** First letter of each syllable; other words whole. */
  initials: string
}

const cache = new Map<string, Romanisation>()
const CACHE_LIMIT = 10_000

function words(list: string[]): string[] {
  return list
    .flatMap((w) =>
      w
        .normalize('NFKC')
        .toLowerCase()
        .split(/[^a-z0-9ü]+/),
    )
    .filter((w) => w.length > 0)
}

/** Romanises a name; `person` reads a leading surname as a surname (单 shan, 曾 zeng). */
export function romanise(name: string, person = false): Romanisation {
  const key = `${person ? 'p' : 's'}:${name}`
  const known = cache.get(key)
  if (known) return known
  const options = { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true } as const
  const syllables = words(pinyin(name, { ...options, ...(person ? { surname: 'head' as const } : {}) }))
  const result = {
    pinyin: syllables.join(' '),
    initials: syllables.map((s) => (/^[a-z]/.test(s) && !/\d/.test(s) ? s[0]! : s)).join(''),
  }
  if (cache.size >= CACHE_LIMIT) cache.clear()
  cache.set(key, result)
  return result
}

export const romanisedSite = (site: Site): Site => ({ ...site, ...romanise(site.name) })
export const romanisedStaff = (entry: RosterEntry): RosterEntry => ({ ...entry, ...romanise(entry.name, true) })
