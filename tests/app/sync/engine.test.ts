// The sync engine against a scripted transport, one test per way peers lost data
// (docs/domain.md, "Never lose a record").
import { describe, expect, it } from 'vitest'
import { newId } from '../../../src/domain/ids'
import { SCHEMA_VERSION } from '../../../src/domain/records'
import { createSyncEngine, type SyncEngineOptions } from '../../../src/app/sync/engine'
import { MemoryPhoneStore } from '../support/memory-ports'
import type { Clock } from '../../../src/app/sync/ports'
import { FakeStation, type Fault, ScriptedTransport } from '../support/fake-station'

const DEVICE = newId()

function setup(
  opts: {
    script?: Fault[]
    clock?: Clock
    engine?: SyncEngineOptions
    store?: MemoryPhoneStore
    station?: FakeStation
  } = {},
) {
  const store = opts.store ?? new MemoryPhoneStore()
  const station = opts.station ?? new FakeStation()
  const transport = new ScriptedTransport(station, opts.script ?? [], [], DEVICE)
  const engine = createSyncEngine(
    {
      outbox: store.outboxPort(),
      reference: store.referenceSink(),
      meta: store.metaPort(),
      transport,
      clock: opts.clock ?? { now: () => new Date() },
      deviceId: () => DEVICE,
    },
    opts.engine,
  )
  return { store, station, transport, engine }
}

function donation(over: Record<string, unknown> = {}) {
  return { id: newId(), type: 'donation', donorKey: newId().replace(/-/g, ''), din: 'W123423000001', ...over }
}

function saveMany(store: MemoryPhoneStore, n: number, over: Record<string, unknown> = {}) {
  return Array.from({ length: n }, () => store.save(donation(over)))
}

/** Every record saved on the phone is on the station exactly once. */
function expectExactlyOnce(store: MemoryPhoneStore, station: FakeStation) {
  const ids = [...store.records.keys()]
  expect(new Set(station.arrivals).size).toBe(station.arrivals.length)
  for (const id of ids) {
    const row = store.records.get(id)!
    if (row.state === 'rejected') continue
    expect(station.rows.has(id), `record ${id} on the station`).toBe(true)
    expect(row.state).toBe('confirmed')
  }
}

describe('records deleted after a failed send', () => {
  it.each<Fault>(['offline', 'server-error', 'rate-limited', 'lost-reply', 'timeout-after'])(
    'keeps every entry after %s, counts the attempt and the error, then confirms on the next round',
    async (fault) => {
      const { store, station, engine } = setup({ script: [fault] })
      const saved = saveMany(store, 5)
      const failed = await engine.sync()
      expect(failed.ok).toBe(false)
      expect(failed.error?.transient).toBe(true)
      expect(store.pendingEntries().map((e) => e.seq)).toEqual(saved.map((e) => e.seq))
      for (const e of store.pendingEntries()) {
        expect(e.attempts).toBe(1)
        expect(e.lastError).toBeTruthy()
      }
      const again = await engine.sync()
      expect(again.ok).toBe(true)
      expect(store.outbox.size).toBe(0)
      expectExactlyOnce(store, station)
      expect(station.rows.size).toBe(5)
    },
  )

  it('keeps the outbox intact on 401 and says the device needs a token', async () => {
    const { store, engine } = setup({ script: ['unauthorized'] })
    saveMany(store, 3)
    const report = await engine.sync()
    expect(report.error?.kind).toBe('unauthorized')
    expect(report.error?.transient).toBe(false)
    expect(store.pendingEntries()).toHaveLength(3)
    expect(report.pull).toBeNull()
  })

  it('sends nothing and keeps everything while the phone is not enrolled', async () => {
    const store = new MemoryPhoneStore()
    const station = new FakeStation()
    const transport = new ScriptedTransport(station)
    const engine = createSyncEngine({
      outbox: store.outboxPort(),
      reference: store.referenceSink(),
      meta: store.metaPort(),
      transport,
      clock: { now: () => new Date() },
      deviceId: () => null,
    })
    saveMany(store, 2)
    const report = await engine.sync()
    expect(report.error?.kind).toBe('unauthorized')
    expect(transport.sent).toHaveLength(0)
    expect(store.pendingEntries()).toHaveLength(2)
  })
})

