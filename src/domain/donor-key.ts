// A pseudonymous donor key: records and indicators follow a donor without carrying the ID number
// (PIPL). Phone and server compute the same key from the same station salt.
import { parseResidentId } from './resident-id'

/** Far enough in the future that no birth date is refused: the key must not depend on the clock. */
const NO_FUTURE_CHECK = '9999-12-31'

/**
 * First 128 bits of SHA-256 over `${salt}:${id18}` as 32 lower-case hex characters. The number is
 * normalised first (x → X, spaces, old 15-digit form → 18), so one donor always gets one key;
 * an invalid number or an empty salt throws.
 */
export async function donorKey(idNumber: string, stationSalt: string): Promise<string> {
  const id = parseResidentId(idNumber, NO_FUTURE_CHECK)
  if (!id.ok) throw new RangeError(`cannot key an invalid ID number (${id.error})`)
  if (stationSalt.length === 0) throw new RangeError('the station salt is empty')
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${stationSalt}:${id.id18}`))
  return Array.from(new Uint8Array(digest, 0, 16), (b) => b.toString(16).padStart(2, '0')).join('')
}
