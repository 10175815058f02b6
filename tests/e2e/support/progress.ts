// Station data for the progress screen's browser test and screenshots: a second bus phone, enrolled
// through the API, that has already sent today's donations (so the station's totals are more than
// the phone under test), and targets set through the admin API.
import { isoDateOf } from '../../../src/domain/dates'
import { isbt128Din } from '../../../src/domain/din'
import { newId } from '../../../src/domain/ids'
import type { Channel, Donation, Drive, FieldRecord, Target } from '../../../src/domain/records'
import type { PushResponse } from '../../../src/domain/sync-protocol'
import { pickSite, type StationSetup } from './field'

export async function stationApi<T>(
  baseUrl: string,
  method: string,
  path: string,
  body: unknown,
  token?: string,
): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return (text ? JSON.parse(text) : null) as T
}

export const stationToday = (): string => isoDateOf(new Date(), 'Asia/Shanghai')

export async function channelsOf(baseUrl: string, station: StationSetup): Promise<Channel[]> {
  return stationApi<Channel[]>(baseUrl, 'GET', '/api/v1/admin/channels', undefined, station.adminToken)
}

export async function addTargetByApi(
  baseUrl: string,
  station: StationSetup,
  target: Omit<Target, 'id' | 'stationId'>,
): Promise<Target> {
  return stationApi<Target>(baseUrl, 'POST', '/api/v1/admin/targets', target, station.adminToken)
}

export interface OtherPhoneDay {
  /** Whole-blood 400 ml donations at the university site, outside any drive. */
  university: number
  /** Whole-blood 400 ml donations on one rural drive. */
  rural: number
}

/**
 * Another phone of the station enrolls and sends a day's work: a rural drive with `rural`
 * donations and `university` donations at the university site, all dated today.
 */
export async function otherPhoneSends(
  baseUrl: string,
  station: StationSetup,
  day: OtherPhoneDay,
): Promise<PushResponse> {
  const { code } = await stationApi<{ code: string }>(
    baseUrl,
    'POST',
    '/api/v1/admin/enrollment-codes',
    {},
    station.adminToken,
  )
  const device = await stationApi<{ deviceId: string; token: string }>(baseUrl, 'POST', '/api/v1/devices/enroll', {
    code,
    name: 'other bus phone',
  })
  const channels = await channelsOf(baseUrl, station)
  const stationId = channels[0]!.stationId
  const channel = (c: string) => channels.find((x) => x.code === c)!.id
  const today = stationToday()
  const now = new Date().toISOString()
  const author = () => ({
    id: newId(),
    stationId,
    deviceId: device.deviceId,
    authorStaffId: station.staff.collector,
    createdAt: now,
  })
  const yy = today.slice(2, 4)
  let bag = 0
  const din = () => isbt128Din.format(`W5678${yy}${String(++bag).padStart(6, '0')}`)
  const village = station.sites.find((s) => s.kind === 'village')!
  const university = station.sites.find((s) => s.kind === 'university')!
  const drive: Drive = {
    type: 'drive',
    ...author(),
    busCode: '豫C-B0002',
    siteId: village.id,
    channelId: channel('rural_mobile'),
    teamIds: [],
    date: today,
    staffIds: [station.staff.collector],
    leaderStaffId: station.staff.leader,
    dinFirst: `W5678${yy}000001`,
    dinLast: `W5678${yy}000200`,
    bagsLoaded: 200,
  }
  const donation = (over: Partial<Donation>): Donation => ({
    type: 'donation',
    ...author(),
    driveId: null,
    channelId: channel('universities'),
    siteId: university.id,
    teamIds: [],
    collectedOn: today,
    donorKey: newId().replaceAll('-', ''),
    sex: 'F',
    ageYears: 21,
    household: 'urban',
    repeatDonor: false,
    collectedAt: now,
    product: { type: 'whole_blood', volumeMl: 400 },
    abo: 'O',
    rhd: 'pos',
    din: din(),
    ...over,
  })
  const records: FieldRecord[] = [
    drive,
    ...Array.from({ length: day.rural }, () =>
      donation({ driveId: drive.id, channelId: drive.channelId, siteId: village.id, household: 'rural' }),
    ),
    ...Array.from({ length: day.university }, () => donation({})),
  ]
  const answer = await stationApi<PushResponse>(
    baseUrl,
    'POST',
    '/api/v1/sync/push',
    {
      deviceId: device.deviceId,
      schemaVersion: 1,
      mutations: records.map((record, i) => ({ seq: i + 1, mutationId: newId(), record })),
    },
    device.token,
  )
  const refused = answer.results.filter((r) => r.status === 'rejected')
  if (refused.length > 0)
    throw new Error(`the station refused the other phone's records: ${JSON.stringify(refused[0])}`)
  return answer
}

/** Types into a labelled field the way a person does (focus, select all, type). */
export async function typeInto(page: import('playwright-core').Page, label: string, text: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).focus()
  await page.keyboard.press('Control+A')
  await page.keyboard.type(text)
}

/**
 * Through the field screens (zh-CN), already unlocked: open a rural drive at the township with
 * bags 1–40 of this year's W1234 series, and record one 400 ml donation per donor.
 */
export async function recordRuralDrive(
  page: import('playwright-core').Page,
  donors: { id: string; name: string; din: number }[],
  dins: { body: (n: number) => string; withCheck: (n: number) => string },
  bus = '豫C-A0001',
): Promise<string> {
  await page.getByRole('link', { name: '开始新车次' }).tap()
  await typeInto(page, '车号', bus)
  await page.getByRole('radio', { name: '乡村流动', exact: true }).tap()
  await pickSite(page, '宜阳县三乡镇', '宜阳县三乡镇')
  // The crew may be remembered from the last drive: check, never toggle.
  await page.getByRole('checkbox', { name: '李敏', exact: true }).check()
  await page.getByRole('radio', { name: '王建华', exact: true }).tap()
  await typeInto(page, '第一个血袋号（DIN）', dins.body(1))
  await typeInto(page, '最后一个血袋号（DIN）', dins.body(40))
  await page.getByRole('button', { name: '开始车次' }).tap()
  await page.getByRole('link', { name: '登记献血者' }).waitFor()
  const driveId = /\/drives\/([^/]+)/.exec(page.url())?.[1]
  if (!driveId) throw new Error(`no drive id in ${page.url()}`)
  for (const donor of donors) {
    await page.getByRole('link', { name: '登记献血者' }).tap()
    await typeInto(page, '身份证号', donor.id)
    await typeInto(page, '姓名', donor.name)
    await page.getByRole('radio', { name: '农村', exact: true }).tap()
    await page.keyboard.press('Enter')
    const vitals = ['68', '142', '122', '78', '72', '36.6']
    for (const [i, label] of [
      '体重 (kg)',
      '血红蛋白 (g/L)',
      '收缩压 (mmHg)',
      '舒张压 (mmHg)',
      '脉搏 (次/分)',
      '体温 (°C)',
    ].entries()) {
      await typeInto(page, label, vitals[i]!)
    }
    await page.getByRole('button', { name: '献血', exact: true }).tap()
    await page.getByRole('radio', { name: '400 ml', exact: true }).tap()
    await page.getByRole('radio', { name: 'A', exact: true }).tap()
    await page.getByRole('radio', { name: '阳性 +', exact: true }).tap()
    await typeInto(page, '血袋号（DIN）', dins.withCheck(donor.din))
    await page.keyboard.press('Enter')
    await page.getByTestId('saved').filter({ hasText: donor.name }).waitFor()
    await page.getByRole('link', { name: '返回车次' }).tap()
  }
  return driveId
}
