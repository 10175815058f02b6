// useSyncStore over the real Dexie db with a scripted station: the badge states, syncing after a
// save, the needs-attention actions, the export file, and the badge and sync screen mounted.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { parseJsonLines } from '../../../src/domain/interchange'
import { newId } from '../../../src/domain/ids'
import type { FieldDb } from '../../../src/app/db'
import { saveFieldRecord } from '../../../src/app/db/field-records'
import { createAppI18n } from '../../../src/app/i18n'
import type { SchedulerEnvironment } from '../../../src/app/sync/scheduler'
import { useSyncStore } from '../../../src/app/stores/useSyncStore'
import { EMPTY_SYNC_META } from '../../../src/app/sync/ports'
import { useSessionStore } from '../../../src/app/stores/useSessionStore'
import SyncBadge from '../../../src/app/components/sync/SyncBadge.vue'
import SyncView from '../../../src/app/views/SyncView.vue'
import { FakeStation, type Fault, ScriptedTransport } from '../support/fake-station'
import { DEVICE_ID, freshDb, makeDeferral, makeDonation, makeDrive, seedReference } from '../support/field-fixtures'

const staffId = newId()
let db: FieldDb
let station: FakeStation
let transport: ScriptedTransport
let online = true

/** Timers that run only when the test says so, online as the test says. */
function environment(): SchedulerEnvironment & { runTimers(): void } {
  const timers = new Map<number, () => void>()
  let next = 1
  return {
    setTimer: (fn) => {
      const id = next++
      timers.set(id, fn)
      return id
    },
    clearTimer: (h) => {
      timers.delete(h as number)
    },
    random: () => 0.5,
    isOnline: () => online,
    exclusive: async (fn) => {
      await fn()
      return 'ran'
    },
    listen: () => () => {},
    requestBackgroundSync: () => {},
    runTimers: () => {
      const fns = [...timers.values()]
      timers.clear()
      for (const f of fns) f()
    },
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 5))
  }
}

async function startStore(script: Fault[] = []) {
  transport = new ScriptedTransport(station, script, [], DEVICE_ID)
  const env = environment()
  const sync = useSyncStore()
  await sync.start({ db, transport, environment: env })
  await settle()
  return { sync, env }
}

beforeEach(async () => {
  setActivePinia(createPinia())
  db = freshDb()
  await seedReference(db)
  station = new FakeStation()
  online = true
})

