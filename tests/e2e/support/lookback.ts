// Lookback scenes for browser tests and screenshots: another phone of the station (through the
// API) that defers a donor or takes a donation, and the station manager's sign-in at a phone size.
import type { Page } from 'playwright-core'
import { addDays } from '../../../src/domain/dates'
import { donorKey } from '../../../src/domain/donor-key'
import { newId } from '../../../src/domain/ids'
import { type Channel, SCHEMA_VERSION, type Station } from '../../../src/domain/records'
import type { PullResponse, PushResponse } from '../../../src/domain/sync-protocol'
import { dinBody, dinWithCheck, type StationSetup } from './field'
import { stationToday } from './progress'

export interface OtherPhone {
  /** Defers the donor with this ID number now (a cold, a week), on the other phone's drive. */
  defer(idNumber: string): Promise<void>
  /** A 400 ml donation of this donor at `at` today, in bag `bag` (41–80) of the other phone's drive. */
  donate(idNumber: string, bag: number, at: Date): Promise<void>
}

/** Another phone of the station, in range: enrolls, pulls the donor-key salt, opens drive 2 (bags 41–80). */
export async function anotherPhone(baseUrl: string, station: StationSetup): Promise<OtherPhone> {
  const api = async <T>(method: string, path: string, body?: unknown, token = station.adminToken): Promise<T> => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
    return JSON.parse(text) as T
  }
  const { code } = await api<{ code: string }>('POST', '/admin/enrollment-codes', {})
  const device = await api<{ deviceId: string; token: string }>('POST', '/devices/enroll', { code, name: '2号车手机' })
  const pulled = await api<PullResponse>('GET', '/sync/pull', undefined, device.token)
  const stationChange = pulled.changes.find((c) => c.entity === 'station')
  if (stationChange?.op !== 'upsert') throw new Error('the pull brought no station row')
  const stationRow = stationChange.value as Station
  const salt = stationRow.donorKeySalt!
  const channels = await api<Channel[]>('GET', '/admin/channels')
  const rural = channels.find((c) => c.code === 'rural_mobile')!
  const today = stationToday()
  let seq = 0
  const by = () => ({
    id: newId(),
    stationId: stationRow.id,
    deviceId: device.deviceId,
    authorStaffId: station.staff.leader,
    createdAt: new Date().toISOString(),
  })
  const push = async (records: unknown[]): Promise<void> => {
    const answer = await api<PushResponse>(
      'POST',
      '/sync/push',
      {
        deviceId: device.deviceId,
        schemaVersion: SCHEMA_VERSION,
        mutations: records.map((record) => ({ seq: ++seq, mutationId: newId(), record })),
      },
      device.token,
    )
    const refused = answer.results.filter((r) => r.status === 'rejected')
    if (refused.length > 0) throw new Error(`the other phone's records were refused: ${JSON.stringify(refused)}`)
  }
  const drive = {
    type: 'drive',
    ...by(),
    busCode: '豫C-0002',
    siteId: station.sites[1]!.id,
    channelId: rural.id,
    teamIds: [],
    date: today,
    staffIds: [station.staff.leader],
    leaderStaffId: station.staff.leader,
    dinFirst: dinBody(41),
    dinLast: dinBody(80),
    bagsLoaded: 40,
  }
  await push([drive])
  const visit = async (idNumber: string) => ({
    ...by(),
    driveId: drive.id,
    channelId: rural.id,
    siteId: drive.siteId,
    teamIds: [],
    collectedOn: today,
    donorKey: await donorKey(idNumber, salt),
    sex: 'M',
    ageYears: 30,
    household: 'rural',
    repeatDonor: false,
  })
  return {
    async defer(idNumber) {
      await push([
        { type: 'deferral', ...(await visit(idNumber)), reasonCode: 'cold_fever', until: addDays(today, 7), note: '' },
      ])
    },
    async donate(idNumber, bag, at) {
      await push([
        {
          type: 'donation',
          ...(await visit(idNumber)),
          collectedAt: at.toISOString(),
          product: { type: 'whole_blood', volumeMl: 400 },
          abo: 'B',
          rhd: 'pos',
          din: dinWithCheck(bag),
        },
      ])
    },
  }
}

/** The station's sign-in page as setUpStation() made the admin (zh-CN labels). */
export async function stationSignIn(page: Page, baseUrl: string, next = '/station'): Promise<void> {
  await page.goto(`${baseUrl}/station/login?next=${encodeURIComponent(next)}`)
  await page.getByLabel('血站代码').fill('luoyang')
  await page.getByLabel('用户名').fill('admin')
  await page.getByLabel('密码', { exact: true }).fill('correct horse battery staple')
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await page.waitForURL((url) => url.pathname === next)
}
