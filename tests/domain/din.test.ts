import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  checkDinRange,
  DIN_FORMATS,
  dinInRange,
  dinRangeSize,
  getDinFormat,
  isbt128Din,
  MOD37_ALPHABET,
  mod37_2,
  nextDin,
  parseDin,
} from '../../src/domain/din'

describe('ISO 7064 MOD 37-2', () => {
  it('gives the check characters of known numbers', () => {
    expect(mod37_2('ABCDE27000069')).toBe('C') // the brief's example
    expect(mod37_2('G123498654321')).toBe('H') // UK Red Book, annex 2
  })

  it('agrees with the weighted-sum form of the standard (Σ v·2^n mod 37, check = (38 − s) mod 37)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...MOD37_ALPHABET.slice(0, 36)), minLength: 1, maxLength: 20 }),
        (text) => {
          let sum = 0
          let weight = 2
          for (let i = text.length - 1; i >= 0; i--) {
            sum = (sum + MOD37_ALPHABET.indexOf(text[i]!) * weight) % 37
            weight = (weight * 2) % 37
          }
          expect(mod37_2(text)).toBe(MOD37_ALPHABET[(38 - sum) % 37])
        },
      ),
    )
  })

  it('can produce every one of the 37 check characters, * included', () => {
    const seen = new Set<string>()
    for (let n = 0; n < 5000 && seen.size < 37; n++) seen.add(mod37_2(`W000023${String(n).padStart(6, '0')}`))
    expect([...seen].sort().join('')).toBe([...MOD37_ALPHABET].sort().join(''))
  })

  it('refuses characters outside 0-9 A-Z', () => {
    expect(() => mod37_2('ABC*')).toThrow(RangeError)
    expect(() => mod37_2('abc')).toThrow(RangeError)
  })
})

describe('isbt128Din.parse', () => {
  it('parses body + check into facility, year and sequence', () => {
    expect(parseDin('ABCDE27000069C')).toEqual({
      ok: true,
      body: 'ABCDE27000069',
      check: 'C',
      facility: 'ABCDE',
      year: '27',
      sequence: 69,
      series: 'ABCDE27',
      canonical: 'ABCDE27000069C',
      flags: null,
      checked: true,
    })
  })

  it('accepts lower case and the spaces of the printed eye-readable form', () => {
    expect(parseDin('g1234 98 654321 h')).toMatchObject({
      ok: true,
      canonical: 'G123498654321H',
      facility: 'G1234',
      year: '98',
      sequence: 654321,
    })
  })

  it('accepts the body alone only when asked to', () => {
    expect(parseDin('ABCDE27000069')).toEqual({ ok: false, error: 'length' })
    expect(parseDin('ABCDE27000069', { allowMissingCheck: true })).toMatchObject({
      ok: true,
      check: 'C',
      canonical: 'ABCDE27000069C',
      checked: false,
    })
  })

  it('reads the scanned Code 128 data content: "=" + 13 characters + 2 flag characters', () => {
    expect(parseDin('=G12349865432100')).toMatchObject({
      ok: true,
      body: 'G123498654321',
      check: 'H',
      flags: '00',
      checked: true,
    })
    expect(parseDin('=G123498654321')).toMatchObject({ ok: true, body: 'G123498654321', flags: null, checked: true })
    // Type 2 flags carry 60 + the check value: H is 17, so 77 agrees and 76 does not.
    expect(parseDin('=G12349865432177')).toMatchObject({ ok: true, flags: '77' })
    expect(parseDin('=G12349865432176')).toEqual({ ok: false, error: 'check_character' })
    expect(parseDin('=G1234986543210')).toEqual({ ok: false, error: 'length' })
    // With the scanner's AIM symbology identifier for Code 128.
    expect(parseDin(']C0=G12349865432100')).toMatchObject({ ok: true, body: 'G123498654321', flags: '00' })
  })

  it('accepts eye-readable text typed with its flags: body, 2 flag digits, check', () => {
    expect(parseDin('G123498654321 00 H')).toMatchObject({ ok: true, flags: '00', canonical: 'G123498654321H' })
    expect(parseDin('G123498654321 00 K')).toEqual({ ok: false, error: 'check_character' })
  })

  it('gives stable error codes', () => {
    expect(parseDin('')).toEqual({ ok: false, error: 'length' })
    expect(parseDin('ABCDE2700006C')).toEqual({ ok: false, error: 'length' })
    expect(parseDin('ABCDE27000069CC')).toEqual({ ok: false, error: 'length' })
    expect(parseDin('ABCDE-27000069C')).toEqual({ ok: false, error: 'characters' })
    expect(parseDin('ABCDE2700006*C')).toEqual({ ok: false, error: 'characters' })
    expect(parseDin('ABCDE27000069D')).toEqual({ ok: false, error: 'check_character' })
    // Year and sequence are digits; the facility does not start with O or 0 (ICCBBA).
    const withCheck = (body: string) => body + mod37_2(body)
    expect(parseDin(withCheck('ABCDE2X000069'))).toEqual({ ok: false, error: 'format' })
    expect(parseDin(withCheck('ABCDE27A00069'))).toEqual({ ok: false, error: 'format' })
    expect(parseDin(withCheck('OBCDE27000069'))).toEqual({ ok: false, error: 'format' })
    expect(parseDin(withCheck('0BCDE27000069'))).toEqual({ ok: false, error: 'format' })
    expect(parseDin(withCheck('W000023000001'))).toMatchObject({ ok: true, facility: 'W0000', year: '23', sequence: 1 })
  })

  it('accepts the check character * where the sum asks for it', () => {
    let body = ''
    for (let n = 0; ; n++) {
      body = `W000023${String(n).padStart(6, '0')}`
      if (mod37_2(body) === '*') break
    }
    expect(parseDin(`${body}*`)).toMatchObject({ ok: true, check: '*' })
  })

  const validDin = fc
    .record({
      first: fc.constantFrom(...'ABCDEFGHIJKLMNPQRSTUVWXYZ123456789'),
      rest: fc.string({ unit: fc.constantFrom(...MOD37_ALPHABET.slice(0, 36)), minLength: 4, maxLength: 4 }),
      year: fc.integer({ min: 0, max: 99 }),
      sequence: fc.integer({ min: 0, max: 999_999 }),
    })
    .map(({ first, rest, year, sequence }) =>
      isbt128Din.format(`${first}${rest}${String(year).padStart(2, '0')}${String(sequence).padStart(6, '0')}`),
    )

  it('accepts every generated valid number (property)', () => {
    fc.assert(fc.property(validDin, (din) => parseDin(din).ok))
  })

  it('catches EVERY single-character substitution in body + check (exhaustive per number)', () => {
    fc.assert(
      fc.property(validDin, (din) => {
        for (let pos = 0; pos < din.length; pos++) {
          for (const c of MOD37_ALPHABET) {
            if (c === din[pos]) continue
            const mutated = din.slice(0, pos) + c + din.slice(pos + 1)
            if (parseDin(mutated).ok) throw new Error(`undetected substitution ${din} -> ${mutated}`)
          }
        }
      }),
      { numRuns: 300 },
    )
  })

  it('catches EVERY adjacent transposition of differing characters, the check character included', () => {
    fc.assert(
      fc.property(validDin, (din) => {
        for (let pos = 0; pos + 1 < din.length; pos++) {
          if (din[pos] === din[pos + 1]) continue
          const swapped = din.slice(0, pos) + din[pos + 1] + din[pos] + din.slice(pos + 2)
          if (parseDin(swapped).ok) throw new Error(`undetected transposition ${din} -> ${swapped}`)
        }
      }),
      { numRuns: 1000 },
    )
  })
})

