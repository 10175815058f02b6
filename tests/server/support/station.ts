// A station server in-process on port 0 over a fresh test database, with helpers to set up
// stations, managers, phones and reference data, and to call the API over real HTTP.
import { gzipSync } from 'node:zlib'
import { newId } from '../../../src/domain/ids'
import {
  type Channel,
  type Deferral,
  type Donation,
  type Drive,
  type FieldRecord,
  SCHEMA_VERSION,
  type Site,
  type Team,
} from '../../../src/domain/records'
import { seedChannels, seedTeams } from '../../../src/domain/reference-data'
import type { PushRequest, PushResponse } from '../../../src/domain/sync-protocol'
import type { Engine } from '../../../src/server/db/store'
import { insertAccount, prepareAccount } from '../../../src/server/repo/accounts'
import { createStation } from '../../../src/server/repo/stations'
import { type RunningStation, startStation } from '../../../src/server/server'
import { openTestStore, type TestStore } from './engines'

export const TEST_PIN_ITERATIONS = 1000
export const MANAGER_PASSWORD = 'correct horse battery'

export interface ApiAnswer<T = unknown> {
  status: number
  body: T
  headers: Headers
}

export interface CallOptions {
  method?: string
  body?: unknown
  /** Raw body bytes (sent as is, e.g. gzip or garbage). */
  raw?: Uint8Array | string
  token?: string | null
  headers?: Record<string, string>
}

export interface StationSetup {
  id: string
  code: string
  managerToken: string
  adminToken: string
  channels: Channel[]
  teams: Team[]
  sites: Site[]
  staffIds: string[]
}

export interface Phone {
  deviceId: string
  token: string
  station: StationSetup
  nextSeq: number
}

export class TestStation {
  constructor(
    readonly engine: Engine,
    readonly store: TestStore,
    readonly running: RunningStation,
  ) {}

  get url(): string {
    return this.running.url.replace('localhost', '127.0.0.1')
  }

  async call<T = unknown>(path: string, opts: CallOptions = {}): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`
    let body: BodyInit | undefined
    if (opts.raw !== undefined) body = opts.raw as BodyInit
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body)
      headers['Content-Type'] ??= 'application/json'
    }
    const res = await fetch(`${this.url}${path}`, {
      method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
    })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers }
  }

  /** A station with an admin and a manager (both signed in), the seed's channels and teams, a site and staff. */
  async createStation(code = `st_${Math.random().toString(36).slice(2, 8)}`): Promise<StationSetup> {
    const db = this.store.db
    const station = await createStation(db, { code, name: `Station ${code}` })
    await insertAccount(
      db,
      station.id,
      await prepareAccount({ username: 'admin', password: MANAGER_PASSWORD, role: 'admin' }),
    )
    await insertAccount(
      db,
      station.id,
      await prepareAccount({ username: 'manager', password: MANAGER_PASSWORD, role: 'manager' }),
    )
    const login = async (username: string) => {
      const res = await this.call<{ token: string }>('/api/v1/auth/login', {
        body: { stationCode: code, username, password: MANAGER_PASSWORD },
      })
      if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`)
      return res.body.token
    }
    const managerToken = await login('manager')
    const adminToken = await login('admin')
    const setup: StationSetup = {
      id: station.id,
      code,
      managerToken,
      adminToken,
      channels: [],
      teams: [],
      sites: [],
      staffIds: [],
    }
    for (const ch of seedChannels(station.id, newId)) {
      const res = await this.call<Channel>('/api/v1/admin/channels', { token: managerToken, body: ch })
      if (res.status !== 201) throw new Error(`channel: ${JSON.stringify(res.body)}`)
      setup.channels.push(res.body)
    }
    for (const team of seedTeams(station.id, newId)) {
      const res = await this.call<Team>('/api/v1/admin/teams', { token: managerToken, body: team })
      setup.teams.push(res.body)
    }
    const site = await this.call<Site>('/api/v1/admin/sites', {
      token: managerToken,
      body: { name: "Xin'an village", kind: 'village', area: "Xin'an" },
    })
    setup.sites.push(site.body)
    for (const name of ['Li Na', 'Wang Wei']) {
      const res = await this.call<{ id: string }>('/api/v1/admin/staff', {
        token: managerToken,
        body: { name, role: 'collector', pin: '2580' },
      })
      if (res.status !== 201) throw new Error(`staff: ${JSON.stringify(res.body)}`)
      setup.staffIds.push(res.body.id)
    }
    return setup
  }

  async enroll(station: StationSetup, name = 'Bus phone'): Promise<Phone> {
    const code = await this.call<{ code: string }>('/api/v1/admin/enrollment-codes', {
      token: station.managerToken,
      body: {},
    })
    if (code.status !== 201) throw new Error(`enrollment code: ${JSON.stringify(code.body)}`)
    const res = await this.call<{ deviceId: string; token: string }>('/api/v1/devices/enroll', {
      body: { code: code.body.code, name },
    })
    if (res.status !== 201) throw new Error(`enroll: ${JSON.stringify(res.body)}`)
    return { deviceId: res.body.deviceId, token: res.body.token, station, nextSeq: 1 }
  }

  /** Push records as the next mutations of a phone (seq advances only on 200). */
  async push(
    phone: Phone,
    records: unknown[],
    opts: { gzip?: boolean; schemaVersion?: number } = {},
  ): Promise<ApiAnswer<PushResponse>> {
    const req = this.batch(phone, records, opts.schemaVersion)
    const res = await this.pushRaw(phone, req, opts.gzip)
    if (res.status === 200) phone.nextSeq += records.length
    return res
  }

  batch(phone: Phone, records: unknown[], schemaVersion = SCHEMA_VERSION, firstSeq = phone.nextSeq): PushRequest {
    return {
      deviceId: phone.deviceId,
      schemaVersion,
      mutations: records.map((record, i) => ({ seq: firstSeq + i, mutationId: newId(), record })),
    }
  }

  async pushRaw(phone: { token: string }, req: unknown, gzip = false): Promise<ApiAnswer<PushResponse>> {
    if (!gzip) return this.call<PushResponse>('/api/v1/sync/push', { token: phone.token, body: req })
    return this.call<PushResponse>('/api/v1/sync/push', {
      token: phone.token,
      raw: gzipSync(JSON.stringify(req)),
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
    })
  }

  async count(
    table:
      | 'records'
      | 'eligibility'
      | 'devices'
      | 'push_results'
      | 'sites'
      | 'channels'
      | 'teams'
      | 'targets'
      | 'staff'
      | 'populations'
      | 'accounts'
      | 'sessions'
      | 'enrollment_codes'
      | 'record_teams'
      | 'stations',
  ): Promise<number> {
    const row = await this.store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  /** Row counts of every table, to prove a refused request wrote nothing. */
  async snapshot(): Promise<Record<string, number>> {
    const tables = [
      'records',
      'eligibility',
      'devices',
      'push_results',
      'sites',
      'channels',
      'teams',
      'targets',
      'staff',
      'populations',
      'accounts',
      'enrollment_codes',
      'record_teams',
      'stations',
    ] as const
    const out: Record<string, number> = {}
    for (const t of tables) out[t] = await this.count(t)
    const seqs = await this.store.db.selectFrom('stations').select(['id', 'change_counter']).orderBy('id').execute()
    out.change_counters = seqs.reduce((s, r) => s + Number(r.change_counter), 0)
    const devices = await this.store.db.selectFrom('devices').select(['last_seq']).execute()
    out.device_seqs = devices.reduce((s, r) => s + Number(r.last_seq), 0)
    return out
  }

  async close(): Promise<void> {
    await this.running.close()
    await this.store.dispose()
  }
}

