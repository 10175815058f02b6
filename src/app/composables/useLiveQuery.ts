// A Dexie liveQuery as a Vue ref: re-runs when the tables it read change (in this tab or another).
// A failed read keeps the last value and says why in `error` (null again after the next good read).
import { onBeforeUnmount, shallowRef, type ShallowRef } from 'vue'
import { liveQuery } from '../db/live'

export type LiveQueryRef<T> = ShallowRef<T> & {
  /** Why the last read failed, null while reads succeed. */
  readonly error: ShallowRef<unknown>
}

export function useLiveQuery<T>(query: () => Promise<T>, initial: T): LiveQueryRef<T> {
  const value = shallowRef(initial) as ShallowRef<T>
  const error = shallowRef<unknown>(null)
  const subscription = liveQuery(query).subscribe({
    next: (v) => {
      value.value = v
      error.value = null
    },
    error: (err: unknown) => {
      error.value = err
    },
  })
  onBeforeUnmount(() => subscription.unsubscribe())
  return Object.assign(value, { error })
}