describe('duplicates from re-sending', () => {
  it('a reply lost after the station committed is answered as duplicate on resend: one station row each', async () => {
    const { store, station, engine, transport } = setup({ script: ['lost-reply', 'timeout-after'] })
    saveMany(store, 4)
    await engine.sync()
    await engine.sync()
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(transport.sent).toHaveLength(3)
    expect(station.rows.size).toBe(4)
    expect(station.arrivals).toHaveLength(4)
    expectExactlyOnce(store, station)
  })

  it('a request delivered twice stores each record once and the duplicate reply still confirms', async () => {
    const { store, station, engine } = setup({ script: ['twice'] })
    saveMany(store, 3)
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(report.push.confirmed).toBe(3)
    expect(station.arrivals).toHaveLength(3)
    expect([...store.records.values()].every((r) => r.receipt?.status === 'duplicate')).toBe(true)
  })

  it('a stale reply (for an earlier request) settles nothing it does not name; the records go again', async () => {
    const { store, station, engine } = setup({ script: ['ok', 'stale-reply'] })
    const first = saveMany(store, 2)
    await engine.sync()
    const second = saveMany(store, 2)
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(first.every((e) => store.records.get(e.recordId)!.state === 'confirmed')).toBe(true)
    expect(second.every((e) => store.records.get(e.recordId)!.receipt?.status === 'duplicate')).toBe(true)
    expect(station.arrivals).toHaveLength(4)
  })

  it('the next batch, read while one is on its way, is used only when that one settled whole', async () => {
    const station = new FakeStation()
    station.oldAnswers = true
    const { store, engine, transport } = setup({ station, engine: { batchSize: 4, initialBatchSize: 4 } })
    saveMany(store, 10)
    const push = transport.push.bind(transport)
    let later: ReturnType<typeof saveMany> = []
    transport.push = async (req) => {
      // Records saved while the first batch is on its way go in a later batch, in order.
      if (later.length === 0) later = saveMany(store, 3)
      const answer = await push(req)
      // The second batch's reply leaves its last two records unanswered.
      if (transport.sent.length === 2 && 'results' in answer) return { ...answer, results: answer.results.slice(0, 2) }
      return answer
    }
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(store.outbox.size).toBe(0)
    const sent = transport.sent.map((r) => r.mutations.map((m) => m.seq))
    // What the reply left unanswered goes again before anything after it.
    expect(sent.slice(0, 3)).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [7, 8, 9, 10],
    ])
    expect([...new Set(sent.flat())]).toEqual(Array.from({ length: 13 }, (_, i) => i + 1))
    expect(later.map((e) => e.seq)).toEqual([11, 12, 13])
    expectExactlyOnce(store, station)
  })

  it('never confirms an entry whose reply names another mutation id', async () => {
    const { store, engine, transport } = setup()
    const [entry] = saveMany(store, 1)
    transport.push = async (req) => ({
      lastSeq: 1,
      results: [
        {
          status: 'applied',
          seq: req.mutations[0]!.seq,
          mutationId: newId(),
          recordId: entry!.recordId,
          receivedAt: '2023-06-14T12:00:00.000Z',
        },
      ],
    })
    const report = await engine.sync()
    expect(report.ok).toBe(false)
    expect(report.error?.kind).toBe('bad_response')
    expect(store.pendingEntries()).toHaveLength(1)
  })
})

