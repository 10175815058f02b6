// The phone database as each app version declared it, for tests of opening old databases.
import { Dexie, type Version } from 'dexie'
import { newId } from '../../../src/domain/ids'
import { FieldDb } from '../../../src/app/db'

export interface DeclaredVersion {
  version: number
  stores: Record<string, string | null>
  upgrade: ((tx: unknown) => unknown) | null
}

/**
 * The versions FieldDb declares, as its constructor declares them: a probe subclass records each
 * `version(n).stores(...)` and `.upgrade(...)` call through Dexie's public API.
 */
export function declaredVersions(): DeclaredVersion[] {
  const seen = new Map<number, DeclaredVersion>()
  class Recorder extends FieldDb {
    override version(versionNumber: number): Version {
      const declared = super.version(versionNumber)
      const entry = seen.get(versionNumber) ?? { version: versionNumber, stores: {}, upgrade: null }
      seen.set(versionNumber, entry)
      const stores = declared.stores.bind(declared)
      const upgrade = declared.upgrade.bind(declared)
      declared.stores = (schema) => {
        Object.assign(entry.stores, schema)
        return stores(schema)
      }
      declared.upgrade = (fn) => {
        entry.upgrade = fn as DeclaredVersion['upgrade']
        return upgrade(fn)
      }
      return declared
    }
  }
  new Recorder(`probe-${newId()}`).close()
  return [...seen.values()].sort((a, b) => a.version - b.version)
}

/** The database as the app at `version` defined it: every version up to it, with its upgrades. */
export function databaseAt(name: string, version: number): Dexie {
  const db = new Dexie(name)
  for (const v of declaredVersions().filter((d) => d.version <= version)) {
    const declared = db.version(v.version).stores(v.stores)
    if (v.upgrade) declared.upgrade(v.upgrade as never)
  }
  return db
}
