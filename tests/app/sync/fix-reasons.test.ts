// Fixing a refused deferral's reason on the sync screen keeps its other reasons, the fixed one first.
import { describe, expect, it } from 'vitest'
import { applyFix, fixFormOf } from '../../../src/app/sync/view-model'
import { makeDeferral, makeDrive } from '../support/field-fixtures'
import { newId } from '../../../src/domain/ids'

describe('fixing a deferral with several reasons', () => {
  it('replaces the primary reason and keeps the others', () => {
    const staff = newId()
    const d = makeDeferral(makeDrive(staff), staff, { reasonCode: 'age', reasonCodes: ['age', 'blood_pressure'] })
    const form = { ...fixFormOf(d), reasonCode: 'low_hb' }
    const fixed = applyFix(d, form)
    expect(fixed.ok && fixed.replacement).toMatchObject({
      reasonCode: 'low_hb',
      reasonCodes: ['low_hb', 'blood_pressure'],
    })
    const swapped = applyFix(d, { ...fixFormOf(d), reasonCode: 'blood_pressure' })
    expect(swapped.ok && swapped.replacement).toMatchObject({ reasonCodes: ['blood_pressure'] })
  })

  it('a schema-1 deferral stays without reasonCodes', () => {
    const staff = newId()
    const d = makeDeferral(makeDrive(staff), staff, { reasonCode: 'age' })
    const fixed = applyFix(d, { ...fixFormOf(d), reasonCode: 'low_hb' })
    expect(fixed.ok && 'reasonCodes' in fixed.replacement).toBe(false)
  })
})
