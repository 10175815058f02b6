// Helpers for running the real phone sync stack (engine + Dexie ports over fake-indexeddb + fetch
// transport) against the real station: a station server in a child process that can be killed
// mid-request and restarted on the same SQLite file, and a bus crew that writes valid records.
import 'fake-indexeddb/auto'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { newId } from '../../src/domain/ids'
import type {
  AdverseReaction,
  Correction,
  Deferral,
  DonorIdentity,
  Donation,
  Drive,
  DriveClose,
  FieldRecord,
  Void,
} from '../../src/domain/records'
import { FieldDb } from '../../src/app/db'
import { saveFieldRecords } from '../../src/app/db/field-records'
import type { Phone, StationSetup } from './support/station'

/** The station server as its own process over SQLite in `dataDir`, so it can die mid-transaction. */
export class StationProcess {
  private proc: ChildProcess | null = null
  port = 0
  private readonly script: string

  constructor(
    readonly dataDir: string,
    /** PostgreSQL instead of SQLite: the connection string and the schema to work in. */
    readonly postgres: { url: string; schema: string } | null = null,
  ) {
    const dir = mkdtempSync(join(tmpdir(), 'bloodbus-station-'))
    this.script = join(dir, 'station.mts')
    writeFileSync(
      this.script,
      [
        `import { startStation } from ${JSON.stringify(resolve('src/server/server.ts'))}`,
        'const s = await startStation({ config: { port: 0, host: "127.0.0.1", dataDir: process.env.DATA_DIR, databaseUrl: process.env.DATABASE_URL || null, databaseSchema: process.env.DATABASE_SCHEMA || null }, pinIterations: 1000, failedAttemptsPerMinute: 1000000 })',
        'console.log("LISTENING " + s.port)',
      ].join('\n'),
    )
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async start(): Promise<number> {
    const proc = spawn(process.execPath, ['--import', 'tsx', this.script], {
      env: {
        ...process.env,
        DATA_DIR: this.dataDir,
        NODE_ENV: 'production',
        DATABASE_URL: this.postgres?.url ?? '',
        DATABASE_SCHEMA: this.postgres?.schema ?? '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.proc = proc
    let err = ''
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
    })
    this.port = await new Promise<number>((ok, fail) => {
      let out = ''
      const timer = setTimeout(() => fail(new Error(`station did not start\n${out}\n${err}`)), 60_000)
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /LISTENING (\d+)/.exec(out)
        if (m) {
          clearTimeout(timer)
          ok(Number(m[1]))
        }
      })
      proc.once('exit', (code) => {
        clearTimeout(timer)
        fail(new Error(`station exited with ${code}\n${out}\n${err}`))
      })
    })
    return this.port
  }

  /** Like a power cut: no shutdown, whatever transaction is open is lost. */
  async kill(): Promise<void> {
    const proc = this.proc
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
    const exited = new Promise((r) => proc.once('exit', r))
    proc.kill('SIGKILL')
    await exited
  }

  async dispose(): Promise<void> {
    await this.kill()
    rmSync(join(this.script, '..'), { recursive: true, force: true })
  }
}

export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bloodbus-faults-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A phone database with this device's enrollment in it. */
export async function openPhoneDb(name: string, phone: Phone): Promise<FieldDb> {
  const db = new FieldDb(name)
  await db.open()
  if (!(await db.device.get('device'))) {
    await db.device.put({
      key: 'device',
      deviceId: phone.deviceId,
      stationId: phone.station.id,
      stationCode: phone.station.code,
      token: phone.token,
      enrolledAt: new Date().toISOString(),
    })
  }
  return db
}

let dinCounter = 0
/** Unique 13-character DINs for this process, away from the server helpers' range. */
export function freshDin(): string {
  dinCounter++
  return `X987626${String(dinCounter).padStart(6, '0')}`
}

/** Writes what a bus crew writes, through the field app's own save (record + outbox in one transaction). */
export class BusCrew {
  private drive: Drive | null = null
  private driveDonations: Donation[] = []
  readonly written: FieldRecord[] = []

  constructor(
    private readonly station: StationSetup,
    private readonly deviceId: string,
    private readonly random: () => number,
    /** The phone's clock (possibly a day off). */
    private readonly clock: () => Date,
  ) {}

  private author() {
    const now = this.clock()
    return {
      id: newId(),
      stationId: this.station.id,
      deviceId: this.deviceId,
      authorStaffId: this.station.staffIds[Math.floor(this.random() * this.station.staffIds.length)]!,
      createdAt: now.toISOString(),
    }
  }

  private today(): string {
    return this.clock().toISOString().slice(0, 10)
  }