describe('one bad record blocking the queue', () => {
  it('a rejected record waits in needs attention with the code and message; the rest are confirmed', async () => {
    const { store, station, engine } = setup({ engine: { batchSize: 3 } })
    const saved = saveMany(store, 7)
    station.refuse.set(saved[1]!.recordId, {
      code: 'duplicate_din',
      message: 'bag W123423000001 is already used by another donation',
    })
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(report.push).toMatchObject({ confirmed: 6, rejected: 1, remaining: false })
    expect(store.rejectedEntries()).toEqual([
      expect.objectContaining({
        seq: saved[1]!.seq,
        status: 'rejected',
        rejectCode: 'duplicate_din',
        lastError: 'bag W123423000001 is already used by another donation',
      }),
    ])
    expect(station.rows.size).toBe(6)
    // later records are not held back by it
    saveMany(store, 2)
    expect((await engine.sync()).push.confirmed).toBe(2)
    expect(store.rejectedEntries()).toHaveLength(1)
  })

  it('a record the station refuses as a whole request (400) is found by splitting and set aside', async () => {
    const { store, station, engine, transport } = setup({ engine: { batchSize: 8 } })
    const saved = saveMany(store, 8)
    const poison = saved[5]!.recordId
    const real = transport.push.bind(transport)
    transport.push = async (req) => {
      if (req.mutations.some((m) => (m.record as { id: string }).id === poison)) {
        transport.sent.push(req)
        throw new (await import('../../../src/app/net/errors')).RequestError('request_refused', 'mutations: invalid', {
          status: 400,
          code: 'invalid_request',
        })
      }
      return real(req)
    }
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(station.rows.size).toBe(7)
    expect(store.rejectedEntries().map((e) => e.recordId)).toEqual([poison])
    expect(store.rejectedEntries()[0]!.lastError).toBe('mutations: invalid')
  })
})

describe('offline edits arriving out of order', () => {
  it('a donation, its void and a correction reach the station in the order they were made, whatever fails', async () => {
    const { store, station, engine } = setup({
      script: ['ok', 'lost-reply', 'stale-reply', 'offline', 'twice', 'timeout-after', 'ok'],
      engine: { batchSize: 2 },
    })
    const order: string[] = []
    for (let i = 0; i < 4; i++) {
      const d = store.save(donation())
      const corr = store.save({
        id: newId(),
        type: 'correction',
        targetId: d.recordId,
        replacement: { ...(d.record as object), din: 'W123423000002' },
      })
      const vd = store.save({ id: newId(), type: 'void', targetId: corr.recordId })
      order.push(d.recordId, corr.recordId, vd.recordId)
    }
    for (let round = 0; round < 10 && store.outbox.size > 0; round++) await engine.sync()
    expect(store.outbox.size).toBe(0)
    expect(station.arrivals).toEqual(order)
  })
})

describe('an app update stranding queued records', () => {
  it('a station older than the app keeps the records waiting (not rejected) until it is upgraded', async () => {
    const store = new MemoryPhoneStore()
    const station = new FakeStation()
    const { engine } = setup({ store, station, engine: { schemaVersion: SCHEMA_VERSION + 1 } })
    saveMany(store, 3)
    const report = await engine.sync()
    expect(report.error?.kind).toBe('schema_mismatch')
    expect(store.pendingEntries()).toHaveLength(3)
    expect(store.rejectedEntries()).toHaveLength(0)
    expect(store.pendingEntries()[0]!.lastError).toMatch(/older/)
    station.maxSchemaVersion = SCHEMA_VERSION + 1
    expect((await engine.sync()).ok).toBe(true)
    expect(station.rows.size).toBe(3)
  })

  it('a reloaded app (new engine over the same storage) picks up the queue where the old one stopped', async () => {
    const store = new MemoryPhoneStore()
    const station = new FakeStation()
    const old = setup({ store, station, script: ['timeout-after'] })
    saveMany(store, 5)
    await old.engine.sync()
    const fresh = setup({ store, station })
    expect((await fresh.engine.sync()).ok).toBe(true)
    expect(station.arrivals).toHaveLength(5)
    expectExactlyOnce(store, station)
  })
})

