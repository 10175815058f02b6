// Many rows into one table (a push's records, answers, snapshot rows) without Kysely building,
// compiling and SQLite preparing a statement of thousands of parameters for every chunk: on SQLite,
// inside a transaction, one prepared single-row statement run per row (SQLite's multi-row VALUES
// costs more CPU per row, and each chunk size was a new statement to prepare); elsewhere (PostgreSQL,
// where a round trip per row would cost far more) one multi-row statement per chunk, its text made
// here once per shape.
import { CompiledQuery, type Kysely } from 'kysely'
import type { Database } from './schema'
import type { Db } from './store'

/** The part of a better-sqlite3 database the fast path uses: statements kept by their text. */
export interface RawSqlite {
  prepare(source: string): { run(params: readonly unknown[]): { changes: number } }
}

// Keyed by the Kysely instance's dialect adapter, which its transactions share.
const rawSqlite = new WeakMap<object, RawSqlite>()
const dollarPlaceholders = new WeakMap<object, boolean>()

/**
 * Lets insertMany run statements on this SQLite database directly. Only inside a transaction: the
 * transaction holds SQLite's one connection, so nothing else can run between (or inside) them.
 */
export function registerRawSqlite(db: Kysely<Database>, raw: RawSqlite): void {
  rawSqlite.set(db.getExecutor().adapter, raw)
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

/**
 * Bound parameters per multi-row statement: well below SQLite's 32,766 and PostgreSQL's 65,535, and
 * about the size of the Kysely inserts this replaced (250 records a statement), so PostgreSQL
 * parses and plans statements of the size it did before.
 */
const MAX_PARAMS = 8_000

/** One bulk table's statements, made once. */
export interface BulkTable<T extends keyof Database> {
  table: T
  columns: ReadonlyArray<keyof Database[T] & string>
  /**
   * 'ignore': `on conflict do nothing`, a row whose key exists is skipped (counted out of the
   * result); an upsert: the row whose `key` exists takes the new values of `update`.
   */
  onConflict?:
    'ignore' | { key: ReadonlyArray<keyof Database[T] & string>; update: ReadonlyArray<keyof Database[T] & string> }
}

export function bulkTable<T extends keyof Database>(
  table: T,
  columns: ReadonlyArray<keyof Database[T] & string>,
  onConflict?: BulkTable<T>['onConflict'],
): BulkTable<T> {
  return { table, columns, onConflict }
}

const singleSql = new WeakMap<BulkTable<keyof Database>, string>()
const multiSql = new WeakMap<BulkTable<keyof Database>, Map<string, string>>()

function head(spec: BulkTable<keyof Database>): string {
  return `insert into ${quote(spec.table)} (${spec.columns.map(quote).join(', ')}) values `
}
function tail(spec: BulkTable<keyof Database>): string {
  const on = spec.onConflict
  if (!on) return ''
  if (on === 'ignore') return ' on conflict do nothing'
  const set = on.update.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')
  return ` on conflict (${on.key.map(quote).join(', ')}) do update set ${set}`
}

function usesDollar(db: Db): boolean {
  const adapter = db.getExecutor().adapter
  let dollar = dollarPlaceholders.get(adapter)
  if (dollar === undefined) {
    dollar = db.selectFrom('stations').select('id').where('id', '=', '').compile().sql.includes('$1')
    dollarPlaceholders.set(adapter, dollar)
  }
  return dollar
}

/**
 * Inserts `rows` (each holding every column of `spec`; undefined is stored as null) and answers
 * how many were written (fewer than given only when conflicts are ignored).
 */
export async function insertMany<T extends keyof Database>(
  db: Db,
  spec: BulkTable<T>,
  rows: ReadonlyArray<{ [K in keyof Database[T]]?: unknown }>,
): Promise<number> {
  if (rows.length === 0) return 0
  const s = spec as unknown as BulkTable<keyof Database>
  const columns = s.columns as readonly string[]
  const raw = db.isTransaction ? rawSqlite.get(db.getExecutor().adapter) : undefined
  if (raw) {
    let sql = singleSql.get(s)
    if (!sql) {
      sql = `${head(s)}(${columns.map(() => '?').join(', ')})${tail(s)}`
      singleSql.set(s, sql)
    }
    const stmt = raw.prepare(sql)
    const params: unknown[] = new Array(columns.length)
    let inserted = 0
    for (const row of rows) {
      const r = row as Record<string, unknown>
      for (let c = 0; c < columns.length; c++) params[c] = r[columns[c]!] ?? null
      inserted += stmt.run(params).changes
    }
    return inserted
  }
  const dollar = usesDollar(db)
  const perChunk = Math.max(1, Math.floor(MAX_PARAMS / columns.length))
  let byShape = multiSql.get(s)
  if (!byShape) multiSql.set(s, (byShape = new Map()))
  let inserted = 0
  for (let at = 0; at < rows.length; at += perChunk) {
    const part = rows.slice(at, at + perChunk)
    const key = `${dollar ? '$' : '?'}${part.length}`
    let sql = byShape.get(key)
    if (!sql) {
      let n = 0
      const tuples = part.map(() => `(${columns.map(() => (dollar ? `$${++n}` : '?')).join(', ')})`)
      sql = `${head(s)}${tuples.join(', ')}${tail(s)}`
      if (byShape.size >= 50) byShape.clear()
      byShape.set(key, sql)
    }
    const params: unknown[] = []
    for (const row of part) {
      const r = row as Record<string, unknown>
      for (const c of columns) params.push(r[c] ?? null)
    }
    const res = await db.executeQuery(CompiledQuery.raw(sql, params))
    inserted += Number(res.numAffectedRows ?? 0n)
  }
  return inserted
}
