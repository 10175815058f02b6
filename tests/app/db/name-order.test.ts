import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { newId } from '../../../src/domain/ids'
import type { RosterEntry, Site } from '../../../src/domain/records'
import type { PullResponse } from '../../../src/domain/sync-protocol'
import type { FieldDb } from '../../../src/app/db'
import { NAME_ORDER_KEY } from '../../../src/app/db/name-order'
import { useDeviceStore } from '../../../src/app/stores/useDeviceStore'
import { dexieReferenceSink } from '../../../src/app/sync/dexie-ports'
import { freshDb, STATION } from '../support/field-fixtures'

const staff = (name: string, active = true): RosterEntry => ({
  id: newId(),
  stationId: STATION.id,
  name,
  role: 'collector',
  pinHash: 'x',
  active,
})
const site = (name: string): Site => ({ id: newId(), stationId: STATION.id, name, kind: 'township', area: '' })

function page(changes: PullResponse['changes']): PullResponse {
  return {
    cursor: newId(),
    reset: false,
    more: false,
    serverTime: '2026-06-14T08:00:00.000Z',
    deviceLastSeq: 0,
    changes,
  }
}

let db: FieldDb
beforeEach(() => {
  setActivePinia(createPinia())
  db = freshDb()
})

describe('staff and sites in pinyin order', () => {
  it('works the order out when a pull brings names, and the phone shows staff and sites in it', async () => {
    // Pinyin: an, chen, li, wang, zhang.
    const [zhang, wang, li, chen, an] = ['张伟', '王芳', '李娜', '陈静', '安然'].map((n) => staff(n))
    const gone = staff('白雪', false)
    const [yiyang, luoning] = [site('宜阳县三乡镇'), site('洛宁县城关镇')]
    const sink = dexieReferenceSink(db)
    await sink.applyPage(
      page([zhang!, wang!, li!, gone].map((s) => ({ op: 'upsert', entity: 'roster', key: s.id, value: s }))),
    )
    await sink.applyPage(
      page([
        ...[chen!, an!].map((s) => ({ op: 'upsert' as const, entity: 'roster' as const, key: s.id, value: s })),
        ...[yiyang!, luoning!].map((s) => ({ op: 'upsert' as const, entity: 'site' as const, key: s.id, value: s })),
      ]),
    )

    expect((await db.syncMeta.get(NAME_ORDER_KEY))?.value).toEqual({
      roster: [an, gone, chen, li, wang, zhang].map((s) => s!.id),
      sites: [luoning, yiyang].map((s) => s!.id),
    })
    const device = useDeviceStore()
    await device.load()
    expect(device.activeRoster.map((s) => s.name)).toEqual(['安然', '陈静', '李娜', '王芳', '张伟'])
    expect(device.sites.map((s) => s.name)).toEqual(['洛宁县城关镇', '宜阳县三乡镇'])
  })

  it('follows the stored order without sorting again', async () => {
    const rows = ['张伟', '安然', '李娜'].map((n) => staff(n))
    const stored = { roster: [rows[0]!.id, rows[2]!.id, rows[1]!.id], sites: [] }
    await db.roster.bulkPut(rows.map((s) => ({ key: s.id, value: s })))
    await db.syncMeta.put({ key: NAME_ORDER_KEY, value: stored })
    const device = useDeviceStore()
    await device.load()
    expect(device.activeRoster.map((s) => s.name)).toEqual(['张伟', '李娜', '安然'])
  })

  it('sorts names stored without an order (an older app version) once, and keeps the order for the next start', async () => {
    const rows = ['张伟', '安然', '李娜'].map((n) => staff(n))
    await db.roster.bulkPut(rows.map((s) => ({ key: s.id, value: s })))
    await db.syncMeta.put({ key: NAME_ORDER_KEY, value: { roster: [rows[0]!.id], sites: [] } })
    const device = useDeviceStore()
    await device.load()
    expect(device.activeRoster.map((s) => s.name)).toEqual(['安然', '李娜', '张伟'])
    await vi.waitFor(async () =>
      expect((await db.syncMeta.get(NAME_ORDER_KEY))?.value).toEqual({
        roster: [rows[1]!.id, rows[2]!.id, rows[0]!.id],
        sites: [],
      }),
    )
  })
})
