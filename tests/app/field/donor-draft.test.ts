// How a stored draft goes back into the donor form, and how the form checks plausibility before
// eligibility (an implausible value is an input error, not a reason to defer).
import { describe, expect, it } from 'vitest'
import { restoreDraft } from '../../../src/app/field/donor-draft'
import { checkVitalsForm, EMPTY_VITALS, type VitalsText } from '../../../src/app/field/donor-form'

function blank() {
  return {
    step: 'identity',
    idNumber: '',
    name: '',
    household: null as string | null,
    athlete: false,
    vitals: { ...EMPTY_VITALS } as Record<string, string>,
    volumeMl: null as number | null,
  }
}

describe('restoreDraft', () => {
  it('puts back every field typed or chosen', () => {
    const state = blank()
    restoreDraft(state, {
      step: 'vitals',
      idNumber: '11010519491231002X',
      name: '赵丽',
      household: 'rural',
      athlete: true,
      vitals: { hbGL: '142', weightKg: '55' },
      volumeMl: 400,
    })
    expect(state).toMatchObject({
      step: 'vitals',
      idNumber: '11010519491231002X',
      name: '赵丽',
      household: 'rural',
      athlete: true,
      volumeMl: 400,
    })
    expect(state.vitals).toEqual({ ...EMPTY_VITALS, hbGL: '142', weightKg: '55' })
  })

  it('drops what the form no longer has or of the wrong kind, and never restores the saved step', () => {
    const state = blank()
    restoreDraft(state, { step: 'saved', gone: 'x', name: 42, vitals: { hbGL: { nested: true }, lost: '1' } })
    expect(state).toEqual({ ...blank(), step: 'identity' })
  })
})

describe('plausibility before eligibility in the vitals form', () => {
  const typed = (over: Partial<VitalsText>): VitalsText => ({
    ...EMPTY_VITALS,
    weightKg: '68',
    hbGL: '142',
    systolic: '122',
    diastolic: '78',
    pulse: '72',
    temperatureC: '36.6',
    ...over,
  })
  const ctx = { sex: 'M' as const, product: 'whole_blood' as const, athlete: false }

  it('Hb 14.2 is an implausible value with the g/dL hint, not a low-Hb deferral', () => {
    const check = checkVitalsForm(typed({ hbGL: '14.2' }), ctx)
    expect(check.implausible.hbGL).toMatchObject({ value: 14.2, slips: [{ kind: 'g_dl', suggested: 142 }] })
    expect(check.failures.hbGL).toBeUndefined()
    expect(check).toMatchObject({ complete: false, pass: false, vitals: null })
  })

  it('weight 6800 and temperature 366 are refused; 68000 g is read, not "not a number"', () => {
    const check = checkVitalsForm(typed({ weightKg: '6800', temperatureC: '366' }), ctx)
    expect(check.implausible.weightKg?.slips[0]).toEqual({ kind: 'decimal', suggested: 68 })
    expect(check.implausible.temperatureC?.slips[0]).toEqual({ kind: 'decimal', suggested: 36.6 })
    expect(checkVitalsForm(typed({ weightKg: '68000' }), ctx).implausible.weightKg?.slips[0]).toEqual({
      kind: 'grams',
      suggested: 68,
    })
  })

  it('a swapped blood pressure is an input error, and its limits are not reported as failures', () => {
    const check = checkVitalsForm(typed({ systolic: '78', diastolic: '122' }), ctx)
    expect(check.implausible.bpOrder).toBe(true)
    expect(check.failures).toEqual({})
    expect(check.pass).toBe(false)
  })

  it('a plausible value outside the eligibility limits stays an eligibility failure', () => {
    const check = checkVitalsForm(typed({ hbGL: '108' }), ctx)
    expect(check.implausible).toEqual({})
    expect(check.failures.hbGL).toMatchObject({ rule: 'hb', bound: 'min' })
    expect(check.complete).toBe(true)
  })
})

describe('messages for the new codes', () => {
  it('has a slip and a name message in both languages for every code a screen shows', async () => {
    const { LOCALES, loadMessages } = await import('../../../src/app/i18n')
    const { SLIP_KINDS } = await import('../../../src/domain/plausibility')
    const { PERSON_NAME_ERRORS } = await import('../../../src/domain/person-name')
    const messages = (await loadMessages()) as Record<string, { donor: Record<string, Record<string, unknown>> }>
    for (const l of LOCALES) {
      const donor = messages[l]!.donor
      const slip = (donor.plausible as { slip: Record<string, string> }).slip
      expect(
        SLIP_KINDS.filter((k) => !slip[k]),
        l,
      ).toEqual([])
      expect(
        PERSON_NAME_ERRORS.filter((e) => e !== 'empty' && !donor.nameErrors![e]),
        l,
      ).toEqual([])
    }
  })
})
