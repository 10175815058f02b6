// The update decision and the prompt: a dirty form blocks the update (with the reason shown), an
// unsynced outbox is announced before applying, and nothing shows while no version waits.
/* eslint-disable vue/one-component-per-file -- a tiny host and form built inline for the prompt test */
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { computed, defineComponent, h, nextTick, ref } from 'vue'
import UpdatePrompt from '../../../../src/app/components/pwa/UpdatePrompt.vue'
import { useDirtyForm } from '../../../../src/app/composables/useDirtyForms'
import { applyUpdate, updateAdvice, usePwaUpdate } from '../../../../src/app/composables/usePwaUpdate'
import { createAppI18n } from '../../../../src/app/i18n'

describe('updateAdvice', () => {
  const base = { updateReady: true, formDirty: false, unsynced: 0, applying: false }

  it('shows nothing while no new version waits', () => {
    expect(updateAdvice({ ...base, updateReady: false, formDirty: true, unsynced: 5 })).toEqual({
      show: false,
      canApply: false,
      blockedBy: null,
      warnUnsynced: false,
    })
  })

  it('blocks the update while a form is dirty', () => {
    expect(updateAdvice({ ...base, formDirty: true })).toMatchObject({
      show: true,
      canApply: false,
      blockedBy: 'formDirty',
    })
  })

  it('allows the update with a warning while records wait in the outbox', () => {
    expect(updateAdvice({ ...base, unsynced: 3 })).toEqual({
      show: true,
      canApply: true,
      blockedBy: null,
      warnUnsynced: true,
    })
  })

  it('allows it plainly when everything is synced or the count is unknown', () => {
    expect(updateAdvice(base)).toEqual({ show: true, canApply: true, blockedBy: null, warnUnsynced: false })
    expect(updateAdvice({ ...base, unsynced: null }).warnUnsynced).toBe(false)
  })

  it('does not apply twice', () => {
    expect(updateAdvice({ ...base, applying: true })).toMatchObject({ canApply: false, blockedBy: 'applying' })
  })
})

/** A real form input registered in the shared dirty-form registry, as the field screens do. */
const TypedForm = defineComponent({
  setup() {
    const text = ref('')
    useDirtyForm(
      'test-form',
      computed(() => text.value !== ''),
    )
    return () =>
      h('input', {
        value: text.value,
        onInput: (e: Event) => {
          text.value = (e.target as HTMLInputElement).value
        },
      })
  },
})

describe('UpdatePrompt', () => {
  const pwa = usePwaUpdate()
  afterEach(() => {
    pwa.needRefresh.value = false
  })

  function mountPrompt(summary = { pending: 0, rejected: 0, oldestCreatedAt: null as number | null }) {
    const Host = defineComponent({
      setup: () => () => h('div', [h(UpdatePrompt, { outboxSummary: () => Promise.resolve(summary) }), h(TypedForm)]),
    })
    return mount(Host, { global: { plugins: [createAppI18n('zh-CN')] }, attachTo: document.body })
  }

  it('stays hidden until a new version is waiting', async () => {
    const w = mountPrompt()
    expect(w.find('[role="region"]').exists()).toBe(false)
    pwa.needRefresh.value = true
    await nextTick()
    expect(w.get('[role="region"]').attributes('aria-label')).toBe('应用更新')
    expect(w.text()).toContain('新版本已就绪')
    w.unmount()
  })

  it('disables the update button with the reason while a form is dirty, and enables it once clean', async () => {
    const w = mountPrompt()
    pwa.needRefresh.value = true
    await w.get('input').setValue('张三')
    const button = w.get('button.update-apply')
    expect(button.attributes('disabled')).toBeDefined()
    const reason = w.get(`#${button.attributes('aria-describedby')}`)
    expect(reason.text()).toContain('有表单尚未保存')
    expect(applyUpdate()).toBe(false) // refused even if called directly

    await w.get('input').setValue('')
    expect(button.attributes('disabled')).toBeUndefined()
    expect(w.text()).not.toContain('有表单尚未保存')
    w.unmount()
  })

  it('says how many records are unsynced and that they stay safe', async () => {
    const w = mountPrompt({ pending: 4, rejected: 1, oldestCreatedAt: 1 })
    pwa.needRefresh.value = true
    await flush()
    expect(w.get('.update-unsynced').text()).toBe('还有 5 条记录未同步。它们安全地保存在本机，更新后会继续同步。')
    expect(w.get('button.update-apply').attributes('disabled')).toBeUndefined()
    w.unmount()
  })

  it('says nothing about unsynced records when the outbox is empty', async () => {
    const w = mountPrompt()
    pwa.needRefresh.value = true
    await flush()
    expect(w.find('.update-unsynced').exists()).toBe(false)
    w.unmount()
  })

  it('"later" hides the prompt until another version is found', async () => {
    const w = mountPrompt()
    pwa.needRefresh.value = true
    await nextTick()
    await w
      .findAll('button')
      .find((b) => b.text() === '稍后')!
      .trigger('click')
    expect(w.find('[role="region"]').exists()).toBe(false)
    pwa.needRefresh.value = false
    await nextTick()
    pwa.needRefresh.value = true
    await nextTick()
    expect(w.find('[role="region"]').exists()).toBe(true)
    w.unmount()
  })
})

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await nextTick()
    await Promise.resolve()
  }
}
