// Telling "the database is away" (restart, failover, a dropped or refused connection, a full or
// locked SQLite file) from a fault of the server itself: the first is answered 503 and retried by
// phones, the second is a 500 that someone must look at.

/** PostgreSQL SQLSTATEs that mean the connection or the server went away, not that the query was wrong. */
const PG_UNAVAILABLE = new Set([
  '57P01', // admin_shutdown (also pg_terminate_backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, recovery)
  '53300', // too_many_connections
  '40001', // serialization_failure (a failover can surface as one)
  '25006', // read_only_sql_transaction (connected to a standby after failover)
])

const NODE_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY)/

const MESSAGES = [
  /connection terminated/i,
  /connection (?:error|ended|closed)/i,
  /not queryable/i,
  /timeout exceeded when trying to connect/i,
  /cannot use a pool after calling end/i,
  /terminating connection/i,
  /server closed the connection/i,
  /the database: no answer/i,
  /^timeout expired$/i, // pg: a new connection did not open in time
]

/** True when `err` (or its cause) says the database cannot be reached or used right now. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, hops = 0; e && hops < 5; e = (e as { cause?: unknown }).cause, hops++) {
    if (typeof e !== 'object') return false
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') {
      if (code.startsWith('08') && code.length === 5) return true // connection_exception class
      if (PG_UNAVAILABLE.has(code) || NODE_UNAVAILABLE.has(code) || SQLITE_UNAVAILABLE.test(code)) return true
    }
    const message = (e as { message?: unknown }).message
    if (typeof message === 'string' && MESSAGES.some((m) => m.test(message))) return true
  }
  return false
}
