// What a progress bar and its "what it takes" sentence show, worked out without Vue so it is
// tested on its own. Texts are i18n keys under `progress.` with their parameters.
import type { Progress } from '../../domain/progress'
import type { Metric, Period } from '../../domain/records'
import { RATE_SCALE } from '../../domain/record-codes'
import { isShareMetric } from '../../domain/targets'

export interface Sentence {
  key: string
  params: Record<string, string | number>
}

/** Number formats of the page's locale. */
export interface NumberFormats {
  /** Whole numbers with grouping: 27,577. */
  int(n: number): string
  /** A metric value in its unit: 32.59%, 13.22, 169,002. */
  value(metric: Metric, n: number): string
  /** A target as the manager typed it: 32%, 99.5%, 9,000. */
  goal(metric: Metric, n: number): string
}

export function numberFormats(locale: string): NumberFormats {
  const int = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 })
  const two = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  const one = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 })
  const upToTwo = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 })
  return {
    goal: (metric, n) => (isShareMetric(metric) ? `${upToTwo.format(n)}%` : upToTwo.format(n)),
    int: (n) => int.format(n),
    value: (metric, n) => {
      if (isShareMetric(metric)) return `${two.format(n)}%`
      if (metric === 'per_1000') return two.format(n)
      return Number.isInteger(n) ? int.format(n) : one.format(n)
    },
  }
}

/** "this month", "this quarter", "this year", "by 30 June". */
function when(period: Period): Sentence {
  return period.kind === 'custom'
    ? { key: 'progress.when.custom', params: { end: period.end } }
    : { key: `progress.when.${period.kind}`, params: {} }
}

/**
 * The sentence under a progress bar. For a share: how many more donations of the right kind it
 * takes by the period's end ("312 more rural-bus donations this month keep the share at 32%"),
 * or how many more of them a ≤ target still allows; for a count: how many a day it takes.
 * `when` and `kind` are keys to translate and put into the sentence.
 */
export function whatItTakes(
  p: Progress,
  period: Period,
  asOf: string,
  f: NumberFormats,
  population: number | null = null,
): Sentence & { when: Sentence; kind: string | null } {
  const base = {
    when: when(period),
    kind: isShareMetric(p.metric) ? `progress.kind.${p.metric}` : null,
  }
  const target = f.goal(p.metric, p.target)
  const actual = f.value(p.metric, p.actual)
  if (asOf < period.start) return { ...base, key: 'progress.takes.notStarted', params: { start: period.start, target } }
  if (p.remainingDays === 0) {
    return {
      ...base,
      key: p.met ? 'progress.takes.endedMet' : 'progress.takes.endedMissed',
      params: { actual, target },
    }
  }
  // A rate held as a level (deferrals per 10,000, donations per drive…): where it stands.
  if (RATE_SCALE[p.metric] !== undefined)
    return {
      ...base,
      key: p.met ? 'progress.takes.levelMet' : 'progress.takes.levelMissed',
      params: { actual, target },
    }
  const s = p.forShares
  if (s) {
    if (s.projectedTotal === null) return { ...base, key: 'progress.takes.noDonations', params: { target } }
    if (p.comparison === '>=') {
      const needed = s.needed ?? 0
      if (needed === 0) return { ...base, key: 'progress.takes.shareHolds', params: { target } }
      const params = { needed: f.int(needed), count: needed, target, remaining: f.int(s.remainingVolume ?? 0) }
      return { ...base, key: s.reachable ? 'progress.takes.shareNeeded' : 'progress.takes.shareOutOfReach', params }
    }
    if (!s.reachable) return { ...base, key: 'progress.takes.shareOverCap', params: { target } }
    const allowed = s.allowed ?? 0
    return { ...base, key: 'progress.takes.shareAllowed', params: { allowed: f.int(allowed), count: allowed, target } }
  }
  if (p.comparison === '>=') {
    if (p.met) return { ...base, key: 'progress.takes.countMet', params: { actual, target } }
    if (p.metric === 'per_1000') {
      // A rate per 1,000 people: what is missing, in donations, when the population is known.
      if (population === null)
        return {
          ...base,
          key: 'progress.takes.rateNeeded',
          params: { remaining: f.value(p.metric, p.remaining), target },
        }
      const donations = Math.ceil((p.remaining * population) / 1000 - 1e-9)
      return {
        ...base,
        key: 'progress.takes.rateNeededDonations',
        params: {
          remaining: f.value(p.metric, p.remaining),
          donations: f.int(donations),
          perDay: f.int(Math.ceil(donations / p.remainingDays)),
          days: p.remainingDays,
          count: p.remainingDays,
          target,
        },
      }
    }
    const perDay = Math.ceil((p.perDayNeeded ?? 0) - 1e-9)
    return {
      ...base,
      key: 'progress.takes.countNeeded',
      params: {
        remaining: f.value(p.metric, p.remaining),
        perDay: f.int(perDay),
        days: p.remainingDays,
        count: p.remainingDays,
        target,
      },
    }
  }
  if (!p.met)
    return {
      ...base,
      key: 'progress.takes.countOverCap',
      params: { over: f.value(p.metric, p.actual - p.target), target },
    }
  return { ...base, key: 'progress.takes.countHeadroom', params: { remaining: f.value(p.metric, p.remaining), target } }
}

export interface BarGeometry {
  /** Positions along the bar in percent of its width. */
  actual: number
  target: number
  pace: number
  /** Where the bar's scale ends, in the metric's unit. */
  scaleMax: number
}

/**
 * Positions on one progress bar: the scale runs from 0 to a little past the larger of target and
 * actual, so the target mark is always inside the bar and an overshoot stays visible.
 */
export function barGeometry(p: Pick<Progress, 'actual' | 'target' | 'expectedByNow'>): BarGeometry {
  const top = Math.max(p.target, p.actual, p.expectedByNow)
  const scaleMax = top > 0 ? top * 1.1 : 1
  const at = (x: number) => Math.min(100, Math.max(0, (x / scaleMax) * 100))
  return { actual: at(p.actual), target: at(p.target), pace: at(p.expectedByNow), scaleMax }
}
