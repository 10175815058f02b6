// Storage panel figures: bytes, ages, the stale warning, and the panel itself over a given outbox.
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import StoragePanel from '../../../../src/app/components/pwa/StoragePanel.vue'
import {
  ageOf,
  formatBytes,
  unsyncedIsStale,
  usagePercent,
} from '../../../../src/app/composables/useStoragePersistence'
import { createAppI18n } from '../../../../src/app/i18n'

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1,023 B'],
    [1024, '1.0 KB'],
    [1536, '1.5 KB'],
    [10 * 1024, '10 KB'],
    [5.25 * 1024 * 1024, '5.3 MB'],
    [2 * 1024 ** 3, '2.0 GB'],
    [300 * 1024 ** 3, '300 GB'],
  ])('%d → %s', (bytes, text) => {
    expect(formatBytes(bytes, 'en')).toBe(text)
  })

  it('shows a dash for unknown or nonsense sizes', () => {
    expect(formatBytes(null)).toBe('—')
    expect(formatBytes(-1)).toBe('—')
    expect(formatBytes(Number.NaN)).toBe('—')
  })
})

describe('usagePercent', () => {
  it('is the used share of the quota, capped at 100, unknown without a quota', () => {
    expect(usagePercent({ usage: 25, quota: 100 })).toBe(25)
    expect(usagePercent({ usage: 200, quota: 100 })).toBe(100)
    expect(usagePercent({ usage: 10, quota: 0 })).toBeNull()
    expect(usagePercent({ usage: null, quota: 100 })).toBeNull()
  })
})

describe('ageOf', () => {
  const now = Date.UTC(2026, 5, 1, 12)
  it.each([
    [0, 'justNow', 0],
    [59_999, 'justNow', 0],
    [MIN, 'minutes', 1],
    [59 * MIN + 59_000, 'minutes', 59],
    [HOUR, 'hours', 1],
    [23 * HOUR + 59 * MIN, 'hours', 23],
    [DAY, 'days', 1],
    [9 * DAY + 5 * HOUR, 'days', 9],
  ])('%d ms ago → %s %d', (ago, unit, count) => {
    expect(ageOf(now - ago, now)).toEqual({ unit, count })
  })

  it('treats a time in the future (a skewed clock) as just now', () => {
    expect(ageOf(now + 5 * MIN, now)).toEqual({ unit: 'justNow', count: 0 })
  })
})

describe('unsyncedIsStale', () => {
  const now = Date.UTC(2026, 5, 1, 12)
  it('warns once the oldest unsynced record is a day old', () => {
    expect(unsyncedIsStale(null, now)).toBe(false)
    expect(unsyncedIsStale(now - DAY + 1, now)).toBe(false)
    expect(unsyncedIsStale(now - DAY, now)).toBe(true)
  })
})

describe('StoragePanel', () => {
  async function mountPanel(
    summary: { pending: number; rejected: number; oldestCreatedAt: number | null },
    locale: 'zh-CN' | 'en' = 'zh-CN',
  ) {
    const w = mount(StoragePanel, {
      props: { outboxSummary: () => Promise.resolve(summary) },
      global: { plugins: [createAppI18n(locale)] },
    })
    for (let i = 0; i < 5; i++) {
      await nextTick()
      await Promise.resolve()
    }
    return w
  }

  it('shows the unsynced counts and the age of the oldest record', async () => {
    const w = await mountPanel({ pending: 12, rejected: 2, oldestCreatedAt: Date.now() - 3 * HOUR - 5 * MIN })
    expect(w.get('.unsynced-count').text()).toBe('待上传 12 条，需处理 2 条')
    expect(w.get('.unsynced-age').text()).toBe('最早一条未同步记录：3 小时前')
    expect(w.find('[role="alert"]').exists()).toBe(false)
  })

  it('warns when a record has waited more than a day (English, plural)', async () => {
    const w = await mountPanel({ pending: 1, rejected: 0, oldestCreatedAt: Date.now() - 2 * DAY - HOUR }, 'en')
    expect(w.get('.unsynced-age').text()).toBe('Oldest unsynced record: 2 days ago')
    expect(w.get('[role="alert"]').text()).toContain('more than a day')
  })

  it('says everything reached the station when the outbox is empty', async () => {
    const w = await mountPanel({ pending: 0, rejected: 0, oldestCreatedAt: null })
    expect(w.text()).toContain('所有记录都已同步到血站')
    expect(w.find('.unsynced-age').exists()).toBe(false)
  })

  it('says so when this browser cannot report persistence (jsdom has no StorageManager)', async () => {
    const w = await mountPanel({ pending: 0, rejected: 0, oldestCreatedAt: null })
    expect(w.find('[data-storage="unknown"]').exists()).toBe(true)
  })
})
