import { describe, expect, it } from 'vitest'
import { newId } from '../../../src/domain/ids'
import type { Channel, RosterEntry, Site } from '../../../src/domain/records'
import { crewShortlist, driveOpenDefaults, siteShortlist, unlockGroups } from '../../../src/app/field/pickers'
import { RURAL, STATION, UNIVERSITY } from '../support/field-fixtures'

const site = (name: string, kind: Site['kind'], pinyin?: string): Site => ({
  id: newId(),
  stationId: STATION.id,
  name,
  kind,
  area: '',
  ...(pinyin
    ? {
        pinyin,
        initials: pinyin
          .split(' ')
          .map((s) => s[0])
          .join(''),
      }
    : {}),
})
const person = (name: string, role: RosterEntry['role'] = 'collector', pinyin?: string): RosterEntry => ({
  id: newId(),
  stationId: STATION.id,
  name,
  role,
  pinHash: 'x',
  active: true,
  ...(pinyin
    ? {
        pinyin,
        initials: pinyin
          .split(' ')
          .map((s) => s[0])
          .join(''),
      }
    : {}),
})

// 200 villages and townships, then the places of other channels.
const villages = Array.from({ length: 200 }, (_, i) => site(`村${i}`, 'village', `cun ${i}`))
const checun = site('车村镇天桥沟村', 'village', 'che cun zhen tian qiao gou cun')
const keda = site('河南科技大学', 'university', 'he nan ke ji da xue')
const sites = [...villages, checun, keda]

describe('siteShortlist', () => {
  it('finds 车村镇天桥沟村 among 200 sites by initials or full pinyin', () => {
    expect(siteShortlist(sites, { query: 'ccz', channel: null }).shown).toEqual([checun])
    expect(siteShortlist(sites, { query: 'checun', channel: RURAL }).shown).toEqual([checun])
  })

  it('offers only the sites of the chosen channel', () => {
    expect(siteShortlist(sites, { query: 'he', channel: RURAL }).shown).toEqual([])
    expect(siteShortlist(sites, { query: 'he', channel: UNIVERSITY }).shown).toEqual([keda])
    const custom: Channel = { ...UNIVERSITY, code: 'blood_festival' }
    expect(siteShortlist(sites, { query: 'hnkj', channel: custom }).shown).toEqual([keda])
  })

  it('keeps the list short, says how many more, and puts recent sites first when nothing is typed', () => {
    const list = siteShortlist(sites, { query: '', channel: RURAL, recentIds: [checun.id, keda.id], limit: 8 })
    expect(list.shown[0]).toBe(checun)
    expect(list.shown).toHaveLength(8)
    expect(list.more).toBe(201 - 8)
    expect(list.shown).not.toContain(keda)
  })
})

describe('crewShortlist and unlockGroups', () => {
  const roster = Array.from({ length: 100 }, (_, i) => person(`员工${i}`, 'collector', `yuan gong ${i}`))
  const wang = person('王建华', 'leader', 'wang jian hua')
  const li = person('李敏', 'collector', 'li min')
  const all = [...roster, li, wang]

  it('shows the crew chosen so far first, then others, and finds anyone by pinyin', () => {
    const list = crewShortlist(all, { query: '', pinnedIds: [wang.id, li.id], limit: 8 })
    expect(list.shown.slice(0, 2)).toEqual([li, wang])
    expect(list.shown).toHaveLength(8)
    expect(list.more).toBe(100 - 6)
    expect(crewShortlist(all, { query: 'wjh', pinnedIds: [] }).shown).toEqual([wang])
  })

  it('puts the drive’s crew first on the unlock list and filters both groups by the search', () => {
    const groups = unlockGroups(all, { query: '', crewIds: [wang.id, li.id], previousId: li.id })
    expect(groups.crew).toEqual([li, wang])
    expect(groups.others).toHaveLength(100)
    expect(unlockGroups(all, { query: 'limin', crewIds: [wang.id], previousId: null })).toEqual({
      crew: [],
      others: [li],
    })
  })
})

describe('driveOpenDefaults', () => {
  const leader = person('王建华', 'leader')
  const collector = person('李敏')
  const third = person('张伟')
  const gone = person('白雪')
  const active = [leader, collector, third]

  it('preselects the leader opening the drive, with nothing remembered (a cold start)', () => {
    expect(driveOpenDefaults(leader, null, active)).toEqual({
      busCode: '',
      staffIds: [leader.id],
      leaderStaffId: leader.id,
    })
  })

  it('remembers the last drive’s bus and crew (without those who left), and its leader for a collector', () => {
    const last = { busCode: '豫C-A1234', staffIds: [leader.id, third.id, gone.id], leaderStaffId: leader.id }
    expect(driveOpenDefaults(collector, last, active)).toEqual({
      busCode: '豫C-A1234',
      staffIds: [collector.id, leader.id, third.id],
      leaderStaffId: leader.id,
    })
  })

  it('leaves the leader open for a collector with no drive remembered', () => {
    expect(driveOpenDefaults(collector, null, active).leaderStaffId).toBe('')
  })
})
