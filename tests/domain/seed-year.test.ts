// The first acceptance test of the indicator code (docs/domain.md, "Indicators"): a synthetic
// year reproduces every collection figure of the Luoyang 2023 review, at its published precision, through computeIndicators.
import { beforeAll, describe, expect, it } from 'vitest'
import { generateSeedYear, type SeedYear } from '../../src/domain/generator/seed-year'
import { computeIndicators, effectiveRecords, metricValue, roundTo, type Indicators } from '../../src/domain/indicators'
import { indicatorContextFor } from '../../src/domain/reference-data'
import { bleedFlags } from '../../src/domain/bleed'
import { suggestDeferralReasons } from '../../src/domain/deferral-reasons'
import { followUpsFor, per1000, REACTION_CODES } from '../../src/domain/haemovigilance'
import { expiredLots, rapidTestFailures } from '../../src/domain/rapid-tests'
import { DEFAULT_QUESTIONNAIRE, PUBLIC_REF } from '../../src/domain/questionnaire'
import type { Donation } from '../../src/domain/records'

let year: SeedYear
let ind: Indicators
const byCode = (ids: Record<string, number>, rows: { id: string; code: string }[]) =>
  Object.fromEntries(rows.map((r) => [r.code, ids[r.id] ?? 0]))

beforeAll(() => {
  year = generateSeedYear({ profile: 'luoyang-2023', seed: 2023 })
  ind = computeIndicators(year.records, indicatorContextFor(year.reference, 2023))
}, 60_000)

describe('Luoyang 2023 seed year through computeIndicators', () => {
  it('donations, whole blood and apheresis', () => {
    expect(ind.donations).toBe(93_560)
    expect(ind.wholeBloodDonations).toBe(84_609)
    expect(ind.wholeBloodUnits).toBe(169_002)
    expect([ind.wholeBlood400, ind.wholeBlood300, ind.wholeBlood200]).toEqual([84_381, 24, 204])
    expect(ind.apheresisDonations).toBe(8_951)
    expect(ind.apheresisDoses).toBe(13_187)
  })

  it('shares at published precision (percent, 2 decimals)', () => {
    expect(roundTo(metricValue(ind, 'rate_400ml')!, 2)).toBe(99.73)
    expect(roundTo(metricValue(ind, 'rural_donor_share')!, 2)).toBe(69.39)
    expect(roundTo(metricValue(ind, 'repeat_donor_share')!, 2)).toBe(67.08)
    expect(roundTo(metricValue(ind, 'rural_mobile_share')!, 2)).toBe(32.59)
    expect(ind.ruralMobileWholeBlood).toBe(27_577)
  })

  it('donations per 1,000 with population 7,077,000', () => {
    expect(ind.population).toBe(7_077_000)
    expect(roundTo(metricValue(ind, 'per_1000')!, 2)).toBe(13.22)
  })

  it('rural-mobile trips: exactly 787', () => {
    expect(ind.ruralBusTrips).toBe(787)
    expect(ind.busTrips).toBeGreaterThan(787) // drives of other channels too
  })

  it('channel counts', () => {
    expect(byCode(ind.byChannel, year.reference.channels)).toMatchObject({
      government_agencies: 1_637,
      universities: 10_258,
      medical_staff_month: 2_655,
      rural_mobile: 27_577,
      enterprises: 1_391,
    })
  })

  it('enterprise donations come from 31 enterprise sites', () => {
    const enterprises = year.reference.channels.find((c) => c.code === 'enterprises')!
    const sites = new Set(
      effectiveRecords(year.records).flatMap((r) =>
        r.type === 'donation' && r.channelId === enterprises.id ? [r.siteId] : [],
      ),
    )
    expect(sites.size).toBe(31)
  })

  it('team counts; the apheresis team is all apheresis; the rare-type team is RhD negative', () => {
    expect(byCode(ind.byTeam, year.reference.teams)).toMatchObject({
      county_emergency: 10_281,
      apheresis_platelet: 8_951,
      rare_blood_type: 513,
      military: 2_301,
    })
    expect(ind.rhdNegativeDonations).toBe(513)
    const rare = year.reference.teams.find((t) => t.code === 'rare_blood_type')!
    const mismatched = effectiveRecords(year.records).filter(
      (r) => r.type === 'donation' && r.teamIds.includes(rare.id) !== (r.rhd === 'neg'),
    )
    expect(mismatched).toEqual([])
  })

  it('June, the campaign month, has 9,691 donations and is the peak', () => {
    const perMonth = Array<number>(12).fill(0)
    for (const r of effectiveRecords(year.records))
      if (r.type === 'donation') perMonth[Number(r.collectedOn.slice(5, 7)) - 1]! += 1
    expect(perMonth[5]).toBe(9_691)
    expect(Math.max(...perMonth)).toBe(9_691)
    expect(perMonth.every((n) => n > 5_000)).toBe(true)
  })

  it('deferrals at a plausible rate', () => {
    expect(ind.deferralRate!).toBeGreaterThan(0.08)
    expect(ind.deferralRate!).toBeLessThan(0.12)
  })
})

