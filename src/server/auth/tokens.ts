// Bearer tokens (manager sessions, devices) and enrollment codes. Tokens are stored as SHA-256
// (256 random bits need no key); enrollment codes as HMACs under the server secret (auth/secret.ts),
// because the short typed form is small enough to enumerate. A copy of the database lets nobody in.
import { createHash, randomBytes, randomInt } from 'node:crypto'

export type TokenKind = 'session' | 'device'
const PREFIX: Record<TokenKind, string> = { session: 'bbs_', device: 'bbd_' }

export function newToken(kind: TokenKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url')
}

export function tokenKind(token: string): TokenKind | null {
  if (token.startsWith(PREFIX.session)) return 'session'
  if (token.startsWith(PREFIX.device)) return 'device'
  return null
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** No 0/O, 1/I/L, 5/S or 8/B: read aloud or typed from a screen without mistakes. */
export const ENROLLMENT_ALPHABET = 'ACDEFGHJKMNPQRTUVWXYZ2345679'
/** The typed form (about 38 bits): only with a tight attempt limit. */
export const ENROLLMENT_CODE_LENGTH = 8
/** The form a QR code carries: 27 characters of 28 symbols, about 130 bits. */
export const ENROLLMENT_LONG_CODE_LENGTH = 27

export function newEnrollmentCode(length = ENROLLMENT_CODE_LENGTH): string {
  let code = ''
  for (let i = 0; i < length; i++) code += ENROLLMENT_ALPHABET[randomInt(ENROLLMENT_ALPHABET.length)]
  return code
}

/** Accepts "abcd-efgh", "ABCD EFGH"… and the long form; null when it cannot be a code. */
export function parseEnrollmentCode(input: string): { kind: 'short' | 'long'; code: string } | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '')
  const kind =
    code.length === ENROLLMENT_CODE_LENGTH ? 'short' : code.length === ENROLLMENT_LONG_CODE_LENGTH ? 'long' : null
  if (!kind) return null
  for (const ch of code) if (!ENROLLMENT_ALPHABET.includes(ch)) return null
  return { kind, code }
}

/** "ABCDEFGH" → "ABCD-EFGH" for display. */
export function formatEnrollmentCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`
}
