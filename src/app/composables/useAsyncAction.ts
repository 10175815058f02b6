// Busy and error state around one async action (save, enroll, refresh): `busy` while it runs (the
// button greys), and a failure as a sentence in the user's language in `error` (errorMessage, or
// the station pages' own mapping). A new run clears the last error. `run` never throws, so a
// handler needs no try/catch/finally of its own.
import { ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { errorMessage } from '../i18n/errors'

type Translate = (key: string, params?: Record<string, unknown>) => string
export type ErrorWording = (t: Translate, err: unknown) => string

/** A refusal the action words itself (a wrong PIN, a fix that does not check): shown as it is. */
export class ActionRefused extends Error {
  override readonly name = 'ActionRefused'
}

export interface AsyncActionOptions {
  /** Turns a failure into a sentence; errorMessage by default. */
  message?: ErrorWording
  /** The error line to write to, when several actions of one screen share one (a page's banner). */
  error?: Ref<string | null>
  /**
   * Milliseconds during which a run changes nothing on screen (on a slow phone a render there holds
   * up the database's replies): busy shows only after them, and the last error goes when the
   * action ends rather than when it starts. Unset: busy and the cleared error show at once.
   */
  busyAfter?: number
}

export interface AsyncAction<A extends unknown[]> {
  busy: Ref<boolean>
  error: Ref<string | null>
  /** Runs the action; true when it finished without throwing. */
  run: (...args: A) => Promise<boolean>
}

export function useAsyncAction<A extends unknown[]>(
  action: (...args: A) => Promise<unknown>,
  options: ErrorWording | AsyncActionOptions = {},
): AsyncAction<A> {
  const {
    message = errorMessage,
    error = ref<string | null>(null),
    busyAfter,
  } = typeof options === 'function' ? { message: options } : options
  const { t } = useI18n()
  const busy = ref(false)
  async function run(...args: A): Promise<boolean> {
    const slow = busyAfter === undefined ? null : setTimeout(() => (busy.value = true), busyAfter)
    if (slow === null) {
      busy.value = true
      error.value = null
    }
    try {
      await action(...args)
      if (slow !== null) error.value = null
      return true
    } catch (err) {
      error.value = err instanceof ActionRefused ? err.message : message(t, err)
      return false
    } finally {
      if (slow !== null) clearTimeout(slow)
      busy.value = false
    }
  }
  return { busy, error, run }
}
