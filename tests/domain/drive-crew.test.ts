// Blocks of a drive's bags for the phones that join it (issue 14): cut from the top of what the
// leader's phone holds, never overlapping, one per phone; the whole bus reconciled at the close.
import { describe, expect, it } from 'vitest'
import { isbt128Din } from '../../src/domain/din'
import {
  handOutBags,
  leaderRange,
  packDins,
  partsOverlap,
  reconcileBus,
  suggestedBlock,
  unpackDins,
  type CrewPart,
} from '../../src/domain/drive-crew'

const body = (n: number) => `W123426${String(n).padStart(6, '0')}`
const din = (n: number) => isbt128Din.format(body(n))
const drive = { dinFirst: body(1), dinLast: body(60) }
const phone = (n: number) => ({ deviceId: `0190e1c2-0000-7000-8000-00000000000${n}`, label: `phone ${n}` })

describe('handing out blocks of bags', () => {
  it('cuts each block from the top of the leader’s bags, so blocks never overlap', () => {
    const first = handOutBags(drive, [], phone(1), 20, [din(1), din(2)])
    expect(first).toMatchObject({ ok: true, part: { dinFirst: body(41), dinLast: body(60), bagsLoaded: 20 } })
    const handed = [(first as { part: CrewPart }).part]
    expect(leaderRange(drive, handed)).toEqual({ dinFirst: body(1), dinLast: body(40), bagsLoaded: 40 })
    const second = handOutBags(drive, handed, phone(2), 15, [din(1), din(2)])
    expect(second).toMatchObject({ ok: true, part: { dinFirst: body(26), dinLast: body(40) } })
    expect(partsOverlap([...handed, (second as { part: CrewPart }).part])).toBe(false)
    expect(leaderRange(drive, [...handed, (second as { part: CrewPart }).part])?.bagsLoaded).toBe(25)
  })

  it('refuses a second block for the same phone, a block with a used bag, and leaving the leader none', () => {
    const first = handOutBags(drive, [], phone(1), 20, []) as { part: CrewPart }
    expect(handOutBags(drive, [first.part], phone(1), 5, [])).toEqual({ ok: false, error: 'already_joined' })
    expect(handOutBags(drive, [first.part], phone(2), 5, [din(38)])).toEqual({ ok: false, error: 'used_bag' })
    expect(handOutBags(drive, [first.part], phone(2), 40, [])).toEqual({ ok: false, error: 'too_many' })
    expect(handOutBags(drive, [first.part], phone(2), 0, [])).toEqual({ ok: false, error: 'count' })
  })

  it('suggests half of the leader’s unused bags after the highest used', () => {
    expect(suggestedBlock(drive, [], [])).toBe(30)
    expect(suggestedBlock(drive, [], [din(10)])).toBe(25)
  })

  it('finds overlapping blocks', () => {
    expect(
      partsOverlap([
        { dinFirst: body(1), dinLast: body(10) },
        { dinFirst: body(10), dinLast: body(20) },
      ]),
    ).toBe(true)
  })
})

describe('the whole bus at the close', () => {
  const leader = { ...phone(0), dinFirst: body(1), dinLast: body(30), bagsLoaded: 30 }
  const parts: CrewPart[] = [
    { ...phone(1), dinFirst: body(31), dinLast: body(45), bagsLoaded: 15 },
    { ...phone(2), dinFirst: body(46), dinLast: body(60), bagsLoaded: 15 },
  ]
  it('adds the bags used on every phone, names a phone that has not reported and a bag out of its block', () => {
    const r = reconcileBus({ ...leader, usedDins: [din(1), din(2)], donations: 2, deferrals: 1 }, parts, [
      { ...parts[0]!, driveId: 'd', usedDins: [din(31), din(50)], donations: 2, deferrals: 0 },
    ])
    expect(r.bagsUsed).toBe(4)
    expect(r.missing).toEqual([phone(2).deviceId])
    expect(r.lines[1]!.problems).toEqual([{ din: din(50), problem: 'outside_block' }])
    expect(r.lines.map((l) => l.bagsUsed)).toEqual([2, 2, null])
  })

  it('names a bag used on two phones', () => {
    const r = reconcileBus({ ...leader, usedDins: [din(1)], donations: 1, deferrals: 0 }, parts.slice(0, 1), [
      { ...parts[0]!, driveId: 'd', usedDins: [din(1)], donations: 1, deferrals: 0 },
    ])
    expect(r.lines[1]!.problems).toEqual([
      { din: din(1), problem: 'outside_block' },
      { din: din(1), problem: 'used_twice' },
    ])
  })

  it('packs used bags as runs and back', () => {
    const used = [din(31), din(32), din(33), din(40), din(35)]
    const packed = packDins(used)
    expect(packed).toEqual({ series: 'W123426', runs: '31-33,35,40' })
    expect(unpackDins(packed).sort()).toEqual([...used].sort())
    expect(unpackDins(null)).toEqual([])
  })
})
