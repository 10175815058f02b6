import { describe, expect, it } from 'vitest'
import { DEFAULT_ELIGIBILITY } from '../../../src/domain/eligibility'
import { nextDatesAfter } from '../../../src/app/field/thanks'

describe("the donor's thanks screen", () => {
  it('gives the next date for every product by the interval after the product given today', () => {
    expect(nextDatesAfter('whole_blood', '2026-12-06')).toEqual([
      { product: 'whole_blood', date: '2027-06-06' },
      { product: 'apheresis_platelets', date: '2027-03-06' },
    ])
    const after = nextDatesAfter('apheresis_platelets', '2026-12-06')
    expect(after.find((d) => d.product === 'apheresis_platelets')!.date).toBe('2026-12-20')
    // A station's own intervals are used when it sets them.
    const config = {
      ...DEFAULT_ELIGIBILITY,
      intervals: {
        ...DEFAULT_ELIGIBILITY.intervals,
        whole_blood: { whole_blood: { months: 4 }, apheresis_platelets: { months: 1 } },
      },
    }
    expect(nextDatesAfter('whole_blood', '2026-12-06', config).map((d) => d.date)).toEqual(['2027-04-06', '2027-01-06'])
  })
})
