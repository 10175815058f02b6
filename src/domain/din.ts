// Bag numbers (donation identification numbers). Which label standard a station prints is not
// certain, so the format is pluggable: a DinFormat parses, checks and counts its own numbers, and a
// station picks one by id. ISBT 128 is the default.

export const DIN_ERRORS = ['length', 'characters', 'check_character', 'format'] as const
export type DinError = (typeof DIN_ERRORS)[number]

export interface DinParts {
  /** The number without check or flag characters (13 for ISBT 128). */
  body: string
  /** The check character for `body` (as printed in the box beside the number). */
  check: string
  facility: string
  year: string
  sequence: number
  /** Numbers of one series run consecutively (ISBT 128: facility + year). */
  series: string
  /** What records store: body + check. */
  canonical: string
  /** Flag characters when read from a barcode or typed with them; null otherwise. */
  flags: string | null
  /** True when the input carried a check (typed check character, or a barcode, self-checking). */
  checked: boolean
}

export type DinParse = ({ ok: true } & DinParts) | { ok: false; error: DinError }

export interface DinParseOptions {
  /** Accept the body alone, without its check character (e.g. range ends typed from a box label). */
  allowMissingCheck?: boolean
}

export interface DinFormat {
  id: string
  label: string
  bodyLength: number
  parse(text: string, options?: DinParseOptions): DinParse
  checkCharacter(body: string): string
  /** Body + check, as stored in records. */
  format(body: string): string
  /** The body of the next bag in the series, or null after the last sequence number. */
  next(body: string): string | null
}

// ---------------------------------------------------------------------------------------------
// ISO 7064 MOD 37-2 over "0-9A-Z*"

export const MOD37_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*'

/** ISO 7064 MOD 37-2 check character; throws on a character outside 0-9 A-Z. */
export function mod37_2(text: string): string {
  let t = 0
  for (const c of text) {
    const v = MOD37_ALPHABET.indexOf(c)
    if (v < 0 || v > 35) throw new RangeError(`not a DIN character: ${JSON.stringify(c)}`)
    t = ((t + v) * 2) % 37
  }
  return MOD37_ALPHABET[(38 - t) % 37]!
}

// ---------------------------------------------------------------------------------------------
// ISBT 128 (data structure 001): "=" α pppp yy nnnnnn ff

const ISBT_BODY_LENGTH = 13
// ICCBBA assigns α from A–N, P–Z, 1–9 and pppp as digits; letters are accepted in pppp too because
// the labels a station buys are not certain (the brief's own example is ABCDE…).
const ISBT_BODY = /^([A-NP-Z1-9][0-9A-Z]{4})(\d{2})(\d{6})$/
/** Flag values 60–96 carry the check value in the barcode (ISBT 128 type 2 flags). */
const CHECK_FLAG_MIN = 60

function normalizeDinText(text: string): string {
  // A scanner set to send AIM symbology identifiers prefixes Code 128 data with "]C0".
  return text
    .replace(/\s+/gu, '')
    .replace(/^\]C\d/u, '')
    .toUpperCase()
}

function parseIsbt128(text: string, options: DinParseOptions = {}): DinParse {
  const s = normalizeDinText(text)
  const fromBarcode = s.startsWith('=')
  const data = fromBarcode ? s.slice(1) : s
  if (!/^[0-9A-Z*]*$/.test(data)) return { ok: false, error: 'characters' }

  let body: string
  let flags: string | null = null
  let typedCheck: string | null = null
  if (fromBarcode) {
    // Code 128 data content: "=" + 13 + 2 flag characters (flags sometimes dropped by a scanner setup).
    if (data.length !== 13 && data.length !== 15) return { ok: false, error: 'length' }
    body = data.slice(0, 13)
    flags = data.length === 15 ? data.slice(13) : null
  } else if (data.length === 14) {
    body = data.slice(0, 13)
    typedCheck = data.slice(13)
  } else if (data.length === 16 && /^\d{2}$/.test(data.slice(13, 15))) {
    // Eye-readable text copied with its rotated flag characters: body, flags, boxed check.
    body = data.slice(0, 13)
    flags = data.slice(13, 15)
    typedCheck = data.slice(15)
  } else if (data.length === 13 && options.allowMissingCheck === true) {
    body = data
  } else {
    return { ok: false, error: 'length' }
  }

  if (body.includes('*') || flags?.includes('*') === true) return { ok: false, error: 'characters' }
  const m = ISBT_BODY.exec(body)
  if (!m) return { ok: false, error: 'format' }
  const check = mod37_2(body)
  if (typedCheck !== null && typedCheck !== check) return { ok: false, error: 'check_character' }
  if (flags !== null && /^\d{2}$/.test(flags)) {
    const flagValue = Number(flags)
    if (
      flagValue >= CHECK_FLAG_MIN &&
      flagValue <= CHECK_FLAG_MIN + 36 &&
      MOD37_ALPHABET[flagValue - CHECK_FLAG_MIN] !== check
    ) {
      return { ok: false, error: 'check_character' }
    }
  }

  const [, facility, year, sequence] = m as unknown as [string, string, string, string]
  return {
    ok: true,
    body,
    check,
    facility,
    year,
    sequence: Number(sequence),
    series: facility + year,
    canonical: body + check,
    flags,
    checked: fromBarcode || typedCheck !== null,
  }
}

