import { createHash } from 'node:crypto'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { donorKey } from '../../src/domain/donor-key'
import { DonationSchema } from '../../src/domain/records'

const SALT = 'station-salt-luoyang'

describe('donorKey', () => {
  it('is the first 128 bits of SHA-256 over "salt:id18" in lower-case hex', async () => {
    const expected = createHash('sha256').update(`${SALT}:11010519491231002X`).digest('hex').slice(0, 32)
    await expect(donorKey('11010519491231002X', SALT)).resolves.toBe(expected)
  })

  it('matches the donorKey pattern the shared records require', async () => {
    const key = await donorKey('11010519491231002X', SALT)
    expect(key).toMatch(/^[0-9a-f]{32}$/)
    const donorKeyField = DonationSchema.entries.donorKey
    expect(v.is(donorKeyField, key)).toBe(true)
  })

  it('gives one key per donor however the number was typed, including the old 15-digit form', async () => {
    const key = await donorKey('11010519491231002X', SALT)
    await expect(donorKey('11010519491231002x', SALT)).resolves.toBe(key)
    await expect(donorKey(' 110105 19491231 002X ', SALT)).resolves.toBe(key)
    await expect(donorKey('110105491231002', SALT)).resolves.toBe(key)
  })

  it('differs between donors and between stations', async () => {
    const a = await donorKey('11010519491231002X', SALT)
    await expect(donorKey('110105194912310011', SALT)).resolves.not.toBe(a)
    await expect(donorKey('11010519491231002X', 'another-station')).resolves.not.toBe(a)
  })

  it('refuses an invalid number or an empty salt', async () => {
    await expect(donorKey('110105194912310021', SALT)).rejects.toThrow(/check_character/)
    await expect(donorKey('11010519491231002X', '')).rejects.toThrow(/salt/)
  })
})
