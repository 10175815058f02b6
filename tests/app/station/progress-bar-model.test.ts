import { describe, expect, it } from 'vitest'
import { computeProgress } from '../../../src/domain/progress'
import type { Target } from '../../../src/domain/records'
import { periodFor } from '../../../src/domain/targets'
import { barGeometry, numberFormats, whatItTakes } from '../../../src/app/station/progress-bar-model'
import { niceTicks, trendGeometry } from '../../../src/app/station/trend-model'
import { createAppI18n } from '../../../src/app/i18n'

const june = periodFor('month', '2023-06-01')
type T = Pick<Target, 'period' | 'metric' | 'comparison' | 'value'>
const en = numberFormats('en')

function say(sentence: ReturnType<typeof whatItTakes>, locale: 'en' | 'zh-CN' = 'en'): string {
  const i18n: unknown = createAppI18n(locale)
  const t = (i18n as { global: { t: (key: string, params?: object, plural?: number) => string } }).global.t
  const extra = { when: t(sentence.when.key, sentence.when.params), kind: sentence.kind ? t(sentence.kind) : '' }
  const params = { ...sentence.params, ...extra }
  return typeof sentence.params.count === 'number'
    ? t(sentence.key, params, sentence.params.count)
    : t(sentence.key, params)
}

describe('what it takes', () => {
  it("says the brief's sentence for a rural-mobile share", () => {
    const target: T = { period: june, metric: 'rural_mobile_share', comparison: '>=', value: 32 }
    // T = 6,000 × 30/20 = 9,000; ceil(0.32 × 9,000) − 2,568 = 312.
    const p = computeProgress({ target, actual: { kind: 'share', part: 2568, whole: 6000 }, asOf: '2023-06-20' })
    const s = whatItTakes(p, june, '2023-06-20', en)
    expect(s.key).toBe('progress.takes.shareNeeded')
    expect(say(s)).toBe('312 more rural-bus donations this month keep the share at 32%')
    expect(say(s, 'zh-CN')).toBe('本月再采 312 人次乡村流动采血，占比可保持在 32%')
  })

  it('says when the share is out of reach, holds already, or a cap still allows some', () => {
    const target: T = { period: june, metric: 'rural_mobile_share', comparison: '>=', value: 32 }
    const out = computeProgress({ target, actual: { kind: 'share', part: 2000, whole: 9000 }, asOf: '2023-06-27' })
    expect(say(whatItTakes(out, june, '2023-06-27', en))).toBe(
      '1,200 more rural-bus donations would be needed this month, more than the 1,000 donations expected in all: collect more on rural buses',
    )
    const holds = computeProgress({ target, actual: { kind: 'share', part: 3000, whole: 6000 }, asOf: '2023-06-20' })
    expect(whatItTakes(holds, june, '2023-06-20', en).key).toBe('progress.takes.shareHolds')
    const cap: T = { period: june, metric: 'deferral_rate', comparison: '<=', value: 8 }
    const c = computeProgress({ target: cap, actual: { kind: 'share', part: 70, whole: 1000 }, asOf: '2023-06-10' })
    expect(say(whatItTakes(c, june, '2023-06-10', en))).toBe(
      'At most 170 more deferrals this month keep the rate at or under 8%',
    )
  })

  it('gives counts a daily rate over the days left, and says when a period has ended', () => {
    const target: T = { period: june, metric: 'donations', comparison: '>=', value: 9000 }
    // 3,200 missing over 10 days: 320 a day.
    const p = computeProgress({ target, actual: { kind: 'count', value: 5800 }, asOf: '2023-06-20' })
    expect(say(whatItTakes(p, june, '2023-06-20', en))).toBe('3,200 to go: 320 a day for the 10 days left reach 9,000')
    const ended = computeProgress({ target, actual: { kind: 'count', value: 9100 }, asOf: '2023-07-02' })
    expect(say(whatItTakes(ended, june, '2023-07-02', en))).toBe('Period over: 9,100 against a target of 9,000, met')
    const before = computeProgress({ target, actual: { kind: 'count', value: 0 }, asOf: '2023-05-02' })
    expect(whatItTakes(before, june, '2023-05-02', en).key).toBe('progress.takes.notStarted')
  })
})

describe('what it takes for a rate per 1,000 people', () => {
  it('says the gap in donations when the population is known', () => {
    // 13.5 per 1,000 for 2023; 9.97 by 30 September, 92 days left. 3.53 × 7,077,000 / 1000 = 24,981.81
    // → 24,982 donations, 24,982 / 92 = 271.5 → 272 a day.
    const year = periodFor('year', '2023-01-01')
    const p = computeProgress({
      target: { period: year, metric: 'per_1000', comparison: '>=', value: 13.5 },
      actual: { kind: 'count', value: 9.97 },
      asOf: '2023-09-30',
    })
    expect(say(whatItTakes(p, year, '2023-09-30', en, 7_077_000))).toBe(
      '3.53 per 1,000 to go, about 24,982 donations: 272 a day for the 92 days left reach 13.5',
    )
    expect(say(whatItTakes(p, year, '2023-09-30', en))).toBe('3.53 per 1,000 people to go to reach 13.5')
  })
})

describe('progress bar geometry', () => {
  it('places actual, pace and target on one scale with room past the larger of them', () => {
    // Scale 0 … 9,000 × 1.1 = 9,900.
    const g = barGeometry({ actual: 5800, target: 9000, expectedByNow: 6000 })
    expect(g.scaleMax).toBeCloseTo(9900, 9)
    expect(g.actual).toBeCloseTo((5800 / 9900) * 100, 9)
    expect(g.pace).toBeCloseTo((6000 / 9900) * 100, 9)
    expect(g.target).toBeCloseTo((9000 / 9900) * 100, 9)
    const over = barGeometry({ actual: 12000, target: 9000, expectedByNow: 9000 })
    expect(over.actual).toBeCloseTo(100 / 1.1, 9)
    expect(barGeometry({ actual: 0, target: 0, expectedByNow: 0 })).toEqual({
      actual: 0,
      target: 0,
      pace: 0,
      scaleMax: 1,
    })
  })
})

describe('trend chart geometry', () => {
  it('picks round gridlines', () => {
    expect(niceTicks(0, 9691)).toEqual([0, 2500, 5000, 7500, 10000])
    expect(niceTicks(0, 32.59)).toEqual([0, 10, 20, 30, 40])
    expect(niceTicks(99.5, 99.9)).toEqual([99.5, 99.6, 99.7, 99.8, 99.9])
    expect(niceTicks(0, 0)).toEqual([-1, -0.5, 0, 0.5, 1])
  })

  it('draws a line per series, breaking it at a missing month', () => {
    const g = trendGeometry(
      [{ key: 'this_year', values: [10, 20, null, 40, null, null, null, null, null, null, null, null] }],
      { width: 600, height: 200, padding: { top: 10, right: 10, bottom: 30, left: 50 } },
    )
    // Plot 50…590 wide: 45 per month, month centres at 72.5, 117.5, …; axis 0…40 over 10…170.
    expect(g.months[0]!.x).toBeCloseTo(72.5, 9)
    expect(g.ticks.map((t) => t.value)).toEqual([0, 10, 20, 30, 40])
    expect(g.series[0]!.points.map((p) => [p.index, p.y])).toEqual([
      [0, 130],
      [1, 90],
      [3, 10],
    ])
    expect(g.series[0]!.path).toBe('M72.5,130.0L117.5,90.0M207.5,10.0')
  })
})
