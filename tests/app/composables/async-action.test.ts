// useAsyncAction: busy while the action runs, the error in the user's language when it throws,
// cleared by the next run.
import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import {
  ActionRefused,
  type AsyncAction,
  type AsyncActionOptions,
  useAsyncAction,
} from '../../../src/app/composables/useAsyncAction'
import { createAppI18n } from '../../../src/app/i18n'

function host(action: () => Promise<unknown>, locale: 'zh-CN' | 'en' = 'en', options: AsyncActionOptions = {}) {
  let result: AsyncAction<[]> | null = null
  const wrapper = mount(
    defineComponent({
      setup() {
        result = useAsyncAction(action, options)
        return () => h('p', result!.error.value ?? '')
      },
    }),
    { global: { plugins: [createAppI18n(locale)] } },
  )
  return { wrapper, action: result! }
}

describe('useAsyncAction', () => {
  it('is busy while the action runs, then not', async () => {
    let finish: () => void = () => {}
    const { wrapper, action } = host(() => new Promise<void>((r) => (finish = r)))
    const running = action.run()
    expect(action.busy.value).toBe(true)
    finish()
    expect(await running).toBe(true)
    expect(action.busy.value).toBe(false)
    expect(action.error.value).toBeNull()
    wrapper.unmount()
  })

  it("turns a failure into the user's language, and a new run clears it", async () => {
    let fail = true
    const { wrapper, action } = host(async () => {
      if (fail) throw Object.assign(new Error('quota'), { name: 'QuotaExceededError' })
    }, 'zh-CN')
    expect(await action.run()).toBe(false)
    expect(action.busy.value).toBe(false)
    expect(action.error.value).toBeTruthy()
    expect(action.error.value).not.toContain('quota')
    expect(action.error.value).toMatch(/[\u4e00-\u9fff]/)
    fail = false
    expect(await action.run()).toBe(true)
    expect(action.error.value).toBeNull()
    wrapper.unmount()
  })

  it('shows a refusal the action worded itself as it is, not as an unexpected error', async () => {
    const { wrapper, action } = host(async () => {
      throw new ActionRefused('Wrong PIN.')
    })
    expect(await action.run()).toBe(false)
    expect(action.error.value).toBe('Wrong PIN.')
    wrapper.unmount()
  })

  it("words a failure with the screen's own mapping when given one", async () => {
    const { wrapper, action } = host(
      async () => {
        throw new Error('boom')
      },
      'en',
      { message: (_t, err) => `station says: ${(err as Error).message}` },
    )
    await action.run()
    expect(action.error.value).toBe('station says: boom')
    wrapper.unmount()
  })

  it("writes to a screen's shared error line, which the next action of that screen clears", async () => {
    const banner = ref<string | null>(null)
    const failing = host(
      async () => {
        throw new ActionRefused('no')
      },
      'en',
      { error: banner },
    )
    const passing = host(async () => undefined, 'en', { error: banner })
    await failing.action.run()
    expect(banner.value).toBe('no')
    expect(passing.action.error).toBe(banner)
    await passing.action.run()
    expect(banner.value).toBeNull()
    failing.wrapper.unmount()
    passing.wrapper.unmount()
  })

  it('with busyAfter, changes nothing on screen until that time has passed, and clears the last error at the end', async () => {
    vi.useFakeTimers()
    try {
      let finish: () => void = () => {}
      let fail = true
      const { wrapper, action } = host(
        () =>
          fail
            ? Promise.reject(new ActionRefused('full'))
            : new Promise<void>((r) => {
                finish = r
              }),
        'en',
        { busyAfter: 300 },
      )
      await action.run()
      expect(action.error.value).toBe('full')
      fail = false
      const running = action.run()
      expect(action.busy.value).toBe(false)
      expect(action.error.value).toBe('full')
      vi.advanceTimersByTime(299)
      expect(action.busy.value).toBe(false)
      vi.advanceTimersByTime(1)
      expect(action.busy.value).toBe(true)
      finish()
      expect(await running).toBe(true)
      expect(action.busy.value).toBe(false)
      expect(action.error.value).toBeNull()
      wrapper.unmount()
    } finally {
      vi.useRealTimers()
    }
  })
})
