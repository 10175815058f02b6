// Finding a site or a staff member as a crew types: by the Chinese name, by full pinyin ("checun")
// or by initials ("ccz"), in any mix of the two ("checz"). The server romanises names (pinyin-pro)
// and sends them with the reference rows, so the phone needs no dictionary; a row without them is
// still found by its Chinese text.

/** What the server adds to a name: syllables without tones, space-separated ("che cun zhen"), and their first letters. */
export interface Romanised {
  name: string
  pinyin?: string | undefined
  initials?: string | undefined
}

/** Lower case, full-width letters and digits folded (NFKC), surrounding space gone. */
export function foldText(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim()
}

/**
 * The query as pinyin letters and digits ("Che Cun'z" → "checunz", "xxz01"), or null when it holds
 * anything else (Chinese). Digits are words of their own in the romanised name ("采血点01" → "cai
 * xue dian 01", initials "cxd01"), so "cxd01" or "dian01" find it.
 */
function pinyinQuery(folded: string): string | null {
  const letters = folded.replace(/[\s'’]/g, '')
  return /^[a-zü0-9]+$/.test(letters) ? letters.replace(/ü/g, 'v') : null
}

/**
 * True when `q` is spelt by a run of syllables from `start`, each giving a non-empty prefix of
 * itself. `failed` remembers dead ends (syllable, position in q), so long names stay quick.
 */
function spells(syllables: readonly string[], start: number, q: string, at = 0, failed = new Set<number>()): boolean {
  if (at === q.length) return true
  if (start >= syllables.length) return false
  const state = start * (q.length + 1) + at
  if (failed.has(state)) return false
  const syllable = syllables[start]!
  for (let k = Math.min(syllable.length, q.length - at); k >= 1; k--) {
    if (syllable.startsWith(q.slice(at, at + k)) && spells(syllables, start + 1, q, at + k, failed)) return true
  }
  failed.add(state)
  return false
}

/**
 * How well `query` finds `entry`: null for not at all, else higher is better (3 the name starts
 * with it, 2 the pinyin does from the first syllable, 1 found inside). An empty query finds all.
 */
export function nameMatch(query: string, entry: Romanised): number | null {
  const q = foldText(query)
  if (q.length === 0) return 0
  const name = foldText(entry.name)
  if (name.startsWith(q)) return 3
  if (name.includes(q)) return 1
  const letters = pinyinQuery(q)
  if (letters === null) return null
  const syllables = (entry.pinyin ?? '').split(' ').filter((s) => s.length > 0)
  if (syllables.length > 0) {
    if (spells(syllables, 0, letters)) return 2
    for (let i = 1; i < syllables.length; i++) if (spells(syllables, i, letters)) return 1
  }
  const initials = entry.initials ?? ''
  if (initials.startsWith(letters)) return 2
  if (initials.includes(letters)) return 1
  return null
}

/** The entries `query` finds, best first; equal ones keep their order (pinyin order from the store). */
export function searchByName<T extends Romanised>(entries: readonly T[], query: string): T[] {
  const scored: { entry: T; score: number; index: number }[] = []
  entries.forEach((entry, index) => {
    const score = nameMatch(query, entry)
    if (score !== null) scored.push({ entry, score, index })
  })
  return scored.sort((a, b) => b.score - a.score || a.index - b.index).map((s) => s.entry)
}
