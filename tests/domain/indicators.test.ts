import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addToCounts,
  computeIndicators,
  countRecords,
  effectiveRecords,
  emptyCounts,
  indicatorsFromCounts,
  mergeCounts,
  metricValue,
  roundTo,
  type IndicatorContext,
} from '../../src/domain/indicators'
import { METRICS, RETENTION_METRICS, type FieldRecord } from '../../src/domain/records'
import {
  RURAL,
  STREET,
  TEAM_COUNTY,
  TEAM_RARE,
  UNIVERSITY,
  arbDeferral,
  arbDonation,
  arbDrive,
  arbRecordSet,
  correctionOf,
  deferral,
  donation,
  drive,
  testId,
  voidOf,
} from './support/records'

const ctx: IndicatorContext = { ruralMobileChannelIds: new Set([RURAL]), population: 1000 }

// A small day worked by hand:
//  d1 rural bus, 400 ml, rural donor, repeat, O+          d2 rural bus, 300 ml, urban, first-time, A-
//  d3 university, 200 ml, rural, repeat, B+, county team  d4 street, apheresis 2 doses, urban, repeat, AB-, rare+county
//  d5 street, apheresis 1 dose, rural, first-time, O+     f1, f2 deferrals; two drives (one rural)
function handDay(): FieldRecord[] {
  return [
    donation({ channelId: RURAL, household: 'rural', repeatDonor: true, abo: 'O', rhd: 'pos' }),
    donation({
      channelId: RURAL,
      product: { type: 'whole_blood', volumeMl: 300 },
      household: 'urban',
      abo: 'A',
      rhd: 'neg',
    }),
    donation({
      channelId: UNIVERSITY,
      product: { type: 'whole_blood', volumeMl: 200 },
      household: 'rural',
      repeatDonor: true,
      abo: 'B',
      teamIds: [TEAM_COUNTY],
    }),
    donation({
      channelId: STREET,
      product: { type: 'apheresis_platelets', doses: 2 },
      repeatDonor: true,
      abo: 'AB',
      rhd: 'neg',
      teamIds: [TEAM_RARE, TEAM_COUNTY],
    }),
    donation({ channelId: STREET, product: { type: 'apheresis_platelets', doses: 1 }, household: 'rural', abo: 'O' }),
    deferral(),
    deferral({ channelId: RURAL }),
    drive({ channelId: RURAL }),
    drive({ channelId: UNIVERSITY }),
  ]
}

describe('computeIndicators on a hand-worked day', () => {
  const ind = computeIndicators(handDay(), ctx)

  it('counts donations, products, units and doses', () => {
    expect(ind.donations).toBe(5)
    expect(ind.wholeBloodDonations).toBe(3)
    expect([ind.wholeBlood400, ind.wholeBlood300, ind.wholeBlood200]).toEqual([1, 1, 1])
    expect(ind.wholeBloodUnits).toBe(2 + 1.5 + 1)
    expect(ind.apheresisDonations).toBe(2)
    expect(ind.apheresisDoses).toBe(3)
  })

  it('derives every rate from its own numerator and denominator', () => {
    expect(ind.rate400ml).toBeCloseTo(1 / 3)
    expect(ind.ruralMobileWholeBlood).toBe(2)
    expect(ind.ruralMobileShare).toBeCloseTo(2 / 3)
    expect(ind.ruralDonorDonations).toBe(3)
    expect(ind.ruralDonorShare).toBeCloseTo(3 / 5)
    expect(ind.repeatDonorDonations).toBe(3)
    expect(ind.repeatDonorShare).toBeCloseTo(3 / 5)
    expect(ind.per1000).toBeCloseTo(5)
    expect(ind.deferrals).toBe(2)
    expect(ind.deferralRate).toBeCloseTo(2 / 7)
  })

  it('counts Rh-negative donations, bus trips, channels, teams and blood groups', () => {
    expect(ind.rhdNegativeDonations).toBe(2)
    expect(ind.busTrips).toBe(2)
    expect(ind.ruralBusTrips).toBe(1)
    expect(ind.byChannel).toEqual({ [RURAL]: 2, [UNIVERSITY]: 1, [STREET]: 2 })
    expect(ind.byTeam).toEqual({ [TEAM_COUNTY]: 2, [TEAM_RARE]: 1 })
    expect(ind.byBloodGroup).toEqual({ 'A+': 0, 'A-': 1, 'B+': 1, 'B-': 0, 'O+': 2, 'O-': 0, 'AB+': 0, 'AB-': 1 })
  })

  it('maps every metric, shares in percent', () => {
    const values = Object.fromEntries(METRICS.map((m) => [m, metricValue(ind, m)]))
    expect(values).toEqual({
      donations: 5,
      whole_blood_donations: 3,
      whole_blood_units: 4.5,
      apheresis_donations: 2,
      apheresis_doses: 3,
      rate_400ml: expect.closeTo(100 / 3, 10),
      rural_mobile_share: expect.closeTo(200 / 3, 10),
      rural_donor_share: expect.closeTo(60, 10),
      repeat_donor_share: expect.closeTo(60, 10),
      per_1000: expect.closeTo(5, 10),
      deferral_rate: expect.closeTo(200 / 7, 10),
      bus_trips: 2,
      rhd_negative_donations: 2,
      // Retention figures need the station's whole history, not one day's counts.
      ...Object.fromEntries(RETENTION_METRICS.map((m) => [m, null])),
    })
  })

  it('leaves rates null when the denominator is zero, and per_1000 null without population', () => {
    const none = computeIndicators([drive()], { ruralMobileChannelIds: new Set() })
    expect(none.busTrips).toBe(1)
    expect(none.ruralBusTrips).toBe(0)
    for (const m of [
      'rate_400ml',
      'rural_mobile_share',
      'rural_donor_share',
      'repeat_donor_share',
      'per_1000',
      'deferral_rate',
    ] as const) {
      expect(metricValue(none, m)).toBeNull()
    }
    expect(none.population).toBeNull()
    const apheresisOnly = computeIndicators([donation({ product: { type: 'apheresis_platelets', doses: 1 } })], {
      ruralMobileChannelIds: new Set(),
      population: 0,
    })
    expect(apheresisOnly.rate400ml).toBeNull()
    expect(apheresisOnly.repeatDonorShare).toBe(0)
    expect(apheresisOnly.per1000).toBeNull()
  })

  it('rounds for display at published precision', () => {
    expect(roundTo((27577 / 84609) * 100, 2)).toBe(32.59)
    expect(roundTo(1.005, 2)).toBe(1.01)
  })
})

