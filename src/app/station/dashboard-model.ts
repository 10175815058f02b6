// The dashboard's figures, worked out from report answers without Vue: which targets show for
// a period, their progress (seasonal when last year's months are known), the channel table,
// the indicator tiles and the monthly trend series.
import { emptyCounts, type IndicatorCounts, type Indicators, mergeCounts } from '../../domain/indicators'
import { computeProgress, metricActual, paceVolume, type Progress } from '../../domain/progress'
import { type Channel, type FieldRecord, type Metric, type Period, type Scope, type Target } from '../../domain/records'
import { periodsOverlap } from '../../domain/targets'
import type { TrendSeries } from './trend-model'

export function scopeKey(scope: Scope): string {
  return scope.kind === 'station' ? 'station' : `${scope.kind}:${scope.id}`
}

/** The part of a target's period that has data by `asOf`: start … min(asOf, end); null before it starts. */
export function countedSpan(target: Pick<Target, 'period'>, asOf: string): { from: string; to: string } | null {
  if (asOf < target.period.start) return null
  return { from: target.period.start, to: asOf < target.period.end ? asOf : target.period.end }
}

/**
 * Targets to show for a dashboard period: those overlapping it, the ones running today first,
 * then by start date; station targets before channel, site, team and drive ones.
 */
export function targetsForPeriod(
  targets: readonly Target[],
  period: Pick<Period, 'start' | 'end'>,
  asOf: string,
): Target[] {
  const order = ['station', 'channel', 'site', 'team', 'drive']
  const running = (t: Target) => (t.period.start <= asOf && asOf <= t.period.end ? 0 : 1)
  return targets
    .filter((t) => periodsOverlap(t.period, period))
    .sort(
      (a, b) =>
        running(a) - running(b) ||
        order.indexOf(a.scope.kind) - order.indexOf(b.scope.kind) ||
        a.period.start.localeCompare(b.period.start) ||
        a.metric.localeCompare(b.metric),
    )
}

/**
 * Last year's monthly volume for a metric (Jan…Dec), from last year's monthly counts of the same
 * scope; undefined unless all twelve months are there.
 */
export function seasonalHistory(
  metric: Metric,
  lastYear: readonly { month: string; counts: IndicatorCounts }[] | undefined,
): number[] | undefined {
  if (!lastYear || lastYear.length !== 12) return undefined
  const series = [...lastYear].sort((a, b) => a.month.localeCompare(b.month)).map((m) => paceVolume(metric, m.counts))
  return series.some((x) => x > 0) ? series : undefined
}

export interface TargetProgressRow {
  target: Target
  /** Null when the target cannot be measured yet (not started, or per-1,000 without a population). */
  progress: Progress | null
  reason: 'not_started' | 'no_population' | null
  /** Whether the pace follows last year's months. */
  seasonal: boolean
  /** Population of the year, for saying a per-1,000 gap in donations. */
  population: number | null
}

export function targetProgress(
  target: Target,
  counts: IndicatorCounts | undefined,
  asOf: string,
  opts: { population?: number | null; lastYearMonthly?: readonly { month: string; counts: IndicatorCounts }[] } = {},
): TargetProgressRow {
  const population = opts.population ?? null
  if (!counts || asOf < target.period.start)
    return { target, progress: null, reason: 'not_started', seasonal: false, population }
  const actual = metricActual(target.metric, counts, population)
  if (!actual) return { target, progress: null, reason: 'no_population', seasonal: false, population }
  const history = seasonalHistory(target.metric, opts.lastYearMonthly)
  return {
    target,
    progress: computeProgress({ target, actual, asOf, ...(history ? { history } : {}) }),
    reason: null,
    seasonal: history !== undefined,
    population,
  }
}

export interface ChannelRow {
  channel: Channel
  donations: number
  wholeBlood: number
  /** Of all whole-blood donations of the station in the period, in percent. */
  wholeBloodShare: number | null
  rate400ml: number | null
  busTrips: number
}

/** One row per channel (the station's order), from each channel's own counts. */
export function channelRows(
  channels: readonly Channel[],
  byChannel: Readonly<Record<string, IndicatorCounts>>,
  total: IndicatorCounts,
): ChannelRow[] {
  return channels.map((channel) => {
    const c = byChannel[channel.id]
    const wholeBlood = c?.wholeBloodDonations ?? 0
    return {
      channel,
      donations: c?.donations ?? 0,
      wholeBlood,
      wholeBloodShare: total.wholeBloodDonations > 0 ? (wholeBlood / total.wholeBloodDonations) * 100 : null,
      rate400ml: c && c.wholeBloodDonations > 0 ? (c.wholeBlood400 / c.wholeBloodDonations) * 100 : null,
      busTrips: c?.busTrips ?? 0,
    }
  })
}

/** The indicator tiles, in the order docs/domain.md defines them; shares in percent. */
export const TILE_METRICS: readonly Metric[] = [
  'donations',
  'whole_blood_units',
  'apheresis_doses',
  'rate_400ml',
  'rural_mobile_share',
  'rural_donor_share',
  'repeat_donor_share',
  'per_1000',
  'deferral_rate',
  'bus_trips',
  'rhd_negative_donations',
]

export function tileValue(ind: Indicators, metric: Metric): number | null {
  const a = metricActual(metric, ind, ind.population)
  if (!a) return null
  if (a.kind === 'count') return a.value
  return a.whole > 0 ? (a.part / a.whole) * 100 : null
}

