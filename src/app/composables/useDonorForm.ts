// State of the "record one person" form and everything derived from it, shared by its three
// steps (identity, vitals, outcome) through provide/inject. The rules themselves are pure
// functions in field/; this only wires them to the form.
import { computed, inject, provide, reactive, ref, watch, type InjectionKey } from 'vue'
import { donorKey as makeDonorKey } from '../../domain/donor-key'
import { checkAge, type EligibilityFailure, type ProductType } from '../../domain/eligibility'
import { suggestDeferralReasons } from '../../domain/deferral-rules'
import { DEFAULT_DONOR_RULES, type DonorRules, overrideCovers, splitFailures } from '../../domain/overrides'
import { checkPersonName } from '../../domain/person-name'
import {
  type Answers,
  type ContactConsent,
  questionnaireDeferrals,
  type Questionnaire,
  selfExcluded,
} from '../../domain/questionnaire-rules'
import type { Abo, Donation, Drive, Household, RhD, WholeBloodVolume } from '../../domain/records'
import { checkDonationDin } from '../field/din-check'
import { computeDeferralUntilAll } from '../field/deferral-catalogue'
import { ruleDefaults } from '../field/rule-defaults'
import { checkIdentity, checkVitalsForm, EMPTY_VITALS, snapshotWarnings, type VitalsText } from '../field/donor-form'
import type { DonorInput } from '../stores/useDriveStore'
import type { DonorLookup } from '../stores/useEligibilityStore'
import type { EligibilityConfig } from '../../domain/eligibility'
import type { PlausibilityConfig } from '../../domain/plausibility'
import type { BleedLimits } from '../../domain/bleed'
import type { ReagentLot } from '../../domain/records'
import { checkBleed, checkRapidTests, EMPTY_BLEED, EMPTY_RAPID_TESTS, rapidTestsIncomplete } from '../field/clinic-form'

export type DonorStep = 'identity' | 'vitals' | 'outcome' | 'saved'
export type Outcome = 'donation' | 'deferral'

export interface DonorFormDeps {
  /** Read only when a check needs it, so a getter may work it out late (see DonorRecordView). */
  today: string
  drive: Pick<Drive, 'dinFirst' | 'dinLast'>
  usedDins: () => ReadonlySet<string>
  /** Bag numbers of the drive's range used by other drives of this phone. */
  usedElsewhere?: () => ReadonlySet<string>
  /** The next unused bag of the drive's range (body + check), offered when a donation starts. */
  nextDin?: () => string | null
  salt: string | null
  config: EligibilityConfig
  /** Physiological bounds checked before eligibility; the defaults when the station sets none. */
  plausibility?: PlausibilityConfig
  lookup: (donorKey: string) => Promise<DonorLookup>
  /** The station's overridable checks and override reasons (default: only the interval). */
  rules?: DonorRules
  /**
   * The station's health questionnaire (default: the GB 18467 set). The defaults, and the deferral
   * catalogue, load after the first step (field/rule-defaults.ts): only the later steps read them.
   */
  questionnaire?: Questionnaire
  /** Clinic (issue 14): the drive's reagent lots, its crew (who may collect), the station's bleed limits. */
  reagentLots?: () => readonly ReagentLot[] | undefined
  crew?: () => ReadonlyArray<{ id: string; name: string }>
  bleedLimits?: BleedLimits
}

/** What the donor answered in donor mode or on the kiosk (the form keeps it until the save). */
export interface VisitQuestionnaire {
  version: string
  answers: Answers
  via: 'phone' | 'kiosk'
  /** Consent signature bytes as base64url, or null. */
  signature: string | null
  contactConsent: ContactConsent
}

function blankState() {
  return {
    step: 'identity' as DonorStep,
    idNumber: '',
    name: '',
    phone: '',
    household: null as Household | null,
    product: 'whole_blood' as ProductType,
    athlete: false,
    vitals: { ...EMPTY_VITALS } as VitalsText,
    outcome: null as Outcome | null,
    volumeMl: null as WholeBloodVolume | null,
    doses: null as 1 | 2 | null,
    abo: null as Abo | null,
    rhd: null as RhD | null,
    din: '',
    /** The leader's approval of overridable failures (rules: hard stops and overrides). */
    override: null as NonNullable<Donation['override']> | null,
    reasonCode: null as string | null,
    /** Further deferral reasons after the primary `reasonCode`, in order. */
    moreReasonCodes: [] as string[],
    startDate: '',
    note: '',
    questionnaire: null as VisitQuestionnaire | null,
    /** Pre-donation rapid tests and the bleed (field/clinic-form.ts). */
    rapid: { ...EMPTY_RAPID_TESTS },
    bleed: { ...EMPTY_BLEED },
  }
}
export type DonorFormState = ReturnType<typeof blankState>