describe('clock skew in watermarks', () => {
  it.each([-1, 1])('a phone clock %i day off still gets every station change, by cursor alone', async (days) => {
    const skewed: Clock = { now: () => new Date(Date.now() + days * 86_400_000) }
    const { store, station, engine, transport } = setup({ clock: skewed })
    const site = (n: number) => ({ op: 'upsert' as const, entity: 'site' as const, key: `s${n}`, value: { n } })
    station.changes.push(site(1), site(2), site(3))
    saveMany(store, 2)
    const first = await engine.sync()
    expect(first.pull).toMatchObject({ pages: 2, complete: true })
    station.changes.push(site(4))
    await engine.sync()
    expect([...store.reference.keys()].sort()).toEqual(['site:s1', 'site:s2', 'site:s3', 'site:s4'])
    // the only thing the phone sends to pull is the station's own cursor
    expect(transport.pulls).toEqual([null, '2', '3'])
    expect(station.rows.size).toBe(2)
    const meta = await store.metaPort().get()
    expect(
      Math.abs(meta.serverClockOffsetMs! + days * 86_400_000 - (station.clock().getTime() - Date.now())),
    ).toBeLessThan(5_000)
  })

  it('a reset cursor drops reference data but keeps a donor row with a pending donation, merged cautiously', async () => {
    const { store, station, engine } = setup({ script: ['offline'] })
    const key = 'a'.repeat(32)
    const local = {
      donorKey: key,
      lastDonationOn: '2023-06-14',
      lastDonationType: 'whole_blood',
      apheresisLast12Months: 0,
      deferredUntil: null,
      permanentlyDeferred: false,
      hadReaction: false,
      donationCount: 3,
    }
    store.reference.set(`eligibility:${key}`, local)
    store.reference.set('site:old', { gone: true })
    store.cursor = '999'
    store.save(donation({ donorKey: key }))
    station.changes.push({
      op: 'upsert',
      entity: 'eligibility',
      key,
      value: { ...local, lastDonationOn: '2023-01-02', donationCount: 2 },
    })
    // the push fails, so the pull comes later in a round where the donation is still pending
    await engine.sync()
    await store.referenceSink().applyPage(station.pull(DEVICE, store.cursor))
    expect(store.reference.has('site:old')).toBe(false)
    expect(store.reference.get(`eligibility:${key}`)).toMatchObject({ lastDonationOn: '2023-06-14', donationCount: 3 })
  })
})

describe('storage wiped', () => {
  it('after a wipe the phone says so, renumbers after the station and loses and doubles nothing', async () => {
    const { store, station, engine } = setup()
    saveMany(store, 6)
    expect((await engine.sync()).ok).toBe(true)
    store.wipe()
    const after = saveMany(store, 3)
    expect(after[0]!.seq).toBe(1)
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(report.storageWipe).toMatchObject({ serverLastSeq: 6, localLastSeq: 3 })
    expect(report.push.renumbered).toBe(3)
    expect(station.rows.size).toBe(9)
    expect(station.lastSeq.get(DEVICE)).toBe(9)
    expect((await store.metaPort().get()).storageWipe).toMatchObject({ serverLastSeq: 6 })
  })

  it('a wiped phone with nothing pending learns it from the pull and numbers new records after the station', async () => {
    const { store, station, engine } = setup()
    saveMany(store, 4)
    await engine.sync()
    store.wipe()
    const report = await engine.sync()
    expect(report.storageWipe).toMatchObject({ serverLastSeq: 4, localLastSeq: 0 })
    const next = store.save(donation())
    expect(next.seq).toBe(5)
    expect((await engine.sync()).ok).toBe(true)
    expect(station.rows.size).toBe(5)
  })

  it('a station restored from a backup (behind the phone) is reported and the pending records still arrive', async () => {
    const { store, station, engine } = setup()
    saveMany(store, 5)
    await engine.sync()
    station.lastSeq.set(DEVICE, 2)
    saveMany(store, 2)
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(report.stationBehind).toMatchObject({ serverLastSeq: 2 })
    expect(station.rows.size).toBe(7)
  })

  it('a harmless hole in the numbering (an aborted save) is closed without alarm', async () => {
    const { store, station, engine } = setup()
    saveMany(store, 2)
    await engine.sync()
    const [a] = saveMany(store, 2)
    store.outbox.delete(a!.seq)
    store.records.delete(a!.recordId)
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(report.stationBehind).toBeNull()
    expect(report.storageWipe).toBeNull()
    expect(station.rows.size).toBe(3)
  })
})

describe('batches', () => {
  it('drains a long outbox in seq order in batches no larger than the limit, across rounds', async () => {
    const { store, station, engine, transport } = setup({ engine: { batchSize: 50, maxBatchesPerRound: 3 } })
    const saved = saveMany(store, 400)
    const first = await engine.sync()
    expect(first.push).toMatchObject({ batches: 3, remaining: true })
    expect(first.ok).toBe(false)
    while (store.outbox.size > 0) await engine.sync()
    expect(transport.sent.every((r) => r.mutations.length <= 50)).toBe(true)
    expect(transport.sent.flatMap((r) => r.mutations.map((m) => m.seq))).toEqual(saved.map((e) => e.seq))
    expect(station.arrivals).toEqual(saved.map((e) => e.recordId))
  })
})

