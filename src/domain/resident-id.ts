// Resident identity card numbers (GB 11643-1999): 18 characters with an ISO 7064 MOD 11-2 check
// character, or the old 15-digit form (before 1999) that we convert to 18.
import { formatIsoDate, isoDateOf, isValidDate, parseIsoDate } from './dates'
import type { Sex } from './records'

export const RESIDENT_ID_ERRORS = [
  'empty',
  'length',
  'characters',
  'birth_date',
  'check_character',
  'future_birth',
] as const
export type ResidentIdError = (typeof RESIDENT_ID_ERRORS)[number]

export type ResidentIdParse =
  { ok: true; id18: string; birthDate: string; sex: Sex; legacy15: boolean } | { ok: false; error: ResidentIdError }

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const
const CHECK_CHARACTERS = '10X98765432'
/** Nobody alive was born earlier; an earlier year is a typing error. */
const EARLIEST_BIRTH_YEAR = 1900

/** The check character for the first 17 digits (MOD 11-2). Throws on anything but 17 digits. */
export function residentIdCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('the check character needs exactly 17 digits')
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!
  return CHECK_CHARACTERS[sum % 11]!
}

/**
 * Removes all white space (full-width too), zero-width characters and dashes a copied number
 * brings along, maps full-width digits and Ｘ (Chinese input methods) and upper-cases x.
 */
export function normalizeResidentIdText(text: string): string {
  return text
    .replace(/[\s\u200B-\u200D\u2060\uFEFF\-\u2010-\u2015]+/gu, '')
    .replace(/[０-９]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/[xＸｘ]/gu, 'X')
}

/**
 * Parses and checks an ID number as typed or read from the card. `today` (YYYY-MM-DD, defaults to
 * the device's date) rejects birth dates in the future, a common typing error.
 */
export function parseResidentId(text: string, today: string = isoDateOf()): ResidentIdParse {
  const id = normalizeResidentIdText(text)
  if (id.length === 0) return { ok: false, error: 'empty' }
  if (id.length !== 18 && id.length !== 15) return { ok: false, error: 'length' }

  const legacy15 = id.length === 15
  if (legacy15 ? !/^\d{15}$/.test(id) : !/^\d{17}[\dX]$/.test(id)) return { ok: false, error: 'characters' }

  const year = legacy15 ? 1900 + Number(id.slice(6, 8)) : Number(id.slice(6, 10))
  const dateStart = legacy15 ? 8 : 10
  const month = Number(id.slice(dateStart, dateStart + 2))
  const day = Number(id.slice(dateStart + 2, dateStart + 4))
  if (year < EARLIEST_BIRTH_YEAR || !isValidDate(year, month, day)) {
    return { ok: false, error: 'birth_date' }
  }

  const first17 = legacy15 ? `${id.slice(0, 6)}19${id.slice(6, 15)}` : id.slice(0, 17)
  const check = residentIdCheckCharacter(first17)
  if (!legacy15 && id[17] !== check) return { ok: false, error: 'check_character' }

  const birthDate = formatIsoDate({ year, month, day })
  if (birthDate > today) return { ok: false, error: 'future_birth' }

  // Sex is the parity of the sequence's last digit: position 17 (18-char) or 15 (15-digit).
  const sexDigit = Number(first17[16])
  return { ok: true, id18: first17 + check, birthDate, sex: sexDigit % 2 === 1 ? 'M' : 'F', legacy15 }
}

/** Completed years on `onDate`. Someone born on 29 February completes a year on 1 March in a common year. */
export function ageOn(birthDate: string, onDate: string): number {
  const born = parseIsoDate(birthDate)
  const on = parseIsoDate(onDate)
  let age = on.year - born.year
  if (on.month < born.month || (on.month === born.month && on.day < born.day)) age -= 1
  return age
}