describe('useSyncStore', () => {
  it('starts from the empty sync meta before anything was read', () => {
    expect(useSyncStore().meta).toEqual(EMPTY_SYNC_META)
  })

  it('starts once enrolled, counts what waits, sends after a save and then says all confirmed', async () => {
    const { sync, env } = await startStore()
    expect(sync.badge.state).toBe('confirmed')
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive, db)
    await saveFieldRecord(makeDonation(drive, staffId), db)
    await expect.poll(() => sync.pending).toBe(2)
    expect(sync.badge).toMatchObject({ state: 'waiting', count: 2 })
    await settle()
    env.runTimers() // the save's short debounce
    await expect.poll(() => station.rows.size).toBe(2)
    await expect.poll(() => sync.pending).toBe(0)
    // The round goes on to pull after the outbox empties: confirmed once it ends.
    await expect.poll(() => sync.badge.state).toBe('confirmed')
    expect(sync.badge.at).not.toBeNull()
    sync.stop()
  })

  it('shows offline while the browser is offline and keeps the count', async () => {
    online = false
    const { sync } = await startStore()
    await saveFieldRecord(makeDrive(staffId), db)
    await expect.poll(() => sync.pending).toBe(1)
    expect(sync.phase).toBe('offline')
    expect(sync.badge).toMatchObject({ state: 'offline', count: 1 })
    sync.stop()
  })

  it('after a 401 says the phone must be enrolled again, and keeps every record', async () => {
    const { sync } = await startStore(['unauthorized'])
    await saveFieldRecord(makeDrive(staffId), db)
    await sync.syncNow()
    await expect.poll(() => sync.badge.state).toBe('blocked')
    expect(sync.lastFailure?.kind).toBe('unauthorized')
    expect(await db.outbox.count()).toBe(1)
    // a new token (enrolled again) makes it try at once
    await db.device.update('device', { token: 'bbd_new' })
    await expect.poll(() => station.rows.size).toBe(1)
    await expect.poll(() => sync.badge.state).toBe('confirmed')
    sync.stop()
  })

  it('a refused record shows as needs attention; voiding it needs an unlocked phone', async () => {
    const { sync } = await startStore()
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive, db)
    const bad = makeDonation(drive, staffId)
    station.refuse.set(bad.id, { code: 'duplicate_din', message: 'bag already used' })
    await saveFieldRecord(bad, db)
    await sync.syncNow()
    await expect.poll(() => sync.badge.state).toBe('attention')
    expect(sync.badge.count).toBe(1)
    const seq = (await db.outbox.toArray())[0]!.seq!
    await expect(sync.voidRefused(seq, 'entered twice')).rejects.toThrow(/unlock/)
    const session = useSessionStore()
    session.$patch({
      staff: { id: staffId, stationId: '', name: 'x', role: 'collector', pinHash: '', active: true } as never,
      locked: false,
    })
    await sync.voidRefused(seq, 'entered twice')
    await expect.poll(() => sync.rejected).toBe(0)
    sync.stop()
  })

  it('exports every unconfirmed record as interchange JSON Lines that parse back whole', async () => {
    const { sync } = await startStore(['offline'])
    const drive = makeDrive(staffId)
    const donation = makeDonation(drive, staffId)
    await saveFieldRecord(drive, db)
    await saveFieldRecord(donation, db)
    const file = await sync.exportUnsynced()
    expect(file.count).toBe(2)
    expect(file.filename).toMatch(/^bloodbus-unsynced-.*\.jsonl$/)
    const parsed = parseJsonLines(file.text)
    expect(parsed.errors).toEqual([])
    expect(parsed.records).toEqual([drive, donation])
    sync.stop()
  })
})

