// A phone ready for a drive, for browser tests and screenshots. Two ways: setUpStation() creates a
// station through the server's setup and admin API and issues an enrollment code, so the phone
// enrolls and pulls for real; makeFieldSeed()/seedPhone() write what a pull would have stored
// straight into the phone's IndexedDB (for data the server cannot make yet, e.g. a donation history).
import type { Page } from 'playwright-core'
import { isoDateOf } from '../../../src/domain/dates'
import { isbt128Din } from '../../../src/domain/din'
import { donorKey } from '../../../src/domain/donor-key'
import { newId } from '../../../src/domain/ids'
import { hashPin } from '../../../src/domain/pin'
import { seedChannels, seedTeams } from '../../../src/domain/reference-data'
import { type Channel, type RosterEntry, SCHEMA_VERSION, type Site, type Station } from '../../../src/domain/records'
import { residentIdCheckCharacter } from '../../../src/domain/resident-id'
import type { EligibilityEntry, PushResponse } from '../../../src/domain/sync-protocol'
import { FIELD_DB_NAME } from '../../../src/app/db'
import { NAME_ORDER_KEY, nameOrderOf } from '../../../src/app/db/name-order'

export const PINS = { leader: '2580', collector: '1397', second: '4862' } as const

/** Bag numbers of this year's series W1234: body (13 characters) and body + check character. */
export function dinBody(n: number): string {
  return `W1234${isoDateOf(new Date(), 'Asia/Shanghai').slice(2, 4)}${String(n).padStart(6, '0')}`
}
export function dinWithCheck(n: number): string {
  return isbt128Din.format(dinBody(n))
}

