import { describe, expect, it } from 'vitest'
import {
  bagRange,
  DEFAULT_RANGE_OVERLAP_DAYS,
  formFromPlan,
  rangeOverlaps,
  validateDriveOpen,
  type DriveOpenForm,
} from '../../../src/app/field/drive-open'
import { reconcile } from '../../../src/app/field/drive-close'
import { isbt128Din } from '../../../src/domain/din'
import type { DrivePlan } from '../../../src/domain/plans'

const form = (over: Partial<DriveOpenForm> = {}): DriveOpenForm => ({
  date: '2026-06-14',
  busCode: ' 豫C-1234 ',
  siteId: 'site',
  channelId: 'channel',
  teamIds: [],
  staffIds: ['a', 'b'],
  leaderStaffId: 'a',
  dinFirst: 'W123426000001',
  dinLast: 'W123426000040',
  planId: '',
  ...over,
})

describe('opening a drive', () => {
  it('computes bags loaded from the DIN range and stores the range without check characters', () => {
    const { errors, input } = validateDriveOpen(form({ dinLast: isbt128Din.format('W123426000040') }))
    expect(errors).toEqual({})
    expect(input).toMatchObject({
      busCode: '豫C-1234',
      dinFirst: 'W123426000001',
      dinLast: 'W123426000040',
      bagsLoaded: 40,
    })
  })

  it('explains a bad range', () => {
    expect(bagRange('W123426000040', 'W123426000001')).toEqual({ ok: false, error: 'din_order' })
    expect(bagRange('W123426000001', 'W123425000040')).toEqual({ ok: false, error: 'din_series' })
    expect(validateDriveOpen(form({ dinFirst: 'nonsense' })).errors.dinFirst).toBe('din_first')
  })

  it('refuses a date the record schema refuses: no calendar day, or outside 2000–2100', () => {
    for (const date of ['2026-02-30', '1999-12-31', '2101-01-01', '0000-01-01', ''])
      expect(validateDriveOpen(form({ date })).errors.date, date).toBe('date')
    expect(validateDriveOpen(form({ date: '2024-02-29' })).errors.date).toBeUndefined()
  })

  it('needs a leader who is on board, and the required fields', () => {
    const { errors, input } = validateDriveOpen(form({ leaderStaffId: 'c', busCode: '', siteId: '', staffIds: ['a'] }))
    expect(input).toBeNull()
    expect(errors).toEqual({ leaderStaffId: 'leader_on_board', busCode: 'required', siteId: 'required' })
  })
})

describe('bag reconciliation at close', () => {
  it('balances when used + spoiled + returned = loaded', () => {
    expect(reconcile(40, 30, { bagsSpoiled: '2', bagsReturned: '8', discrepancyNote: '' })).toMatchObject({
      difference: 0,
      ok: true,
    })
  })

  it('needs a written explanation for any difference', () => {
    const r = reconcile(40, 30, { bagsSpoiled: '1', bagsReturned: '8', discrepancyNote: '' })
    expect(r).toMatchObject({ difference: -1, ok: false, errors: { discrepancyNote: 'note_required' } })
    expect(reconcile(40, 30, { bagsSpoiled: '1', bagsReturned: '8', discrepancyNote: '一袋在车上破损未登记' }).ok).toBe(
      true,
    )
  })

  it('wants whole numbers for the counts', () => {
    expect(reconcile(40, 30, { bagsSpoiled: '1.5', bagsReturned: '', discrepancyNote: '' }).errors).toEqual({
      bagsSpoiled: 'count',
      bagsReturned: 'required',
    })
  })
})

describe('bag ranges overlapping other drives of the phone', () => {
  const now = new Date('2026-12-06T08:00:00.000Z')
  const drive = (id: string, first: string, last: string) => ({
    drive: { id, busCode: `bus-${id}`, siteId: 's', date: '2026-12-06', dinFirst: first, dinLast: last },
  })

  it('names an open drive sharing numbers, with the shared part', () => {
    const found = rangeOverlaps(
      'W123423000060',
      'W123423000090',
      [
        { ...drive('2', 'W123423000041', 'W123423000080'), closedAt: null },
        { ...drive('1', 'W123423000001', 'W123423000040'), closedAt: null },
      ],
      now,
    )
    expect(found).toEqual([
      expect.objectContaining({ first: 'W123423000060', last: 'W123423000080', count: 21, closedAt: null }),
    ])
    expect(found[0]!.drive.id).toBe('2')
  })

  it('counts a closed drive only within the configured days; another series never overlaps', () => {
    const closed10 = { ...drive('c', 'W123423000050', 'W123423000070'), closedAt: '2026-11-26T08:00:00.000Z' }
    const otherSeries = { ...drive('x', 'W123424000060', 'W123424000090'), closedAt: null }
    expect(rangeOverlaps('W123423000060', 'W123423000090', [closed10, otherSeries], now)).toHaveLength(1)
    expect(rangeOverlaps('W123423000060', 'W123423000090', [closed10], now, 7)).toEqual([])
    expect(DEFAULT_RANGE_OVERLAP_DAYS).toBe(30)
  })
})

describe('a drive opened from the station’s plan', () => {
  const plan: DrivePlan = {
    id: '018f0000-0000-7000-8000-0000000000aa',
    stationId: 'station',
    date: '2026-06-15',
    siteId: 'plan-site',
    channelId: 'plan-channel',
    busCode: '豫C-P0787',
    teamIds: ['team'],
    staffIds: ['b', 'gone', 'c'],
    leaderStaffId: 'c',
    expectedDonors: 35,
    dinFirst: 'W123426000101',
    dinLast: 'W123426000160',
    note: '',
  }
  const roster = [{ id: 'a' }, { id: 'b' }, { id: 'c' }]

  it('fills site, channel, teams, bus, active crew, leader and bags, and the drive keeps the plan id', () => {
    const filled = formFromPlan(plan, form(), roster)
    expect(filled).toEqual({
      date: '2026-06-15',
      busCode: '豫C-P0787',
      siteId: 'plan-site',
      channelId: 'plan-channel',
      teamIds: ['team'],
      staffIds: ['b', 'c'],
      leaderStaffId: 'c',
      dinFirst: 'W123426000101',
      dinLast: 'W123426000160',
      planId: plan.id,
    })
    const { input } = validateDriveOpen(filled)
    expect(input).toMatchObject({ planId: plan.id, bagsLoaded: 60, busCode: '豫C-P0787' })
    expect(validateDriveOpen(form()).input).not.toHaveProperty('planId')
  })

  it('keeps what the plan leaves open: the last drive’s bus and crew, no bags', () => {
    const open = { ...plan, busCode: '', staffIds: [], leaderStaffId: null, dinFirst: '', dinLast: '' }
    expect(formFromPlan(open, form(), roster)).toMatchObject({
      busCode: ' 豫C-1234 ',
      staffIds: ['a', 'b'],
      leaderStaffId: 'a',
      dinFirst: 'W123426000001',
      dinLast: 'W123426000040',
    })
  })
})