describe('answers that are not the station’s', () => {
  it('a captive portal’s HTML 400s and a proxy’s 401 set nothing aside and block nothing; all go once the station is back', async () => {
    const portal: Fault[] = ['portal-400', 'portal-400', 'portal-400', 'portal-400', 'portal-400', 'portal-400']
    const { store, station, engine } = setup({ script: [...portal, 'proxy-401'], engine: { batchSize: 8 } })
    const drive = store.save({ id: newId(), type: 'drive' })
    saveMany(store, 20, { driveId: drive.recordId })
    for (let i = 0; i < 7; i++) {
      const report = await engine.sync()
      expect(report.error?.kind).toBe('not_station')
      expect(report.error?.transient).toBe(true)
      expect(report.push.rejected).toBe(0)
    }
    expect(store.rejectedEntries()).toHaveLength(0)
    expect(store.pendingEntries()).toHaveLength(21)
    const back = await engine.sync()
    expect(back.ok).toBe(true)
    expect(store.outbox.size).toBe(0)
    expect(station.rows.size).toBe(21)
    expectExactlyOnce(store, station)
  })

  it('the station’s answer to another request is ignored: nothing settled from it, no renumbering, the records go again', async () => {
    const { store, station, engine } = setup({ script: ['misrouted'] })
    saveMany(store, 3)
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(report.push.renumbered).toBe(0)
    expect([...store.records.values()].every((r) => r.receipt?.status === 'duplicate')).toBe(true)
    expect(station.arrivals).toHaveLength(3)
  })

  it('another device’s answer (a high lastSeq) raises no wiped-storage alarm and renumbers nothing', async () => {
    const { store, station, engine } = setup({ script: ['foreign-reply', 'foreign-reply'] })
    const saved = saveMany(store, 3)
    const report = await engine.sync()
    expect(report.storageWipe).toBeNull()
    expect(report.push.renumbered).toBe(0)
    expect(store.meta.storageWipe).toBeNull()
    expect(store.outbox.size).toBe(0)
    expect(station.rows.size).toBe(3)
    expect(station.rows.get(saved[0]!.recordId)!.seq).toBe(saved[0]!.seq)
  })

  it('still reads the old per-item answer of an older station', async () => {
    const station = new FakeStation()
    station.oldAnswers = true
    const { store, engine, transport } = setup({ station })
    saveMany(store, 4)
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(report.push.confirmed).toBe(4)
    expect(transport.sent[0]!.batchId).toBeTruthy()
    expectExactlyOnce(store, station)
  })
})

describe('holes in the numbering', () => {
  it('after a hole (an entry voided on the phone) ten more pushes meet no 409 at all', async () => {
    const { store, station, engine } = setup()
    saveMany(store, 2)
    await engine.sync()
    const [gone] = saveMany(store, 1)
    store.outbox.delete(gone!.seq)
    store.records.delete(gone!.recordId)
    for (let i = 0; i < 10; i++) {
      saveMany(store, 1 + (i % 3))
      const report = await engine.sync()
      expect(report.ok).toBe(true)
      expect(report.push.renumbered).toBe(0)
    }
    expect(station.conflicts).toBe(0)
    expect(store.outbox.size).toBe(0)
    expectExactlyOnce(store, station)
  })

  it('a record set aside after the station refused its request as a whole leaves a hole that needs no 409 and raises no alarm', async () => {
    const { store, station, engine, transport } = setup({ engine: { batchSize: 4 } })
    const [poisoned] = saveMany(store, 1)
    const real = transport.push.bind(transport)
    transport.push = async (req) => {
      if (req.mutations.some((m) => m.seq === poisoned!.seq)) {
        transport.sent.push(req)
        throw new (await import('../../../src/app/net/errors')).RequestError('request_refused', 'invalid_json', {
          status: 400,
          code: 'invalid_json',
        })
      }
      return real(req)
    }
    await engine.sync()
    expect(store.rejectedEntries()).toHaveLength(1)
    for (let i = 0; i < 10; i++) {
      saveMany(store, 2)
      const report = await engine.sync()
      expect(report.ok).toBe(true)
      expect(report.stationBehind).toBeNull()
      expect(report.push.renumbered).toBe(0)
    }
    expect(station.conflicts).toBe(0)
    expect(station.rows.size).toBe(20)
  })
})

