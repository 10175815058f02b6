// Wrong PINs on the phone: counted in IndexedDB (a reload keeps them), a growing wait, a lockout
// after the station's count, lifted by a leader's PIN offline or by a new PIN from the station.
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { hashPin } from '../../../src/domain/pin'
import type { FieldDb } from '../../../src/app/db'
import { PIN_ATTEMPTS_KEY } from '../../../src/app/db/pin-attempts'
import { useDeviceStore } from '../../../src/app/stores/useDeviceStore'
import { useSessionStore } from '../../../src/app/stores/useSessionStore'
import { freshDb, seedReference, STATION } from '../support/field-fixtures'
import { makeRoster, PIN } from '../support/field-app'

let db: FieldDb
let roster: Awaited<ReturnType<typeof makeRoster>>

async function restart(): Promise<ReturnType<typeof useSessionStore>> {
  setActivePinia(createPinia())
  await useDeviceStore().load()
  return useSessionStore()
}

beforeEach(async () => {
  vi.useRealTimers()
  db = freshDb()
  roster = await makeRoster()
  await seedReference(db, [roster.leader, roster.collector])
})

/** Types wrong PINs, stepping the clock past each wait. */
async function wrong(session: ReturnType<typeof useSessionStore>, id: string, times: number, start: number) {
  let t = start
  for (let i = 0; i < times; i++) {
    t += 60_000
    expect(await session.verifyStaffPin(id, '9999', t)).toBe('wrong_pin')
  }
  return t
}

describe('PIN attempts on the phone', () => {
  it('makes the next try wait after wrong PINs, and the count survives a reload', async () => {
    let session = await restart()
    const t0 = Date.now()
    expect(await session.verifyStaffPin(roster.collector.id, '9999', t0)).toBe('wrong_pin')
    expect(await session.verifyStaffPin(roster.collector.id, '9999', t0 + 10)).toBe('wrong_pin')
    // Two wrong: the next try waits a second, even with the right PIN.
    expect(await session.verifyStaffPin(roster.collector.id, PIN.collector, t0 + 500)).toBe('wait')
    session = await restart()
    expect(await session.pinStatus(roster.collector.id, t0 + 500)).toEqual({ kind: 'wait', ms: 510, remaining: 3 })
    expect((await db.syncMeta.get(PIN_ATTEMPTS_KEY))?.value).toMatchObject({ [roster.collector.id]: { failures: 2 } })
    // A right PIN after the wait clears the count.
    expect(await session.verifyStaffPin(roster.collector.id, PIN.collector, t0 + 2000)).toBe('ok')
    expect(await session.pinStatus(roster.collector.id, t0 + 2000)).toEqual({ kind: 'open', remaining: 5 })
  })

  it('locks a staff member out after five wrong PINs, even with the right PIN and after a reload', async () => {
    let session = await restart()
    const t = await wrong(session, roster.collector.id, 5, Date.now())
    session = await restart()
    expect(await session.verifyStaffPin(roster.collector.id, PIN.collector, t + 3_600_000)).toBe('locked')
    expect(await session.unlock(roster.collector.id, PIN.collector)).toBe('locked')
    expect(session.locked).toBe(true)
    expect([...(await session.lockedOutIds())]).toEqual([roster.collector.id])
    // Others still unlock.
    expect(await session.unlock(roster.leader.id, PIN.leader)).toBe('ok')
  })

  it('takes the lockout count from the station row', async () => {
    await db.stations.put({ key: STATION.id, value: { ...STATION, pinMaxAttempts: 3 } })
    const session = await restart()
    const t = await wrong(session, roster.collector.id, 3, Date.now())
    expect(await session.pinStatus(roster.collector.id, t + 60_000)).toEqual({ kind: 'locked' })
  })

  it('lets a leader lift the lockout with the leader’s own PIN, offline; a wrong leader PIN counts against the leader', async () => {
    const session = await restart()
    await wrong(session, roster.collector.id, 5, Date.now())
    expect(await session.unlockLockedOut(roster.collector.id, roster.leader.id, '9999')).toBe('wrong_pin')
    expect(await session.pinStatus(roster.leader.id)).toEqual({ kind: 'open', remaining: 4 })
    expect(await session.pinStatus(roster.collector.id)).toEqual({ kind: 'locked' })
    // A collector cannot, nor can the person locked out.
    expect(await session.unlockLockedOut(roster.collector.id, roster.collector.id, PIN.collector)).toBe('not_leader')
    expect(await session.unlockLockedOut(roster.leader.id, roster.collector.id, PIN.collector)).toBe('not_leader')
    expect(await session.unlockLockedOut(roster.collector.id, roster.leader.id, PIN.leader)).toBe('ok')
    expect(await session.unlock(roster.collector.id, PIN.collector)).toBe('ok')
  })

  it('lets the drive’s leader lift a lockout even when their role is collector', async () => {
    const session = await restart()
    await wrong(session, roster.leader.id, 5, Date.now())
    expect(session.mayLiftLockout(roster.collector.id, roster.leader.id, roster.collector.id)).toBe(true)
    expect(
      await session.unlockLockedOut(roster.leader.id, roster.collector.id, PIN.collector, roster.collector.id),
    ).toBe('ok')
  })

  it('starts afresh when the station sets a new PIN (it arrives by pull)', async () => {
    let session = await restart()
    await wrong(session, roster.collector.id, 5, Date.now())
    const reset = { ...roster.collector, pinHash: await hashPin('258013', { iterations: 1000 }) }
    await db.roster.put({ key: reset.id, value: reset })
    session = await restart()
    expect(await session.pinStatus(roster.collector.id)).toEqual({ kind: 'open', remaining: 5 })
    expect(await session.unlock(roster.collector.id, '258013')).toBe('ok')
  })

  it('counts wrong PINs of the leader’s sign-off too (checkStaffPin)', async () => {
    const session = await restart()
    const t = await wrong(session, roster.leader.id, 4, Date.now())
    expect(await session.verifyStaffPin(roster.leader.id, '9999', t + 60_000)).toBe('wrong_pin')
    expect(await session.checkStaffPin(roster.leader.id, PIN.leader)).toBe(false)
  })
})