describe('SyncBadge and SyncView', () => {
  async function mountWith(component: typeof SyncBadge | typeof SyncView) {
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/', component: { template: '<div />' } },
        { path: '/sync', name: 'sync', component: SyncView },
        { path: '/drives', name: 'drives', component: { template: '<div />' } },
      ],
    })
    const i18n = createAppI18n('en')
    const wrapper = mount(component, {
      global: { plugins: [router, i18n] },
      props: component === SyncBadge ? { autostart: false } : {},
    })
    await settle()
    return wrapper
  }

  it('the badge says how many wait and how many need attention', async () => {
    const { sync } = await startStore(['offline'])
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive, db)
    await expect.poll(() => sync.pending).toBe(1)
    const badge = await mountWith(SyncBadge)
    expect(badge.get('[data-testid=sync-badge]').text()).toContain('1 waiting to send')
    sync.stop()
  })

  it("the sync screen lists the refused record with the station's reason and the waiting ones with their tries", async () => {
    const { useFieldDb } = await import('../../../src/app/db')
    useFieldDb(db)
    const { sync } = await startStore()
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive, db)
    const bad = makeDonation(drive, staffId)
    station.refuse.set(bad.id, { code: 'duplicate_din', message: 'bag W123423000001 is already used' })
    await saveFieldRecord(bad, db)
    await sync.syncNow()
    transport.script.push('server-error')
    await saveFieldRecord(makeDonation(drive, staffId, { din: 'W123423000002' }), db)
    await sync.syncNow()
    await expect.poll(() => sync.pending).toBe(1)
    const view = await mountWith(SyncView)
    const item = view.get('[data-testid=attention-item]')
    // The refusal in the user's language, not the station's English message or its code; and only
    // what can succeed: correct the bag number or void, never send the same record again.
    expect(item.text()).toContain('This bag number is already used by another donation at the station.')
    expect(item.text()).not.toContain('bag W123423000001 is already used')
    expect(item.text()).not.toContain('duplicate_din')
    expect(item.findAll('button').map((b) => b.attributes('data-action'))).toEqual(['fixDin', 'void'])
    expect(item.text()).toContain('Void this record')
    expect(item.text()).toContain('Correct the bag number')
    const waiting = view.findAll('[data-testid=waiting-item]')
    expect(waiting).toHaveLength(1)
    expect(waiting[0]!.text()).toContain('Tries: 1')
    expect(view.get('[data-testid=sync-failure]').text()).toContain('The station had a problem')
    expect(view.get('[data-testid=receipts]').text()).toContain('Drive')
    sync.stop()
  })

  it('in Chinese, a refused deferral is fixed by the reason names of the catalogue, never a raw code', async () => {
    const { useFieldDb } = await import('../../../src/app/db')
    useFieldDb(db)
    const { sync } = await startStore()
    const drive = makeDrive(staffId)
    await saveFieldRecord(drive, db)
    const bad = makeDeferral(drive, staffId, { reasonCode: 'blood_pressure' })
    station.refuse.set(bad.id, { code: 'rule_violation', message: 'the drive is already closed' })
    await saveFieldRecord(bad, db)
    await sync.syncNow()
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/', component: { template: '<div />' } },
        { path: '/drives', name: 'drives', component: { template: '<div />' } },
        { path: '/sync', name: 'sync', component: SyncView },
      ],
    })
    const view = mount(SyncView, { global: { plugins: [router, createAppI18n('zh-CN')] } })
    await settle()
    const item = view.get('[data-testid=attention-item]')
    expect(item.text()).not.toMatch(/blood_pressure|rule_violation|already closed/)
    // A rule the station applies: correct it or void it; sending it again as it is cannot succeed.
    expect(item.findAll('button').map((b) => b.attributes('data-action'))).toEqual(['fix', 'void'])
    await item.get('[data-action=fix]').trigger('click')
    const select = item.get('select')
    expect((select.element as HTMLSelectElement).value).toBe('blood_pressure')
    expect(select.text()).not.toMatch(/\b[a-z]+_[a-z_]+\b/)
    expect(select.find('option:checked').text()).toMatch(/[\u4e00-\u9fff]/)
    sync.stop()
  })

  it('after a 401 the sync screen takes a new enrollment code; the waiting records then go under the new device', async () => {
    const { useFieldDb } = await import('../../../src/app/db')
    useFieldDb(db)
    const { sync } = await startStore(['unauthorized'])
    await saveFieldRecord(makeDrive(staffId), db)
    await sync.syncNow()
    await expect.poll(() => sync.phase).toBe('blocked')
    const newDevice = newId()
    const calls: string[] = []
    vi.stubGlobal('fetch', async (url: string) => {
      calls.push(String(url))
      const body = String(url).includes('/devices/enroll')
        ? { deviceId: newDevice, stationId: (await db.device.get('device'))!.stationId, token: 'bbd_fresh' }
        : {
            cursor: 'c1',
            reset: false,
            more: false,
            changes: [],
            serverTime: '2023-06-14T12:00:00.000Z',
            deviceLastSeq: 0,
          }
      return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
    })
    try {
      const view = await mountWith(SyncView)
      const form = view.get('[data-testid=reenroll]')
      await form.get('input').setValue('ABCD-EFGH')
      await form.trigger('submit')
      await expect.poll(async () => (await db.device.get('device'))?.deviceId).toBe(newDevice)
      await expect.poll(() => station.rows.size).toBe(1)
      expect(station.lastSeq.get(newDevice)).toBe(1)
      expect(calls[0]).toContain('/api/v1/devices/enroll')
      await expect.poll(() => sync.badge.state).toBe('confirmed')
    } finally {
      vi.unstubAllGlobals()
      sync.stop()
    }
  })
})