describe('batches that fit the timeout', () => {
  it('sizes batches by how fast the station answers, so no push the station committed outlives the timeout', async () => {
    const TIMEOUT = 20_000
    let now = 0
    let perRecordMs = 10
    const station = new FakeStation()
    const store = new MemoryPhoneStore()
    const sizes: number[] = []
    let timeouts = 0
    const transport = new ScriptedTransport(station, [], [], DEVICE)
    const real = transport.push.bind(transport)
    transport.push = async (req) => {
      sizes.push(req.mutations.length)
      const took = req.mutations.length * perRecordMs
      const answer = await real(req) // the station commits whatever happens next
      if (took > TIMEOUT) {
        now += TIMEOUT
        timeouts++
        throw new (await import('../../../src/app/net/errors')).RequestError('timeout', 'no answer within 20 s')
      }
      now += took
      return answer
    }
    const engine = createSyncEngine({
      outbox: store.outboxPort(),
      reference: store.referenceSink(),
      meta: store.metaPort(),
      transport,
      clock: { now: () => new Date() },
      deviceId: () => DEVICE,
      monotonic: () => now,
    })
    saveMany(store, 1500)
    await engine.sync()
    // The station slows down eightfold (200 phones arrive at once).
    perRecordMs = 80
    saveMany(store, 1500)
    while (store.outbox.size > 0) await engine.sync()
    expect(timeouts).toBe(0)
    expect(Math.max(...sizes)).toBeGreaterThan(100) // it grew while answers were quick
    expect(station.arrivals).toHaveLength(3000)
    expectExactlyOnce(store, station)
  })
})

