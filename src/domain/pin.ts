// Staff PINs unlock a shared phone offline, so the phone keeps only a salted, slow hash (PBKDF2-SHA256
// via WebCrypto, the same on phone and server): `pbkdf2-sha256$<iterations>$<saltB64>$<hashB64>`.

export const PIN_FORMAT_ERRORS = ['empty', 'not_digits', 'length', 'all_same', 'sequence'] as const
export type PinFormatError = (typeof PIN_FORMAT_ERRORS)[number]

export const PIN_MIN_LENGTH = 4
export const PIN_MAX_LENGTH = 8
export const DEFAULT_PIN_ITERATIONS = 100_000
/** A stored hash asking for more work than this is refused rather than freezing the phone. */
export const MAX_PIN_ITERATIONS = 5_000_000
const SCHEME = 'pbkdf2-sha256'
const SALT_BYTES = 16
const HASH_BYTES = 32

/**
 * Null for an acceptable PIN, else why not: 4–8 digits, not one digit repeated (1111), not a run
 * up or down the keypad digits (1234, 9876, 7890 — runs wrap from 9 to 0).
 */
export function validatePinFormat(pin: string): PinFormatError | null {
  if (pin.length === 0) return 'empty'
  if (!/^\d+$/.test(pin)) return 'not_digits'
  if (pin.length < PIN_MIN_LENGTH || pin.length > PIN_MAX_LENGTH) return 'length'
  const digits = [...pin].map(Number)
  const steps = new Set(digits.slice(1).map((d, i) => (d - digits[i]! + 10) % 10))
  if (steps.size === 1) {
    const [step] = steps
    if (step === 0) return 'all_same'
    if (step === 1 || step === 9) return 'sequence'
  }
  return null
}

export interface PinHash {
  iterations: number
  salt: Uint8Array<ArrayBuffer>
  hash: Uint8Array<ArrayBuffer>
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary)
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** Reads a stored hash; null when it is not one we wrote. */
export function parsePinHash(stored: string): PinHash | null {
  const parts = stored.split('$')
  if (parts.length !== 4 || parts[0] !== SCHEME || !/^[1-9]\d{0,8}$/.test(parts[1]!)) return null
  const iterations = Number(parts[1])
  const salt = fromBase64(parts[2]!)
  const hash = fromBase64(parts[3]!)
  if (iterations > MAX_PIN_ITERATIONS || !salt || !hash || salt.length < 8 || hash.length < 16 || hash.length > 64)
    return null
  return { iterations, salt, hash }
}

async function derive(
  pin: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
  bytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const { subtle } = globalThis.crypto
  const key = await subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits'])
  const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, bytes * 8)
  return new Uint8Array(bits)
}

/** Hashes a PIN with a fresh random salt. Lower `iterations` only in tests. */
export async function hashPin(pin: string, options: { iterations?: number } = {}): Promise<string> {
  const iterations = options.iterations ?? DEFAULT_PIN_ITERATIONS
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_PIN_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations must be an integer from 1 to ${MAX_PIN_ITERATIONS}`)
  }
  if (pin.length === 0) throw new RangeError('the PIN is empty')
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(SALT_BYTES))
  const hash = await derive(pin, salt, iterations, HASH_BYTES)
  return `${SCHEME}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`
}

/** Compares every byte whatever the first difference, so timing does not reveal how close a guess was. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/** True when `pin` matches the stored hash; false for a wrong PIN or a malformed hash. */
export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const parsed = parsePinHash(stored)
  if (!parsed || pin.length === 0) return false
  const candidate = await derive(pin, parsed.salt, parsed.iterations, parsed.hash.length)
  return equalBytes(candidate, parsed.hash)
}

/** True when a stored hash is weaker than today's default (rehash it after the next good unlock). */
export function pinHashNeedsRehash(stored: string, iterations: number = DEFAULT_PIN_ITERATIONS): boolean {
  const parsed = parsePinHash(stored)
  return parsed === null || parsed.iterations < iterations
}
