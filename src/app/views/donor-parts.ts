// The donor form's parts beyond its first step, each its own chunk: a cold start into the form
// loads only the identity step with the staff lock, and the rest follows once the first screen
// is usable (prefetchDonorParts), well before the crew taps "next". Each part waits for the field
// messages it shows (i18n). The service worker precaches every chunk, so this works offline.
import { defineAsyncComponent } from 'vue'
import { loadFeatures } from '../i18n'

const withMessages =
  <T>(load: () => Promise<T>) =>
  (): Promise<T> =>
    Promise.all([load(), loadFeatures()]).then(([mod]) => mod)

const loaders = {
  vitals: withMessages(() => import('../components/donor/DonorVitalsStep.vue')),
  outcome: withMessages(() => import('../components/donor/DonorOutcomeStep.vue')),
  questionnaire: withMessages(() => import('../components/visit/QuestionnairePanel.vue')),
  crewQr: withMessages(() => import('../components/drive/CrewQr.vue')),
  scanner: withMessages(() => import('../components/scan/BarcodeScanner.vue')),
  donorMode: withMessages(() => import('../components/visit/DonorMode.vue')),
  thanks: withMessages(() => import('../components/visit/ThanksCard.vue')),
}

export const DonorVitalsStep = defineAsyncComponent(loaders.vitals)
export const DonorOutcomeStep = defineAsyncComponent(loaders.outcome)
export const QuestionnairePanel = defineAsyncComponent(loaders.questionnaire)
export const CrewQr = defineAsyncComponent(loaders.crewQr)
export const BarcodeScanner = defineAsyncComponent(loaders.scanner)
export const DonorMode = defineAsyncComponent(loaders.donorMode)
export const ThanksCard = defineAsyncComponent(loaders.thanks)

/** The drive crew's store (a donor handed over between phones by QR code), with its code. */
export const driveCrewStore = () =>
  import('../stores/useDriveCrewStore').then(({ useDriveCrewStore }) => useDriveCrewStore())

/** Fetches (and runs) every part, so each shows at once when its step comes. */
export function prefetchDonorParts(): void {
  for (const load of [...Object.values(loaders), driveCrewStore])
    void load().catch(() => {
      /* the component reports it when shown */
    })
}
