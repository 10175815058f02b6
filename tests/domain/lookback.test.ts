import { describe, expect, it } from 'vitest'
import { findLookbacks, type LookbackRecord } from '../../src/domain/lookback'

const donation = (
  id: string,
  deviceId: string | null,
  collectedOn: string,
  at: string,
  product: LookbackRecord['product'] = 'whole_blood',
): LookbackRecord => ({
  id,
  type: 'donation',
  deviceId,
  collectedOn,
  at: `${collectedOn}T${at}:00.000+08:00`,
  product,
})
const deferral = (
  id: string,
  deviceId: string | null,
  collectedOn: string,
  at: string,
  until: string | null,
): LookbackRecord => ({
  id,
  type: 'deferral',
  deviceId,
  collectedOn,
  at: `${collectedOn}T${at}:00.000+08:00`,
  until,
})

describe('lookback after sync', () => {
  it('holds a donation another phone deferred the donor before, while the deferral ran', () => {
    const d = donation('d', 'A', '2026-03-05', '10:00')
    expect(findLookbacks([d, deferral('x', 'B', '2026-03-02', '09:00', '2026-03-09')], new Set(['x']))).toEqual([
      { donationId: 'd', causeId: 'x', reason: 'deferral_before_donation' },
    ])
    // Permanent, and the same day earlier.
    expect(findLookbacks([d, deferral('p', 'B', '2026-03-05', '09:59', null)], new Set(['d']))).toHaveLength(1)
    // Over before the donation's day, after the donation, on the same phone, or nothing fresh: no hold.
    expect(findLookbacks([d, deferral('x', 'B', '2026-03-01', '09:00', '2026-03-04')], new Set(['d', 'x']))).toEqual([])
    expect(findLookbacks([d, deferral('x', 'B', '2026-03-05', '10:01', null)], new Set(['d', 'x']))).toEqual([])
    expect(findLookbacks([d, deferral('x', 'A', '2026-03-02', '09:00', null)], new Set(['d', 'x']))).toEqual([])
    expect(findLookbacks([d, deferral('x', 'B', '2026-03-02', '09:00', null)], new Set())).toEqual([])
  })

  it('holds the later of two donations inside the interval on two phones, by the products’ interval', () => {
    const first = donation('a', 'A', '2026-03-05', '09:00')
    const second = donation('b', 'B', '2026-03-05', '15:00')
    expect(findLookbacks([second, first], new Set(['a']))).toEqual([
      { donationId: 'b', causeId: 'a', reason: 'interval' },
    ])
    // Whole blood → whole blood: 6 months; on the day the interval ends the donor may give.
    expect(findLookbacks([first, donation('c', 'B', '2026-09-04', '09:00')], new Set(['c']))).toHaveLength(1)
    expect(findLookbacks([first, donation('c', 'B', '2026-09-05', '09:00')], new Set(['c']))).toEqual([])
    // Platelets → platelets: 2 weeks.
    const p1 = donation('p1', 'A', '2026-03-05', '09:00', 'apheresis_platelets')
    expect(
      findLookbacks([p1, donation('p2', 'B', '2026-03-18', '09:00', 'apheresis_platelets')], new Set(['p2'])),
    ).toHaveLength(1)
    expect(
      findLookbacks([p1, donation('p2', 'B', '2026-03-19', '09:00', 'apheresis_platelets')], new Set(['p2'])),
    ).toEqual([])
    // Imports (no phone) are one source.
    expect(
      findLookbacks(
        [donation('i1', null, '2026-03-05', '09:00'), donation('i2', null, '2026-03-06', '09:00')],
        new Set(['i2']),
      ),
    ).toEqual([])
  })
})
