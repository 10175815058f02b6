// One drive worked by several phones of the bus crew, with no network between them (issue 14,
// item 5). The leader's phone holds the drive's whole bag range and hands each joining phone its
// own block of it, taken from the top of the leader's remaining bags, so two blocks never overlap
// and no bag can be used twice. Pure: the QR transport lives in app/field/crew-code.ts.
import { checkDinRange, dinBody, isbt128Din, leaderRange, parseDin } from './din'

// In din.ts, so the donor form (which offers the next bag of the range) loads none of this module.
export { leaderRange } from './din'

/** A block of the drive's bags handed to one phone (or kept by the leader's). */
export interface CrewPart {
  /** The phone holding the block. */
  deviceId: string
  /** A name staff read on screen ("registration desk", "phone 2"). */
  label: string
  dinFirst: string
  dinLast: string
  bagsLoaded: number
}

/** What a phone reports to the leader at the end: its block, the bags it used, its tally. */
export interface CrewReport extends CrewPart {
  driveId: string
  /** Bag numbers used (body + check), not voided. */
  usedDins: string[]
  donations: number
  deferrals: number
}

export type HandOutError = 'count' | 'too_many' | 'used_bag' | 'already_joined'

/**
 * Cuts a block of `count` bags from the top of the leader's remaining bags for `deviceId`. Refused
 * when the leader would keep none, when a bag of the block is already used on the leader's phone,
 * or when the phone already holds a block of this drive (one block per phone: a second scan of the
 * same phone must not take more bags).
 */
export function handOutBags(
  drive: { dinFirst: string; dinLast: string },
  handedOut: readonly CrewPart[],
  phone: { deviceId: string; label: string },
  count: number,
  usedByLeader: Iterable<string>,
): { ok: true; part: CrewPart } | { ok: false; error: HandOutError } {
  if (!Number.isInteger(count) || count < 1) return { ok: false, error: 'count' }
  if (handedOut.some((p) => p.deviceId === phone.deviceId)) return { ok: false, error: 'already_joined' }
  const own = leaderRange(drive, handedOut)
  if (!own || count >= own.bagsLoaded) return { ok: false, error: 'too_many' }
  const last = parseDin(own.dinLast, { allowMissingCheck: true })
  if (!last.ok) return { ok: false, error: 'count' }
  const prefix = last.body.slice(0, last.body.length - 6)
  const from = last.sequence - count + 1
  for (const din of usedByLeader) {
    const d = parseDin(din, { allowMissingCheck: true })
    if (d.ok && d.series === last.series && d.sequence >= from && d.sequence <= last.sequence)
      return { ok: false, error: 'used_bag' }
  }
  return {
    ok: true,
    part: { ...phone, dinFirst: dinBody(prefix, from), dinLast: last.body, bagsLoaded: count },
  }
}

/** Bags offered by default to the next phone: half of what the leader still holds and has not used. */
export function suggestedBlock(
  drive: { dinFirst: string; dinLast: string },
  handedOut: readonly CrewPart[],
  usedByLeader: Iterable<string>,
): number {
  const own = leaderRange(drive, handedOut)
  if (!own) return 0
  const first = parseDin(own.dinFirst, { allowMissingCheck: true })
  if (!first.ok) return 0
  let highest = first.sequence - 1
  for (const din of usedByLeader) {
    const d = parseDin(din, { allowMissingCheck: true })
    if (d.ok && d.series === first.series) highest = Math.max(highest, d.sequence)
  }
  const free = first.sequence + own.bagsLoaded - 1 - highest
  return Math.max(0, Math.floor(free / 2))
}

/** One phone's line of the whole bus's reconciliation. */
export interface CrewLine extends CrewPart {
  /** Null for a phone that has not handed its tally over yet. */
  bagsUsed: number | null
  donations: number | null
  deferrals: number | null
  /** Used bags outside the phone's block, or used on another phone too. */
  problems: Array<{ din: string; problem: 'outside_block' | 'used_twice' }>
}

export interface BusReconciliation {
  lines: CrewLine[]
  /** Bags used on every phone that reported. */
  bagsUsed: number
  /** Phones that hold a block and have not reported. */
  missing: string[]
}

