// Reference data and records for field-app tests, and a fresh database per test.
import { newId } from '../../../src/domain/ids'
import type {
  Channel,
  Deferral,
  Donation,
  DonorIdentity,
  Drive,
  RosterEntry,
  Site,
  Station,
  Team,
} from '../../../src/domain/records'
import { FieldDb, useFieldDb } from '../../../src/app/db'

export const STATION: Station = { id: newId(), code: 'luoyang', name: '洛阳市中心血站', timeZone: 'Asia/Shanghai' }
export const DEVICE_ID = newId()
export const RURAL: Channel = {
  id: newId(),
  stationId: STATION.id,
  code: 'rural_mobile',
  nameZh: '农村流动采血',
  nameEn: 'Rural mobile',
  ruralMobile: true,
}
export const UNIVERSITY: Channel = {
  id: newId(),
  stationId: STATION.id,
  code: 'universities',
  nameZh: '高校',
  nameEn: 'Universities',
  ruralMobile: false,
}
export const SITE: Site = { id: newId(), stationId: STATION.id, name: '宜阳县三乡镇', kind: 'township', area: '宜阳县' }
export const TEAM: Team = {
  id: newId(),
  stationId: STATION.id,
  code: 'volunteers',
  nameZh: '志愿者服务队',
  nameEn: 'Volunteers',
}

export function freshDb(): FieldDb {
  return useFieldDb(new FieldDb(`test-${newId()}`))
}

/** Reference rows as a pull would have stored them. */
export async function seedReference(db: FieldDb, roster: RosterEntry[] = []): Promise<void> {
  await db.device.put({
    key: 'device',
    deviceId: DEVICE_ID,
    stationId: STATION.id,
    stationCode: STATION.code,
    token: null,
    enrolledAt: '2023-06-01T00:00:00.000Z',
  })
  await db.stations.put({ key: STATION.id, value: STATION })
  await db.channels.bulkPut([RURAL, UNIVERSITY].map((c) => ({ key: c.id, value: c })))
  await db.sites.put({ key: SITE.id, value: SITE })
  await db.teams.put({ key: TEAM.id, value: TEAM })
  await db.roster.bulkPut(roster.map((s) => ({ key: s.id, value: s })))
}

const author = (staffId: string) => ({
  id: newId(),
  stationId: STATION.id,
  deviceId: DEVICE_ID,
  authorStaffId: staffId,
  createdAt: new Date().toISOString(),
})

export function makeDrive(staffId: string, over: Partial<Drive> = {}): Drive {
  return {
    type: 'drive',
    ...author(staffId),
    busCode: '豫C-1234',
    siteId: SITE.id,
    channelId: RURAL.id,
    teamIds: [],
    date: '2023-06-14',
    staffIds: [staffId],
    leaderStaffId: staffId,
    dinFirst: 'W123423000001',
    dinLast: 'W123423000050',
    bagsLoaded: 50,
    ...over,
  }
}

export function makeDonation(drive: Drive, staffId: string, over: Partial<Donation> = {}): Donation {
  const who = author(staffId)
  return {
    type: 'donation',
    ...who,
    driveId: drive.id,
    channelId: drive.channelId,
    siteId: drive.siteId,
    teamIds: [],
    collectedOn: drive.date,
    // A donor gives once a day: each donation is another donor unless a test says otherwise.
    donorKey: who.id.replaceAll('-', ''),
    sex: 'M',
    ageYears: 30,
    household: 'rural',
    repeatDonor: false,
    collectedAt: '2023-06-14T10:00:00.000+08:00',
    product: { type: 'whole_blood', volumeMl: 400 },
    abo: 'A',
    rhd: 'pos',
    din: 'W123423000001',
    ...over,
  }
}

/** A donor's identity as the donor form saves it beside the donation or deferral. */
export function makeIdentity(staffId: string, over: Partial<DonorIdentity> = {}): DonorIdentity {
  const who = author(staffId)
  return {
    type: 'donor_identity',
    ...who,
    donorKey: who.id.replaceAll('-', ''),
    idNumber: '11010519491231002X',
    name: '张三',
    phone: '',
    household: 'rural',
    ...over,
  }
}

export function makeDeferral(drive: Drive, staffId: string, over: Partial<Deferral> = {}): Deferral {
  return {
    type: 'deferral',
    ...author(staffId),
    driveId: drive.id,
    channelId: drive.channelId,
    siteId: drive.siteId,
    teamIds: [],
    collectedOn: drive.date,
    donorKey: 'fedcba9876543210fedcba9876543210',
    sex: 'F',
    ageYears: 25,
    household: 'urban',
    repeatDonor: false,
    reasonCode: 'cold',
    until: '2023-06-21',
    note: '',
    ...over,
  }
}