describe('the visit on the bus (issue 14): rapid tests, bleeds, reactions', () => {
  it('every donation has rapid tests and a bleed; every drive its reagent lots in date', () => {
    const donations = year.records.filter((r) => r.type === 'donation')
    expect(donations.every((d) => d.rapidTests && d.bleed)).toBe(true)
    const copper = donations.filter((d) => d.rapidTests!.hbMethod === 'copper_sulphate')
    expect(copper.length / donations.length).toBeGreaterThan(0.05)
    expect(copper.every((d) => d.rapidTests!.hbCopperPass === true && d.vitals!.hbGL === undefined)).toBe(true)
    expect(donations.every((d) => rapidTestFailures(d.rapidTests).length === 0)).toBe(true)
    const drives = year.records.filter((r) => r.type === 'drive')
    expect(drives.every((d) => d.reagentLots?.length === 4 && expiredLots(d.reagentLots, d.date).length === 0)).toBe(
      true,
    )
    // A few bags in a hundred are flagged for the lab (short draws, slow bleeds, re-sticks).
    const flagged = donations.filter((d) => bleedFlags(d.product, d.bleed).length > 0).length / donations.length
    expect(flagged).toBeGreaterThan(0.02)
    expect(flagged).toBeLessThan(0.08)
  })

  it('defers reactive or out-of-range rapid tests with their reasons', () => {
    const deferrals = year.records.filter((r) => r.type === 'deferral')
    const alt = deferrals.filter((d) => d.reasonCode === 'alt_high')
    const hbsag = deferrals.filter((d) => d.reasonCode === 'hbsag_reactive')
    expect(alt.length).toBeGreaterThan(200)
    expect(hbsag.length).toBeGreaterThan(20)
    for (const d of [...alt, ...hbsag])
      expect(suggestDeferralReasons(rapidTestFailures(d.rapidTests))).toEqual([d.reasonCode])
  })

  it('has reactions at plausible rates, about twice as often on buses as at fixed sites', () => {
    const sites = new Map(year.reference.sites.map((s) => [s.id, s]))
    const donations = new Map(year.records.filter((r) => r.type === 'donation').map((d) => [d.id, d] as const))
    const onBus = (d: Donation) => d.driveId !== null && sites.get(d.siteId!)?.kind !== 'fixed_site'
    const reactions = year.records.filter((r) => r.type === 'adverse_reaction')
    const count = (pred: (d: Donation) => boolean) => [...donations.values()].filter(pred).length
    const reacted = (pred: (d: Donation) => boolean) =>
      reactions.filter((r) => pred(donations.get(r.donationId)!)).length
    const bus = per1000(reacted(onBus), count(onBus))!
    const fixed = per1000(
      reacted((d) => !onBus(d)),
      count((d) => !onBus(d)),
    )!
    expect(bus / fixed).toBeGreaterThan(1.6)
    expect(bus / fixed).toBeLessThan(2.6)
    const all = per1000(reactions.length, donations.size)!
    expect(all).toBeGreaterThan(2)
    expect(all).toBeLessThan(12)
    const firstTime = per1000(
      reacted((d) => !d.repeatDonor),
      count((d) => !d.repeatDonor),
    )!
    const repeat = per1000(
      reacted((d) => d.repeatDonor),
      count((d) => d.repeatDonor),
    )!
    expect(firstTime).toBeGreaterThan(repeat)
    expect(reactions.every((r) => (REACTION_CODES as readonly string[]).includes(r.code) && r.onset && r.outcome)).toBe(
      true,
    )
    // Citrate reactions only on apheresis; some donations have two reactions; some need calls.
    expect(
      reactions
        .filter((r) => r.code === 'citrate')
        .every((r) => donations.get(r.donationId)!.product.type === 'apheresis_platelets'),
    ).toBe(true)
    expect(new Set(reactions.map((r) => r.donationId)).size).toBeLessThan(reactions.length)
    expect(reactions.filter((r) => followUpsFor(r, r.occurredAt.slice(0, 10)).length > 0).length).toBeGreaterThan(20)
  })
})

