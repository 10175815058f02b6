// A phone's pull and targets on metrics (issue 15): this app asks for the retention metrics by
// name, keeps a target on them, and a target on a metric it does not know (a later app's) is
// skipped without failing the page: the rest of the page and its cursor still apply.
import { beforeEach, describe, expect, it } from 'vitest'
import { newId } from '../../../src/domain/ids'
import { PULL_WITH } from '../../../src/domain/sync-protocol'
import type { FieldDb } from '../../../src/app/db'
import { dexieReferenceSink } from '../../../src/app/sync/dexie-ports'
import { freshDb, seedReference, STATION } from '../support/field-fixtures'

let db: FieldDb
beforeEach(async () => {
  db = freshDb()
  await seedReference(db)
})

const target = (metric: string) => ({
  id: newId(),
  stationId: STATION.id,
  period: { kind: 'year', start: '2023-01-01', end: '2023-12-31' },
  scope: { kind: 'station', id: null },
  metric,
  comparison: '>=',
  value: 30,
})

describe('targets on retention metrics in a pull', () => {
  it('asks for them by name', () => {
    expect(PULL_WITH.split(',')).toEqual(expect.arrayContaining(['lookback', 'retention']))
  })

  it('keeps a target on a retention metric, skips one on an unknown metric, applies the rest', async () => {
    const sink = dexieReferenceSink(db)
    const known = target('return_12m_share')
    const unknown = target('donors_per_bus_kilometre')
    const site = { id: newId(), stationId: STATION.id, name: '新安县', kind: 'township', area: '新安县' }
    await sink.applyPage({
      cursor: 'c1',
      reset: false,
      more: false,
      serverTime: '2023-06-14T12:00:00.000Z',
      deviceLastSeq: 0,
      changes: [
        { op: 'upsert', entity: 'target', key: unknown.id, value: unknown },
        { op: 'upsert', entity: 'target', key: known.id, value: known },
        { op: 'upsert', entity: 'site', key: site.id, value: site },
      ],
    })
    expect(await sink.cursor()).toBe('c1')
    expect((await db.targets.get(known.id))?.value).toEqual(known)
    expect(await db.targets.get(unknown.id)).toBeUndefined()
    expect((await db.sites.get(site.id))?.value).toEqual(site)
  })
})
