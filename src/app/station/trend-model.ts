// Geometry of a monthly trend chart drawn as inline SVG: scales, "nice" gridlines and paths.
// No chart library: twelve points per series do not need one.

export interface TrendSeries {
  /** Stable key for colour and legend (e.g. 'this_year', 'last_year'). */
  key: string
  /** One value per month, null where there is none (a month still to come). */
  values: readonly (number | null)[]
}

export interface TrendLayout {
  width: number
  height: number
  padding: { top: number; right: number; bottom: number; left: number }
  /** Fix the value axis to start at 0 (counts) or let it hug the data (shares near 99%). */
  zeroBased?: boolean
  /** Force the axis maximum, e.g. 100 for a share. */
  max?: number
}

export interface TrendPoint {
  x: number
  y: number
  value: number
  index: number
}

export interface TrendGeometry {
  ticks: { value: number; y: number }[]
  months: { index: number; x: number }[]
  series: { key: string; points: TrendPoint[]; path: string }[]
  plot: { left: number; right: number; top: number; bottom: number }
}

/** 1, 2, 2.5 or 5 × 10^k: the step that gives about `count` gridlines over `span`. */
export function niceStep(span: number, count = 4): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1
  const raw = span / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const norm = raw / mag
  // Slack for binary fractions: 0.4 / 4 must pick 0.1, not 0.2.
  const e = 1e-6
  const nice = norm <= 1 + e ? 1 : norm <= 2 + e ? 2 : norm <= 2.5 + e ? 2.5 : norm <= 5 + e ? 5 : 10
  return nice * mag
}

export function niceTicks(min: number, max: number, count = 4): number[] {
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1
    min -= pad
    max += pad
  }
  const step = niceStep(max - min, count)
  const first = Math.floor(min / step + 1e-9) * step
  const ticks: number[] = []
  for (let v = first; v <= max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)))
  return ticks
}

export function trendGeometry(series: readonly TrendSeries[], layout: TrendLayout): TrendGeometry {
  const { width, height, padding } = layout
  const plot = { left: padding.left, right: width - padding.right, top: padding.top, bottom: height - padding.bottom }
  const months = Math.max(12, ...series.map((s) => s.values.length))
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)))
  const dataMax = values.length ? Math.max(...values) : 1
  const dataMin = values.length ? Math.min(...values) : 0
  const ticks = niceTicks(layout.zeroBased === false ? dataMin : Math.min(0, dataMin), layout.max ?? dataMax)
  const lo = ticks[0]!
  const hi = ticks[ticks.length - 1]!
  const y = (v: number) => plot.bottom - ((v - lo) / (hi - lo || 1)) * (plot.bottom - plot.top)
  const step = (plot.right - plot.left) / months
  const x = (i: number) => plot.left + step * (i + 0.5)
  return {
    plot,
    ticks: ticks.map((value) => ({ value, y: y(value) })),
    months: Array.from({ length: months }, (_, index) => ({ index, x: x(index) })),
    series: series.map((s) => {
      const points = s.values.flatMap((value, index) =>
        value === null || !Number.isFinite(value) ? [] : [{ x: x(index), y: y(value), value, index }],
      )
      // A gap (null month) breaks the line rather than bridging it.
      let path = ''
      let previous = -2
      for (const p of points) {
        path += `${p.index === previous + 1 ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`
        previous = p.index
      }
      return { key: s.key, points, path }
    }),
  }
}