/** The whole bus: the leader's own part and every handed-out block with the report it came back with. */
export function reconcileBus(
  leader: CrewPart & { usedDins: string[]; donations: number; deferrals: number },
  handedOut: readonly CrewPart[],
  reports: readonly CrewReport[],
): BusReconciliation {
  const seen = new Map<string, string>()
  const lines: CrewLine[] = []
  const entries: Array<{ part: CrewPart; report: Omit<CrewReport, keyof CrewPart | 'driveId'> | null }> = [
    { part: leader, report: leader },
    ...handedOut.map((part) => ({ part, report: reports.find((r) => r.deviceId === part.deviceId) ?? null })),
  ]
  for (const { part, report } of entries) {
    const problems: CrewLine['problems'] = []
    for (const din of report?.usedDins ?? []) {
      const d = parseDin(din, { allowMissingCheck: true })
      const key = d.ok ? d.body : din
      if (!inBlock(key, part)) problems.push({ din, problem: 'outside_block' })
      const other = seen.get(key)
      if (other !== undefined && other !== part.deviceId) problems.push({ din, problem: 'used_twice' })
      seen.set(key, part.deviceId)
    }
    lines.push({
      ...part,
      bagsUsed: report ? report.usedDins.length : null,
      donations: report ? report.donations : null,
      deferrals: report ? report.deferrals : null,
      problems,
    })
  }
  return {
    lines,
    bagsUsed: lines.reduce((n, l) => n + (l.bagsUsed ?? 0), 0),
    missing: lines.filter((l) => l.bagsUsed === null).map((l) => l.deviceId),
  }
}

function inBlock(din: string, part: Pick<CrewPart, 'dinFirst' | 'dinLast'>): boolean {
  const range = checkDinRange(part.dinFirst, part.dinLast)
  const d = parseDin(din, { allowMissingCheck: true })
  return (
    range.ok &&
    d.ok &&
    d.series === range.first.series &&
    d.sequence >= range.first.sequence &&
    d.sequence <= range.last.sequence
  )
}

/** Whether blocks overlap each other (a close naming them is refused when they do). */
export function partsOverlap(parts: readonly Pick<CrewPart, 'dinFirst' | 'dinLast'>[]): boolean {
  const spans = parts.flatMap((p) => {
    const r = checkDinRange(p.dinFirst, p.dinLast)
    return r.ok ? [{ series: r.first.series, from: r.first.sequence, to: r.last.sequence }] : []
  })
  spans.sort((a, b) => (a.series !== b.series ? (a.series < b.series ? -1 : 1) : a.from - b.from))
  return spans.some((s, i) => i > 0 && spans[i - 1]!.series === s.series && spans[i - 1]!.to >= s.from)
}

/** Used bags as compact runs of sequence numbers ("12-15,18"), for a report QR. */
export function packDins(dins: readonly string[]): { series: string; runs: string } | null {
  const parsed = dins.map((d) => parseDin(d, { allowMissingCheck: true })).filter((d) => d.ok)
  if (parsed.length === 0) return null
  const prefix = parsed[0]!.body.slice(0, parsed[0]!.body.length - 6)
  const seqs = [...new Set(parsed.filter((d) => d.body.startsWith(prefix)).map((d) => d.sequence))].sort(
    (a, b) => a - b,
  )
  const runs: string[] = []
  for (let i = 0; i < seqs.length;) {
    let j = i
    while (j + 1 < seqs.length && seqs[j + 1] === seqs[j]! + 1) j++
    runs.push(i === j ? `${seqs[i]}` : `${seqs[i]}-${seqs[j]}`)
    i = j + 1
  }
  return { series: prefix, runs: runs.join(',') }
}

/** The bag numbers (body + check) of packDins' runs; an unreadable run gives nothing. */
export function unpackDins(packed: { series: string; runs: string } | null): string[] {
  if (!packed || !packed.runs) return []
  const out: string[] = []
  for (const run of packed.runs.split(',')) {
    const m = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(run)
    if (!m) continue
    const from = Number(m[1])
    const to = m[2] ? Number(m[2]) : from
    for (let n = from; n <= to && out.length < 5000; n++) out.push(isbt128Din.format(dinBody(packed.series, n)))
  }
  return out
}
