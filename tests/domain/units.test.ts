import { describe, expect, it } from 'vitest'
import { ML_PER_UNIT, PLATELETS_PER_DOSE, plateletDoses, productUnits, wholeBloodUnits } from '../../src/domain/units'

describe('wholeBloodUnits', () => {
  it('counts 200 ml as one unit', () => {
    expect(ML_PER_UNIT).toBe(200)
    expect(wholeBloodUnits(200)).toBe(1)
    expect(wholeBloodUnits(300)).toBe(1.5)
    expect(wholeBloodUnits(400)).toBe(2)
  })

  it("reproduces the seed's 169,002 u from 84,381 × 400 ml, 24 × 300 ml and 204 × 200 ml", () => {
    const units = 84_381 * wholeBloodUnits(400) + 24 * wholeBloodUnits(300) + 204 * wholeBloodUnits(200)
    expect(units).toBe(169_002)
  })

  it('refuses a volume that is not a positive number', () => {
    for (const bad of [0, -200, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => wholeBloodUnits(bad)).toThrow(RangeError)
  })
})

describe('productUnits', () => {
  it('gives units for whole blood and doses for apheresis platelets, never both', () => {
    expect(productUnits({ type: 'whole_blood', volumeMl: 400 })).toEqual({ units: 2, doses: 0 })
    expect(productUnits({ type: 'whole_blood', volumeMl: 300 })).toEqual({ units: 1.5, doses: 0 })
    expect(productUnits({ type: 'apheresis_platelets', doses: 1 })).toEqual({ units: 0, doses: 1 })
    expect(productUnits({ type: 'apheresis_platelets', doses: 2 })).toEqual({ units: 0, doses: 2 })
  })
})

describe('plateletDoses', () => {
  it('counts full doses of 2.5 × 10¹¹ platelets, at most two per donation', () => {
    expect(PLATELETS_PER_DOSE).toBe(2.5e11)
    expect(plateletDoses(2.49e11)).toBe(0)
    expect(plateletDoses(2.5e11)).toBe(1)
    expect(plateletDoses(4.99e11)).toBe(1)
    expect(plateletDoses(5.0e11)).toBe(2)
    expect(plateletDoses(9e11)).toBe(2)
    expect(() => plateletDoses(-1)).toThrow(RangeError)
  })
})
