// Bearer tokens (manager sessions, devices) and enrollment codes. Only SHA-256 hashes are stored:
// a copy of the database does not let anyone sign in.
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
export const ENROLLMENT_CODE_LENGTH = 8

export function newEnrollmentCode(): string {
  let code = ''
  for (let i = 0; i < ENROLLMENT_CODE_LENGTH; i++) code += ENROLLMENT_ALPHABET[randomInt(ENROLLMENT_ALPHABET.length)]
  return code
}

/** Accepts "abcd-efgh", "ABCD EFGH"…; returns null when it cannot be a code. */
export function normalizeEnrollmentCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '')
  if (code.length !== ENROLLMENT_CODE_LENGTH) return null
  for (const ch of code) if (!ENROLLMENT_ALPHABET.includes(ch)) return null
  return code
}

/** "ABCDEFGH" → "ABCD-EFGH" for display. */
export function formatEnrollmentCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`
}
