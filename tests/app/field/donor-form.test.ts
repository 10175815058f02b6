import { describe, expect, it, vi } from 'vitest'
import {
  checkIdentity,
  checkVitalsForm,
  EMPTY_VITALS,
  mergeLocalHistory,
  parseMeasurement,
  snapshotWarnings,
} from '../../../src/app/field/donor-form'
import { checkDonationDin, nextFreeDin } from '../../../src/app/field/din-check'
import { computeDeferralUntil } from '../../../src/app/field/deferral'
import { isbt128Din } from '../../../src/domain/din'

const TODAY = '2026-06-14'

describe('ID number, checked live', () => {
  it('derives birth date, age and sex from a valid number', () => {
    expect(checkIdentity('11010519491231002X', TODAY)).toEqual({
      state: 'ok',
      id18: '11010519491231002X',
      birthDate: '1949-12-31',
      sex: 'F',
      ageYears: 76,
    })
    expect(checkIdentity('11010519491231002x', TODAY)).toMatchObject({ state: 'ok', id18: '11010519491231002X' })
  })

  it("asks for today's date only once there is a whole number to check", () => {
    const today = vi.fn(() => TODAY)
    expect(checkIdentity('', today)).toEqual({ state: 'incomplete' })
    expect(checkIdentity('1101051949', today)).toEqual({ state: 'incomplete' })
    expect(today).not.toHaveBeenCalled()
    expect(checkIdentity('11010519491231002X', today)).toMatchObject({ state: 'ok', ageYears: 76 })
    expect(today).toHaveBeenCalledTimes(1)
  })

  it('refuses a wrong check character (MOD 11-2) once the number is complete', () => {
    expect(checkIdentity('110105194912310021', TODAY)).toEqual({ state: 'error', error: 'check_character' })
  })

  it('stays silent while a number is still being typed, and calls it short after Next', () => {
    expect(checkIdentity('1101051949', TODAY)).toEqual({ state: 'incomplete' })
    expect(checkIdentity('1101051949', TODAY, true)).toEqual({ state: 'error', error: 'length' })
    expect(checkIdentity('11010519491231002Y', TODAY)).toEqual({ state: 'error', error: 'characters' })
  })
})

describe('vitals against GB 18467', () => {
  const good = {
    ...EMPTY_VITALS,
    weightKg: '60',
    hbGL: '130',
    systolic: '120',
    diastolic: '80',
    pulse: '70',
    temperatureC: '36.5',
  }

  it('passes a complete set within limits and builds the record values', () => {
    const r = checkVitalsForm(good, { sex: 'M', product: 'whole_blood', athlete: false })
    expect(r.pass).toBe(true)
    expect(r.vitals).toMatchObject({ weightKg: 60, hbGL: 130, systolic: 120, temperatureC: 36.5, athlete: false })
  })

  it('names each failing value with its limit, by sex', () => {
    const r = checkVitalsForm(
      { ...good, hbGL: '118', weightKg: '47' },
      { sex: 'M', product: 'whole_blood', athlete: false },
    )
    expect(r.pass).toBe(false)
    expect(r.failures.hbGL).toMatchObject({ rule: 'hb', value: 118, limit: 120, bound: 'min' })
    expect(r.failures.weightKg).toMatchObject({ rule: 'weight', limit: 50 })
    // The same Hb passes for a woman (≥ 115 g/L) and 47 kg passes (≥ 45 kg).
    expect(
      checkVitalsForm({ ...good, hbGL: '118', weightKg: '47' }, { sex: 'F', product: 'whole_blood', athlete: false })
        .pass,
    ).toBe(true)
  })

  it('checks pulse pressure, the athlete pulse limit, temperature, and apheresis counts', () => {
    expect(
      checkVitalsForm(
        { ...good, systolic: '100', diastolic: '80' },
        { sex: 'M', product: 'whole_blood', athlete: false },
      ).failures.pulsePressure,
    ).toMatchObject({ rule: 'pulse_pressure', value: 20, limit: 30 })
    expect(
      checkVitalsForm({ ...good, pulse: '55' }, { sex: 'M', product: 'whole_blood', athlete: false }).failures.pulse,
    ).toMatchObject({ rule: 'pulse' })
    expect(checkVitalsForm({ ...good, pulse: '55' }, { sex: 'M', product: 'whole_blood', athlete: true }).pass).toBe(
      true,
    )
    expect(
      checkVitalsForm({ ...good, temperatureC: '37,8' }, { sex: 'M', product: 'whole_blood', athlete: false }).failures
        .temperatureC,
    ).toMatchObject({ rule: 'temperature', bound: 'max' })
    const apheresis = checkVitalsForm(good, { sex: 'M', product: 'apheresis_platelets', athlete: false })
    expect(apheresis.complete).toBe(false)
    expect(
      checkVitalsForm(
        { ...good, hct: '0.34', plateletCount: '460' },
        { sex: 'M', product: 'apheresis_platelets', athlete: false },
      ).failures,
    ).toMatchObject({ hct: { rule: 'hct' }, plateletCount: { rule: 'platelet_count', bound: 'max' } })
  })

  it('reports text that is not a number', () => {
    expect(parseMeasurement('12a')).toBeNull()
    expect(
      checkVitalsForm({ ...good, hbGL: 'abc' }, { sex: 'M', product: 'whole_blood', athlete: false }).failures.hbGL,
    ).toEqual({ rule: 'not_a_number' })
  })
})

