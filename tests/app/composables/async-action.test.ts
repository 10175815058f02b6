// useAsyncAction: busy while the action runs, the error in the user's language when it throws,
// cleared by the next run.
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { useAsyncAction, type AsyncAction } from '../../../src/app/composables/useAsyncAction'
import { createAppI18n } from '../../../src/app/i18n'

function host(action: () => Promise<unknown>, locale: 'zh-CN' | 'en' = 'en') {
  let result: AsyncAction<[]> | null = null
  const wrapper = mount(
    defineComponent({
      setup() {
        result = useAsyncAction(action)
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
})
