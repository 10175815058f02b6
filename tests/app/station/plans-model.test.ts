// The plans page's pure parts: the agenda, the form's checks and the recruitment file's table.
import { describe, expect, it } from 'vitest'
import type { DrivePlan } from '../../../src/domain/plans'
import {
  agenda,
  checkPlanForm,
  emptyPlanForm,
  recruitmentTable,
  shiftMonth,
} from '../../../src/app/station/plans-model'
import type { RecruitmentList } from '../../../src/app/station/station-client'

const plan = (id: string, date: string, siteId: string): DrivePlan => ({
  id,
  stationId: 's',
  date,
  siteId,
  channelId: 'c',
  busCode: '',
  teamIds: [],
  staffIds: [],
  leaderStaffId: null,
  expectedDonors: 10,
  dinFirst: '',
  dinLast: '',
  note: '',
})

describe('plans model', () => {
  it('groups a month by day, days in order', () => {
    const names: Record<string, string> = { x: '孟津区平乐村', y: '栾川县潭头镇' }
    const days = agenda(
      [plan('2', '2026-12-09', 'y'), plan('1', '2026-12-08', 'x'), plan('3', '2026-12-09', 'x')],
      (id) => names[id]!,
    )
    expect(days.map((d) => [d.date, d.plans.map((p) => p.id)])).toEqual([
      ['2026-12-08', ['1']],
      // Sites in pinyin order: 栾川 (luan) before 孟津 (meng).
      ['2026-12-09', ['2', '3']],
    ])
    expect(shiftMonth('2026-12', 1)).toBe('2027-01')
    expect(shiftMonth('2026-01', -1)).toBe('2025-12')
  })

  it('checks the form and gives the plan to save', () => {
    const empty = checkPlanForm(emptyPlanForm('2026-12-10'))
    expect(empty.input).toBeNull()
    expect(empty.errors).toEqual({ siteId: 'required', channelId: 'required', expectedDonors: 'expected' })
    const form = {
      ...emptyPlanForm('2026-12-10'),
      siteId: 'site',
      channelId: 'c',
      expectedDonors: '35',
      staffIds: ['a'],
      leaderStaffId: 'b',
      dinFirst: 'w123426000001',
    }
    expect(checkPlanForm(form).errors).toEqual({ leaderStaffId: 'leader_on_board', dinLast: 'din_both' })
    const ok = checkPlanForm({ ...form, leaderStaffId: 'a', dinLast: 'W123426000060', busCode: ' 豫C-1 ' })
    expect(ok.input).toEqual({
      date: '2026-12-10',
      siteId: 'site',
      channelId: 'c',
      busCode: '豫C-1',
      teamIds: [],
      staffIds: ['a'],
      leaderStaffId: 'a',
      expectedDonors: 35,
      dinFirst: 'W123426000001',
      dinLast: 'W123426000060',
      note: '',
    })
  })

  it('makes the recruitment file: header in the page’s language, blood group, reasons', () => {
    const list: RecruitmentList = {
      plan: plan('p', '2026-12-20', 'x'),
      monthsSince: 12,
      siteIds: ['x'],
      rows: [
        {
          donorKey: 'k',
          name: '陈静',
          phone: '139',
          abo: 'B',
          rhd: 'neg',
          lastDonationOn: '2025-10-01',
          lastSiteName: '三乡镇',
          donationCount: 3,
          eligibleOn: null,
          reasons: ['area', 'rhd_negative'],
        },
      ],
    }
    const table = recruitmentTable(list, (key) => key.split('.').at(-1)!)
    expect(table.header).toEqual([
      'name',
      'phone',
      'bloodGroup',
      'lastDonationOn',
      'lastSite',
      'donations',
      'eligibleOn',
      'reason',
    ])
    expect(table.rows).toEqual([['陈静', '139', 'B RhD-', '2025-10-01', '三乡镇', 3, null, 'area / rhd_negative']])
  })
})
