// The donor form with the station's rules: a donor who gave today cannot be taken to a donation,
// an interval shortfall needs the leader's recorded approval before a donation can be saved, and
// a deferral keeps a reason for every failed check.
import { beforeAll, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { createDonorForm } from '../../../src/app/composables/useDonorForm'
import { DEFAULT_ELIGIBILITY, type EligibilityHistory } from '../../../src/domain/eligibility'
import { isbt128Din } from '../../../src/domain/din'
import { residentIdCheckCharacter } from '../../../src/domain/resident-id'
import { DEFAULT_QUESTIONNAIRE } from '../../../src/domain/questionnaire'
import { loadRuleDefaults } from '../../../src/app/field/rule-defaults'

// The form's later steps read the default catalogue and questionnaire; the view loads them first.
beforeAll(() => loadRuleDefaults())

const TODAY = '2026-12-06'
const id = (first17: string) => first17 + residentIdCheckCharacter(first17)
const ID_56 = id('11010519700101001') // born 1970-01-01: 56 on the day
const ID_36 = id('11010519900101001')

function history(lastDonationOn: string | null): EligibilityHistory {
  return {
    lastDonationOn,
    lastDonationType: lastDonationOn ? 'whole_blood' : null,
    apheresisLast12Months: 0,
    deferredUntil: null,
    permanentlyDeferred: false,
    hadReaction: true,
    donationCount: lastDonationOn ? 2 : 0,
  }
}

async function formFor(idNumber: string, last: string | null) {
  const form = createDonorForm({
    today: TODAY,
    drive: { dinFirst: 'W123426000001', dinLast: 'W123426000050' },
    usedDins: () => new Set(),
    salt: 'test-salt-0123456789',
    config: DEFAULT_ELIGIBILITY,
    lookup: async () => ({
      history: history(last),
      inSnapshot: last !== null,
      localDonations: 0,
      historyIncomplete: false,
    }),
  })
  Object.assign(form.state, { idNumber, name: '赵丽', household: 'rural' })
  await flushPromises()
  await new Promise((r) => setTimeout(r, 50))
  await flushPromises()
  return form
}

function goodVitals(form: Awaited<ReturnType<typeof formFor>>) {
  Object.assign(form.state.vitals, {
    weightKg: '60',
    hbGL: '130',
    systolic: '120',
    diastolic: '80',
    pulse: '70',
    temperatureC: '36.5',
  })
}

function fillDonation(form: Awaited<ReturnType<typeof formFor>>) {
  form.startDonation()
  Object.assign(form.state, { volumeMl: 400, abo: 'O', rhd: 'pos', din: isbt128Din.format('W123426000003') })
}

describe('the donor form with hard stops and overrides', () => {
  it('a donor who gave today is stopped outright: no donation, no override offered', async () => {
    const form = await formFor(ID_36, TODAY)
    goodVitals(form)
    expect(form.sameDay.value).toBe(true)
    expect(form.hardStops.value.map((f) => f.rule)).toEqual(['same_day'])
    expect(form.overridable.value).toEqual([])
    expect(form.canDonate.value).toBe(false)
    fillDonation(form)
    expect(form.donorInput()).toBeNull()
  })

  it('an interval shortfall needs the leader approval, which then goes into the donation', async () => {
    const form = await formFor(ID_36, '2026-11-01')
    goodVitals(form)
    expect(form.overridable.value.map((f) => f.rule)).toEqual(['interval'])
    expect(form.canDonate.value).toBe(true)
    fillDonation(form)
    expect(form.outcomeErrors.value.override).toBe('override_required')
    expect(form.donorInput()).toBeNull()
    const approval = {
      rules: ['interval'],
      reasonCode: 'urgent_clinical_need',
      approvedBy: '0188e1c2-0000-7000-8000-000000000003',
      approvedAt: '2026-12-06T09:00:00.000Z',
    }
    form.state.override = approval
    const input = form.donorInput()
    expect(input?.outcome).toMatchObject({ kind: 'donation', override: approval })
  })

  it('a 56-year-old with BP 168/102 is deferred for age and blood pressure, both kept', async () => {
    const form = await formFor(ID_56, null)
    Object.assign(form.state.vitals, {
      weightKg: '70',
      hbGL: '140',
      systolic: '168',
      diastolic: '102',
      pulse: '72',
      temperatureC: '36.5',
    })
    expect(form.hardStops.value.map((f) => f.rule)).toEqual(['age_max', 'systolic', 'diastolic'])
    form.startDeferral()
    expect(form.reasonCodes.value).toEqual(['age', 'blood_pressure'])
    const input = form.donorInput()
    expect(input?.outcome).toMatchObject({
      kind: 'deferral',
      reasonCode: 'age',
      reasonCodes: ['age', 'blood_pressure'],
    })
    expect(input?.outcome.kind === 'deferral' && input.outcome.until).toBe(TODAY)
  })
})

describe('the donor form with the health questionnaire', () => {
  const answersAllNo = () => Object.fromEntries(DEFAULT_QUESTIONNAIRE.questions.map((q) => [q.code, false]))

  it('a "yes" that defers blocks the donation and preselects its reason; the record carries the answers', async () => {
    const form = await formFor(ID_36, null)
    goodVitals(form)
    expect(form.canDonate.value).toBe(true)
    form.state.questionnaire = {
      version: DEFAULT_QUESTIONNAIRE.version,
      answers: { ...answersAllNo(), tattoo: true, self_exclusion: true },
      via: 'phone',
      signature: 'AAEC',
      contactConsent: 'wechat',
    }
    expect(form.questionnaireReasons.value).toEqual(['tattoo'])
    expect(form.canDonate.value).toBe(false)
    form.startDeferral()
    expect(form.state.reasonCode).toBe('tattoo')
    expect(form.donorInput()).toMatchObject({
      outcome: { kind: 'deferral', reasonCode: 'tattoo' },
      visit: {
        questionnaire: {
          version: DEFAULT_QUESTIONNAIRE.version,
          yes: ['tattoo'],
          selfExcluded: true,
          via: 'phone',
          signed: true,
        },
        contactConsent: 'wechat',
        consentSignature: 'AAEC',
      },
    })
  })

  it('all "no" leaves the donation open, and without a questionnaire the record has no visit answers', async () => {
    const form = await formFor(ID_36, null)
    goodVitals(form)
    fillDonation(form)
    expect(form.donorInput()).not.toHaveProperty('visit')
    form.state.questionnaire = {
      version: DEFAULT_QUESTIONNAIRE.version,
      answers: answersAllNo(),
      via: 'kiosk',
      signature: null,
      contactConsent: 'none',
    }
    expect(form.canDonate.value).toBe(true)
    expect(form.donorInput()?.visit).toEqual({
      questionnaire: {
        version: DEFAULT_QUESTIONNAIRE.version,
        yes: [],
        selfExcluded: false,
        via: 'kiosk',
        signed: false,
      },
      contactConsent: 'none',
    })
  })
})
