// A phone ready for a drive, for browser tests and screenshots. The station server's enrollment
// and pull are not part of this seeding: the reference data a pull would have stored is written
// straight into the phone's IndexedDB (same tables and row shapes as src/app/sync/pull.ts).
import type { Page } from 'playwright-core'
import { isoDateOf } from '../../../src/domain/dates'
import { isbt128Din } from '../../../src/domain/din'
import { donorKey } from '../../../src/domain/donor-key'
import { newId } from '../../../src/domain/ids'
import { hashPin } from '../../../src/domain/pin'
import { seedChannels, seedTeams } from '../../../src/domain/reference-data'
import type { RosterEntry, Site, Station } from '../../../src/domain/records'
import { residentIdCheckCharacter } from '../../../src/domain/resident-id'
import type { EligibilityEntry } from '../../../src/domain/sync-protocol'

export const PINS = { leader: '2580', collector: '1397', second: '4862' } as const

export interface FieldSeed {
  station: Station
  sites: Site[]
  roster: { leader: RosterEntry, collector: RosterEntry, second: RosterEntry }
  deviceId: string
  today: string
  /** A donor the snapshot says gave whole blood 2 months ago. */
  recentDonorId: string
  dinBody: (sequence: number) => string
  dinWithCheck: (sequence: number) => string
  rows: Record<string, Array<Record<string, unknown>>>
}

/** An 18-character ID number with a correct check character. */
export function residentId(region: string, birth: string, sequence: string): string {
  const first17 = `${region}${birth.replaceAll('-', '')}${sequence}`
  return first17 + residentIdCheckCharacter(first17)
}

export async function makeFieldSeed(): Promise<FieldSeed> {
  const stationId = newId()
  const station: Station = { id: stationId, code: 'luoyang', name: '洛阳市中心血站', timeZone: 'Asia/Shanghai', donorKeySalt: 'e2e-salt-0123456789' }
  const sites: Site[] = [
    { id: newId(), stationId, name: '宜阳县三乡镇', kind: 'township', area: '宜阳县' },
    { id: newId(), stationId, name: '洛宁县城关村', kind: 'village', area: '洛宁县' },
    { id: newId(), stationId, name: '河南科技大学', kind: 'university', area: '洛龙区' },
  ]
  const iterations = 2000
  const staff = async (name: string, role: RosterEntry['role'], pin: string): Promise<RosterEntry> =>
    ({ id: newId(), stationId, name, role, pinHash: await hashPin(pin, { iterations }), active: true })
  const roster = {
    leader: await staff('王建华', 'leader', PINS.leader),
    collector: await staff('李敏', 'collector', PINS.collector),
    second: await staff('张伟', 'collector', PINS.second),
  }
  const today = isoDateOf(new Date(), 'Asia/Shanghai')
  const recentDonorId = residentId('410327', '1988-04-12', '031')
  const twoMonthsAgo = new Date(Date.now() - 60 * 86_400_000)
  const eligibility: EligibilityEntry = {
    donorKey: await donorKey(recentDonorId, station.donorKeySalt!),
    lastDonationOn: isoDateOf(twoMonthsAgo, 'Asia/Shanghai'),
    lastDonationType: 'whole_blood',
    apheresisLast12Months: 0,
    deferredUntil: null,
    permanentlyDeferred: false,
    hadReaction: false,
    donationCount: 3,
  }
  const year = today.slice(2, 4)
  const dinBody = (n: number): string => `W1234${year}${String(n).padStart(6, '0')}`
  const deviceId = newId()
  const channels = seedChannels(stationId, newId)
  const teams = seedTeams(stationId, newId)
  const ref = <T extends { id: string }>(v: T) => ({ key: v.id, value: v })
  return {
    station, sites, roster, deviceId, today, recentDonorId,
    dinBody,
    dinWithCheck: (n) => isbt128Din.format(dinBody(n)),
    rows: {
      device: [{ key: 'device', deviceId, stationId, stationCode: station.code, token: null, enrolledAt: new Date().toISOString() }],
      stations: [ref(station)],
      sites: sites.map(ref),
      channels: channels.map(ref),
      teams: teams.map(ref),
      roster: Object.values(roster).map(ref),
      eligibility: [{ key: eligibility.donorKey, value: eligibility }],
      syncMeta: [{ key: 'lastPullAt', value: new Date().toISOString() }, { key: 'pullCursor', value: 'seeded' }],
    },
  }
}

/**
 * Opens the app (which creates its database), writes the seed's rows into it and reloads: the
 * phone then behaves as one enrolled with the station and freshly synced.
 */
export async function seedPhone(page: Page, baseUrl: string, seed: FieldSeed): Promise<void> {
  await page.goto(`${baseUrl}/enroll`)
  await page.locator('h1').first().waitFor()
  await page.evaluate(async (rows) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('bloodbus')
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    const names = Object.keys(rows)
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(names, 'readwrite')
      for (const name of names) for (const row of rows[name]!) tx.objectStore(name).put(row)
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
    })
    db.close()
  }, seed.rows)
  await page.goto(`${baseUrl}/drives`)
}

/** Unlock as a roster member: tap the name, type the PIN on the on-screen pad, unlock. */
export async function unlockAs(page: Page, name: string, pin: string, opts: { touch?: boolean } = {}): Promise<void> {
  const press = async (target: ReturnType<Page['locator']>) => (opts.touch ? target.tap() : target.click())
  await press(page.getByRole('button', { name: new RegExp(name) }))
  for (const digit of pin) await press(page.locator('.pin-pad').getByRole('button', { name: digit, exact: true }))
  await press(page.locator('.unlock-actions .btn-primary'))
  await page.locator('.unlock').waitFor({ state: 'detached' })
}

/** Reads every row of some tables of the phone's database. */
export async function readTables(page: Page, names: string[]): Promise<Record<string, Array<Record<string, unknown>>>> {
  return page.evaluate(async (tables) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('bloodbus')
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    const out: Record<string, unknown[]> = {}
    for (const name of tables) {
      out[name] = await new Promise<unknown[]>((resolve, reject) => {
        const req = db.transaction(name).objectStore(name).getAll()
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error)
      })
    }
    db.close()
    return out as Record<string, Array<Record<string, unknown>>>
  }, names)
}
