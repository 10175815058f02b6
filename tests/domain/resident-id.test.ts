import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ageOn, normalizeResidentIdText, parseResidentId, residentIdCheckCharacter } from '../../src/domain/resident-id'

const TODAY = '2023-06-14'

describe('residentIdCheckCharacter (ISO 7064 MOD 11-2)', () => {
  it('computes published check characters, including X for remainder 2', () => {
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X')
    expect(residentIdCheckCharacter('44052418800101001')).toBe('4')
    expect(residentIdCheckCharacter('11010519491231001')).toBe('1')
  })

  it('maps every remainder 0..10 to 1 0 X 9 8 7 6 5 4 3 2', () => {
    // Only the last weight (2) changes with the last digit, so walking the 17th digit through 0..9
    // from a prefix whose weighted sum is 0 mod 11 yields remainders 0,2,4,6,8,10,1,3,5,7.
    const expected: Record<number, string> = {
      0: '1',
      1: '0',
      2: 'X',
      3: '9',
      4: '8',
      5: '7',
      6: '6',
      7: '5',
      8: '4',
      9: '3',
      10: '2',
    }
    const seen = new Set<string>()
    for (let prefix = 0; prefix < 2000 && seen.size < 11; prefix++) {
      const first16 = String(prefix).padStart(16, '0')
      const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4]
      const base = [...first16].reduce((sum, c, i) => sum + Number(c) * weights[i]!, 0)
      for (let last = 0; last <= 9; last++) {
        const remainder = (base + last * 2) % 11
        expect(residentIdCheckCharacter(first16 + last)).toBe(expected[remainder])
        seen.add(String(remainder))
      }
    }
    expect(seen.size).toBe(11)
  })

  it('refuses anything but 17 digits', () => {
    expect(() => residentIdCheckCharacter('1101051949123100')).toThrow(RangeError)
    expect(() => residentIdCheckCharacter('1101051949123100X')).toThrow(RangeError)
  })
})

