// The phone database as each app version declared it, for tests of opening old databases.
import { Dexie } from 'dexie'
import { newId } from '../../../src/domain/ids'
import { FieldDb } from '../../../src/app/db'

export interface DeclaredVersion {
  version: number
  stores: Record<string, string | null>
  upgrade: ((tx: unknown) => unknown) | null
}

/** The versions FieldDb declares, read from Dexie's own record of them (there is no public API). */
export function declaredVersions(): DeclaredVersion[] {
  const probe = new FieldDb(`probe-${newId()}`)
  const internal = (
    probe as unknown as {
      _versions: Array<{
        _cfg: {
          version: number
          storesSource: Record<string, string | null>
          contentUpgrade: ((tx: unknown) => unknown) | null
        }
      }>
    }
  )._versions
  const out = internal.map((v) => ({
    version: v._cfg.version,
    stores: v._cfg.storesSource,
    upgrade: v._cfg.contentUpgrade,
  }))
  probe.close()
  return out.sort((a, b) => a.version - b.version)
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
