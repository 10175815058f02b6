// Canonical JSON (keys sorted at every level) so that "the same record" compares as the same text
// whatever key order a client sent.
//
// The text is exactly JSON.stringify of a copy whose keys were inserted in sorted order (what this
// function did before, and what stored bodies hold): such a copy lists integer-like keys first, in
// numeric order, then the others in sort order. Written directly, without the copy: a push
// canonicalises every record it takes.
export function canonicalJson(value: unknown): string {
  return write(value) as string
}

/** An array index as JavaScript orders object keys: "0", "1", … up to 2^32 − 2, no leading zero. */
function isIndexKey(key: string): boolean {
  const n = key.length
  if (n === 0 || n > 10) return false
  const first = key.charCodeAt(0)
  if (first === 48) return n === 1
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return Number(key) < 4294967295
}

function orderedKeys(obj: object): string[] {
  const keys = Object.keys(obj).sort()
  let indexes: string[] | null = null
  for (const k of keys) if (isIndexKey(k)) (indexes ??= []).push(k)
  if (!indexes) return keys
  indexes.sort((a, b) => Number(a) - Number(b))
  return [...indexes, ...keys.filter((k) => !isIndexKey(k))]
}

/** The JSON text of `value`, or undefined where JSON.stringify leaves a value out. */
function write(value: unknown): string | undefined {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'object':
      break
    default:
      return JSON.stringify(value)
  }
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ','
      out += write(value[i]) ?? 'null'
    }
    return out + ']'
  }
  let out = '{'
  let first = true
  for (const key of orderedKeys(value)) {
    // The sorted copy was built by assignment, where `__proto__` sets the prototype: never a key.
    if (key === '__proto__') continue
    const v = (value as Record<string, unknown>)[key]
    if (v === undefined) continue
    const text = write(v)
    if (text === undefined) continue
    if (!first) out += ','
    first = false
    out += JSON.stringify(key) + ':' + text
  }
  return out + '}'
}
