// The checks behind RecordView's four ways to change a saved record: the errors by field (message
// keys), or what to save.
import { describe, expect, it } from 'vitest'
import {
  checkDeferralCorrection,
  checkDonationCorrection,
  checkIdentityChange,
  checkReaction,
  checkVoid,
} from '../../../src/app/field/record-change'
import type { IdentityCorrectionCheck } from '../../../src/app/field/identity-correction'
import { isbt128Din } from '../../../src/domain/din'
import type { Deferral, Donation } from '../../../src/domain/records'

const donation = {
  type: 'donation',
  din: 'W123426000005',
  abo: 'A',
  rhd: 'pos',
  product: { type: 'whole_blood', volumeMl: 400 },
} as unknown as Donation
const bags = {
  range: { dinFirst: 'W123426000001', dinLast: 'W123426000040' },
  usedDins: ['W123426000005', 'W123426000006'],
  dinsElsewhere: new Set<string>(),
  originalDin: 'W123426000005',
}
const fix = { volumeMl: 300, abo: 'B' as const, rhd: 'neg' as const, din: 'W123426000005' }

describe('changing a saved record', () => {
  it('voids only with a written reason of two characters, trimmed', () => {
    expect(checkVoid(' x ')).toEqual({ errors: { reason: 'record.errors.reason_required' }, value: null })
    expect(checkVoid(' lost bag ')).toEqual({ errors: {}, value: { reason: 'lost bag' } })
  })

  it('adds a reaction once code, severity, onset and outcome are chosen; treatment only when written', () => {
    const empty = { code: null, severity: null, note: '', onset: null, treatment: ' ', outcome: null }
    expect(checkReaction(empty)).toEqual({
      errors: {
        code: 'record.errors.choose',
        severity: 'record.errors.choose',
        onset: 'record.errors.choose',
        outcome: 'record.errors.choose',
      },
      value: null,
    })
    const full = { ...empty, code: 'vasovagal', severity: 'mild', onset: 'during', outcome: 'recovered', note: ' ok ' }
    expect(checkReaction(full as never).value).toEqual({
      code: 'vasovagal',
      severity: 'mild',
      note: 'ok',
      onset: 'during',
      outcome: 'recovered',
    })
    expect(checkReaction({ ...full, treatment: ' fluids ' } as never).value).toMatchObject({ treatment: 'fluids' })
  })

  it("corrects a donation: its own bag number stays allowed, another's used one is refused", () => {
    const same = checkDonationCorrection(donation, fix, bags, 'typo')
    expect(same.value).toEqual({
      changes: { abo: 'B', rhd: 'neg', din: 'W123426000005', product: { type: 'whole_blood', volumeMl: 300 } },
      reason: 'typo',
    })
    const taken = checkDonationCorrection(donation, { ...fix, din: isbt128Din.format('W123426000006') }, bags, 'typo')
    expect(taken).toEqual({ errors: { din: 'donor.dinErrors.duplicate' }, value: null })
    const both = checkDonationCorrection(donation, { ...fix, din: 'W999926000001' }, bags, '')
    expect(both.errors).toEqual({ reason: 'record.errors.reason_required', din: 'donor.dinErrors.check_missing' })
  })

  it('corrects a deferral: the new primary reason first, the period counted again', () => {
    const deferral = { type: 'deferral', reasonCode: 'cold' } as unknown as Deferral
    expect(
      checkDeferralCorrection(deferral, ['low_hb'], { ok: true, until: '2026-07-01' }, 'wrong reason').value,
    ).toEqual({ changes: { reasonCode: 'low_hb', until: '2026-07-01' }, reason: 'wrong reason' })
    expect(
      checkDeferralCorrection(deferral, ['low_hb', 'cold'], { ok: true, until: null }, 'wrong reason').value?.changes,
    ).toEqual({ reasonCode: 'low_hb', reasonCodes: ['low_hb', 'cold'], until: null })
    expect(checkDeferralCorrection(deferral, [], { ok: false, error: 'reason_required' }, 'x').errors).toEqual({
      reason: 'record.errors.reason_required',
      reasonCode: 'donor.deferralErrors.reason_required',
    })
  })

  it("corrects the identity only when it changed, and a new ID number only with the station's salt", () => {
    const value = { idNumber: '110101199003070011', name: '王芳', phone: '', household: 'rural' as const }
    const check = (over: Partial<IdentityCorrectionCheck>) =>
      ({ errors: {}, unchanged: false, rekeys: false, value, ...over }) as IdentityCorrectionCheck
    expect(checkIdentityChange(check({ unchanged: true, value: null }), true, 'typo').errors).toEqual({
      identity: 'record.identityUnchanged',
    })
    expect(checkIdentityChange(check({ rekeys: true }), false, 'typo')).toEqual({
      errors: { identity: 'donor.noSalt' },
      value: null,
    })
    expect(checkIdentityChange(check({ rekeys: true }), true, ' typo ').value).toEqual({
      identity: value,
      reason: 'typo',
    })
    // A field's own error (shown beside it) leaves nothing to save and no error of the form.
    expect(checkIdentityChange(check({ value: null }), true, 'typo')).toEqual({ errors: {}, value: null })
  })
})
