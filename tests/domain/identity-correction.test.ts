// Schema version 2: a correction may replace a donor identity. It validates like any record, the
// indicators ignore it (no figure reads a name), and it has no CSV columns (JSON Lines only).
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { effectiveRecords } from '../../src/domain/indicators'
import { parseJsonLines, toCsv, toJsonLines } from '../../src/domain/interchange'
import { type Correction, CorrectionSchema, type DonorIdentity, type FieldRecord } from '../../src/domain/records'

const who: DonorIdentity = {
  type: 'donor_identity',
  id: '0188e1c2-5a3b-7c4d-8e5f-1a2b3c4d5e6f',
  stationId: '0188e1c2-0000-7000-8000-000000000001',
  deviceId: '0188e1c2-0000-7000-8000-000000000002',
  authorStaffId: '0188e1c2-0000-7000-8000-000000000003',
  createdAt: '2023-06-14T09:32:05.000+08:00',
  donorKey: '4aeb842d1104e7cebe0deac55d334d78',
  idNumber: '11010519491231002X',
  name: '赵莉',
  phone: '',
  household: 'rural',
}
const fix: Correction = {
  type: 'correction',
  id: '0188e1c2-5a3b-7c4d-8e5f-1a2b3c4d5e70',
  stationId: who.stationId,
  deviceId: who.deviceId,
  authorStaffId: who.authorStaffId,
  createdAt: '2023-06-14T10:00:00.000+08:00',
  targetId: who.id,
  reason: '姓名登记错误',
  replacement: { ...who, name: '赵丽', createdAt: '2023-06-14T10:00:00.000+08:00' },
}

describe('identity corrections (schema version 2)', () => {
  it('validates as a correction, and refuses an identity that breaks the identity rules', () => {
    expect(v.safeParse(CorrectionSchema, fix).success).toBe(true)
    const bad = { ...fix, replacement: { ...fix.replacement, idNumber: '12345' } }
    expect(v.safeParse(CorrectionSchema, bad).success).toBe(false)
    const noName = { ...fix, replacement: { ...fix.replacement, name: ' ' } }
    expect(v.safeParse(CorrectionSchema, noName).success).toBe(false)
  })

  it('changes no figure: the indicators see the identity as written', () => {
    const effective = effectiveRecords([who, fix] as FieldRecord[])
    expect(effective).toEqual([who])
  })

  it('travels in JSON Lines whole, and has no CSV columns', () => {
    const text = toJsonLines([who, fix], { source: 'test' })
    expect(parseJsonLines(text)).toMatchObject({ errors: [], records: [who, fix] })
    expect(() => toCsv('correction', [fix])).toThrow(/JSON Lines/)
  })
})