describe('effectiveRecords: voids and corrections', () => {
  it('drops a voided record, of any counted type', () => {
    const d = donation()
    const f = deferral()
    const t = drive()
    const eff = effectiveRecords([d, f, t, voidOf(d), voidOf(f), voidOf(t)])
    expect(eff).toEqual([])
  })

  it('applies a correction under the original id, counting once', () => {
    const d = donation({ abo: 'A' })
    const c = correctionOf(d, donation({ abo: 'B', id: testId() }))
    const eff = effectiveRecords([d, c])
    expect(eff).toHaveLength(1)
    expect(eff[0]).toMatchObject({ id: d.id, abo: 'B' })
    expect(computeIndicators([d, c], ctx).byBloodGroup).toMatchObject({ 'A+': 0, 'B+': 1 })
  })

  it('lets the newest correction win by createdAt as an instant, then by id', () => {
    const d = donation({ abo: 'A' })
    const older = correctionOf(d, donation({ abo: 'B' }), { createdAt: '2023-06-14T10:00:00.000+08:00' })
    // Same instant written in UTC: the id decides.
    const tieLow = correctionOf(d, donation({ abo: 'O' }), {
      createdAt: '2023-06-14T03:00:00.000Z',
      id: testId(700001),
    })
    const tieHigh = correctionOf(d, donation({ abo: 'AB' }), {
      createdAt: '2023-06-14T11:00:00.000+08:00',
      id: testId(700002),
    })
    for (const order of [
      [d, older, tieLow, tieHigh],
      [tieHigh, tieLow, older, d],
    ]) {
      expect(effectiveRecords(order)[0]).toMatchObject({ id: d.id, abo: 'AB' })
    }
  })

  it('can change a donation into a deferral', () => {
    const d = donation()
    const ind = computeIndicators([d, correctionOf(d, deferral())], ctx)
    expect([ind.donations, ind.deferrals]).toEqual([0, 1])
  })

  it('never counts a voided original, even when corrected (before or after the void)', () => {
    const d = donation()
    const c = correctionOf(d, donation({ abo: 'B' }))
    expect(effectiveRecords([d, c, voidOf(d)])).toEqual([])
    expect(effectiveRecords([voidOf(d), c, d])).toEqual([])
  })

  it('voiding a correction voids the corrected record', () => {
    const d = donation()
    const c = correctionOf(d, donation({ abo: 'B' }))
    expect(effectiveRecords([d, c, voidOf(c)])).toEqual([])
  })

  it('a correction of a correction corrects the original', () => {
    const d = donation({ abo: 'A' })
    const c1 = correctionOf(d, donation({ abo: 'B' }), { createdAt: '2023-06-14T10:00:00.000+08:00' })
    const c2 = correctionOf(c1, donation({ abo: 'O' }), { createdAt: '2023-06-14T11:00:00.000+08:00' })
    expect(effectiveRecords([d, c1, c2])).toEqual([expect.objectContaining({ id: d.id, abo: 'O' })])
  })

  it('ignores voids and corrections of unknown ids, voids of voids, and corrections of drives', () => {
    const d = donation()
    const t = drive()
    const unknown = { id: testId() }
    const v = voidOf(d)
    // The void of the void does not bring d back; the drive is not replaced by a donation.
    const recs = [d, t, v, voidOf(v), voidOf(unknown), correctionOf(unknown, donation()), correctionOf(t, donation())]
    expect(effectiveRecords(recs)).toEqual([t])
    expect(
      effectiveRecords([d, t, voidOf(unknown), correctionOf(unknown, donation()), correctionOf(t, donation())]),
    ).toEqual([d, t])
  })

  it('counts a record id seen twice once', () => {
    const d = donation()
    expect(computeIndicators([d, { ...d }], ctx).donations).toBe(1)
  })

  it('survives a cycle of corrections pointing at each other', () => {
    const a = correctionOf({ id: testId(800001) }, donation(), { id: testId(800002) })
    const b = correctionOf({ id: testId(800002) }, donation(), { id: testId(800001) })
    expect(effectiveRecords([a, b])).toEqual([])
  })
})

