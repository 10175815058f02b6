import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../support/server'

describe('station server process', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer()
  })
  afterAll(async () => {
    await server.stop(true)
  })

  it('answers /api/v1/health', async () => {
    const res = await fetch(`${server.url}/api/v1/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'ok', schemaVersion: 3 })
  })

  it('answers an unknown API path with a code and a message', async () => {
    const res = await fetch(`${server.url}/api/v1/nope`)
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ code: 'not_found' })
  })
})