/**
 * Twelve monthly values of a metric for a chart: this year's months up to `asOf` (later months
 * null), and last year's in full.
 */
export function monthlyValues(
  months: readonly { month: string; indicators: Indicators }[],
  metric: Metric,
  upTo?: string,
): (number | null)[] {
  const out: (number | null)[] = new Array(12).fill(null)
  for (const m of months) {
    const i = Number(m.month.slice(5, 7)) - 1
    if (upTo !== undefined && `${m.month}-01` > upTo) continue
    out[i] = tileValue(m.indicators, metric)
  }
  return out
}

export function trendSeries(
  metric: Metric,
  thisYear: readonly { month: string; indicators: Indicators }[],
  lastYear: readonly { month: string; indicators: Indicators }[],
  asOf: string,
): TrendSeries[] {
  const last = monthlyValues(lastYear, metric)
  // A year without any record (before the station used the app) is no line at zero.
  const hasLast = lastYear.some((m) => m.indicators.donations > 0 || m.indicators.deferrals > 0)
  return [
    { key: 'this_year', values: monthlyValues(thisYear, metric, asOf) },
    ...(hasLast ? [{ key: 'last_year', values: last }] : []),
  ]
}

export interface DriveRow {
  driveId: string
  date: string
  siteId: string | null
  busCode: string
  donations: number
  wholeBlood: number
  deferrals: number
  /** Donations that went ahead on the leader's override (schema 2). */
  overrides: number
  /** Each phone's part (schema 3: a drive worked by several phones), the phone that opened it first. */
  phones: Array<{ deviceId: string; donations: number; deferrals: number }>
}

export interface SiteRow {
  siteId: string
  drives: number
  donations: number
  wholeBlood: number
  deferrals: number
}

/**
 * A channel's drives and sites from its listed records: donations and deferrals that count
 * (not voided; a correction's replacement is not in the listing, so a corrected record counts as
 * listed) grouped by drive and by site. Drives come first by date, newest first.
 */
export function drillDown(records: readonly { voided: boolean; record: FieldRecord }[]): {
  drives: DriveRow[]
  sites: SiteRow[]
} {
  const drives = new Map<string, DriveRow>()
  const sites = new Map<string, SiteRow>()
  const driveRow = (id: string): DriveRow => {
    let d = drives.get(id)
    if (!d) {
      d = {
        driveId: id,
        date: '',
        siteId: null,
        busCode: '',
        donations: 0,
        wholeBlood: 0,
        deferrals: 0,
        overrides: 0,
        phones: [],
      }
      drives.set(id, d)
    }
    return d
  }
  const siteRow = (id: string): SiteRow => {
    let s = sites.get(id)
    if (!s) {
      s = { siteId: id, drives: 0, donations: 0, wholeBlood: 0, deferrals: 0 }
      sites.set(id, s)
    }
    return s
  }
  const phoneOf = (d: DriveRow, deviceId: string) => {
    let p = d.phones.find((x) => x.deviceId === deviceId)
    if (!p) {
      p = { deviceId, donations: 0, deferrals: 0 }
      d.phones.push(p)
    }
    return p
  }
  for (const { voided, record: r } of records) {
    if (voided) continue
    if (r.type === 'drive') {
      const d = driveRow(r.id)
      Object.assign(d, { date: r.date, siteId: r.siteId, busCode: r.busCode })
      // The phone that opened the drive first.
      d.phones = [phoneOf(d, r.deviceId), ...d.phones.filter((p) => p.deviceId !== r.deviceId)]
      siteRow(r.siteId).drives += 1
    } else if (r.type === 'donation' || r.type === 'deferral') {
      const wb = r.type === 'donation' && r.product.type === 'whole_blood' ? 1 : 0
      if (r.driveId) {
        const d = driveRow(r.driveId)
        if (r.type === 'donation') {
          d.donations += 1
          d.wholeBlood += wb
          if (r.override) d.overrides += 1
          phoneOf(d, r.deviceId).donations += 1
        } else {
          d.deferrals += 1
          phoneOf(d, r.deviceId).deferrals += 1
        }
        if (!d.date) d.date = r.collectedOn
      }
      if (r.siteId) {
        const s = siteRow(r.siteId)
        if (r.type === 'donation') {
          s.donations += 1
          s.wholeBlood += wb
        } else s.deferrals += 1
      }
    }
  }
  return {
    drives: [...drives.values()].sort((a, b) => b.date.localeCompare(a.date) || a.busCode.localeCompare(b.busCode)),
    sites: [...sites.values()].sort((a, b) => b.donations - a.donations),
  }
}

/**
 * Counts of [from, to] summed from a monthly series, when the series covers it in whole months
 * (the last month may end early, at the series' own end, e.g. today). Null when it does not, so
 * the caller asks the server instead.
 */
export function sumMonths(
  months: readonly { from: string; to: string; counts: IndicatorCounts }[],
  from: string,
  to: string,
): IndicatorCounts | null {
  if (to < from) return null
  const inside = months.filter((m) => m.to >= from && m.from <= to)
  if (inside.length === 0) return null
  const sorted = [...inside].sort((a, b) => a.from.localeCompare(b.from))
  if (sorted[0]!.from !== from || sorted.at(-1)!.to !== to) return null
  if (inside.some((m) => m.from < from || m.to > to)) return null
  return sorted.reduce((acc, m) => mergeCounts(acc, m.counts), emptyCounts())
}
