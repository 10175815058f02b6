import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { checkPersonName, normalizePersonName, personNameProblem } from '../../src/domain/person-name'
import { DonorIdentitySchema, PersonName, SiteSchema } from '../../src/domain/records'

describe('donor names', () => {
  it.each([
    '张三',
    '欧阳娜娜',
    '阿依古丽·买买提',
    '阿卜杜热合曼·阿卜杜热西提',
    'John Smith',
    'Zhāng Wěi',
    'Jean-Pierre Dupont',
    "O'Brien",
    '李Tom',
    '𠮷野家',
  ])('accepts %s', (name) => {
    expect(personNameProblem(name)).toBeNull()
    expect(v.safeParse(PersonName, name).success).toBe(true)
  })

  it('refuses emoji, naming them', () => {
    expect(checkPersonName('张😀👍🏽')).toMatchObject({ ok: false, error: 'characters', bad: ['😀👍🏽'] })
    expect(personNameProblem('👨‍👩‍👧 王')).toMatchObject({ error: 'characters' })
  })

  it.each([
    ['张3', 'characters'],
    ['张\u0000三', 'characters'],
    ['张\u200b三', 'characters'],
    ['王@', 'characters'],
    ['·买买提', 'dot'],
    ['买买提·', 'dot'],
    ['阿依古丽··买买提', 'dot'],
    ['John  Smith', 'space'],
    ['张 三', 'space'],
    ['', 'empty'],
    ['张'.repeat(61), 'too_long'],
  ])('refuses %j (%s)', (name, error) => {
    expect(personNameProblem(name)).toMatchObject({ error })
  })

  it('normalises the middle-dot look-alikes, full-width letters and stray spaces', () => {
    for (const dot of ['•', '‧', '・', '･', '⋅', '∙', '.', '．', '。', ' · '])
      expect(normalizePersonName(`阿依古丽${dot}买买提`)).toBe('阿依古丽·买买提')
    expect(normalizePersonName('  张 三 ')).toBe('张三')
    expect(normalizePersonName('John\u3000 Smith')).toBe('John Smith')
    expect(normalizePersonName('Ｊｏｈｎ')).toBe('John')
    expect(checkPersonName('阿依古丽・买买提')).toEqual({ ok: true, name: '阿依古丽·买买提' })
    // A Latin initial keeps its full stop, and is then refused rather than silently changed.
    expect(checkPersonName('J. Smith')).toMatchObject({ ok: false, error: 'characters', bad: ['.'] })
  })

  it('is enforced on donor identity records, not on site names', () => {
    const identity = {
      type: 'donor_identity',
      id: '0190a0b4-0000-7000-8000-000000000001',
      stationId: '0190a0b4-0000-7000-8000-000000000002',
      deviceId: '0190a0b4-0000-7000-8000-000000000003',
      authorStaffId: '0190a0b4-0000-7000-8000-000000000004',
      createdAt: '2023-06-14T09:30:00.000+08:00',
      donorKey: '0123456789abcdef0123456789abcdef',
      idNumber: '11010519491231002X',
      name: '张三',
      household: 'rural',
    }
    expect(v.safeParse(DonorIdentitySchema, identity).success).toBe(true)
    const bad = v.safeParse(DonorIdentitySchema, { ...identity, name: '张😀👍🏽' })
    expect(bad.success).toBe(false)
    expect(bad.issues?.[0]?.message).toMatch(/Chinese or Latin letters/)
    const site = { id: identity.id, stationId: identity.stationId, name: '1号采血点 (A)', kind: 'fixed_site' }
    expect(v.safeParse(SiteSchema, site).success).toBe(true)
  })

  it('takes linear time on a long bad name', () => {
    // A backtracking pattern would take seconds on this; the scan answers at once.
    expect(personNameProblem(`${'张'.repeat(59)}😀`)).toMatchObject({ error: 'characters' })
  })
})