function isbt128Body(body: string): RegExpExecArray {
  const m = ISBT_BODY.exec(body)
  if (!m) throw new RangeError(`not an ISBT 128 DIN body: ${JSON.stringify(body)}`)
  return m
}

export const isbt128Din: DinFormat = {
  id: 'isbt128',
  label: 'ISBT 128',
  bodyLength: ISBT_BODY_LENGTH,
  parse: parseIsbt128,
  checkCharacter(body) {
    isbt128Body(body)
    return mod37_2(body)
  },
  format(body) {
    isbt128Body(body)
    return body + mod37_2(body)
  },
  next(body) {
    const m = isbt128Body(body)
    const sequence = Number(m[3]) + 1
    if (sequence > 999_999) return null
    return `${m[1]}${m[2]}${String(sequence).padStart(6, '0')}`
  },
}

// ---------------------------------------------------------------------------------------------
// Registry and range helpers

export const DEFAULT_DIN_FORMAT_ID = isbt128Din.id

export const DIN_FORMATS: Readonly<Record<string, DinFormat>> = Object.freeze({ [isbt128Din.id]: isbt128Din })

export function getDinFormat(id: string): DinFormat | undefined {
  return Object.hasOwn(DIN_FORMATS, id) ? DIN_FORMATS[id] : undefined
}

export function parseDin(text: string, options?: DinParseOptions, format: DinFormat = isbt128Din): DinParse {
  return format.parse(text, options)
}

export type DinRangeCheck =
  | { ok: true; first: DinParts; last: DinParts; size: number }
  | { ok: false; error: 'first' | 'last' | 'series' | 'order' }

/**
 * The bags loaded for a drive: first and last DIN (check character optional), same series,
 * last not before first.
 */
export function checkDinRange(first: string, last: string, format: DinFormat = isbt128Din): DinRangeCheck {
  const a = format.parse(first, { allowMissingCheck: true })
  if (!a.ok) return { ok: false, error: 'first' }
  const b = format.parse(last, { allowMissingCheck: true })
  if (!b.ok) return { ok: false, error: 'last' }
  if (a.series !== b.series) return { ok: false, error: 'series' }
  if (b.sequence < a.sequence) return { ok: false, error: 'order' }
  return { ok: true, first: a, last: b, size: b.sequence - a.sequence + 1 }
}

/** Number of bags from first to last inclusive, or null when they do not form a range. */
export function dinRangeSize(first: string, last: string, format: DinFormat = isbt128Din): number | null {
  const range = checkDinRange(first, last, format)
  return range.ok ? range.size : null
}

/** True when `din` is a valid number of the same series between first and last inclusive. */
export function dinInRange(din: string, first: string, last: string, format: DinFormat = isbt128Din): boolean {
  const range = checkDinRange(first, last, format)
  if (!range.ok) return false
  const d = format.parse(din, { allowMissingCheck: true })
  return (
    d.ok && d.series === range.first.series && d.sequence >= range.first.sequence && d.sequence <= range.last.sequence
  )
}

/** Body of the next bag after `din` (body, or body + check), or null at the end of the series or on a bad number. */
export function nextDin(din: string, format: DinFormat = isbt128Din): string | null {
  const d = format.parse(din, { allowMissingCheck: true })
  return d.ok ? format.next(d.body) : null
}

/** The DIN body of bag `n` of a series (`prefix`: the body without its six-digit sequence). */
export const dinBody = (prefix: string, n: number): string => `${prefix}${String(n).padStart(6, '0')}`

/**
 * The bags the leader's phone still holds on a drive worked by several phones (drive-crew.ts): the
 * drive's range without the blocks handed out (always a prefix of the range, since blocks are cut
 * from its top). Null when nothing is left.
 */
export function leaderRange(
  drive: { dinFirst: string; dinLast: string },
  handedOut: readonly { dinFirst: string }[],
): { dinFirst: string; dinLast: string; bagsLoaded: number } | null {
  const range = checkDinRange(drive.dinFirst, drive.dinLast)
  if (!range.ok) return null
  let top = range.last.sequence
  for (const part of handedOut) {
    const first = parseDin(part.dinFirst, { allowMissingCheck: true })
    if (first.ok && first.series === range.first.series) top = Math.min(top, first.sequence - 1)
  }
  if (top < range.first.sequence) return null
  const prefix = range.first.body.slice(0, range.first.body.length - 6)
  return { dinFirst: range.first.body, dinLast: dinBody(prefix, top), bagsLoaded: top - range.first.sequence + 1 }
}
