// The server's own secret: the key of every HMAC it keeps instead of a secret (enrollment codes,
// CSRF tokens, known-browser cookies). Never in the database, so a copy of the database reveals
// nothing usable. From SERVER_SECRET, else the file `server-secret` in the data folder (made on
// first start, mode 0600).
import { createHmac, randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const SECRET_FILE = 'server-secret'
const MIN_SECRET_BYTES = 32

function decode(text: string, where: string): Buffer {
  const trimmed = text.trim()
  const bytes = /^[0-9a-f]+$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64url')
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new Error(`${where} must hold at least ${MIN_SECRET_BYTES} random bytes (64 hex digits)`)
  }
  return bytes
}

/** The secret from `SERVER_SECRET` (hex or base64url), else from the data folder, created once. */
export function loadServerSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env.SERVER_SECRET) return decode(env.SERVER_SECRET, 'SERVER_SECRET')
  const file = join(dataDir, SECRET_FILE)
  mkdirSync(dataDir, { recursive: true })
  try {
    // 'wx': never overwrite a secret another process made a moment ago.
    writeFileSync(file, `${randomBytes(MIN_SECRET_BYTES).toString('hex')}\n`, { flag: 'wx', mode: 0o600 })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  // A copy restored with looser rights is tightened again.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
  return decode(readFileSync(file, 'utf8'), file)
}

/** A fresh secret for a process that keeps nothing (tests, the API without a data folder). */
export const ephemeralSecret = (): Buffer => randomBytes(MIN_SECRET_BYTES)

/** HMAC-SHA-256 of `purpose:value` under the secret, hex; the purpose keeps uses apart. */
export function keyedHash(secret: Buffer, purpose: string, value: string): string {
  return createHmac('sha256', secret).update(`${purpose}:${value}`).digest('hex')
}
