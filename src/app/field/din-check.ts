// A bag number typed or scanned for a donation: a valid DIN (check character verified when given),
// inside the range loaded on this bus, and not already used on this phone (whatever the drive).
import { dinInRange, isbt128Din, parseDin } from '../../domain/din'
import type { Drive } from '../../domain/records'

export type DonationDinError =
  | 'empty'
  | 'length'
  | 'characters'
  | 'format'
  | 'check_character'
  | 'check_missing'
  | 'out_of_range'
  | 'duplicate'
  | 'used_elsewhere'
export type DonationDinCheck = { ok: true; din: string } | { ok: false; error: DonationDinError }

/**
 * `usedDins` holds the canonical DINs (body + check) already on the drive, `usedElsewhere` those
 * used by other drives of this phone. A typed number must carry its check character: it is what
 * catches a slip of one digit.
 */
export function checkDonationDin(
  text: string,
  drive: Pick<Drive, 'dinFirst' | 'dinLast'>,
  usedDins: ReadonlySet<string>,
  usedElsewhere: ReadonlySet<string> = new Set(),
): DonationDinCheck {
  if (!text.trim()) return { ok: false, error: 'empty' }
  const body = parseDin(text, { allowMissingCheck: true })
  if (!body.ok) return { ok: false, error: body.error }
  if (!body.checked) return { ok: false, error: 'check_missing' }
  if (!dinInRange(body.body, drive.dinFirst, drive.dinLast)) return { ok: false, error: 'out_of_range' }
  if (usedDins.has(body.canonical) || usedDins.has(body.body)) return { ok: false, error: 'duplicate' }
  if (usedElsewhere.has(body.canonical) || usedElsewhere.has(body.body)) return { ok: false, error: 'used_elsewhere' }
  return { ok: true, din: body.canonical }
}

/**
 * The bag to offer next (body + check): the first unused number after the highest used one of the
 * range, or, when the range's end is used, the first unused from its start; null when all are used.
 */
export function nextFreeDin(drive: Pick<Drive, 'dinFirst' | 'dinLast'>, used: Iterable<string>): string | null {
  const first = parseDin(drive.dinFirst, { allowMissingCheck: true })
  const last = parseDin(drive.dinLast, { allowMissingCheck: true })
  if (!first.ok || !last.ok || first.series !== last.series || last.sequence < first.sequence) return null
  const taken = new Set<number>()
  for (const din of used) {
    const d = parseDin(din, { allowMissingCheck: true })
    if (d.ok && d.series === first.series && d.sequence >= first.sequence && d.sequence <= last.sequence)
      taken.add(d.sequence)
  }
  const highest = taken.size > 0 ? Math.max(...taken) : first.sequence - 1
  const prefix = first.body.slice(0, first.body.length - 6)
  const pick = (from: number, to: number): string | null => {
    for (let n = from; n <= to; n++) {
      if (!taken.has(n)) return isbt128Din.format(`${prefix}${String(n).padStart(6, '0')}`)
    }
    return null
  }
  return pick(highest + 1, last.sequence) ?? pick(first.sequence, highest)
}
