// Mounts the field app (router, Pinia, i18n) on a fresh database with a seeded, enrolled phone.
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter, RouterView, type Router } from 'vue-router'
import { newId } from '../../../src/domain/ids'
import { hashPin } from '../../../src/domain/pin'
import type { RosterEntry } from '../../../src/domain/records'
import type { FieldDb } from '../../../src/app/db'
import { warmWriters } from '../../../src/app/db/writers'
import { createAppI18n } from '../../../src/app/i18n'
import { fieldRoutes } from '../../../src/app/router/field-routes'
import { useDeviceStore } from '../../../src/app/stores/useDeviceStore'
import { useSessionStore } from '../../../src/app/stores/useSessionStore'
import { freshDb, seedReference, STATION } from './field-fixtures'

export const PIN = { leader: '2580', collector: '1397' }
export const SALT = 'test-salt-0123456789'

export async function makeRoster(): Promise<{ leader: RosterEntry; collector: RosterEntry }> {
  const entry = async (name: string, role: RosterEntry['role'], pin: string): Promise<RosterEntry> => ({
    id: newId(),
    stationId: STATION.id,
    name,
    role,
    pinHash: await hashPin(pin, { iterations: 1000 }),
    active: true,
  })
  return {
    leader: await entry('王建华', 'leader', PIN.leader),
    collector: await entry('李敏', 'collector', PIN.collector),
  }
}

export interface FieldApp {
  db: FieldDb
  router: Router
  wrapper: VueWrapper
  roster: { leader: RosterEntry; collector: RosterEntry }
}

/** A fresh Pinia and database, a seeded phone, signed in as the leader, showing `path`. */
export async function mountFieldApp(
  path: string,
  opts: { roster?: FieldApp['roster']; db?: FieldDb; signIn?: boolean } = {},
): Promise<FieldApp> {
  const pinia = createPinia()
  setActivePinia(pinia)
  const db = opts.db ?? freshDb()
  const roster = opts.roster ?? (await makeRoster())
  if (!opts.db) {
    await seedReference(db, [roster.leader, roster.collector])
    await db.stations.put({ key: STATION.id, value: { ...STATION, donorKeySalt: SALT } })
  }
  const device = useDeviceStore()
  await device.load()
  if (opts.signIn !== false) await useSessionStore().unlock(roster.leader.id, PIN.leader)
  const router = createRouter({ history: createMemoryHistory(), routes: fieldRoutes })
  await router.push(path)
  await router.isReady()
  const Root = defineComponent({ render: () => h(RouterView) })
  const wrapper = mount(Root, {
    global: { plugins: [pinia, router, createAppI18n('zh-CN')], stubs: { SyncBadge: true } },
    attachTo: document.body,
  })
  await settle()
  // What main.ts loads once the first screen is up (these mounts have no main.ts).
  await warmWriters()
  return { db, router, wrapper, roster }
}

/** Lets IndexedDB, async components and re-renders finish. */
export async function settle(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** Settles until `shown()` holds: the donor form's later steps load on demand (a dynamic import). */
export async function settleUntil(shown: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  await settle()
  while (!shown()) {
    if (Date.now() > end) throw new Error(`not shown within ${timeoutMs} ms: ${what}`)
    await settle(1)
  }
}
