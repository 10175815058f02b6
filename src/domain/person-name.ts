// A donor's name as written on the ID card: Chinese characters, Latin letters (foreign donors,
// names in pinyin), the middle dot "·" between the parts of a minority name (阿依古丽·买买提), a
// single space between Latin words. No digits, emoji, symbols or control characters.
//
// normalizePersonName() is for what staff type (the look-alike dots of Chinese, Japanese and
// Taiwanese input methods, full-width letters and spaces); personNameProblem() checks a name as
// stored or sent, without changing it, so the server refuses what the phone should have fixed.

export const MIDDLE_DOT = '·'
export const PERSON_NAME_MAX = 60

export const PERSON_NAME_ERRORS = ['empty', 'too_long', 'characters', 'dot', 'space'] as const
export type PersonNameError = (typeof PERSON_NAME_ERRORS)[number]
export interface PersonNameProblem {
  error: PersonNameError
  /** The characters that are not allowed, in order, adjacent ones together ("😀👍🏽"). */
  bad?: string[]
}

/** Dots people type for "·": bullet, hyphenation point, katakana middle dots, dot/bullet operators, word separator. */
const DOT_LOOKALIKES = /[\u2022\u2027\u30FB\uFF65\u22C5\u2219\u2E31\u0387\u16EB\u2981\u00B7]/gu
/** Full stops typed between two Chinese characters mean the middle dot too ("买买提.艾力"). */
const HAN_FULL_STOP = /(?<=\p{Script=Han})\s*[.\uFF0E\u3002]\s*(?=\p{Script=Han})/gu
const HAN = /\p{Script=Han}/u
const LATIN = /^(?=\p{L})\p{Script=Latin}$/u
const MARK = /^\p{M}$/u
/** Inside a Latin name only: Jean-Pierre, O'Brien. */
const JOINERS = new Set(['-', "'", '\u2019'])

function kind(c: string): 'han' | 'latin' | 'mark' | 'dot' | 'space' | 'joiner' | 'other' {
  if (c === MIDDLE_DOT) return 'dot'
  if (c === ' ') return 'space'
  if (JOINERS.has(c)) return 'joiner'
  if (HAN.test(c)) return 'han'
  if (LATIN.test(c)) return 'latin'
  if (MARK.test(c)) return 'mark'
  return 'other'
}

/** What staff typed, tidied: one kind of dot, no spaces around it or beside Chinese characters. */
export function normalizePersonName(text: string): string {
  return (
    text
      .normalize('NFC')
      // Full-width Latin letters (a Chinese input method in full-width mode).
      .replace(/[\uFF21-\uFF3A\uFF41-\uFF5A]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
      .replace(/\s+/gu, ' ')
      .replace(DOT_LOOKALIKES, MIDDLE_DOT)
      .replace(HAN_FULL_STOP, MIDDLE_DOT)
      .replace(/ ?· ?/gu, MIDDLE_DOT)
      // "张 三" is 张三: spaces only separate Latin words.
      .replace(/(?<=\p{Script=Han}) | (?=\p{Script=Han})/gu, '')
      .trim()
  )
}

/** Why a name cannot be stored as it is, or null. Linear in the name's length (no regex backtracking). */
export function personNameProblem(name: string): PersonNameProblem | null {
  const chars = Array.from(name)
  if (chars.length === 0 || name.trim() === '') return { error: 'empty' }
  if (chars.length > PERSON_NAME_MAX) return { error: 'too_long' }
  const kinds = chars.map(kind)
  const bad: string[] = []
  for (let i = 0; i < chars.length; i++) {
    if (kinds[i] !== 'other') continue
    // Variation selectors and skin tones show as part of the character before them.
    const c = chars[i]!
    if (i > 0 && kinds[i - 1] === 'other') bad[bad.length - 1] = bad.at(-1)! + c
    else bad.push(c)
  }
  if (bad.length > 0) return { error: 'characters', bad }
  const letter = (k: string | undefined) => k === 'han' || k === 'latin' || k === 'mark'
  const latin = (k: string | undefined) => k === 'latin' || k === 'mark'
  for (let i = 0; i < kinds.length; i++) {
    const before = kinds[i - 1]
    const after = kinds[i + 1]
    switch (kinds[i]) {
      case 'dot':
        if (!letter(before) || !letter(after)) return { error: 'dot' }
        break
      case 'space':
        if (!latin(before) || after !== 'latin') return { error: 'space' }
        break
      case 'joiner':
        if (!latin(before) || after !== 'latin') return { error: 'characters', bad: [chars[i]!] }
        break
      case 'mark':
        if (!latin(before)) return { error: 'characters', bad: [chars[i]!] }
        break
    }
  }
  return null
}

/** The name to store, or why not: normalised first, then checked. */
export function checkPersonName(
  text: string,
): { ok: true; name: string } | ({ ok: false; name: string } & PersonNameProblem) {
  const name = normalizePersonName(text)
  const problem = personNameProblem(name)
  return problem ? { ok: false, name, ...problem } : { ok: true, name }
}