/** `store`: one opened already (e.g. a copy of the seeded year, tests/support/seed-template.ts). */
export async function startTestStation(engine: Engine, store?: TestStore): Promise<TestStation> {
  store ??= await openTestStore(engine)
  const running = await startStation({
    config: { port: 0, host: '127.0.0.1', dataDir: '', databaseUrl: null },
    store,
    pinIterations: TEST_PIN_ITERATIONS,
    failedAttemptsPerMinute: 1_000_000,
  })
  return new TestStation(engine, store, running)
}

// ---------------------------------------------------------------------------------------------
// Record builders

let dinCounter = Math.floor(Math.random() * 500_000)
/** A fresh 13-character DIN, unique within the test process (format only). */
export function nextDin(): string {
  dinCounter++
  return `W123426${String(dinCounter).padStart(6, '0')}`
}

function authorship(phone: Phone) {
  return {
    id: newId(),
    stationId: phone.station.id,
    deviceId: phone.deviceId,
    authorStaffId: phone.station.staffIds[0]!,
    createdAt: '2026-03-02T09:30:00.000+08:00',
  }
}

const DONOR_KEY = () => newId().replace(/-/g, '')

export function donation(phone: Phone, over: Partial<Donation> = {}): Donation {
  const st = phone.station
  return {
    type: 'donation',
    ...authorship(phone),
    driveId: null,
    channelId: st.channels.find((c) => c.code === 'rural_mobile')!.id,
    siteId: st.sites[0]!.id,
    teamIds: [],
    collectedOn: '2026-03-02',
    donorKey: DONOR_KEY(),
    sex: 'F',
    ageYears: 34,
    household: 'rural',
    repeatDonor: true,
    collectedAt: '2026-03-02T09:30:00.000+08:00',
    product: { type: 'whole_blood', volumeMl: 400 },
    abo: 'O',
    rhd: 'pos',
    din: nextDin(),
    ...over,
  } as Donation
}

export function deferral(phone: Phone, over: Partial<Deferral> = {}): Deferral {
  const st = phone.station
  return {
    type: 'deferral',
    ...authorship(phone),
    driveId: null,
    channelId: st.channels[0]!.id,
    siteId: null,
    teamIds: [],
    collectedOn: '2026-03-02',
    donorKey: DONOR_KEY(),
    sex: 'M',
    ageYears: 41,
    household: 'urban',
    repeatDonor: false,
    reasonCode: 'cold',
    until: '2026-03-09',
    note: '',
    ...over,
  } as Deferral
}

export function drive(phone: Phone, over: Partial<Drive> = {}): Drive {
  const st = phone.station
  return {
    type: 'drive',
    ...authorship(phone),
    busCode: 'BUS-3',
    siteId: st.sites[0]!.id,
    channelId: st.channels.find((c) => c.code === 'rural_mobile')!.id,
    teamIds: [],
    date: '2026-03-02',
    staffIds: [st.staffIds[0]!],
    leaderStaffId: st.staffIds[0]!,
    dinFirst: 'W123426000001',
    dinLast: 'W123426000100',
    bagsLoaded: 100,
    ...over,
  } as Drive
}

export function voidOf(phone: Phone, target: { id: string }, reason = 'entered twice'): FieldRecord {
  return { type: 'void', ...authorship(phone), targetId: target.id, reason }
}

export function correctionOf(
  phone: Phone,
  target: Donation | Deferral,
  replacement: Donation | Deferral,
  createdAt?: string,
): FieldRecord {
  return {
    type: 'correction',
    ...authorship(phone),
    ...(createdAt ? { createdAt } : {}),
    targetId: target.id,
    reason: 'wrong volume',
    replacement,
  }
}
