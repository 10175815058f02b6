// The crew's QR codes (issue 14): deflated and base64url so a full drive record fits a QR code a
// phone reads off a screen, read back only as the kind expected, never half-read.
import { encode } from 'uqr'
import { describe, expect, it } from 'vitest'
import { decodeCrewCode, encodeCrewCode } from '../../../src/app/field/crew-code'
import type { Drive } from '../../../src/domain/records'

const id = (n: number) => `0190e1c2-${String(n).padStart(4, '0')}-7000-8000-${String(n).padStart(12, '0')}`
const drive: Drive = {
  type: 'drive',
  id: id(1),
  stationId: id(2),
  deviceId: id(3),
  authorStaffId: id(4),
  createdAt: '2026-03-02T07:30:00.000+08:00',
  busCode: '豫C-A0001',
  siteId: id(5),
  channelId: id(6),
  teamIds: [id(7)],
  date: '2026-03-02',
  staffIds: [id(4), id(8), id(9), id(10), id(11), id(12)],
  leaderStaffId: id(4),
  dinFirst: 'W123426000001',
  dinLast: 'W123426000400',
  bagsLoaded: 400,
  rangeOverlap: { driveIds: [id(13)], confirmedBy: id(4) },
}

describe('crew codes', () => {
  it('carries a whole drive record and a block in well under 1,000 characters, and reads it back as it was', async () => {
    const part = {
      deviceId: id(14),
      label: '李敏',
      dinFirst: 'W123426000201',
      dinLast: 'W123426000400',
      bagsLoaded: 200,
    }
    const text = await encodeCrewCode('join', { drive, part, leaderDeviceId: id(3) })
    expect(text).toMatch(/^BB1\.join\.[A-Za-z0-9_-]+$/)
    expect(text.length).toBeLessThan(1000)
    expect(text.length).toBeLessThan(JSON.stringify({ drive, part }).length)
    expect(() => encode(text, { ecc: 'L' })).not.toThrow()
    expect(await decodeCrewCode(text, 'join')).toEqual({ ok: true, value: { drive, part, leaderDeviceId: id(3) } })
  })

  it('refuses a code of another kind, a foreign code and a damaged one', async () => {
    const donor = await encodeCrewCode('donor', {
      driveId: id(1),
      registrationId: id(20),
      idNumber: '11010519491231002X',
      name: '王芳',
      phone: '',
      household: 'rural',
    })
    expect(await decodeCrewCode(donor, 'join')).toEqual({ ok: false, problem: 'wrong_kind' })
    expect(await decodeCrewCode('https://example.com/x', 'donor')).toEqual({ ok: false, problem: 'not_crew_code' })
    expect(await decodeCrewCode(donor.slice(0, -8), 'donor')).toEqual({ ok: false, problem: 'unreadable' })
    expect((await decodeCrewCode(donor, 'donor')).ok).toBe(true)
  })
})
