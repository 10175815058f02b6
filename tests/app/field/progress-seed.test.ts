// The progress bench fills a phone's database in bulk (tests/bench/progress-phone-seed.ts). Its
// drive tallies (what the progress screen reads) must be the ones the field app's own save path
// keeps, record by record: checked here on seed-year drives that include voids and corrections,
// saved through saveFieldRecords.
import { describe, expect, it } from 'vitest'
import { generateSeedYear } from '../../../src/domain/generator/seed-year'
import type { FieldRecord } from '../../../src/domain/records'
import { saveFieldRecords } from '../../../src/app/db/field-records'
import { FieldDb, useFieldDb } from '../../../src/app/db'
import { bulkTallies, stationTotalsOf } from '../../bench/progress-phone-seed'
import { stationCard, type Family } from '../../../src/app/field/progress-model'

describe('bulk-seeded tallies', () => {
  const seed = generateSeedYear({ profile: 'luoyang-2023', seed: 2023 })
  const byId = new Map(seed.records.map((r) => [r.id, r]))
  const driveOf = (r: FieldRecord): string | null => {
    if (r.type === 'drive') return r.id
    if (r.type === 'donation' || r.type === 'deferral') return r.driveId
    if (r.type === 'drive_close') return r.driveId
    if (r.type === 'void' || r.type === 'correction') {
      const t = byId.get(r.targetId)
      return t ? driveOf(t) : null
    }
    if (r.type === 'adverse_reaction') {
      const t = byId.get(r.donationId)
      return t ? driveOf(t) : null
    }
    return null
  }
  // Two drives with a void and two with a correction, whole, in the order the station received them.
  const drivesWith = (type: 'void' | 'correction') => [
    ...new Set(
      seed.records
        .filter((r) => r.type === type)
        .map(driveOf)
        .filter((d): d is string => d !== null),
    ),
  ]
  const fixedDrives = [...drivesWith('void').slice(0, 2), ...drivesWith('correction').slice(0, 2)]
  // Closes left out: the seed's corrections (lab ABO results) come after the drive closed, which a
  // phone refuses; without the close the phone takes them, and their tally arithmetic is checked.
  const sample = seed.records.filter((r) => r.type !== 'drive_close' && fixedDrives.includes(driveOf(r) ?? ''))

  it('equal what saveFieldRecords keeps, record by record', async () => {
    expect(sample.some((r) => r.type === 'void')).toBe(true)
    expect(sample.some((r) => r.type === 'correction')).toBe(true)
    const db = useFieldDb(new FieldDb(`seed-${Date.now()}`))
    await db.channels.bulkPut(seed.reference.channels.map((c) => ({ key: c.id, value: c })))
    const saved: FieldRecord[] = []
    for (const rec of sample) {
      // The phone refuses what its rules refuse (a correction after the drive closed); the bench
      // seeds only what a phone would hold, so compare on what it took.
      try {
        await saveFieldRecords([rec], db)
        saved.push(rec)
      } catch {
        /* refused by a phone rule */
      }
    }
    expect(saved.length).toBeGreaterThan(sample.length * 0.95)
    expect(saved.some((r) => r.type === 'void')).toBe(true)
    expect(saved.some((r) => r.type === 'correction')).toBe(true)
    const ctx = {
      ruralMobileChannelIds: new Set(seed.reference.channels.filter((c) => c.ruralMobile).map((c) => c.id)),
    }
    const bulk = bulkTallies(saved, ctx)
    // The drive tallies (what the progress screen reads) the save path kept.
    const real = new Map((await db.tallies.where('key').startsWith('drive:').toArray()).map((t) => [t.key, t.counts]))
    expect([...bulk.keys()].sort()).toEqual([...real.keys()].sort())
    for (const [key, counts] of bulk) expect(real.get(key), key).toEqual(counts)
    db.close()
  }, 60_000)

  it('station totals of confirmed records plus the pending ones equal the totals of all', () => {
    const ctx = {
      ruralMobileChannelIds: new Set(seed.reference.channels.filter((c) => c.ruralMobile).map((c) => c.id)),
      population: null,
    }
    const records = seed.records.slice(0, 20_000)
    const pending = records.slice(-300)
    const confirmed = records.slice(0, -300)
    const today = '2023-03-31'
    const base = stationTotalsOf(confirmed, ctx, today, '2023-03-31T12:00:00Z')
    const all = stationTotalsOf(records, ctx, today, '2023-03-31T12:00:00Z')
    // Families as the store builds them: each pending record with what it points at.
    const families = new Map<string, Family[number][]>()
    const root = (r: FieldRecord): string => (r.type === 'void' || r.type === 'correction' ? r.targetId : r.id)
    for (const r of records) {
      const isPending = pending.includes(r)
      const list = families.get(root(r)) ?? []
      list.push({ record: r, state: isPending ? 'pending' : 'in_totals' })
      families.set(root(r), list)
    }
    const touched = [...families.values()].filter((f) => f.some((m) => m.state === 'pending'))
    const card = stationCard({ kind: 'year', today, totals: base.year, unsynced: touched, targets: [], ctx })
    expect(card.counts.counts).toEqual(all.year.counts)
    expect(card.counts.byChannel).toEqual(all.year.byChannel)
  })
})
