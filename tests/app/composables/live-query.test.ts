// useLiveQuery keeps the last good value when a read fails, and says why instead of hiding it.
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { newId } from '../../../src/domain/ids'
import { FieldDb } from '../../../src/app/db'
import { useLiveQuery, type LiveQueryRef } from '../../../src/app/composables/useLiveQuery'

function host<T>(query: () => Promise<T>, initial: T) {
  let result: LiveQueryRef<T> | null = null
  const wrapper = mount(
    defineComponent({
      setup() {
        result = useLiveQuery(query, initial)
        return () => h('p', String(result!.value))
      },
    }),
  )
  return { wrapper, result: result! }
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  expect(check()).toBe(true)
}

describe('useLiveQuery', () => {
  it('exposes a failed read as its error and keeps the initial value', async () => {
    const { wrapper, result } = host(() => Promise.reject(new Error('database closed')), 'none')
    await until(() => result.error.value !== null)
    expect((result.error.value as Error).message).toBe('database closed')
    expect(result.value).toBe('none')
    expect(wrapper.text()).toBe('none')
    wrapper.unmount()
  })

  it('re-runs when a table it read changes, with no error while reads succeed', async () => {
    const db = new FieldDb(`live-${newId()}`)
    await db.open()
    const { wrapper, result } = host(() => db.tallies.count(), -1)
    await until(() => result.value === 0)
    expect(result.error.value).toBeNull()
    await db.tallies.put({ key: 'day:2023-06-14', counts: {} as never })
    await until(() => result.value === 1)
    await nextTick()
    expect(wrapper.text()).toBe('1')
    wrapper.unmount()
    db.close()
  })
})
