// A Dexie liveQuery as a Vue ref: re-runs when the tables it read change (in this tab or another).
import { liveQuery } from '../db/live'
import { onBeforeUnmount, shallowRef, type ShallowRef } from 'vue'

export function useLiveQuery<T>(query: () => Promise<T>, initial: T): ShallowRef<T> {
  const value = shallowRef<T>(initial)
  const subscription = liveQuery(query).subscribe({
    next: (v) => {
      value.value = v
    },
    error: () => {
      /* keep the last value; the next change retries */
    },
  })
  onBeforeUnmount(() => subscription.unsubscribe())
  return value
}
