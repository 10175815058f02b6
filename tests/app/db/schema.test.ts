// An app update must never strand queued records: for EVERY Dexie schema version the field app
// has declared, a database saved by that version with a pending outbox is opened by the current
// app (running each upgrade in between) and synced. Each older version's case walks every upgrade
// after it; the newest version's case opens its database as is.
import { Dexie } from 'dexie'
import { describe, expect, it } from 'vitest'
import { newId } from '../../../src/domain/ids'
import type { FieldRecord } from '../../../src/domain/records'
import { FieldDb } from '../../../src/app/db'
import { RECORD_TABLE } from '../../../src/app/db/schema'
import { dexieMetaPort, dexieOutboxPort, dexieReferenceSink } from '../../../src/app/sync/dexie-ports'
import { createSyncEngine } from '../../../src/app/sync/engine'
import { FakeStation, ScriptedTransport } from '../support/fake-station'
import { databaseAt, declaredVersions } from '../support/schema-versions'
import { DEVICE_ID, STATION, makeDeferral, makeDonation, makeDrive } from '../support/field-fixtures'

/**
 * How the app at a given version stored a record with its outbox entry. A version that changes
 * the outbox or record shapes adds its writer here; older versions keep theirs.
 */
const WRITERS: Record<number, (db: Dexie, records: FieldRecord[]) => Promise<void>> = {
  1: async (db, records) => {
    await db.table('device').put({
      key: 'device',
      deviceId: DEVICE_ID,
      stationId: STATION.id,
      stationCode: STATION.code,
      token: 'bbd_test',
      enrolledAt: '2023-06-01T00:00:00.000Z',
    })
    for (const record of records) {
      await db.table(RECORD_TABLE[record.type]).add(record)
      await db.table('outbox').add({
        mutationId: newId(),
        recordId: record.id,
        recordType: record.type,
        record,
        createdAt: Date.now(),
        attempts: 2,
        lastAttemptAt: Date.now(),
        lastError: 'cannot reach the station',
        status: 'pending',
      })
    }
  },
}

function writerFor(version: number) {
  const known = Object.keys(WRITERS)
    .map(Number)
    .filter((v) => v <= version)
    .sort((a, b) => b - a)[0]
  if (known === undefined) throw new Error(`no outbox writer for schema version ${version}`)
  return WRITERS[known]!
}

describe('queued records survive every schema upgrade', () => {
  const versions = declaredVersions()

  it('knows the declared versions (1 at least, numbered upward)', () => {
    expect(versions.length).toBeGreaterThanOrEqual(1)
    expect(versions[0]!.version).toBe(1)
    expect(Object.keys(versions[0]!.stores)).toContain('outbox')
  })

  it('keeps every released version declared: a phone may still hold a database of any of them', () => {
    expect(versions.map((v) => v.version)).toEqual(expect.arrayContaining([1, 2, 3, 4]))
    // Version 4 (donor form drafts) added a table and nothing else.
    expect(versions.find((v) => v.version === 4)?.stores).toEqual({ drafts: 'key, driveId, updatedAt' })
  })

  it.each(versions.map((v) => v.version))(
    'a database saved by schema version %i with a pending outbox opens in the current app and syncs',
    async (version) => {
      const name = `schema-${version}-${newId()}`
      const staffId = newId()
      const drive = makeDrive(staffId)
      const records: FieldRecord[] = [drive, makeDonation(drive, staffId), makeDeferral(drive, staffId)]
      const old = databaseAt(name, version)
      await old.open()
      await writerFor(version)(old, records)
      old.close()

      const db = new FieldDb(name)
      await db.open()
      expect(db.verno).toBe(versions.at(-1)!.version)
      const station = new FakeStation()
      const engine = createSyncEngine({
        outbox: dexieOutboxPort(db),
        reference: dexieReferenceSink(db),
        meta: dexieMetaPort(db),
        transport: new ScriptedTransport(station, [], [], DEVICE_ID),
        clock: { now: () => new Date() },
        deviceId: async () => (await db.device.get('device'))?.deviceId ?? null,
      })
      const report = await engine.sync()
      expect(report.ok).toBe(true)
      expect(station.arrivals).toEqual(records.map((r) => r.id))
      expect(await db.outbox.count()).toBe(0)
      expect(await db.donations.count()).toBe(1)
      db.close()
    },
  )
})

describe('the versions reach Dexie in one pass', () => {
  /** What Dexie keeps per version: the schema it diffs against at an upgrade, and the upgrade. */
  const kept = (db: Dexie) =>
    (
      db as unknown as {
        _versions: Array<{ _cfg: { version: number; dbschema: Record<string, unknown>; contentUpgrade: unknown } }>
      }
    )._versions.map((v) => ({
      version: v._cfg.version,
      tables: Object.fromEntries(
        Object.entries(v._cfg.dbschema).map(([name, schema]) => [name, JSON.stringify(schema)]),
      ),
      upgrades: v._cfg.contentUpgrade !== null,
    }))

  it('gives Dexie the same versions, schemas and upgrades as declaring them one by one', () => {
    const declared = declaredVersions()
    const name = `one-pass-${newId()}`
    const current = new FieldDb(name)
    const oneByOne = databaseAt(name, declared.at(-1)!.version)
    expect(kept(current)).toEqual(kept(oneByOne))
    expect(current.verno).toBe(oneByOne.verno)
    expect(current.tables.map((t) => t.name).sort()).toEqual(oneByOne.tables.map((t) => t.name).sort())
    current.close()
    oneByOne.close()
  })
})
