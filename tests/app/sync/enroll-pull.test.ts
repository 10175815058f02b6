import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { newId } from '../../../src/domain/ids'
import type { FieldDb } from '../../../src/app/db'
import { useDeviceStore } from '../../../src/app/stores/useDeviceStore'
import { enrollmentCodeFrom } from '../../../src/app/sync/enrollment'
import { dexieReferenceSink } from '../../../src/app/sync/dexie-ports'
import { exclusiveSync } from '../../../src/app/sync/scheduler'
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

/**
 * Web Locks as the browser has them: one holder per name, the others queued (or turned away with
 * ifAvailable, as a sync round asks). Returns what puts the original back.
 */
function fakeWebLocks(): () => void {
  let holder: Promise<unknown> = Promise.resolve()
  let takenOrAsked = 0
  const locks = {
    request(_name: string, a: unknown, b?: unknown) {
      const ifAvailable = typeof a === 'object' && (a as { ifAvailable?: boolean }).ifAvailable
      const fn = (b ?? a) as (lock: object | null) => Promise<unknown>
      if (ifAvailable && takenOrAsked > 0) return fn(null)
      takenOrAsked++
      const run = holder.then(async () => {
        try {
          return await fn({})
        } finally {
          takenOrAsked--
        }
      })
      holder = run.catch(() => undefined)
      return run
    },
  }
  const saved = Object.getOwnPropertyDescriptor(navigator, 'locks')
  Object.defineProperty(navigator, 'locks', { value: locks, configurable: true })
  return () => {
    if (saved) Object.defineProperty(navigator, 'locks', saved)
    else delete (navigator as { locks?: unknown }).locks
  }
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

  it('opens the lock screen once the staff are in, while the donors’ snapshots keep coming behind it', async () => {
    const deviceId = newId()
    const staff = { id: newId(), stationId: STATION.id, name: '王芳', role: 'collector', pinHash: 'x', active: true }
    const page = (cursor: string, more: boolean, changes: unknown[]) =>
      jsonResponse({ cursor, reset: false, more, serverTime: '2026-06-14T08:00:00.000Z', deviceLastSeq: 0, changes })
    let releaseDonors!: () => void
    const donorsAsked = new Promise<void>((resolve) => (releaseDonors = resolve))
    const donor = (n: number) => ({
      op: 'upsert',
      entity: 'eligibility',
      key: `donor-${n}`,
      value: {
        donorKey: `donor-${n}`,
        lastDonationOn: '2026-05-01',
        lastDonationType: 'whole_blood',
        apheresisLast12Months: 0,
        deferredUntil: null,
        permanentlyDeferred: false,
        hadReaction: false,
        donationCount: n,
      },
    })
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        if (url === '/api/v1/devices/enroll')
          return jsonResponse({ deviceId, token: 't', stationId: STATION.id, stationCode: STATION.code }, 201)
        if (!url.includes('cursor='))
          return page('c1', true, [
            { op: 'upsert', entity: 'station', key: STATION.id, value: STATION },
            { op: 'upsert', entity: 'roster', key: staff.id, value: staff },
          ])
        if (url.includes('cursor=c1')) {
          await donorsAsked
          return page('c2', true, [donor(1), donor(2)])
        }
        return page('c3', false, [
          donor(3),
          { op: 'upsert', entity: 'roster', key: 'late', value: { ...staff, id: newId(), name: '李娜' } },
        ])
      }),
    )
    const device = useDeviceStore()
    await device.enroll('ABCD-1234')
    expect(device.activeRoster.map((s) => s.name)).toEqual(['王芳'])
    expect(await db.eligibility.count()).toBe(0)
    releaseDonors()
    await vi.waitFor(async () => expect(await db.eligibility.count()).toBe(3))
    // The staff that came with the last page are on the lock screen too.
    await vi.waitFor(() => expect(device.activeRoster.map((s) => s.name).sort()).toEqual(['李娜', '王芳']))
    expect((await db.syncMeta.get('pullCursor'))?.value).toBe('c3')
  })

  it('opens the lock screen from the pages a sync round pulls, not after the round', async () => {
    const restore = fakeWebLocks()
    try {
      const deviceId = newId()
      const staff = { id: newId(), stationId: STATION.id, name: '王芳', role: 'collector', pinHash: 'x', active: true }
      const asked: string[] = []
      vi.stubGlobal(
        'fetch',
        vi.fn(async (url: string) => {
          asked.push(url)
          if (url === '/api/v1/devices/enroll')
            return jsonResponse({ deviceId, token: 't', stationId: STATION.id, stationCode: STATION.code }, 201)
          return jsonResponse({
            cursor: 'c9',
            reset: false,
            more: false,
            serverTime: '2026-06-14T08:00:00.000Z',
            deviceLastSeq: 0,
            changes: [],
          })
        }),
      )
      // The round the new enrollment starts: it stores the first page, then is still pulling.
      let endRound!: () => void
      const roundOver = new Promise<void>((resolve) => (endRound = resolve))
      const round = exclusiveSync(async () => {
        await vi.waitFor(async () => expect(await db.device.count()).toBe(1))
        await dexieReferenceSink(db).applyPage({
          cursor: 'c1',
          reset: false,
          more: true,
          serverTime: '2026-06-14T08:00:00.000Z',
          deviceLastSeq: 0,
          changes: [
            { op: 'upsert', entity: 'station', key: STATION.id, value: STATION },
            { op: 'upsert', entity: 'roster', key: staff.id, value: staff },
          ],
        })
        await roundOver
      }, 'tab-a')
      const device = useDeviceStore()
      await device.enroll('ABCD-1234')
      expect(device.activeRoster.map((s) => s.name)).toEqual(['王芳'])
      endRound()
      expect(await round).toBe('ran')
      // The enrollment's own pull goes on from where the round left off.
      await vi.waitFor(() => expect(asked.at(-1)).toContain('cursor=c1'))
    } finally {
      restore()
    }
  })

  it('waits for a sync round that holds the lock instead of pulling the same pages beside it', async () => {
    const restore = fakeWebLocks()
    try {
      await db.device.put({
        key: 'device',
        deviceId: newId(),
        stationId: STATION.id,
        stationCode: STATION.code,
        token: 'device-token',
        enrolledAt: '2026-06-14T08:00:00.000Z',
      })
      const pulls: string[] = []
      vi.stubGlobal(
        'fetch',
        vi.fn(async (url: string) => {
          pulls.push(url)
          return jsonResponse({
            cursor: 'c1',
            reset: false,
            more: false,
            serverTime: '2026-06-14T08:00:00.000Z',
            deviceLastSeq: 0,
            changes: [{ op: 'upsert', entity: 'site', key: SITE.id, value: SITE }],
          })
        }),
      )
      let endRound!: () => void
      const round = exclusiveSync(() => new Promise<void>((resolve) => (endRound = resolve)), 'tab-a')
      const refresh = useDeviceStore().refreshReference()
      await new Promise((r) => setTimeout(r, 20))
      expect(pulls).toEqual([])
      endRound()
      expect(await round).toBe('ran')
      await refresh
      expect(pulls).toHaveLength(1)
      // While the refresh holds the lock, a round is turned away (and looks again later).
      let release!: () => void
      const slow = exclusiveSync(() => new Promise<void>((resolve) => (release = resolve)), 'tab-a')
      expect(await exclusiveSync(async () => undefined, 'tab-b')).toBe('busy')
      release()
      await slow
    } finally {
      restore()
    }
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

  it('stays enrolled when the network drops after the station took the code: no error, the lock screen asks for the staff list', async () => {
    const deviceId = newId()
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        if (url === '/api/v1/devices/enroll')
          return jsonResponse({ deviceId, token: 't', stationId: STATION.id, stationCode: STATION.code }, 201)
        throw new TypeError('Failed to fetch')
      }),
    )
    const device = useDeviceStore()
    await device.enroll('ABCD-1234')
    expect(device.enrolled).toBe(true)
    expect(device.info).toMatchObject({ deviceId, stationId: STATION.id })
    expect(device.activeRoster).toEqual([])
    expect(await db.device.count()).toBe(1)
  })

  it('sends the same attempt id when it tries a code again, so a lost answer gets its enrollment back', async () => {
    const deviceId = newId()
    const sent: Array<{ code: string; attemptId: string }> = []
    let lose = true
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (url === '/api/v1/devices/enroll') {
          sent.push(JSON.parse(String(init?.body)) as { code: string; attemptId: string })
          // The station spends the code, and its answer is lost on the way back.
          if (lose) {
            lose = false
            throw new TypeError('Failed to fetch')
          }
          return jsonResponse({ deviceId, token: 't', stationId: STATION.id, stationCode: STATION.code }, 201)
        }
        throw new TypeError('Failed to fetch')
      }),
    )
    const device = useDeviceStore()
    await expect(device.enroll('ABCD-1234')).rejects.toBeTruthy()
    expect(device.enrolled).toBe(false)
    await device.enroll('ABCD-1234')
    expect(device.info).toMatchObject({ deviceId })
    await expect(device.enroll('WXYZ-5678')).resolves.toBeUndefined()
    expect(sent).toHaveLength(3)
    expect(sent[0]!.attemptId).toMatch(/^[0-9a-f-]{36}$/)
    expect(sent[1]!.attemptId).toBe(sent[0]!.attemptId)
    expect(sent[2]!.attemptId).not.toBe(sent[0]!.attemptId)
  })
})