export interface FieldSeed {
  station: Station
  sites: Site[]
  roster: { leader: RosterEntry; collector: RosterEntry; second: RosterEntry }
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
  const station: Station = {
    id: stationId,
    code: 'luoyang',
    name: '洛阳市中心血站',
    timeZone: 'Asia/Shanghai',
    donorKeySalt: 'e2e-salt-0123456789',
  }
  const sites: Site[] = [
    { id: newId(), stationId, name: '宜阳县三乡镇', kind: 'township', area: '宜阳县' },
    { id: newId(), stationId, name: '洛宁县城关村', kind: 'village', area: '洛宁县' },
    { id: newId(), stationId, name: '河南科技大学', kind: 'university', area: '洛龙区' },
  ]
  const iterations = 2000
  const staff = async (name: string, role: RosterEntry['role'], pin: string): Promise<RosterEntry> => ({
    id: newId(),
    stationId,
    name,
    role,
    pinHash: await hashPin(pin, { iterations }),
    active: true,
  })
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
  const deviceId = newId()
  const channels = seedChannels(stationId, newId)
  const teams = seedTeams(stationId, newId)
  const ref = <T extends { id: string }>(v: T) => ({ key: v.id, value: v })
  return {
    station,
    sites,
    roster,
    deviceId,
    today,
    recentDonorId,
    dinBody,
    dinWithCheck,
    rows: {
      device: [
        {
          key: 'device',
          deviceId,
          stationId,
          stationCode: station.code,
          token: null,
          enrolledAt: new Date().toISOString(),
        },
      ],
      stations: [ref(station)],
      sites: sites.map(ref),
      channels: channels.map(ref),
      teams: teams.map(ref),
      roster: Object.values(roster).map(ref),
      eligibility: [{ key: eligibility.donorKey, value: eligibility }],
      // As a pull leaves them, with the staff and sites' pinyin order.
      syncMeta: [
        { key: 'lastPullAt', value: new Date().toISOString() },
        { key: 'pullCursor', value: 'seeded' },
        { key: NAME_ORDER_KEY, value: nameOrderOf(Object.values(roster), sites) },
      ],
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
  await putPhoneRows(page, seed.rows)
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

/**
 * On the drive-open form: search the site picker (Chinese, pinyin or initials) and tap the site.
 * Choose the channel first: the picker offers only the sites of the chosen channel.
 */
export async function pickSite(page: Page, search: string, name: string): Promise<void> {
  await page.getByLabel(/^(采血地点|Site)$/).fill(search)
  await page
    .getByRole('button', { name: new RegExp(name) })
    .first()
    .tap()
}

/** Reads every row of some tables of the phone's database. */
export async function readTables(page: Page, names: string[]): Promise<Record<string, Array<Record<string, unknown>>>> {
  return page.evaluate(
    async ({ tables, dbName }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(dbName)
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
    },
    { tables: names, dbName: FIELD_DB_NAME },
  )
}

// ---------------------------------------------------------------------------------------------
// A real station on the real server

export interface StationSetup {
  adminToken: string
  enrollmentCode: string
  sites: Site[]
  staff: { leader: string; collector: string; second: string }
}

async function api<T>(baseUrl: string, method: string, path: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return JSON.parse(text) as T
}

/** First-run setup, the seed channels and teams, three sites, three staff with PINs, an enrollment code. */
export async function setUpStation(baseUrl: string): Promise<StationSetup> {
  const setup = await api<{ token: string }>(baseUrl, 'POST', '/api/v1/setup', {
    stationCode: 'luoyang',
    stationName: '洛阳市中心血站',
    timeZone: 'Asia/Shanghai',
    username: 'admin',
    password: 'correct horse battery staple',
  })
  const admin = <T>(method: string, path: string, body: unknown) =>
    api<T>(baseUrl, method, `/api/v1/admin${path}`, body, setup.token)
  for (const c of seedChannels('00000000-0000-7000-8000-000000000000', newId)) {
    await admin('POST', '/channels', { code: c.code, nameZh: c.nameZh, nameEn: c.nameEn, ruralMobile: c.ruralMobile })
  }
  for (const t of seedTeams('00000000-0000-7000-8000-000000000000', newId)) {
    await admin('POST', '/teams', { code: t.code, nameZh: t.nameZh, nameEn: t.nameEn })
  }
  const sites: Site[] = []
  for (const site of [
    { name: '宜阳县三乡镇', kind: 'township', area: '宜阳县' },
    { name: '洛宁县城关村', kind: 'village', area: '洛宁县' },
    { name: '河南科技大学', kind: 'university', area: '洛龙区' },
  ])
    sites.push(await admin<Site>('POST', '/sites', site))
  const staff = async (name: string, role: RosterEntry['role'], pin: string) =>
    (await admin<{ id: string }>('POST', '/staff', { name, role, pin })).id
  const ids = {
    leader: await staff('王建华', 'leader', PINS.leader),
    collector: await staff('李敏', 'collector', PINS.collector),
    second: await staff('张伟', 'collector', PINS.second),
  }
  const { code } = await admin<{ code: string }>('POST', '/enrollment-codes', {})
  return { adminToken: setup.token, enrollmentCode: code, sites, staff: ids }
}

/** A six-digit PIN, of 周六 whom growStation() adds. */
export const SIX_DIGIT_PIN = '258013'

/**
 * A station of real size after setUpStation(): 200 sites (车村镇天桥沟村 and 196 villages and
 * townships more) and 100 staff (96 collectors more, and 周六 with a six-digit PIN unless the
 * caller adds her another way); wrong PINs lock a staff member out after `pinMaxAttempts`.
 */
export async function growStation(
  baseUrl: string,
  station: StationSetup,
  opts: { pinMaxAttempts?: number; zhouLiu?: boolean } = {},
): Promise<{ checun: Site }> {
  const admin = <T>(method: string, path: string, body: unknown) =>
    api<T>(baseUrl, method, `/api/v1/admin${path}`, body, station.adminToken)
  if (opts.pinMaxAttempts) await admin('PATCH', '/station', { pinMaxAttempts: opts.pinMaxAttempts })
  const checun = await admin<Site>('POST', '/sites', { name: '车村镇天桥沟村', kind: 'village', area: '嵩县' })
  const counties = ['孟津区', '偃师区', '新安县', '宜阳县', '洛宁县', '伊川县', '嵩县', '栾川县', '汝阳县']
  const places = ['城关', '白杨', '柳泉', '石门', '高山', '河口', '新庄']
  const more = Array.from({ length: 196 }, (_, i) => ({
    name: `${counties[i % 9]}${places[i % 7]}村${i + 1}组`,
    kind: i % 4 === 0 ? 'township' : 'village',
    area: counties[i % 9],
  }))
  for (let i = 0; i < more.length; i += 20)
    await Promise.all(more.slice(i, i + 20).map((s) => admin('POST', '/sites', s)))
  const staff = [
    ...(opts.zhouLiu === false ? [] : [{ name: '周六', role: 'collector', pin: SIX_DIGIT_PIN }]),
    ...Array.from({ length: 96 }, (_, i) => ({ name: `采血员${i + 1}`, role: 'collector', pin: PINS.collector })),
  ]
  // The server lets one account set only so many PINs a minute: four managers share the work.
  const tokens: string[] = []
  for (let i = 1; i <= 4; i++) {
    const username = `roster.${i}`
    const password = 'correct horse battery staple'
    await admin('POST', '/accounts', { username, password, role: 'manager' })
    const login = await api<{ token: string }>(baseUrl, 'POST', '/api/v1/auth/login', {
      stationCode: 'luoyang',
      username,
      password,
    })
    tokens.push(login.token)
  }
  for (let i = 0; i < staff.length; i += 8)
    await Promise.all(
      staff
        .slice(i, i + 8)
        .map((s, j) => api(baseUrl, 'POST', '/api/v1/admin/staff', s, tokens[(i + j) % tokens.length])),
    )
  return { checun }
}

/** The phone enrolls with the code through its first-run screen and pulls the station's data. */
export async function enrollPhone(page: Page, baseUrl: string, code: string): Promise<void> {
  await page.goto(`${baseUrl}/enroll`)
  await page.getByLabel(/登记码|Enrollment code/).fill(code)
  await page.locator('button[form="enroll-form"]').click()
  await page.locator('.unlock').waitFor()
}

/**
 * Puts a donor into the phone's eligibility snapshot, keyed with the salt the phone pulled, as a
 * pull would once the station has this donor's history.
 */
export async function addSnapshotDonor(
  page: Page,
  idNumber: string,
  history: Omit<EligibilityEntry, 'donorKey'>,
): Promise<void> {
  const { stations } = await readTables(page, ['stations'])
  const salt = (stations![0]!.value as Station).donorKeySalt
  if (!salt) throw new Error('the phone has no donor key salt')
  const entry: EligibilityEntry = { donorKey: await donorKey(idNumber, salt), ...history }
  await putPhoneRow(page, 'eligibility', { key: entry.donorKey, value: entry })
}

/** Writes one row straight into a table of the phone's IndexedDB, as a pull would. */
export async function putPhoneRow(page: Page, table: string, row: { key: string; value: unknown }): Promise<void> {
  await putPhoneRows(page, { [table]: [row] })
}

/** Writes rows straight into the phone's IndexedDB (the app must have created it), in one transaction. */
export async function putPhoneRows(page: Page, rows: Record<string, unknown[]>): Promise<void> {
  await page.evaluate(
    async ({ rows, name }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name)
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error)
      })
      const tables = Object.keys(rows)
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(tables, 'readwrite')
        for (const table of tables) for (const row of rows[table]!) tx.objectStore(table).put(row)
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error)
      })
      db.close()
    },
    { rows, name: FIELD_DB_NAME },
  )
}

