// The default deferral catalogue and health questionnaire: text only the donor form's later steps
// show (vitals, outcome, the questionnaire), so a cold start into the form loads them after its
// first screen (DonorRecordView). The service worker precaches their chunk: this works offline.
import type { DeferralReason } from '../../domain/deferral-rules'
import type { Questionnaire } from '../../domain/questionnaire-rules'

export interface RuleDefaults {
  reasons: readonly DeferralReason[]
  questionnaire: Questionnaire
}

let loaded: RuleDefaults | null = null
let loading: Promise<RuleDefaults> | null = null

/** Loads the defaults once; a failed load (offline without the precache) is tried again next time. */
export function loadRuleDefaults(): Promise<RuleDefaults> {
  loading ??= Promise.all([import('../../domain/deferral-reasons'), import('../../domain/questionnaire')]).then(
    ([{ DEFERRAL_REASONS }, { DEFAULT_QUESTIONNAIRE }]) =>
      (loaded = { reasons: DEFERRAL_REASONS, questionnaire: DEFAULT_QUESTIONNAIRE }),
    (e: unknown) => {
      loading = null
      throw e
    },
  )
  return loading
}

/** The defaults once loaded, else null. */
export function loadedRuleDefaults(): RuleDefaults | null {
  return loaded
}

/** The defaults, for code that runs only once they are loaded: reading them earlier is a bug, not a default. */
export function ruleDefaults(): RuleDefaults {
  if (!loaded) throw new Error('the default deferral catalogue and questionnaire are not loaded yet')
  return loaded
}
