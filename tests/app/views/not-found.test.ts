// An unknown address (a mistyped link, a page renamed since) shows "not found" with the way home,
// on the phone's side and the station's, instead of a blank screen.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, RouterView } from 'vue-router'
import { describe, expect, it } from 'vitest'
import { createAppI18n } from '../../../src/app/i18n'
import { createAppRouter } from '../../../src/app/router'

async function open(path: string, locale: 'zh-CN' | 'en') {
  setActivePinia(createPinia())
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  await router.isReady()
  const wrapper = mount(defineComponent({ render: () => h(RouterView) }), {
    global: { plugins: [router, createAppI18n(locale)] },
  })
  for (let i = 0; i < 5; i++) await flushPromises()
  return { router, wrapper }
}

describe('an unknown address', () => {
  it('at the station says the page does not exist and links to the dashboard', async () => {
    const { router, wrapper } = await open('/station/devices', 'zh-CN')
    expect(router.currentRoute.value.name).toBe('not-found')
    const card = wrapper.get('[data-testid=not-found]')
    expect(wrapper.text()).toContain('找不到这个页面')
    expect(card.text()).toContain('/station/devices')
    expect(card.get('a').attributes('href')).toBe('/station')
    expect(card.get('a').text()).toBe('回到血站看板')
  })

  it('on the phone links back to the drive list', async () => {
    const { wrapper } = await open('/drivez/old-link', 'en')
    const card = wrapper.get('[data-testid=not-found]')
    expect(wrapper.text()).toContain('Page not found')
    expect(card.get('a').attributes('href')).toBe('/drives')
    expect(card.get('a').text()).toBe('Back to the drives')
  })

  it('leaves known addresses to their own screens', async () => {
    const { router } = await open('/station/login', 'en')
    expect(router.currentRoute.value.name).toBe('station-login')
  })
})