  private donor() {
    return {
      donorKey: newId().replace(/-/g, ''),
      sex: this.random() < 0.5 ? ('M' as const) : ('F' as const),
      ageYears: 18 + Math.floor(this.random() * 37),
      household: this.random() < 0.7 ? ('rural' as const) : ('urban' as const),
      repeatDonor: this.random() < 0.6,
    }
  }

  private context(drive: Drive) {
    return { driveId: drive.id, channelId: drive.channelId, siteId: drive.siteId, teamIds: [], collectedOn: drive.date }
  }

  /** Save about `n` records (a donor identity and its donation count as two). */
  async write(db: FieldDb, n: number): Promise<FieldRecord[]> {
    const out: FieldRecord[] = []
    while (out.length < n) {
      const batch = this.next()
      await saveFieldRecords(batch, db)
      for (const r of batch) if (r.type === 'donation') this.driveDonations.push(r)
      out.push(...batch)
    }
    this.written.push(...out)
    return out
  }

  private next(): FieldRecord[] {
    const st = this.station
    if (!this.drive || this.driveDonations.length >= 40) {
      const records: FieldRecord[] = []
      if (this.drive) {
        const used = this.driveDonations.length
        const close: DriveClose = {
          type: 'drive_close',
          ...this.author(),
          driveId: this.drive.id,
          bagsLoaded: 60,
          bagsUsed: used,
          bagsSpoiled: 0,
          bagsReturned: 60 - used,
          discrepancyNote: '',
          signedOffBy: this.drive.leaderStaffId,
          closedAt: this.clock().toISOString(),
        }
        records.push(close)
      }
      const channel = st.channels[Math.floor(this.random() * st.channels.length)]!
      this.drive = {
        type: 'drive',
        ...this.author(),
        busCode: 'BUS-7',
        siteId: st.sites[0]!.id,
        channelId: channel.id,
        teamIds: [],
        date: this.today(),
        staffIds: [st.staffIds[0]!],
        leaderStaffId: st.staffIds[0]!,
        dinFirst: 'X987626000001',
        dinLast: 'X987626999999',
        bagsLoaded: 60,
      }
      this.driveDonations = []
      return [...records, this.drive]
    }
    const drive = this.drive
    const r = this.random()
    if (r < 0.6 || this.driveDonations.length < 3) {
      const donor = this.donor()
      const donation: Donation = {
        type: 'donation',
        ...this.author(),
        ...this.context(drive),
        ...donor,
        collectedAt: this.clock().toISOString(),
        product:
          this.random() < 0.9 ? { type: 'whole_blood', volumeMl: 400 } : { type: 'apheresis_platelets', doses: 1 },
        abo: (['A', 'B', 'O', 'AB'] as const)[Math.floor(this.random() * 4)]!,
        rhd: this.random() < 0.02 ? 'neg' : 'pos',
        din: freshDin(),
      }
      if (this.random() < 0.25) {
        const identity: DonorIdentity = {
          type: 'donor_identity',
          ...this.author(),
          donorKey: donor.donorKey,
          idNumber: '11010519491231002X',
          name: '张三',
          phone: '13800000000',
          household: donor.household,
        }
        return [identity, donation]
      }
      return [donation]
    }
    if (r < 0.8) {
      const deferral: Deferral = {
        type: 'deferral',
        ...this.author(),
        ...this.context(drive),
        ...this.donor(),
        reasonCode: 'cold',
        until: this.today(),
        note: '',
      }
      return [deferral]
    }
    const target = this.driveDonations[Math.floor(this.random() * this.driveDonations.length)]!
    if (r < 0.87) {
      const reaction: AdverseReaction = {
        type: 'adverse_reaction',
        ...this.author(),
        donationId: target.id,
        code: 'vasovagal',
        severity: 'mild',
        occurredAt: this.clock().toISOString(),
        note: '',
      }
      return [reaction]
    }
    // Voids and corrections of this drive's donations (never twice the same, never of a voided one).
    this.driveDonations = this.driveDonations.filter((d) => d.id !== target.id)
    if (r < 0.93) {
      const v: Void = { type: 'void', ...this.author(), targetId: target.id, reason: 'entered twice' }
      return [v]
    }
    const replacement: Donation =
      target.product.type === 'whole_blood'
        ? { ...target, product: { type: 'whole_blood', volumeMl: 300 } }
        : { ...target, abo: target.abo === 'A' ? 'B' : 'A' }
    const c: Correction = {
      type: 'correction',
      ...this.author(),
      targetId: target.id,
      reason: 'wrong volume',
      replacement,
    }
    return [c]
  }
}
