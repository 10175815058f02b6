// The sync screen's pure helpers: records named by donor and bag, only actions that can succeed for
// a refusal, the clash a duplicate bag number names, and a DIN correction checked before saving.
import { describe, expect, it } from 'vitest'
import { newId } from '../../../src/domain/ids'
import { isbt128Din } from '../../../src/domain/din'
import type { DinClash } from '../../../src/domain/sync-protocol'
import { applyFix, attentionActions, clashView, fixFormOf, recordFacts } from '../../../src/app/sync/view-model'
import { makeDeferral, makeDonation, makeDrive } from '../support/field-fixtures'

const staffId = newId()
const drive = makeDrive(staffId)

describe('attention actions', () => {
  it('offers only a DIN correction or a void for a bag number the station already holds', () => {
    expect(attentionActions('donation', 'duplicate_din')).toEqual(['fixDin', 'void'])
  })

  it('never offers sending the same record again for a refusal that would come back', () => {
    for (const code of ['invalid_record', 'conflicting_id', 'wrong_station', 'rule_violation', 'some_new_code']) {
      expect(attentionActions('donation', code)).not.toContain('sendAgain')
      expect(attentionActions('drive', code)).toEqual(['setAside'])
    }
  })

  it('offers sending again where something else may fix the refusal later', () => {
    expect(attentionActions('donation', 'unknown_reference')).toEqual(['fix', 'void', 'sendAgain'])
    expect(attentionActions('drive_close', 'unknown_reference')).toEqual(['sendAgain', 'setAside'])
    expect(attentionActions('donation', 'schema_too_new')).toContain('sendAgain')
  })
})

describe('record facts', () => {
  it('names a donation by the donor (while the identity is on the phone) and its bag, never a hash', () => {
    const d = makeDonation(drive, staffId, { din: 'W123423000061D' })
    const labels = {
      donor: (k: string) => (k === d.donorKey ? '赵丽' : null),
      deferralReason: (c: string) => (c === 'low_hb' ? '血红蛋白偏低' : c),
      reaction: (c: string, s: string) => `${c}/${s}`,
    }
    expect(recordFacts(d, labels).slice(0, 2)).toEqual(['赵丽', 'W123423000061D'])
    // Without the identity (purged): the bag number still tells it apart.
    expect(recordFacts(d, { ...labels, donor: () => null })[0]).toBe('W123423000061D')
    const deferral = makeDeferral(drive, staffId, { reasonCode: 'low_hb' })
    expect(recordFacts({ ...deferral, donorKey: d.donorKey }, labels).slice(0, 2)).toEqual(['赵丽', '血红蛋白偏低'])
    const identity = {
      type: 'donor_identity',
      id: newId(),
      donorKey: d.donorKey,
      name: '赵丽',
      idNumber: '11010519491231002X',
    }
    expect(recordFacts(identity, labels)).toEqual(['赵丽'])
    expect(recordFacts(identity, labels).join('')).not.toMatch(/…[0-9a-f]{6}/)
  })
})

describe('bag-number clash', () => {
  const clash: DinClash = {
    din: 'W123423000061D',
    recordId: newId(),
    driveId: newId(),
    driveDate: '2026-12-06',
    busCode: '豫C-2',
    siteId: 'site-2',
    collectedOn: '2026-12-06',
    collectedAt: '2026-12-06T15:08:00.000+08:00',
    donorKey: 'a'.repeat(32),
    deviceId: 'phone-a',
  }

  it('prefers what this phone knows of the drive, and says whether the record came from this phone', () => {
    const view = clashView(clash, {
      donorName: '赵丽',
      drive: { busCode: '豫C-2', siteId: 'site-9', date: '2026-12-06' },
      siteName: (id) => (id === 'site-9' ? '三乡镇' : null),
      deviceId: 'phone-a',
    })
    expect(view).toEqual({
      din: clash.din,
      donorName: '赵丽',
      busCode: '豫C-2',
      siteName: '三乡镇',
      date: '2026-12-06',
      collectedAt: clash.collectedAt,
      thisPhone: true,
    })
  })

  it('falls back to what the station named when the drive is not on this phone', () => {
    const view = clashView(clash, {
      donorName: null,
      drive: null,
      siteName: (id) => (id === 'site-2' ? '白杨镇' : null),
      deviceId: 'phone-b',
    })
    expect(view).toMatchObject({ donorName: null, busCode: '豫C-2', siteName: '白杨镇', thisPhone: false })
  })
})

describe('DIN correction', () => {
  const d = makeDonation(drive, staffId, { din: isbt128Din.format('W123423000061') })

  it('stores the number canonical with its check character', () => {
    const form = { ...fixFormOf(d), din: ` ${isbt128Din.format('W123423000062').toLowerCase()} ` }
    const fixed = applyFix(d, form)
    expect(fixed).toMatchObject({ ok: true, replacement: { id: d.id, din: isbt128Din.format('W123423000062') } })
  })

  it('refuses a number without its check character or with a wrong one, as a code', () => {
    expect(applyFix(d, { ...fixFormOf(d), din: 'W123423000062' })).toMatchObject({
      ok: false,
      error: 'din_check_missing',
    })
    const good = isbt128Din.format('W123423000062')
    const wrong = good.slice(0, 13) + (good.endsWith('A') ? 'B' : 'A')
    expect(applyFix(d, { ...fixFormOf(d), din: wrong })).toMatchObject({ ok: false, error: 'din_check_character' })
  })
})
