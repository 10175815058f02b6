import { describe, expect, it } from 'vitest'
import { foldText, nameMatch, searchByName } from '../../src/domain/name-search'
import { channelForSiteKind, siteKindsOf } from '../../src/domain/site-channels'
import { SEED_CHANNELS } from '../../src/domain/reference-data'

// As the server romanises them (tests/server/romanise.test.ts checks the server gives these).
const CHECUN = { name: '车村镇天桥沟村', pinyin: 'che cun zhen tian qiao gou cun', initials: 'ccztqgc' }
const SANXIANG = { name: '宜阳县三乡镇', pinyin: 'yi yang xian san xiang zhen', initials: 'yyxsxz' }
const LV = { name: '吕梁', pinyin: 'lv liang', initials: 'll' }
const DEPOT = { name: '宜阳县乡镇采血点01', pinyin: 'yi yang xian xiang zhen cai xue dian 01', initials: 'yyxxzcxd01' }

describe('nameMatch', () => {
  it('finds 车村镇天桥沟村 by initials, full pinyin, a mix of both, and its Chinese text', () => {
    for (const q of [
      'ccz',
      'checun',
      'CheCun',
      'che cun',
      'checunz',
      'chcz',
      'ccztqgc',
      'tianqiao',
      'tqg',
      '车村',
      '天桥',
    ])
      expect(nameMatch(q, CHECUN), q).not.toBeNull()
  })

  it('does not find it by letters no run of its syllables spells', () => {
    for (const q of ['ccx', 'chexun', 'cunche', 'zz', 'checunzhentianqiaogoucunx', '车站'])
      expect(nameMatch(q, CHECUN), q).toBeNull()
  })

  it('ranks the start of the name above a hit inside it', () => {
    expect(nameMatch('che', CHECUN)).toBeGreaterThan(nameMatch('tian', CHECUN)!)
    expect(nameMatch('车村', CHECUN)).toBeGreaterThan(nameMatch('天桥', CHECUN)!)
  })

  it('finds a row sent before the server romanised names by its Chinese text only', () => {
    const old = { name: '车村镇天桥沟村' }
    expect(nameMatch('沟村', old)).not.toBeNull()
    expect(nameMatch('ccz', old)).toBeNull()
  })

  it('reads ü typed as v or ü, full-width letters, and digits in the name', () => {
    expect(nameMatch('lv', LV)).not.toBeNull()
    expect(nameMatch('lü', LV)).not.toBeNull()
    expect(nameMatch('ＣＣＺ', CHECUN)).not.toBeNull()
    expect(nameMatch('01', DEPOT)).not.toBeNull()
    // Initials or pinyin followed by the name's digits, as a crew types a numbered site or demo staff.
    expect(nameMatch('cxd01', DEPOT)).toBe(1)
    expect(nameMatch('yyxxzcxd01', DEPOT)).toBe(2)
    expect(nameMatch('dian01', DEPOT)).toBe(1)
    expect(nameMatch('cxd02', DEPOT)).toBeNull()
    expect(foldText(' ＡＢ１ ')).toBe('ab1')
  })

  it('finds everything with an empty query', () => {
    expect(nameMatch('  ', CHECUN)).toBe(0)
  })

  it('stays quick on a long name of one-letter syllables', () => {
    const long = { name: 'x', pinyin: Array(60).fill('a').join(' '), initials: 'a'.repeat(60) }
    expect(nameMatch('a'.repeat(59) + 'b', long)).toBeNull()
  })
})

describe('searchByName', () => {
  it('keeps what matches, best first, ties in the given order', () => {
    const rows = [SANXIANG, DEPOT, CHECUN]
    expect(searchByName(rows, 'yyx').map((r) => r.name)).toEqual(['宜阳县三乡镇', '宜阳县乡镇采血点01'])
    expect(searchByName(rows, 'xiang').map((r) => r.name)).toEqual(['宜阳县三乡镇', '宜阳县乡镇采血点01'])
    expect(searchByName(rows, 'ccz').map((r) => r.name)).toEqual(['车村镇天桥沟村'])
    expect(searchByName(rows, '').length).toBe(3)
    expect(searchByName(rows, 'zhen cun').length).toBe(0)
  })
})

describe('site kinds by channel', () => {
  const channels = SEED_CHANNELS.map((c) => ({ ...c }))
  it('sends rural buses to villages and townships, army units under street and fixed sites', () => {
    expect(siteKindsOf(channels.find((c) => c.code === 'rural_mobile')!)).toEqual(['village', 'township'])
    expect(siteKindsOf(channels.find((c) => c.code === 'street_fixed')!)).toContain('army_unit')
  })
  it('offers every site for a channel the station added itself, unless it is rural-mobile', () => {
    expect(siteKindsOf({ code: 'blood_festival', ruralMobile: false })).toBeNull()
    expect(siteKindsOf({ code: 'mountain_bus', ruralMobile: true })).toEqual(['village', 'township'])
  })
  it('infers the channel from a site kind only when exactly one channel fits', () => {
    expect(channelForSiteKind('village', channels)?.code).toBe('rural_mobile')
    expect(channelForSiteKind('hospital', channels)?.code).toBe('medical_staff_month')
    expect(
      channelForSiteKind('village', [...channels, { code: 'mountain_bus', ruralMobile: true } as never]),
    ).toBeNull()
    expect(channelForSiteKind('university', [])).toBeNull()
  })
})
