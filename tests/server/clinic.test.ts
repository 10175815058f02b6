// Schema 3 at the station (issue 14, the donor's visit), on both engines: version-1 and version-2
// pushes are still read as they are, version 3 is accepted, a newer one is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../../src/domain/records'
import { ENGINES } from './support/engines'
import { deferral, donation, drive, type Phone, startTestStation, type TestStation } from './support/station'

describe.each(ENGINES)('schema version 3 (%s)', (engine) => {
  let t: TestStation
  let phone: Phone

  beforeAll(async () => {
    t = await startTestStation(engine)
    phone = await t.enroll(await t.createStation('clinic'))
  })
  afterAll(async () => {
    await t?.close()
  })

  it('is the current schema version', () => {
    expect(SCHEMA_VERSION).toBe(3)
  })

  it('reads version-1 and version-2 pushes as they are and accepts version 3', async () => {
    const bus = drive(phone)
    expect((await t.push(phone, [bus], { schemaVersion: 1 })).status).toBe(200)
    const v2 = donation(phone, { driveId: bus.id })
    const res2 = await t.push(phone, [v2, deferral(phone, { reasonCodes: ['cold'] })], { schemaVersion: 2 })
    expect(res2.body.results.map((r) => r.status)).toEqual(['applied', 'applied'])
    const stored = await t.store.db.selectFrom('records').select('body').where('id', '=', v2.id).executeTakeFirst()
    expect(JSON.parse(stored!.body)).toEqual(v2)
    const res3 = await t.push(phone, [donation(phone, { driveId: bus.id })], { schemaVersion: 3 })
    expect(res3.status).toBe(200)
    expect(res3.body.results[0]!.status).toBe('applied')
    const res4 = await t.push(phone, [donation(phone)], { schemaVersion: 4 })
    expect(res4.status).toBe(422)
    expect(res4.body).toMatchObject({ code: 'schema_too_new' })
  })
})