describe('isbt128Din helpers', () => {
  it('computes and formats the check only for a well-formed body', () => {
    expect(isbt128Din.checkCharacter('ABCDE27000069')).toBe('C')
    expect(isbt128Din.format('ABCDE27000069')).toBe('ABCDE27000069C')
    expect(() => isbt128Din.checkCharacter('ABCDE2700006')).toThrow(RangeError)
    expect(isbt128Din.bodyLength).toBe(13)
  })

  it('steps to the next bag and stops at the end of the series', () => {
    expect(isbt128Din.next('ABCDE27000069')).toBe('ABCDE27000070')
    expect(isbt128Din.next('ABCDE27099999')).toBe('ABCDE27100000')
    expect(isbt128Din.next('ABCDE27999999')).toBeNull()
    expect(nextDin('ABCDE27000069C')).toBe('ABCDE27000070')
    expect(nextDin('ABCDE27000069')).toBe('ABCDE27000070')
    expect(nextDin('ABCDE27000069D')).toBeNull()
  })
})

describe('DIN ranges of a drive', () => {
  it('counts the bags from first to last inclusive, with or without check characters', () => {
    expect(dinRangeSize('W000023000001', 'W000023000100')).toBe(100)
    expect(dinRangeSize(isbt128Din.format('W000023000001'), isbt128Din.format('W000023000001'))).toBe(1)
  })

  it('refuses ranges that cross a series, run backwards or hold a bad number', () => {
    expect(checkDinRange('W000023000001', 'W000024000100')).toEqual({ ok: false, error: 'series' })
    expect(checkDinRange('W000023000001', 'W000123000100')).toEqual({ ok: false, error: 'series' })
    expect(checkDinRange('W000023000100', 'W000023000001')).toEqual({ ok: false, error: 'order' })
    expect(checkDinRange('W00002300001', 'W000023000100')).toEqual({ ok: false, error: 'first' })
    expect(checkDinRange('W000023000001', 'W000023000100Z')).toEqual({ ok: false, error: 'last' })
    expect(dinRangeSize('W000023000100', 'W000023000001')).toBeNull()
  })

  it('places a bag inside or outside the range at both edges', () => {
    const [first, last] = ['W000023000010', 'W000023000020']
    expect(dinInRange(isbt128Din.format('W000023000010'), first, last)).toBe(true)
    expect(dinInRange(isbt128Din.format('W000023000020'), first, last)).toBe(true)
    expect(dinInRange(isbt128Din.format('W000023000015'), first, last)).toBe(true)
    expect(dinInRange(isbt128Din.format('W000023000009'), first, last)).toBe(false)
    expect(dinInRange(isbt128Din.format('W000023000021'), first, last)).toBe(false)
    expect(dinInRange(isbt128Din.format('W000024000015'), first, last)).toBe(false)
    expect(dinInRange('=W00002300001500', first, last)).toBe(true)
    const wrongCheck = isbt128Din.checkCharacter('W000023000015') === 'Q' ? 'R' : 'Q'
    expect(dinInRange(`W000023000015${wrongCheck}`, first, last)).toBe(false)
  })
})

describe('DIN format registry', () => {
  it('finds ISBT 128 by id and nothing else', () => {
    expect(getDinFormat('isbt128')).toBe(isbt128Din)
    expect(DIN_FORMATS.isbt128).toBe(isbt128Din)
    expect(getDinFormat('codabar')).toBeUndefined()
    expect(getDinFormat('toString')).toBeUndefined()
  })
})
