import { pbkdf2Sync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_PIN_ITERATIONS,
  hashPin,
  parsePinHash,
  pinHashNeedsRehash,
  validatePinFormat,
  verifyPin,
} from '../../src/domain/pin'

const FAST = { iterations: 1000 }

describe('validatePinFormat', () => {
  it('accepts 4 to 8 digits that are neither repeated nor a run', () => {
    for (const pin of ['2580', '1357', '1122', '12354', '90210', '13572468', '1231'])
      expect(validatePinFormat(pin)).toBeNull()
  })

  it('names what is wrong', () => {
    expect(validatePinFormat('')).toBe('empty')
    expect(validatePinFormat('12a4')).toBe('not_digits')
    expect(validatePinFormat(' 2580')).toBe('not_digits')
    expect(validatePinFormat('２５８０')).toBe('not_digits')
    expect(validatePinFormat('258')).toBe('length')
    expect(validatePinFormat('258013579')).toBe('length')
    expect(validatePinFormat('0000')).toBe('all_same')
    expect(validatePinFormat('77777777')).toBe('all_same')
  })

  it('refuses runs up or down, including those passing from 9 to 0', () => {
    for (const pin of ['1234', '0123', '3456789', '12345678', '4321', '9876', '7890', '0987', '8901', '6543210']) {
      expect(validatePinFormat(pin), pin).toBe('sequence')
    }
    expect(validatePinFormat('1235')).toBeNull()
    expect(validatePinFormat('1243')).toBeNull()
  })

  it('accepts six-digit PINs', () => {
    for (const pin of ['258013', '908172', '135792']) expect(validatePinFormat(pin), pin).toBeNull()
    expect(validatePinFormat('123456')).toBe('sequence')
    expect(validatePinFormat('666666')).toBe('all_same')
  })

  it('accepts exactly 4 and 8 digits at the length bounds', () => {
    expect(validatePinFormat('2580')).toBeNull()
    expect(validatePinFormat('25802580')).toBeNull()
  })
})

describe('hashPin / verifyPin', () => {
  it('writes pbkdf2-sha256$<iterations>$<16-byte salt>$<32-byte hash> that matches PBKDF2-SHA256', async () => {
    const stored = await hashPin('2580', FAST)
    expect(stored).toMatch(/^pbkdf2-sha256\$1000\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/)
    const [, , saltB64, hashB64] = stored.split('$') as [string, string, string, string]
    const expected = pbkdf2Sync('2580', Buffer.from(saltB64, 'base64'), 1000, 32, 'sha256').toString('base64')
    expect(hashB64).toBe(expected)
  })

  it('uses 100,000 iterations by default', async () => {
    expect(DEFAULT_PIN_ITERATIONS).toBe(100_000)
    const stored = await hashPin('2580')
    expect(parsePinHash(stored)?.iterations).toBe(100_000)
    await expect(verifyPin('2580', stored)).resolves.toBe(true)
  })

  it('salts every hash afresh', async () => {
    const [a, b] = await Promise.all([hashPin('2580', FAST), hashPin('2580', FAST)])
    expect(a).not.toBe(b)
    await expect(verifyPin('2580', a)).resolves.toBe(true)
    await expect(verifyPin('2580', b)).resolves.toBe(true)
  })

  it('accepts the right PIN and refuses a wrong, longer, shorter or empty one', async () => {
    const stored = await hashPin('2580', FAST)
    await expect(verifyPin('2580', stored)).resolves.toBe(true)
    await expect(verifyPin('2581', stored)).resolves.toBe(false)
    await expect(verifyPin('25800', stored)).resolves.toBe(false)
    await expect(verifyPin('258', stored)).resolves.toBe(false)
    await expect(verifyPin('', stored)).resolves.toBe(false)
  })

  it('verifies a hash made elsewhere (the server) with node:crypto', async () => {
    const salt = Buffer.from('0123456789abcdef')
    const hash = pbkdf2Sync('731904', salt, 2000, 32, 'sha256')
    const stored = `pbkdf2-sha256$2000$${salt.toString('base64')}$${hash.toString('base64')}`
    await expect(verifyPin('731904', stored)).resolves.toBe(true)
    await expect(verifyPin('731905', stored)).resolves.toBe(false)
  })

  it('refuses malformed or tampered hashes instead of throwing', async () => {
    const stored = await hashPin('2580', FAST)
    const [scheme, iterations, salt, hash] = stored.split('$') as [string, string, string, string]
    for (const bad of [
      '',
      'plain-text',
      `bcrypt$${iterations}$${salt}$${hash}`,
      `${scheme}$0$${salt}$${hash}`,
      `${scheme}$abc$${salt}$${hash}`,
      `${scheme}$999999999$${salt}$${hash}`,
      `${scheme}$${iterations}$!!$${hash}`,
      `${scheme}$${iterations}$${salt}$`,
      `${scheme}$${iterations}$${salt}$${hash}$extra`,
    ]) {
      await expect(verifyPin('2580', bad), bad).resolves.toBe(false)
    }
    // Same salt and iterations, hash from another PIN: the compare must look at the bytes.
    const other = await hashPin('1357', FAST)
    await expect(verifyPin('2580', `${scheme}$${iterations}$${salt}$${other.split('$')[3]}`)).resolves.toBe(false)
    await expect(verifyPin('2580', `${scheme}$2000$${salt}$${hash}`)).resolves.toBe(false)
  })

  it('refuses silly iteration counts and an empty PIN when hashing', async () => {
    await expect(hashPin('2580', { iterations: 0 })).rejects.toThrow(RangeError)
    await expect(hashPin('2580', { iterations: 1.5 })).rejects.toThrow(RangeError)
    await expect(hashPin('', FAST)).rejects.toThrow(RangeError)
  })

  it('says when a stored hash is weaker than the default', async () => {
    expect(pinHashNeedsRehash(await hashPin('2580', FAST))).toBe(true)
    expect(pinHashNeedsRehash(await hashPin('2580', FAST), 1000)).toBe(false)
    expect(pinHashNeedsRehash('garbage')).toBe(true)
  })
})
