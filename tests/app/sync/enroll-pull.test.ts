import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { newId } from '../../../src/domain/ids'
import type { FieldDb } from '../../../src/app/db'
import { useDeviceStore } from '../../../src/app/stores/useDeviceStore'
import { enrollmentCodeFrom } from '../../../src/app/sync/enrollment'
import { freshDb, RURAL, SITE, STATION } from '../support/field-fixtures'

let db: FieldDb
beforeEach(() => {
  setActivePinia(createPinia())
  db = freshDb()
})
afterEach(() => vi.unstubAllGlobals())

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('first run', () => {
  it('reads the code from a scanned enrollment URL or takes the text as it is', () => {
    expect(enrollmentCodeFrom('https://station.example/enroll?code=ABCD-1234&station=luoyang')).toBe('ABCD-1234')
    expect(enrollmentCodeFrom(' ABCD-1234 ')).toBe('ABCD-1234')
  })

  it('enrolls with a code, then pulls the reference data into the phone', async () => {
    const deviceId = newId()
    const calls: string[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        calls.push(`${init?.method ?? 'GET'} ${url}`)
        if (url === '/api/v1/devices/enroll') {
          expect(JSON.parse(String(init?.body))).toMatchObject({ code: 'ABCD-1234' })
          return jsonResponse(
            { deviceId, token: 'device-token', stationId: STATION.id, stationCode: STATION.code },
            201,
          )
        }
        expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer device-token')
        return jsonResponse({
          cursor: 'c1',
          reset: false,
          more: false,
          serverTime: '2026-06-14T08:00:00.000Z',
          deviceLastSeq: 0,
          changes: [
            {
              op: 'upsert',
              entity: 'station',
              key: STATION.id,
              value: { ...STATION, donorKeySalt: 'salt-0123456789' },
            },
            { op: 'upsert', entity: 'channel', key: RURAL.id, value: RURAL },
            { op: 'upsert', entity: 'site', key: SITE.id, value: SITE },
            { op: 'upsert', entity: 'site', key: 'bad', value: { name: 'no id' } },
          ],
        })
      }),
    )
    const device = useDeviceStore()
    await device.enroll('ABCD-1234')
    expect(calls).toEqual(['POST /api/v1/devices/enroll', 'GET /api/v1/sync/pull?with=lookback,retention&pending=0'])
    expect(device.info).toMatchObject({ deviceId, stationId: STATION.id, token: 'device-token' })
    expect(device.station?.donorKeySalt).toBe('salt-0123456789')
    expect(device.sites).toEqual([SITE])
    expect(device.lastPullAt).toBe('2026-06-14T08:00:00.000Z')
    expect((await db.syncMeta.get('pullCursor'))?.value).toBe('c1')
  })

  it('shows the server’s refusal and stores nothing', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse({ code: 'invalid_code', message: 'the enrollment code is wrong, used or expired' }, 400),
      ),
    )
    const device = useDeviceStore()
    await expect(device.enroll('WRONG')).rejects.toMatchObject({ code: 'invalid_code', status: 400 })
    expect(await db.device.count()).toBe(0)
    expect(device.enrolled).toBe(false)
  })
})