describe('receipts written while the next batch is on its way', () => {
  function pipelined(settleHook: (call: number) => Promise<void>) {
    const store = new MemoryPhoneStore()
    const station = new FakeStation()
    const transport = new ScriptedTransport(station, [], [], DEVICE)
    const events: string[] = []
    const port = store.outboxPort()
    let settles = 0
    const outbox = {
      ...port,
      settle: async (...args: Parameters<typeof port.settle>) => {
        const call = ++settles
        events.push(`settle ${call} starts`)
        await settleHook(call)
        const summary = await port.settle(...args)
        events.push(`settle ${call} done`)
        return summary
      },
    }
    const push = transport.push.bind(transport)
    transport.push = async (req) => {
      events.push(`push ${transport.sent.length + 1}`)
      return push(req)
    }
    const engine = createSyncEngine(
      {
        outbox,
        reference: store.referenceSink(),
        meta: store.metaPort(),
        transport,
        clock: { now: () => new Date() },
        deviceId: () => DEVICE,
      },
      { batchSize: 4, initialBatchSize: 4 },
    )
    return { store, station, transport, engine, events }
  }

  it('sends the next batch before the receipts of the one before are stored, and confirms all exactly once', async () => {
    let release: () => void = () => {}
    const held = new Promise<void>((r) => (release = r))
    const { store, station, engine, events, transport } = pipelined(async (call) => {
      if (call === 1) await held
    })
    saveMany(store, 10)
    const round = engine.sync()
    // The first batch's receipts wait until the second batch is on its way.
    while (transport.sent.length < 2) await new Promise((r) => setTimeout(r, 0))
    expect(events).toContain('settle 1 starts')
    expect(events).not.toContain('settle 1 done')
    release()
    const report = await round
    expect(report.ok).toBe(true)
    expect(report.push.confirmed).toBe(10)
    expect(transport.sent.map((r) => r.afterSeq)).toEqual([0, 4, 8])
    expect(store.outbox.size).toBe(0)
    expectExactlyOnce(store, station)
  })

  it('receipts that fail after the next batch left end the round; both batches stay pending and go again as duplicates', async () => {
    const { store, station, engine, transport } = pipelined(async (call) => {
      if (call === 1) throw new Error('quota exceeded')
    })
    const saved = saveMany(store, 10)
    const failed = await engine.sync()
    expect(failed.ok).toBe(false)
    expect(transport.sent.length).toBeGreaterThanOrEqual(2)
    // Nothing left the outbox without its receipt.
    expect(store.pendingEntries().map((e) => e.seq)).toEqual(
      saved.map((e) => e.seq).filter((seq) => store.outbox.has(seq)),
    )
    expect(
      store
        .pendingEntries()
        .slice(0, 8)
        .map((e) => e.seq),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    const again = await engine.sync()
    expect(again.ok).toBe(true)
    expect(store.outbox.size).toBe(0)
    expectExactlyOnce(store, station)
    expect(station.rows.size).toBe(10)
  })
})

describe('the next batch encoded while one is on its way', () => {
  const seqsOf = (req: { mutations: Array<{ seq: number }> }) => req.mutations.map((m) => m.seq)

  it('goes as encoded ahead after a batch settled whole, each following the one before', async () => {
    const { store, station, engine, transport } = setup({ engine: { batchSize: 4, initialBatchSize: 4 } })
    saveMany(store, 12)
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(transport.sent.map(seqsOf)).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
    ])
    expect(transport.sent.map((r) => r.afterSeq)).toEqual([0, 4, 8])
    // The first batch is encoded as it is sent; the others were encoded while the one before was out.
    expect(transport.fromEncoded).toEqual([false, true, true])
    expectExactlyOnce(store, station)
  })

  it('is encoded at the doubled size while answers come quickly, so batches grow as fast as without it', async () => {
    const { store, station, engine, transport } = setup({ engine: { batchSize: 8, initialBatchSize: 2 } })
    saveMany(store, 14)
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(transport.sent.map((r) => r.mutations.length)).toEqual([2, 4, 8])
    expect(transport.fromEncoded).toEqual([false, true, true])
    expectExactlyOnce(store, station)
  })

  it('records saved or fixed after it was encoded go in a later batch; it goes unchanged', async () => {
    const { store, station, engine, transport } = setup({ engine: { batchSize: 4, initialBatchSize: 4 } })
    saveMany(store, 6)
    const push = transport.push.bind(transport)
    let later: ReturnType<typeof saveMany> = []
    transport.push = async (req, encoded) => {
      // While the first batch is out (the second, seqs 5-6, already encoded), the crew saves more.
      if (transport.sent.length === 0) {
        await new Promise((r) => setTimeout(r, 0))
        expect(transport.encoded.map(seqsOf)).toEqual([[5, 6]])
        later = saveMany(store, 3)
      }
      return push(req, encoded)
    }
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(transport.sent.map(seqsOf)).toEqual([
      [1, 2, 3, 4],
      [5, 6],
      [7, 8, 9],
    ])
    expect(transport.fromEncoded.slice(0, 2)).toEqual([false, true])
    expect(later.map((e) => e.seq)).toEqual([7, 8, 9])
    expect(store.outbox.size).toBe(0)
    expectExactlyOnce(store, station)
  })

  it('still goes after records of the batch before were refused one by one (they are answered)', async () => {
    const { store, station, engine, transport } = setup({ engine: { batchSize: 4, initialBatchSize: 4 } })
    const saved = saveMany(store, 8)
    station.refuse.set(saved[2]!.recordId, { code: 'duplicate_din', message: 'bag already used' })
    const report = await engine.sync()
    expect(report.push).toMatchObject({ confirmed: 7, rejected: 1, remaining: false })
    expect(transport.fromEncoded).toEqual([false, true])
    expect(store.rejectedEntries().map((e) => e.seq)).toEqual([3])
    expectExactlyOnce(store, station)
  })

  it('is dropped when the answer left entries pending: they go again first, in a request made afresh', async () => {
    const station = new FakeStation()
    station.oldAnswers = true
    const { store, engine, transport } = setup({ station, engine: { batchSize: 4, initialBatchSize: 4 } })
    saveMany(store, 10)
    const push = transport.push.bind(transport)
    transport.push = async (req, encoded) => {
      const answer = await push(req, encoded)
      if (transport.sent.length === 1 && 'results' in answer) return { ...answer, results: answer.results.slice(0, 2) }
      return answer
    }
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(transport.encoded.map(seqsOf)[0]).toEqual([5, 6, 7, 8])
    expect(transport.sent.map(seqsOf)[1]).toEqual([3, 4, 5, 6])
    expect(transport.fromEncoded[1]).toBe(false)
    expect(store.outbox.size).toBe(0)
    expectExactlyOnce(store, station)
  })

  it('is dropped when the station refuses the batch before as a whole: the batch is split, not skipped', async () => {
    const { store, station, engine, transport } = setup({
      script: ['bad-request'],
      engine: { batchSize: 4, initialBatchSize: 4 },
    })
    saveMany(store, 8)
    const report = await engine.sync()
    expect(transport.encoded.map(seqsOf)[0]).toEqual([5, 6, 7, 8])
    // After the 400 the same records go again, half as many, made afresh; none of 5-8 jumps ahead.
    expect(transport.sent.map(seqsOf)[1]).toEqual([1, 2])
    expect(transport.fromEncoded[1]).toBe(false)
    expect(report.push.confirmed).toBe(8)
    expectExactlyOnce(store, station)
  })

  it('is dropped after a sequence gap: the renumbered entries go in a request made afresh', async () => {
    const { store, station, engine, transport } = setup({ engine: { batchSize: 4, initialBatchSize: 4 } })
    saveMany(store, 2)
    await engine.sync()
    // A record voided on the phone before it was sent leaves a hole the station does not know of.
    const [hole] = saveMany(store, 1)
    store.outbox.delete(hole!.seq)
    store.records.delete(hole!.recordId)
    saveMany(store, 8)
    const before = transport.sent.length
    station.strictSequence = true
    const push = transport.push.bind(transport)
    transport.push = async (req, encoded) => {
      // An old station's answer: it does not skip the hole the phone declares.
      station.oldAnswers = transport.sent.length === before
      return push(req, encoded)
    }
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    const sent = transport.sent.slice(before)
    expect(station.conflicts).toBeGreaterThan(0)
    // Seqs 8-11 were encoded while 4-7 were out; after the 409 they are 7-10 and go as such.
    expect(transport.encoded.map(seqsOf)).toContainEqual([8, 9, 10, 11])
    expect(sent.map(seqsOf)).toEqual([
      [4, 5, 6, 7],
      [3, 4, 5, 6],
      [7, 8, 9, 10],
    ])
    expect(transport.fromEncoded.slice(before)).toEqual([false, false, true])
    expect(store.outbox.size).toBe(0)
    expectExactlyOnce(store, station)
  })

  it('is dropped when a slow answer shrinks the next batch below it', async () => {
    let now = 0
    const station = new FakeStation()
    const store = new MemoryPhoneStore()
    const transport = new ScriptedTransport(station, [], [], DEVICE)
    const push = transport.push.bind(transport)
    transport.push = async (req, encoded) => {
      // The second answer takes twice the target: the batch after it must shrink to half.
      now += transport.sent.length === 1 ? 2_000 : 10
      return push(req, encoded)
    }
    const engine = createSyncEngine(
      {
        outbox: store.outboxPort(),
        reference: store.referenceSink(),
        meta: store.metaPort(),
        transport,
        clock: { now: () => new Date() },
        deviceId: () => DEVICE,
        monotonic: () => now,
      },
      { batchSize: 40, initialBatchSize: 40, targetPushMs: 1_000 },
    )
    saveMany(store, 200)
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    const sizes = transport.sent.map((r) => r.mutations.length)
    expect(sizes.slice(0, 3)).toEqual([40, 40, 20])
    // The batch after the slow one was encoded at 40 while it was out, then made again at 20.
    expect(transport.encoded.map((r) => r.mutations.length).slice(0, 2)).toEqual([40, 40])
    expect(transport.fromEncoded.slice(0, 3)).toEqual([false, true, false])
    expectExactlyOnce(store, station)
  })

  it('is dropped when its encoding failed: the batch is encoded again as it is sent', async () => {
    const { store, station, engine, transport } = setup({ engine: { batchSize: 4, initialBatchSize: 4 } })
    saveMany(store, 8)
    let tried = 0
    transport.encodePush = async () => {
      tried++
      throw new Error('out of memory')
    }
    const report = await engine.sync()
    expect(report.ok).toBe(true)
    expect(tried).toBeGreaterThan(0)
    expect(transport.sent.map(seqsOf)).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ])
    expect(transport.fromEncoded).toEqual([false, false])
    expectExactlyOnce(store, station)
  })
})
