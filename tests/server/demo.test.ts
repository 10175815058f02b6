// The demo station's year to date: the seed year laid over this year must keep every record valid
// on its new dates (a reagent lot's expiry moves with its drive, or the station refuses the drive).
import { describe, expect, it } from 'vitest'
import { generateSeedYear } from '../../src/domain/generator/seed-year'
import type { Drive } from '../../src/domain/records'
import { demoStaffName, yearToDate } from '../../src/server/demo'
import { romanise } from '../../src/server/repo/romanise'
import { nameMatch } from '../../src/domain/name-search'

describe('demo year to date', () => {
  it('moves reagent lot expiries with their drives', () => {
    const seed = generateSeedYear({ profile: 'luoyang-2023', seed: 2023 })
    const drives = yearToDate(seed.records, seed.year, '2026-06-30').filter((r): r is Drive => r.type === 'drive')
    const withLots = drives.filter((d) => (d.reagentLots ?? []).length > 0)
    expect(withLots.length).toBeGreaterThan(100)
    for (const d of withLots) {
      expect(d.date.startsWith('2026-')).toBe(true)
      for (const lot of d.reagentLots!) expect(lot.expiresOn >= d.date, `${lot.lot} on ${d.date}`).toBe(true)
    }
  }, 120_000) // a whole seed year is generated: seconds alone, more beside other test files
})

describe('demo crew names', () => {
  it('gives the roster distinct Chinese names a crew finds by initials', () => {
    const names = Array.from({ length: 400 }, (_, i) => demoStaffName(i))
    expect(new Set(names).size).toBe(400)
    for (const name of names) expect(name).toMatch(/^[\u4e00-\u9fff]{2,3}$/)
    // As a crew member types on the lock screen: the initials of 王芳 (the first member).
    expect(names[0]).toBe('王芳')
    expect(nameMatch('wf', { name: names[0]!, ...romanise(names[0]!, true) })).not.toBeNull()
  })
})
