// A small seeded PRNG (sfc32, seeded through splitmix32) so that a seed gives the same synthetic
// year on every machine; Math.random is never used by the generator.

function splitmix32(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform 32-bit unsigned integer. */
  uint32(): number
  /** Integer in [0, n). */
  int(n: number): number
  /** Integer in [min, max] inclusive. */
  between(min: number, max: number): number
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
  /** Index drawn with probability proportional to weights (all ≥ 0, not all 0). */
  weighted(weights: readonly number[]): number
  /** Shuffles in place (Fisher–Yates) and returns the array. */
  shuffle<T>(items: T[]): T[]
  /** Approximately normal (sum of uniforms), mean and standard deviation given. */
  normal(mean: number, sd: number): number
  /** Lower-case hex string of `length` characters. */
  hex(length: number): string
  /** An independent stream, so that adding draws in one part does not shift another. */
  fork(label: string): Rng
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

function hashLabel(label: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0
  return h
}

export function createRng(seed: number): Rng {
  const init = splitmix32(seed)
  let a = init()
  let b = init()
  let c = init()
  let d = init()
  const uint32 = (): number => {
    // sfc32
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t
  }
  for (let i = 0; i < 12; i++) uint32()
  const next = () => uint32() / 4294967296
  const int = (n: number) => Math.floor(next() * n)
  const rng: Rng = {
    next,
    uint32,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list')
      return items[int(items.length)]!
    },
    weighted: (weights) => {
      let total = 0
      for (const w of weights) total += w
      let r = next() * total
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i]!
        if (r < 0) return i
      }
      return weights.length - 1
    },
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(i + 1)
        const tmp = items[i]!
        items[i] = items[j]!
        items[j] = tmp
      }
      return items
    },
    normal: (mean, sd) => {
      let s = 0
      for (let i = 0; i < 6; i++) s += next()
      return mean + (s - 3) * sd * Math.SQRT2
    },
    hex: (length) => {
      let out = ''
      while (out.length < length) {
        const x = uint32()
        out += HEX_BYTE[x >>> 24]! + HEX_BYTE[(x >>> 16) & 255]! + HEX_BYTE[(x >>> 8) & 255]! + HEX_BYTE[x & 255]!
      }
      return out.length === length ? out : out.slice(0, length)
    },
    fork: (label) => createRng((uint32() ^ hashLabel(label)) >>> 0),
  }
  return rng
}

/**
 * Splits `total` into integers proportional to `weights` (largest remainder; ties to the lower
 * index), so that the parts always add up to `total` exactly.
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0)
  if (sum <= 0) throw new RangeError('apportion needs a positive weight')
  const exact = weights.map((w) => (w / sum) * total)
  const parts = exact.map(Math.floor)
  let left = total - parts.reduce((s, p) => s + p, 0)
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((p, q) => q.r - p.r || p.i - q.i)
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k]!.i]! += 1
  return parts
}