describe('counts algebra', () => {
  const arbCounted = fc.oneof(arbDonation, arbDeferral, arbDrive)

  it('addToCounts with sign -1 inverts +1', () => {
    fc.assert(
      fc.property(fc.array(arbCounted, { maxLength: 15 }), arbCounted, (base, extra) => {
        const before = countRecords(base, ctx)
        const counts = countRecords(base, ctx)
        addToCounts(counts, extra, ctx, 1)
        addToCounts(counts, extra, ctx, -1)
        expect(counts).toEqual(before)
      }),
    )
  })

  it('mergeCounts of two halves equals the counts of the whole', () => {
    fc.assert(
      fc.property(fc.array(arbCounted, { maxLength: 20 }), fc.nat(20), (recs, cut) => {
        const merged = mergeCounts(countRecords(recs.slice(0, cut), ctx), countRecords(recs.slice(cut), ctx))
        expect(merged).toEqual(countRecords(recs, ctx))
      }),
    )
    expect(mergeCounts(emptyCounts(), emptyCounts())).toEqual(emptyCounts())
  })

  it('indicators do not depend on record order', () => {
    fc.assert(
      fc.property(
        arbRecordSet.chain((recs) =>
          fc.tuple(fc.constant(recs), fc.shuffledSubarray(recs, { minLength: recs.length })),
        ),
        ([recs, shuffled]) => {
          expect(computeIndicators(shuffled, ctx)).toEqual(computeIndicators(recs, ctx))
        },
      ),
    )
  })

  it('adding a void for a record changes counts exactly as removing that record', () => {
    const withTarget = arbRecordSet
      .map((recs) => ({ recs, originals: recs.filter((r) => r.type !== 'void' && r.type !== 'correction') }))
      .filter(({ originals }) => originals.length > 0)
      .chain(({ recs, originals }) => fc.tuple(fc.constant(recs), fc.constantFrom(...originals)))
    fc.assert(
      fc.property(withTarget, ([recs, target]) => {
        const voided = computeIndicators([...recs, voidOf(target)], ctx)
        const removed = computeIndicators(
          recs.filter((r) => r !== target),
          ctx,
        )
        expect(voided).toEqual(removed)
      }),
    )
  })

  it('a phone applying voids and corrections as remove/add matches recomputing', () => {
    fc.assert(
      fc.property(arbRecordSet, (recs) => {
        // Originals first, then each void/correction applied as a delta on the running counts.
        const running = emptyCounts()
        const current = new Map<string, FieldRecord>()
        const originals = recs.filter((r) => r.type !== 'void' && r.type !== 'correction')
        const edits = recs.filter((r) => r.type === 'void' || r.type === 'correction')
        const seen: FieldRecord[] = [...originals]
        for (const r of originals) {
          addToCounts(running, r, ctx)
          current.set(r.id, r)
        }
        for (const e of edits) {
          seen.push(e)
          const effNow = new Map(effectiveRecords(seen).map((r) => [r.id, r]))
          for (const [id, before] of current) {
            const after = effNow.get(id)
            if (after !== before) {
              addToCounts(running, before, ctx, -1)
              if (after) addToCounts(running, after, ctx, 1)
            }
          }
          current.clear()
          for (const [id, r] of effNow) current.set(id, r)
        }
        expect(indicatorsFromCounts(running, ctx)).toEqual(computeIndicators(recs, ctx))
      }),
    )
  })
})