export function createDonorForm(deps: DonorFormDeps) {
  const state = reactive(blankState())
  /** Which checks to show as errors (after a Next/Save tap), so typing is not shouted at. */
  const tried = reactive({ identity: false, vitals: false, outcome: false })
  const donorKey = ref<string | null>(null)
  const lookup = ref<DonorLookup | null>(null)
  const lookupError = ref<'no_salt' | null>(null)

  const identity = computed(() => checkIdentity(state.idNumber, () => deps.today, tried.identity))
  const sex = computed(() => (identity.value.state === 'ok' ? identity.value.sex : null))

  // Look the donor up as soon as the ID number is valid; a newer number wins over a slow lookup.
  let lookupSeq = 0
  watch(
    () => (identity.value.state === 'ok' ? identity.value.id18 : null),
    async (id18) => {
      const seq = ++lookupSeq
      donorKey.value = null
      lookup.value = null
      lookupError.value = null
      if (!id18) return
      if (!deps.salt) {
        lookupError.value = 'no_salt'
        return
      }
      const key = await makeDonorKey(id18, deps.salt)
      const found = await deps.lookup(key)
      if (seq !== lookupSeq) return
      donorKey.value = key
      lookup.value = found
    },
    { immediate: true },
  )

  const history = computed(() => lookup.value?.history ?? null)
  const ageFailure = computed<EligibilityFailure | null>(() => {
    const id = identity.value
    return id.state === 'ok' ? checkAge(id.ageYears, history.value, deps.config, id.birthDate) : null
  })
  const warnings = computed(() => snapshotWarnings(history.value, state.product, deps.today, deps.config))

  const identityErrors = computed(() => {
    const e: Partial<Record<'idNumber' | 'name' | 'phone' | 'household', string>> = {}
    const id = identity.value
    if (id.state === 'error') e.idNumber = `id_${id.error}`
    else if (id.state === 'incomplete') e.idNumber = 'id_length'
    const name = checkPersonName(state.name)
    if (!name.ok) e.name = name.error === 'empty' ? 'required' : `name_${name.error}`
    if (!/^[0-9+\- ]{0,20}$/.test(state.phone.trim())) e.phone = 'phone'
    if (!state.household) e.household = 'required'
    return e
  })
  const identityOk = computed(() => Object.keys(identityErrors.value).length === 0 && donorKey.value !== null)

  const vitals = computed(() =>
    checkVitalsForm(
      state.vitals,
      {
        sex: sex.value ?? 'M',
        product: state.product,
        athlete: state.athlete,
        hbByCopperSulphate: state.rapid.hbMethod === 'copper_sulphate',
      },
      deps.config,
      deps.plausibility,
    ),
  )
  const rapid = computed(() => checkRapidTests(state.rapid, deps.reagentLots?.(), deps.today, tried.vitals))
  /** A rapid test done with an expired reagent lot, or a result not typed as a number: refused. */
  const rapidRefused = computed(() => rapid.value.expired.length > 0 || Object.keys(rapid.value.errors).length > 0)
  /** A value no human has (or BP swapped): fix it before anything is saved, donation or deferral. */
  const implausible = computed(
    () =>
      Object.keys(vitals.value.implausible).length > 0 ||
      rapidRefused.value ||
      (tried.vitals && rapidTestsIncomplete(state.rapid)),
  )
  /** Everything that rules a donation out today (age, measurements); the snapshot only warns. */
  const blockers = computed<EligibilityFailure[]>(() => [
    ...(ageFailure.value ? [ageFailure.value] : []),
    ...Object.values(vitals.value.failures).filter((f): f is EligibilityFailure => f.rule !== 'not_a_number'),
    ...rapid.value.failures,
  ])
  /**
   * Every failure split by the station's rules: hard stops (a second donation today, whatever the
   * station does not let a leader override) and failures a leader may override with PIN and reason.
   */
  const split = computed(() => splitFailures([...blockers.value, ...warnings.value], deps.rules ?? DEFAULT_DONOR_RULES))
  const hardStops = computed(() => split.value.hard)
  const overridable = computed(() => split.value.overridable)
  const sameDay = computed(() => warnings.value.some((w) => w.rule === 'same_day'))
  const questionnaire = (): Questionnaire => deps.questionnaire ?? ruleDefaults().questionnaire
  /** Deferral reasons the donor's answers call for (a "yes" to a deferring question). */
  const questionnaireReasons = computed(() =>
    state.questionnaire ? questionnaireDeferrals(questionnaire(), state.questionnaire.answers) : [],
  )
  const canDonate = computed(
    () =>
      vitals.value.pass &&
      hardStops.value.length === 0 &&
      questionnaireReasons.value.length === 0 &&
      !rapidRefused.value &&
      !rapidTestsIncomplete(state.rapid),
  )

  const dinCheck = computed(() =>
    checkDonationDin(state.din, deps.drive, deps.usedDins(), deps.usedElsewhere?.() ?? new Set()),
  )
  /** The bag number the form filled in itself (still scannable and editable). */
  const suggestedDin = ref<string | null>(null)
  const nextEligibleOn = computed(() => {
    const dates = [...warnings.value, ...blockers.value].map((f) => f.nextEligibleOn).filter((d): d is string => !!d)
    return dates.length ? dates.sort().at(-1)! : null
  })
  /** Every deferral reason, primary first, each once. */
  const reasonCodes = computed(() =>
    state.reasonCode ? [...new Set([state.reasonCode, ...state.moreReasonCodes])] : [],
  )
  const deferral = computed(() =>
    computeDeferralUntilAll(
      reasonCodes.value,
      deps.today,
      state.startDate,
      nextEligibleOn.value,
      ruleDefaults().reasons,
    ),
  )
  /** 'recovery' when any chosen reason counts from a date the donor reports (the form asks for it). */
  const reasonFrom = computed(() => {
    const froms = reasonCodes.value.map((c) => ruleDefaults().reasons.find((r) => r.code === c)?.from ?? null)
    return froms.includes('recovery') ? 'recovery' : (froms[0] ?? null)
  })

  const bleed = computed(() =>
    checkBleed(
      state.bleed,
      deps.today,
      state.outcome === 'donation' ? { type: state.product } : null,
      deps.bleedLimits,
    ),
  )

  const outcomeErrors = computed(() => {
    const e: Partial<
      Record<'product' | 'abo' | 'rhd' | 'din' | 'override' | 'reason' | 'startDate' | 'note' | 'bleed', string>
    > = {}
    if (state.outcome === 'donation') {
      if (state.product === 'whole_blood' ? !state.volumeMl : !state.doses) e.product = 'required'
      if (!state.abo) e.abo = 'required'
      if (!state.rhd) e.rhd = 'required'
      if (!dinCheck.value.ok) e.din = dinCheck.value.error
      if (!overrideCovers(state.override, overridable.value)) e.override = 'override_required'
      if (Object.keys(bleed.value.errors).length > 0) e.bleed = 'bleed'
    } else if (state.outcome === 'deferral') {
      const d = deferral.value
      if (!d.ok) {
        if (d.error === 'from_date' || d.error === 'from_future') e.startDate = d.error
        else e.reason = d.error
      }
      if (reasonCodes.value.includes('other') && state.note.trim().length < 2) e.note = 'note_required'
    }
    return e
  })

  /** Preselect a deferral reason for every check that failed (the first is the primary one). */
  function startDeferral(): void {
    state.outcome = 'deferral'
    if (!state.startDate) state.startDate = deps.today
    const suggested = [
      ...new Set([
        ...questionnaireReasons.value,
        ...suggestDeferralReasons([...blockers.value, ...warnings.value], ruleDefaults().reasons),
      ]),
    ]
    if (!state.reasonCode && suggested.length > 0) {
      state.reasonCode = suggested[0]!
      state.moreReasonCodes = suggested.slice(1)
    }
    state.step = 'outcome'
  }
  function startDonation(): void {
    state.outcome = 'donation'
    // The rapid ABO/RhD typing fills the blood group in (still changeable).
    if (!state.abo && state.rapid.abo) state.abo = state.rapid.abo
    if (!state.rhd && state.rapid.rhd) state.rhd = state.rapid.rhd
    if (!state.din) {
      suggestedDin.value = deps.nextDin?.() ?? null
      state.din = suggestedDin.value ?? ''
    }
    state.step = 'outcome'
  }

  /** The input for the drive store, or null while something is missing or wrong. */
  function donorInput(): DonorInput | null {
    const id = identity.value
    if (id.state !== 'ok' || !donorKey.value || !state.household || !state.outcome || implausible.value) return null
    if (Object.keys(outcomeErrors.value).length > 0) return null
    const repeatDonor = (history.value?.donationCount ?? 0) > 0 || history.value?.lastDonationOn != null
    const base = {
      identity: {
        idNumber: id.id18,
        name: checkPersonName(state.name).name,
        phone: state.phone.trim(),
        household: state.household,
        donorKey: donorKey.value,
      },
      facts: { sex: id.sex, ageYears: id.ageYears, repeatDonor },
      ...(vitals.value.vitals ? { vitals: vitals.value.vitals } : {}),
      ...(state.questionnaire ? { visit: visitOf(state.questionnaire) } : {}),
      ...(rapid.value.tests ? { rapidTests: rapid.value.tests } : {}),
    }
    if (rapidRefused.value) return null
    if (state.outcome === 'donation') {
      if (!canDonate.value || !dinCheck.value.ok || !state.abo || !state.rhd) return null
      const product =
        state.product === 'whole_blood'
          ? { type: 'whole_blood' as const, volumeMl: state.volumeMl! }
          : { type: 'apheresis_platelets' as const, doses: state.doses! }
      const override =
        overridable.value.length > 0 && state.override
          ? { override: { ...state.override, rules: [...state.override.rules] } }
          : {}
      return {
        ...base,
        outcome: {
          kind: 'donation',
          product,
          abo: state.abo,
          rhd: state.rhd,
          din: dinCheck.value.din,
          ...override,
          ...(bleed.value.bleed ? { bleed: bleed.value.bleed } : {}),
        },
      }
    }
    const d = deferral.value
    if (!d.ok || !state.reasonCode) return null
    return {
      ...base,
      outcome: {
        kind: 'deferral',
        reasonCode: state.reasonCode,
        reasonCodes: [...reasonCodes.value],
        until: d.until,
        note: state.note.trim(),
      },
    }
  }

  function visitOf(q: VisitQuestionnaire): NonNullable<DonorInput['visit']> {
    const yes = questionnaire().questions.filter((x) => x.kind !== 'self_exclusion' && q.answers[x.code] === true)
    return {
      questionnaire: {
        version: q.version,
        yes: yes.map((x) => x.code),
        selfExcluded: selfExcluded(questionnaire(), q.answers),
        via: q.via,
        signed: q.signature !== null,
      },
      contactConsent: q.contactConsent,
      ...(q.signature ? { consentSignature: q.signature } : {}),
    }
  }

  function reset(): void {
    Object.assign(state, blankState())
    Object.assign(tried, { identity: false, vitals: false, outcome: false })
    suggestedDin.value = null
  }

  const dirty = computed(
    () =>
      state.step !== 'saved' &&
      (state.idNumber !== '' ||
        state.name !== '' ||
        state.phone !== '' ||
        Object.values(state.vitals).some((v) => v !== '') ||
        state.din !== '' ||
        state.reasonCode !== null),
  )

  return {
    state,
    tried,
    deps,
    identity,
    sex,
    donorKey,
    lookup,
    lookupError,
    history,
    ageFailure,
    warnings,
    identityErrors,
    identityOk,
    vitals,
    rapid,
    rapidRefused,
    bleed,
    implausible,
    blockers,
    canDonate,
    get questionnaire() {
      return questionnaire()
    },
    questionnaireReasons,
    hardStops,
    overridable,
    sameDay,
    reasonCodes,
    dinCheck,
    suggestedDin,
    deferral,
    reasonFrom,
    nextEligibleOn,
    outcomeErrors,
    dirty,
    startDeferral,
    startDonation,
    donorInput,
    reset,
  }
}

export type DonorForm = ReturnType<typeof createDonorForm>
const KEY: InjectionKey<DonorForm> = Symbol('donor-form')

export function provideDonorForm(form: DonorForm): void {
  provide(KEY, form)
}

export function useDonorForm(): DonorForm {
  const form = inject(KEY)
  if (!form) throw new Error('useDonorForm() outside the donor form')
  return form
}
