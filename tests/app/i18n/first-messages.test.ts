// The app's first JavaScript carries only the first screen's messages (the staff lock and the
// donor form's identity step, in Chinese); the other field features load after it. A fresh copy
// of the i18n module shows what a cold start has.
import { describe, expect, it, vi } from 'vitest'
import { computed } from 'vue'

async function freshI18n() {
  vi.resetModules()
  return import('../../../src/app/i18n')
}

describe('messages at a cold start', () => {
  it('has the first screen features at once and the other field features only after loadFeatures()', async () => {
    const i18n = await freshI18n()
    const app = i18n.createAppI18n('zh-CN')
    const t = (app.global as unknown as { t: (k: string) => string }).t
    await i18n.ready()
    expect(t('common.save')).toBe('保存')
    expect(t('staff.unlock')).toBe('解锁')
    // Not bundled: the key shows until the feature loads.
    expect(t('sync.title')).toBe('sync.title')
    expect(t('clinic.rapid.title')).toBe('clinic.rapid.title')
    // No first screen shows a station server's refusal: their sentences come with the rest.
    expect(t('serverErrors.invalid_code')).toBe('serverErrors.invalid_code')

    await i18n.loadFeatures()
    expect(t('sync.title')).toBe('同步')
    expect(t('clinic.rapid.title')).toBe('献血前快检')
    expect(t('serverErrors.invalid_code')).toBe('登记码无效或已过期，请向血站要一个新的。')
  })

  it('updates what is already on screen when the later messages arrive', async () => {
    const i18n = await freshI18n()
    const app = i18n.createAppI18n('zh-CN')
    const t = (app.global as unknown as { t: (k: string) => string }).t
    const shown = computed(() => t('sync.title'))
    expect(shown.value).toBe('sync.title')
    await i18n.loadFeatures()
    expect(shown.value).toBe('同步')
  })

  it('loads English for the first screen before mounting, and the rest with the field features', async () => {
    localStorage.setItem('bloodbus.locale', 'en')
    try {
      const i18n = await freshI18n()
      const app = i18n.createAppI18n()
      const t = (app.global as unknown as { t: (k: string) => string }).t
      await i18n.ready()
      expect(t('common.save')).toBe('Save')
      await i18n.loadFeatures()
      expect(t('sync.title')).toBe('Sync')
    } finally {
      localStorage.removeItem('bloodbus.locale')
    }
  })
})
