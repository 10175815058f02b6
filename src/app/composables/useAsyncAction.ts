// Busy and error state around one async action (save, enroll, refresh): `busy` while it runs (the
// button greys), and a failure as a sentence in the user's language in `error` (errorMessage, or
// the station pages' own mapping). A new run clears the last error.
import { ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { errorMessage } from '../i18n/errors'

type Translate = (key: string, params?: Record<string, unknown>) => string

export interface AsyncAction<A extends unknown[]> {
  busy: Ref<boolean>
  error: Ref<string | null>
  /** Runs the action; true when it finished without throwing. */
  run: (...args: A) => Promise<boolean>
}

export function useAsyncAction<A extends unknown[]>(
  action: (...args: A) => Promise<unknown>,
  message: (t: Translate, err: unknown) => string = errorMessage,
): AsyncAction<A> {
  const { t } = useI18n()
  const busy = ref(false)
  const error = ref<string | null>(null)
  async function run(...args: A): Promise<boolean> {
    busy.value = true
    error.value = null
    try {
      await action(...args)
      return true
    } catch (err) {
      error.value = message(t, err)
      return false
    } finally {
      busy.value = false
    }
  }
  return { busy, error, run }
}