/**
 * Another phone, through the API, opens drive 2 (bags 41–80, bus 豫C-0002) and syncs a donation
 * in bag `bag` at 15:08 today, before the phone under test syncs. Answers the push's item statuses.
 */
export async function syncBagFromAnotherPhone(baseUrl: string, station: StationSetup, bag: number): Promise<string[]> {
  const api = async <T>(method: string, path: string, body?: unknown, token = station.adminToken): Promise<T> => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return (await res.json()) as T
  }
  const { code } = await api<{ code: string }>('POST', '/admin/enrollment-codes', {})
  const other = await api<{ deviceId: string; token: string }>('POST', '/devices/enroll', { code, name: 'A' })
  const channels = await api<Channel[]>('GET', '/admin/channels')
  const stationRow = await api<{ id: string }>('GET', '/admin/station')
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
  const by = () => ({
    id: newId(),
    stationId: stationRow.id,
    deviceId: other.deviceId,
    authorStaffId: station.staff.leader,
    createdAt: new Date().toISOString(),
  })
  const rural = channels.find((c) => c.code === 'rural_mobile')!
  const drive2 = {
    type: 'drive',
    ...by(),
    busCode: '豫C-0002',
    siteId: station.sites[0]!.id,
    channelId: rural.id,
    teamIds: [],
    date: today,
    staffIds: [station.staff.leader],
    leaderStaffId: station.staff.leader,
    dinFirst: dinBody(41),
    dinLast: dinBody(80),
    bagsLoaded: 40,
  }
  const donation = {
    type: 'donation',
    ...by(),
    driveId: drive2.id,
    channelId: rural.id,
    siteId: drive2.siteId,
    teamIds: [],
    collectedOn: today,
    donorKey: 'a'.repeat(32),
    sex: 'F',
    ageYears: 34,
    household: 'rural',
    repeatDonor: false,
    collectedAt: `${today}T15:08:00.000+08:00`,
    product: { type: 'whole_blood', volumeMl: 400 },
    abo: 'O',
    rhd: 'pos',
    din: dinWithCheck(bag),
  }
  const pushed = await api<PushResponse>(
    'POST',
    '/sync/push',
    {
      deviceId: other.deviceId,
      schemaVersion: SCHEMA_VERSION,
      mutations: [drive2, donation].map((record, i) => ({ seq: i + 1, mutationId: newId(), record })),
    },
    other.token,
  )
  return pushed.results.map((r) => r.status)
}
