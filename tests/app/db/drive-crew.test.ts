// The crew rows on the phone (Dexie version 7): the leader's phone records each block before it
// shows a join code and refuses a block that overlaps one handed out or goes to a phone that has
// one; a joining phone takes the leader's drive record unchanged, queued for the station.
import { beforeEach, describe, expect, it } from 'vitest'
import { newId } from '../../../src/domain/ids'
import type { FieldDb } from '../../../src/app/db'
import { joinDrive, readDriveCrew, recordHandOut } from '../../../src/app/db/drive-crew'
import { freshDb, makeDrive } from '../support/field-fixtures'

const body = (n: number) => `W123426${String(n).padStart(6, '0')}`
const block = (deviceId: string, from: number, to: number) => ({
  deviceId,
  label: 'phone',
  dinFirst: body(from),
  dinLast: body(to),
  bagsLoaded: to - from + 1,
})

describe('crew rows', () => {
  let db: FieldDb
  beforeEach(() => {
    db = freshDb()
  })

  it('records blocks cut one below the other, and refuses an overlapping one or a second for a phone', async () => {
    const [driveId, leader, a, b, c] = [newId(), newId(), newId(), newId(), newId()]
    await recordHandOut(driveId, leader, block(a, 31, 40))
    await recordHandOut(driveId, leader, block(b, 21, 30))
    await expect(recordHandOut(driveId, leader, block(c, 25, 27))).rejects.toThrow('handed out already')
    await expect(recordHandOut(driveId, leader, block(a, 11, 20))).rejects.toThrow('handed out already')
    const row = await readDriveCrew(driveId)
    expect(row).toMatchObject({ role: 'leader', leaderDeviceId: leader })
    expect(row!.handedOut.map((p) => p.dinFirst)).toEqual([body(31), body(21)])
  })

  it("a joining phone keeps the leader's drive as it is, queued for the station, with its own block", async () => {
    const drive = makeDrive(newId(), { dinFirst: body(1), dinLast: body(40), bagsLoaded: 40 })
    const me = newId()
    await joinDrive(drive, block(me, 31, 40), drive.deviceId)
    expect(await db.drives.get(drive.id)).toEqual(drive)
    expect((await db.outbox.toArray()).map((e) => e.record)).toEqual([drive])
    expect(await readDriveCrew(drive.id)).toMatchObject({ role: 'member', own: { dinFirst: body(31) } })
    await expect(joinDrive(drive, block(me, 31, 40), drive.deviceId)).rejects.toThrow('already_here')
  })
})
