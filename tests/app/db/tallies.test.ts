// The running tallies a save keeps (per drive, day and month, in the save's own transaction) are
// what a full recount of the phone's records gives, whatever mix of saves, voids and corrections
// (moving records between drives and channels included) came before: checked on random sequences.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FieldDb, useFieldDb } from '../../../src/app/db'
import { saveFieldRecords } from '../../../src/app/db/field-records'
import { emptyCounts } from '../../../src/domain/indicators'
import { newId } from '../../../src/domain/ids'
import type { Correction, Deferral, Donation, Drive, FieldRecord, Void } from '../../../src/domain/records'
import { bulkTallies } from '../../bench/progress-phone-seed'
import {
  DEVICE_ID,
  makeDeferral,
  makeDonation,
  makeDrive,
  RURAL,
  seedReference,
  STATION,
  UNIVERSITY,
} from '../support/field-fixtures'

const staffId = newId()

type Op =
  | { op: 'donation'; drive: number; volume: 200 | 300 | 400; rural: boolean }
  | { op: 'deferral'; drive: number }
  | { op: 'void'; pick: number }
  | { op: 'correct'; pick: number; volume: 200 | 300 | 400; move: boolean; rural: boolean }

const volume = fc.constantFrom(200 as const, 300 as const, 400 as const)
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('donation' as const), drive: fc.nat(2), volume, rural: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('deferral' as const), drive: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('void' as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('correct' as const),
      pick: fc.nat(),
      volume,
      move: fc.boolean(),
      rural: fc.boolean(),
    }),
  },
)

async function run(ops: Op[]): Promise<void> {
  const db = useFieldDb(new FieldDb(`tallies-${newId()}`))
  try {
    await seedReference(db)
    let clock = Date.parse('2023-06-14T02:00:00.000Z')
    const at = () => new Date((clock += 1000)).toISOString()
    // Three drives: two days, two channels (rural mobile or not).
    const drives: Drive[] = [
      makeDrive(staffId, { createdAt: at() }),
      makeDrive(staffId, { createdAt: at(), channelId: UNIVERSITY.id }),
      makeDrive(staffId, { createdAt: at(), date: '2023-07-02' }),
    ]
    const saved: FieldRecord[] = [...drives]
    await saveFieldRecords(drives, db)
    // The current version of each live donation or deferral, by the original's id.
    const live = new Map<string, Donation | Deferral>()
    let din = 0
    for (const o of ops) {
      let records: FieldRecord[] = []
      if (o.op === 'donation') {
        const drive = drives[o.drive]!
        records = [
          makeDonation(drive, staffId, {
            createdAt: at(),
            din: `W123423${String(++din).padStart(6, '0')}`,
            household: o.rural ? 'rural' : 'urban',
            product: { type: 'whole_blood', volumeMl: o.volume },
          }),
        ]
      } else if (o.op === 'deferral') {
        records = [makeDeferral(drives[o.drive]!, staffId, { createdAt: at(), donorKey: newId().replaceAll('-', '') })]
      } else if (live.size > 0) {
        const [id, current] = [...live.entries()][o.pick % live.size]!
        const base = {
          id: newId(),
          stationId: STATION.id,
          deviceId: DEVICE_ID,
          authorStaffId: staffId,
          createdAt: at(),
        }
        if (o.op === 'void') {
          records = [{ type: 'void', ...base, targetId: id, reason: 'wrong donor' } satisfies Void]
        } else {
          const to = o.move ? drives.find((d) => d.id !== current.driveId && d.date === current.collectedOn) : undefined
          const replacement = {
            ...current,
            household: o.rural ? ('rural' as const) : ('urban' as const),
            ...(current.type === 'donation' ? { product: { type: 'whole_blood' as const, volumeMl: o.volume } } : {}),
            ...(to ? { driveId: to.id, channelId: to.channelId } : {}),
          }
          records = [{ type: 'correction', ...base, targetId: id, reason: 'typo', replacement } satisfies Correction]
        }
      }
      if (records.length === 0) continue
      await saveFieldRecords(records, db)
      saved.push(...records)
      for (const r of records) {
        if (r.type === 'donation' || r.type === 'deferral') live.set(r.id, r)
        else if (r.type === 'void') live.delete(r.targetId)
        else if (r.type === 'correction') live.set(r.targetId, r.replacement as Donation | Deferral)
      }
    }

    const recount = bulkTallies(saved, { ruralMobileChannelIds: new Set([RURAL.id]) })
    const kept = new Map((await db.tallies.toArray()).map((row) => [row.key, row.counts]))
    for (const key of new Set([...recount.keys(), ...kept.keys()])) {
      expect(kept.get(key) ?? emptyCounts(), key).toEqual(recount.get(key) ?? emptyCounts())
    }
  } finally {
    db.close()
    await db.delete()
  }
}

describe('running tallies', () => {
  it('equal a full recount after any saves, voids and corrections', async () => {
    // fake-indexeddb is slow: few runs of a fair length (fast-check shrinks a failure to its core).
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 20 }), run), { numRuns: 10 })
  }, 120_000)
})
