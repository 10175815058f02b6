// Stored record bodies are canonical JSON, and a re-sent record is a duplicate only when its text
// is the same: the writer must give, byte for byte, what the first writer gave (a sorted copy
// through JSON.stringify), whatever the record holds.
import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../../src/server/canonical-json'
import { seededRandom } from '../support/fault-proxy'

/** The first writer, as stored bodies were made. */
function reference(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys)
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[key]
        if (x !== undefined) out[key] = sortKeys(x)
      }
      return out
    }
    return v
  }
  return JSON.stringify(sortKeys(value))
}

function randomValue(random: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!
  const keys = [
    'a',
    'b',
    'Z',
    'type',
    'id',
    '10',
    '9',
    '0',
    '01',
    '-1',
    '4294967294',
    '4294967295',
    'é',
    '张',
    'a b',
    '"q"',
    '\u0001',
    '__proto__',
  ]
  const r = random()
  if (depth <= 0 || r < 0.4) {
    return pick([
      null,
      true,
      false,
      0,
      -0,
      1.5,
      -7,
      1e21,
      2 ** 53,
      NaN,
      Infinity,
      '',
      'x',
      '张三',
      'line\nbreak',
      '\u2028',
      '\ud800',
      'tab\t"q"\\',
      undefined,
    ])
  }
  if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth - 1))
  const obj: Record<string, unknown> = {}
  const n = Math.floor(random() * 6)
  for (let i = 0; i < n; i++) {
    const k = pick(keys)
    if (k === '__proto__')
      Object.defineProperty(obj, k, {
        value: randomValue(random, depth - 1),
        enumerable: true,
        configurable: true,
        writable: true,
      })
    else obj[k] = randomValue(random, depth - 1)
  }
  return obj
}

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members, as stored bodies were written', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"z":1}]},"b":1}',
    )
    expect(canonicalJson([undefined, () => 1])).toBe('[null,null]')
  })

  it('orders integer-like keys as a JavaScript object does (numerically, first)', () => {
    expect(canonicalJson({ b: 1, 10: 'x', 9: 'y', '01': 'z', a: 2 })).toBe('{"9":"y","10":"x","01":"z","a":2,"b":1}')
    expect(canonicalJson({ b: 1, 10: 'x', 9: 'y', '01': 'z', a: 2 })).toBe(
      reference({ b: 1, 10: 'x', 9: 'y', '01': 'z', a: 2 }),
    )
  })

  it('gives the same text as the first writer for every kind of value', () => {
    const random = seededRandom(13)
    for (let i = 0; i < 3000; i++) {
      const value = randomValue(random, 4)
      expect(canonicalJson(value)).toBe(reference(value))
    }
    // Parsed JSON may hold an own "__proto__" key; the first writer never wrote it.
    const parsed = JSON.parse('{"__proto__":{"x":1},"a":1}') as unknown
    expect(canonicalJson(parsed)).toBe(reference(parsed))
  })
})
