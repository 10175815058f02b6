// Which failures are "the database is away" (503, retried by phones) and which are the server's
// own fault (500): a wrong query or a broken constraint must never hide behind a 503.
import { describe, expect, it } from 'vitest'
import { isDatabaseUnavailable } from '../../src/server/db/unavailable'

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code })

describe('isDatabaseUnavailable', () => {
  it.each([
    ['pg_terminate_backend', withCode('57P01', 'terminating connection due to administrator command')],
    ['server shutting down', withCode('57P03', 'the database system is shutting down')],
    ['connection exception class', withCode('08006')],
    ['refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['reset', withCode('ECONNRESET')],
    ['dropped mid-query', new Error('Connection terminated unexpectedly')],
    [
      'a client after its connection broke',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    ['no connection in time', new Error('timeout expired')],
    ['pool wait', new Error('timeout exceeded when trying to connect')],
    ['SQLite locked', withCode('SQLITE_BUSY')],
    ['SQLite disk full', withCode('SQLITE_FULL')],
    ['wrapped', Object.assign(new Error('outer'), { cause: withCode('57P01') })],
  ])('%s → unavailable', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true)
  })

  it.each([
    ['syntax error', withCode('42601', 'syntax error at or near "selec"')],
    ['unique violation', withCode('23505', 'duplicate key value violates unique constraint')],
    ['integer out of range', withCode('22003', 'value "99999999999999999999" is out of range for type integer')],
    ['SQLite constraint', withCode('SQLITE_CONSTRAINT_UNIQUE')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error', 'oops'],
    ['nothing', null],
  ])('%s → a fault of the server', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false)
  })
})
