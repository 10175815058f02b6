// A bag number typed or scanned for a donation: a valid DIN (check character verified when given),
// inside the range loaded on this bus, and not already used on this drive.
import { dinInRange, parseDin } from '../../domain/din'
import type { Drive } from '../../domain/records'

export type DonationDinError =
  'empty' | 'length' | 'characters' | 'format' | 'check_character' | 'check_missing' | 'out_of_range' | 'duplicate'
export type DonationDinCheck = { ok: true; din: string } | { ok: false; error: DonationDinError }

/**
 * `usedDins` holds the canonical DINs (body + check) already on the drive. A typed number must
 * carry its check character: it is what catches a slip of one digit.
 */
export function checkDonationDin(
  text: string,
  drive: Pick<Drive, 'dinFirst' | 'dinLast'>,
  usedDins: ReadonlySet<string>,
): DonationDinCheck {
  if (!text.trim()) return { ok: false, error: 'empty' }
  const body = parseDin(text, { allowMissingCheck: true })
  if (!body.ok) return { ok: false, error: body.error }
  if (!body.checked) return { ok: false, error: 'check_missing' }
  if (!dinInRange(body.body, drive.dinFirst, drive.dinLast)) return { ok: false, error: 'out_of_range' }
  if (usedDins.has(body.canonical) || usedDins.has(body.body)) return { ok: false, error: 'duplicate' }
  return { ok: true, din: body.canonical }
}