describe('the visit on the bus (issue 14): questionnaires and contact consent', () => {
  it('every donation and deferral carries signed answers to the default set; donations a public reference', () => {
    const visits = year.records.filter((r) => r.type === 'donation' || r.type === 'deferral')
    expect(
      visits.every((r) => r.questionnaire?.version === DEFAULT_QUESTIONNAIRE.version && r.questionnaire.signed),
    ).toBe(true)
    const donations = visits.filter((r) => r.type === 'donation')
    expect(donations.every((d) => d.publicRef !== undefined && PUBLIC_REF.test(d.publicRef))).toBe(true)
    expect(new Set(donations.map((d) => d.publicRef)).size).toBe(donations.length)
    // A kiosk at about one visit in seven; self-exclusions rare, and never on a deferral.
    const kiosk = visits.filter((r) => r.questionnaire!.via === 'kiosk').length / visits.length
    expect(kiosk).toBeGreaterThan(0.12)
    expect(kiosk).toBeLessThan(0.18)
    const excluded = donations.filter((d) => d.questionnaire!.selfExcluded).length
    expect(excluded).toBeGreaterThan(50)
    expect(excluded).toBeLessThan(donations.length * 0.004)
    expect(visits.some((r) => r.type === 'deferral' && r.questionnaire!.selfExcluded)).toBe(false)
    // Most donors agree to be contacted, by SMS more often than WeChat.
    const consent = (c: string) => visits.filter((r) => r.contactConsent === c).length / visits.length
    expect(consent('sms')).toBeGreaterThan(consent('wechat'))
    expect(consent('none')).toBeGreaterThan(0.15)
    expect(consent('none')).toBeLessThan(0.25)
  })

  it('a deferral for a reason the questionnaire asks about was answered "yes" there; donations had no "yes"', () => {
    const asked = new Map(
      DEFAULT_QUESTIONNAIRE.questions.filter((q) => q.defersWith).map((q) => [q.code, q.defersWith]),
    )
    const deferrals = year.records.filter((r) => r.type === 'deferral')
    const withYes = deferrals.filter((d) => d.questionnaire!.yes.length > 0)
    expect(withYes.length).toBeGreaterThan(0)
    for (const d of withYes) expect(d.questionnaire!.yes.map((code) => asked.get(code))).toEqual([d.reasonCode])
    const askedReasons = new Set(asked.values())
    expect(
      deferrals.filter((d) => askedReasons.has(d.reasonCode)).every((d) => d.questionnaire!.yes.length === 1),
    ).toBe(true)
    expect(year.records.filter((r) => r.type === 'donation').every((d) => d.questionnaire!.yes.length === 0)).toBe(true)
  })
})
