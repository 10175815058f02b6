// The donor form's rapid tests, bleed and the drive's reagent lots, checked without a screen.
import { describe, expect, it } from 'vitest'
import { bleedFlags } from '../../../src/domain/bleed'
import { followUpsFor, per1000 } from '../../../src/domain/haemovigilance'
import {
  checkBleed,
  checkRapidTests,
  checkReagentLots,
  EMPTY_BLEED,
  EMPTY_RAPID_TESTS,
  emptyReagentLots,
} from '../../../src/app/field/clinic-form'

const LOTS = [{ test: 'alt' as const, lot: 'ALT-1', expiresOn: '2026-03-01' }]

describe('rapid tests on the donor form', () => {
  it('records nothing when only the haemoglobinometer was used', () => {
    expect(checkRapidTests(EMPTY_RAPID_TESTS, LOTS, '2026-03-05').tests).toBeNull()
  })

  it('defers a high ALT, a reactive HBsAg and a failed copper sulphate drop, with their rules', () => {
    const check = checkRapidTests(
      { ...EMPTY_RAPID_TESTS, hbMethod: 'copper_sulphate', hbCopperPass: 'fail', altUL: '64', hbsag: 'reactive' },
      [],
      '2026-03-01',
    )
    expect(check.tests).toEqual({ hbMethod: 'copper_sulphate', hbCopperPass: false, altUL: 64, hbsag: 'reactive' })
    expect(check.failures.map((f) => f.rule)).toEqual(['hb_copper_sulphate', 'alt', 'hbsag'])
    expect(checkRapidTests({ ...EMPTY_RAPID_TESTS, altUL: '50' }, [], '2026-03-01').failures).toEqual([])
  })

  it('refuses a test done with a lot expired before today, not one expiring today', () => {
    const alt = { ...EMPTY_RAPID_TESTS, altUL: '20' }
    expect(checkRapidTests(alt, LOTS, '2026-03-01').expired).toEqual([])
    expect(checkRapidTests(alt, LOTS, '2026-03-02').expired).toEqual(LOTS)
    // A test not done does not need its reagent.
    expect(checkRapidTests({ ...EMPTY_RAPID_TESTS, hbsag: 'nonreactive' }, LOTS, '2026-03-02').expired).toEqual([])
  })

  it('says a copper sulphate result is missing only after a try, and a typed ALT must be a number', () => {
    const copper = { ...EMPTY_RAPID_TESTS, hbMethod: 'copper_sulphate' as const }
    expect(checkRapidTests(copper, [], '2026-03-01').errors).toEqual({})
    expect(checkRapidTests(copper, [], '2026-03-01', true).errors).toEqual({ hbCopperPass: 'required' })
    expect(checkRapidTests({ ...EMPTY_RAPID_TESTS, altUL: 'abc' }, [], '2026-03-01').errors).toEqual({
      altUL: 'not_a_number',
    })
  })
})

describe('reagent lots on "open a drive"', () => {
  it('keeps the filled rows, refuses a lot expired before the drive and half-filled rows', () => {
    const rows = emptyReagentLots()
    rows[0] = { test: 'abo_rhd', lot: ' ABO-7 ', expiresOn: '2026-06-30' }
    rows[2] = { test: 'alt', lot: 'ALT-1', expiresOn: '2026-02-28' }
    rows[3] = { test: 'hbsag', lot: '', expiresOn: '2026-06-30' }
    const { lots, errors } = checkReagentLots(rows, '2026-03-01')
    expect(lots).toEqual([{ test: 'abo_rhd', lot: 'ABO-7', expiresOn: '2026-06-30' }])
    expect(errors).toEqual({ alt: { expiresOn: 'expired' }, hbsag: { lot: 'lot_required' } })
  })
})

describe('the bleed', () => {
  it('is absent when nothing was typed and needs the collector once anything was', () => {
    expect(checkBleed(EMPTY_BLEED, '2026-03-01', { type: 'whole_blood' })).toEqual({
      bleed: null,
      errors: {},
      flags: [],
    })
    expect(checkBleed({ ...EMPTY_BLEED, volumeMl: '400' }, '2026-03-01', null).errors).toEqual({
      collectedBy: 'collector_required',
    })
    expect(
      checkBleed({ ...EMPTY_BLEED, started: '09:10', ended: '09:00', collectedBy: 's' }, '2026-03-01', null).errors,
    ).toEqual({ ended: 'end_before_start' })
  })

  it('flags a short draw and a whole-blood bleed over the station limits, not an apheresis run', () => {
    const text = { ...EMPTY_BLEED, started: '09:00', ended: '09:16', shortDraw: true, collectedBy: 'staff' }
    expect(checkBleed(text, '2026-03-01', { type: 'whole_blood' }).flags).toEqual([
      'short_draw',
      'platelet_limit',
      'plasma_limit',
    ])
    const { bleed } = checkBleed(text, '2026-03-01', { type: 'whole_blood' })
    expect(bleedFlags({ type: 'whole_blood' }, bleed, { plateletMinutes: 20, plasmaMinutes: 25 })).toEqual([
      'short_draw',
    ])
    expect(bleedFlags({ type: 'apheresis_platelets' }, { ...bleed!, shortDraw: false })).toEqual([])
  })
})

describe('follow-up calls and rates', () => {
  it('calls at 24 h for moderate or severe, at two weeks for a delayed report, none for a mild one on site', () => {
    expect(followUpsFor({ code: 'vasovagal', severity: 'mild', onset: 'after' }, '2026-03-01')).toEqual([])
    expect(followUpsFor({ code: 'hematoma', severity: 'moderate', onset: 'after_leaving' }, '2026-03-31')).toEqual([
      { kind: 'call_24h', dueOn: '2026-04-01' },
      { kind: 'call_2w', dueOn: '2026-04-14' },
    ])
    expect(followUpsFor({ code: 'vasovagal_delayed', severity: 'mild' }, '2026-03-01')).toEqual([
      { kind: 'call_2w', dueOn: '2026-03-15' },
    ])
    expect(per1000(3, 4000)).toBe(0.8)
    expect(per1000(1, 0)).toBeNull()
  })
})