describe('eligibility snapshot', () => {
  const history = {
    lastDonationOn: '2026-04-14',
    lastDonationType: 'whole_blood' as const,
    apheresisLast12Months: 0,
    deferredUntil: null,
    permanentlyDeferred: false,
    hadReaction: false,
    donationCount: 2,
  }

  it('warns of a too-short interval with the first allowed date', () => {
    expect(snapshotWarnings(history, 'whole_blood', TODAY)).toEqual([
      { rule: 'interval', value: '2026-04-14', limit: '2026-10-14', nextEligibleOn: '2026-10-14' },
    ])
    expect(snapshotWarnings(history, 'apheresis_platelets', '2026-07-14')).toEqual([])
  })

  it('warns of an active deferral and of a permanent one', () => {
    const w = snapshotWarnings(
      { ...history, lastDonationOn: null, deferredUntil: '2026-06-20', permanentlyDeferred: true },
      'whole_blood',
      TODAY,
    )
    expect(w.map((f) => f.rule)).toEqual(['permanently_deferred', 'deferred'])
  })

  it('adds donations made on this phone since the last sync', () => {
    const merged = mergeLocalHistory(null, [{ collectedOn: '2026-06-01', productType: 'whole_blood' }])
    expect(merged).toMatchObject({ lastDonationOn: '2026-06-01', donationCount: 1 })
    expect(snapshotWarnings(merged, 'whole_blood', TODAY)[0]).toMatchObject({ rule: 'interval' })
  })
})

describe('bag number on a donation', () => {
  const drive = { dinFirst: 'W12342600001', dinLast: '' }
  const range = { dinFirst: 'W123426000001', dinLast: 'W123426000050' }
  const din = (n: number) => isbt128Din.format(`W123426${String(n).padStart(6, '0')}`)

  it('accepts a number in range with its check character and stores it canonical', () => {
    expect(checkDonationDin(din(7), range, new Set())).toEqual({ ok: true, din: din(7) })
    expect(checkDonationDin(`=${din(7).slice(0, 13)}00`, range, new Set())).toEqual({ ok: true, din: din(7) })
  })

  it('verifies the check character and refuses a number typed without it', () => {
    const wrong = din(7).slice(0, 13) + (din(7).endsWith('A') ? 'B' : 'A')
    expect(checkDonationDin(wrong, range, new Set())).toEqual({ ok: false, error: 'check_character' })
    expect(checkDonationDin(din(7).slice(0, 13), range, new Set())).toEqual({ ok: false, error: 'check_missing' })
  })

  it('refuses a bag outside the loaded range and a bag already used on the drive', () => {
    expect(checkDonationDin(din(51), range, new Set())).toEqual({ ok: false, error: 'out_of_range' })
    expect(checkDonationDin(din(7), range, new Set([din(7)]))).toEqual({ ok: false, error: 'duplicate' })
    expect(checkDonationDin(din(7), drive, new Set())).toEqual({ ok: false, error: 'out_of_range' })
  })

  it('refuses a bag another drive of this phone used', () => {
    expect(checkDonationDin(din(7), range, new Set(), new Set([din(7)]))).toEqual({
      ok: false,
      error: 'used_elsewhere',
    })
    expect(checkDonationDin(din(8), range, new Set(), new Set([din(7)]))).toEqual({ ok: true, din: din(8) })
  })

  it('offers the bag after the highest used one, with its check character, then the gaps, then none', () => {
    expect(nextFreeDin(range, [])).toBe(din(1))
    expect(nextFreeDin(range, [din(1), din(2), din(4)])).toBe(din(5))
    expect(nextFreeDin(range, [din(1), din(50)])).toBe(din(2))
    expect(nextFreeDin({ dinFirst: din(1).slice(0, 13), dinLast: din(2).slice(0, 13) }, [din(1), din(2)])).toBeNull()
    // Numbers outside the range or of another series do not count.
    expect(nextFreeDin(range, [isbt128Din.format('W123425000009'), din(99)])).toBe(din(1))
    expect(isbt128Din.parse(nextFreeDin(range, [din(3)])!).ok).toBe(true)
  })
})

describe('deferral until-date', () => {
  it('counts from today, from a reported recovery date, or to the next eligible date', () => {
    // Hb too low: 1 month from today, until is the last deferred day.
    expect(computeDeferralUntil('low_hb', TODAY, TODAY, null)).toEqual({ ok: true, until: '2026-07-13', from: TODAY })
    // Cold: one week after recovery on 10 June → until 16 June.
    expect(computeDeferralUntil('cold_fever', TODAY, '2026-06-10', null)).toEqual({
      ok: true,
      until: '2026-06-16',
      from: '2026-06-10',
    })
    // Tooth extraction: half a month (15 days) from the extraction.
    expect(computeDeferralUntil('tooth_extraction', TODAY, TODAY, null)).toMatchObject({ until: '2026-06-28' })
    expect(computeDeferralUntil('short_interval', TODAY, TODAY, '2026-10-14')).toMatchObject({ until: '2026-10-13' })
    expect(computeDeferralUntil('hepatitis', TODAY, TODAY, null)).toMatchObject({ ok: true, until: null })
  })

  it('refuses a missing reason, a future start date, and an interval deferral without a date', () => {
    expect(computeDeferralUntil(null, TODAY, TODAY, null)).toEqual({ ok: false, error: 'reason_required' })
    expect(computeDeferralUntil('cold_fever', TODAY, '2026-06-20', null)).toEqual({ ok: false, error: 'from_future' })
    expect(computeDeferralUntil('short_interval', TODAY, TODAY, null)).toEqual({
      ok: false,
      error: 'next_eligible_unknown',
    })
  })
})