describe('parseResidentId', () => {
  it('accepts the published example 11010519491231002X', () => {
    expect(parseResidentId('11010519491231002X', TODAY)).toEqual({
      ok: true,
      id18: '11010519491231002X',
      birthDate: '1949-12-31',
      sex: 'F',
      legacy15: false,
    })
  })

  it('reads sex from the parity of the 17th character', () => {
    const male = parseResidentId('110105194912310011', TODAY)
    expect(male).toMatchObject({ ok: true, sex: 'M', birthDate: '1949-12-31' })
    const female = parseResidentId('11010519491231002X', TODAY)
    expect(female).toMatchObject({ ok: true, sex: 'F' })
  })

  it('normalises a lower-case x, surrounding and inner spaces, and full-width digits', () => {
    for (const text of [
      '11010519491231002x',
      '  11010519491231002X\n',
      '110105 19491231 002x',
      '１１０１０５１９４９１２３１００２Ｘ',
    ]) {
      expect(parseResidentId(text, TODAY)).toMatchObject({ ok: true, id18: '11010519491231002X' })
    }
    expect(normalizeResidentIdText(' 1x ')).toBe('1X')
  })

  it('converts the old 15-digit form: 19YY birth year, sex from the last digit, computed check', () => {
    expect(parseResidentId('110105491231002', TODAY)).toEqual({
      ok: true,
      id18: '11010519491231002X',
      birthDate: '1949-12-31',
      sex: 'F',
      legacy15: true,
    })
    expect(parseResidentId('110105491231001', TODAY)).toEqual({
      ok: true,
      id18: '110105194912310011',
      birthDate: '1949-12-31',
      sex: 'M',
      legacy15: true,
    })
  })

  it('gives stable error codes', () => {
    expect(parseResidentId('', TODAY)).toEqual({ ok: false, error: 'empty' })
    expect(parseResidentId('   ', TODAY)).toEqual({ ok: false, error: 'empty' })
    expect(parseResidentId('11010519491231002', TODAY)).toEqual({ ok: false, error: 'length' })
    expect(parseResidentId('11010519491231002X1', TODAY)).toEqual({ ok: false, error: 'length' })
    expect(parseResidentId('1101051949123100XX', TODAY)).toEqual({ ok: false, error: 'characters' })
    expect(parseResidentId('11010519491231002Y', TODAY)).toEqual({ ok: false, error: 'characters' })
    expect(parseResidentId('11010549123100X', TODAY)).toEqual({ ok: false, error: 'characters' })
    expect(parseResidentId('110105194912310021', TODAY)).toEqual({ ok: false, error: 'check_character' })
  })

  it('rejects impossible birth dates such as 30 February, month 13 and day 00', () => {
    const withDate = (yyyymmdd: string) => {
      const first17 = `110105${yyyymmdd}002`
      return first17 + residentIdCheckCharacter(first17)
    }
    expect(parseResidentId(withDate('19900230'), TODAY)).toEqual({ ok: false, error: 'birth_date' })
    expect(parseResidentId(withDate('19890229'), TODAY)).toEqual({ ok: false, error: 'birth_date' })
    expect(parseResidentId(withDate('19881329'), TODAY)).toEqual({ ok: false, error: 'birth_date' })
    expect(parseResidentId(withDate('19880100'), TODAY)).toEqual({ ok: false, error: 'birth_date' })
    expect(parseResidentId(withDate('18991231'), TODAY)).toEqual({ ok: false, error: 'birth_date' })
    // A well-formed published sample, but born 1880: no living donor, so a typing error.
    expect(parseResidentId('440524188001010014', TODAY)).toEqual({ ok: false, error: 'birth_date' })
    expect(parseResidentId(withDate('19880229'), TODAY)).toMatchObject({ ok: true, birthDate: '1988-02-29' })
    expect(parseResidentId(withDate('20000229'), TODAY)).toMatchObject({ ok: true, birthDate: '2000-02-29' })
    expect(parseResidentId('110105900230002', TODAY)).toEqual({ ok: false, error: 'birth_date' })
  })

  it('rejects a birth date after today, and accepts one born today', () => {
    const first17 = '11010520230615002'
    const id = first17 + residentIdCheckCharacter(first17)
    expect(parseResidentId(id, '2023-06-14')).toEqual({ ok: false, error: 'future_birth' })
    expect(parseResidentId(id, '2023-06-15')).toMatchObject({ ok: true, birthDate: '2023-06-15' })
  })

  const validId = fc
    .record({
      region: fc.integer({ min: 110000, max: 829999 }),
      birth: fc.date({
        min: new Date('1930-01-01T00:00:00Z'),
        max: new Date('2005-12-31T00:00:00Z'),
        noInvalidDate: true,
      }),
      seq: fc.integer({ min: 0, max: 999 }),
    })
    .map(({ region, birth, seq }) => {
      const first17 = `${region}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String(seq).padStart(3, '0')}`
      return first17 + residentIdCheckCharacter(first17)
    })

  it('accepts every generated valid number (property)', () => {
    fc.assert(fc.property(validId, (id) => parseResidentId(id, TODAY).ok))
  })

  it('reads an old 15-digit number as the same person as its 18-character form (property)', () => {
    fc.assert(
      fc.property(validId, (id) => {
        fc.pre(id.slice(6, 8) === '19')
        const legacy = id.slice(0, 6) + id.slice(8, 17)
        const parsed = parseResidentId(legacy, TODAY)
        const modern = parseResidentId(id, TODAY)
        expect(parsed).toEqual({ ...modern, legacy15: true })
      }),
    )
  })

  it('catches EVERY single-character substitution of a valid 18-character number (exhaustive per number)', () => {
    const alphabet = '0123456789X'
    fc.assert(
      fc.property(validId, (id) => {
        for (let pos = 0; pos < 18; pos++) {
          for (const c of alphabet) {
            if (c === id[pos]) continue
            const mutated = id.slice(0, pos) + c + id.slice(pos + 1)
            const result = parseResidentId(mutated, TODAY)
            if (result.ok) throw new Error(`undetected substitution ${id} -> ${mutated}`)
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('ageOn', () => {
  it('counts completed years: not on the day before the birthday, yes on the day', () => {
    expect(ageOn('1968-06-15', '2023-06-14')).toBe(54)
    expect(ageOn('1968-06-15', '2023-06-15')).toBe(55)
    expect(ageOn('2005-06-14', '2023-06-14')).toBe(18)
    expect(ageOn('2005-06-15', '2023-06-14')).toBe(17)
    expect(ageOn('2005-12-31', '2024-01-01')).toBe(18)
  })

  it('has someone born on 29 February complete the year on 1 March in a common year', () => {
    expect(ageOn('2000-02-29', '2018-02-28')).toBe(17)
    expect(ageOn('2000-02-29', '2018-03-01')).toBe(18)
    expect(ageOn('2000-02-29', '2020-02-29')).toBe(20)
  })

  it('rejects a malformed date', () => {
    expect(() => ageOn('1990-02-30', '2023-01-01')).toThrow(RangeError)
  })
})

describe('ID numbers as typed or pasted', () => {
  it('normalises full-width digits and a full-width lower-case x', () => {
    expect(normalizeResidentIdText('１１０１０５１９４９１２３１００２ｘ')).toBe('11010519491231002X')
    expect(parseResidentId('１１０１０５１９４９１２３１００２ｘ', TODAY)).toMatchObject({
      ok: true,
      id18: '11010519491231002X',
    })
  })

  it('normalises spaces (full-width too), dashes and zero-width characters of a pasted number', () => {
    expect(parseResidentId('110105 19491231 002x', TODAY)).toMatchObject({ ok: true, id18: '11010519491231002X' })
    expect(normalizeResidentIdText(' 110105\u3000 1949 1231\u200b 002-x ')).toBe('11010519491231002X')
  })
})
