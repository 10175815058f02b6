// Many phones at once against one station on embedded SQLite, in its own process: 200 phones each
// pushing a batch of 500 records at the same moment (a district's buses coming back into coverage
// together), then 50 phones pushing 10 smaller batches each. A phone gives up on a push after the
// app's own timeout (DEFAULT_TIMEOUT_MS) and sends it again later, as the app does; a station that
// is busy may answer 503 with Retry-After, which the phone honours with jitter.
// Prints, beside the figures, one phone's lone push of the same size measured in the same run.
import { gzipSync } from 'node:zlib'
import { openStore } from '../../src/server/db/store'
import type { RunningStation } from '../../src/server/server'
import { DEFAULT_TIMEOUT_MS } from '../../src/app/sync/transport'
import type { FieldRecord } from '../../src/domain/records'
import { StationProcess, tempDataDir } from '../server/sync-phone'
import { donation, drive, type Phone, TestStation } from '../server/support/station'
import { percentile } from './stats'
import { countingTunnel } from './tunnel'
import { summarize } from './summary'
import { newId } from '../../src/domain/ids'

const PHONES = Number(process.env.BENCH_LOAD_PHONES ?? 200)
const RECORDS = Number(process.env.BENCH_LOAD_RECORDS ?? 500)
const SMALL_PHONES = Number(process.env.BENCH_LOAD_SMALL_PHONES ?? 50)
const SMALL_PUSHES = 10
const SMALL_RECORDS = 50

interface LoadStats {
  /** Milliseconds from send to a 200 answer, per answered push. */
  answered: number[]
  /** The phone gave up waiting (timeout) and will send the batch again. */
  timeouts: number
  /** Answers of 503/429 (the station shedding load before doing any work). */
  busy: number
  /** Resent pushes the station had already committed (answered as duplicates). */
  committedResent: number
  /** The connection failed before an answer (e.g. a kept-alive socket closed by the station). */
  networkErrors: number
  records: number
  /** Of each answered push, the time the station saw (its handler's start to its answer). */
  stationMs: number[]
}

function newStats(): LoadStats {
  return { answered: [], timeouts: 0, busy: 0, committedResent: 0, networkErrors: 0, records: 0, stationMs: [] }
}

/** A push as the app sends it: with a batch id, so the station gives the compact answer. */
function phonePush(t: TestStation, phone: Phone, records: FieldRecord[], firstSeq?: number): Buffer {
  return gzipSync(JSON.stringify({ ...t.batch(phone, records, undefined, firstSeq), batchId: newId() }))
}

/** A phone's batch of `n` records: a drive and donations on it. */
function phoneBatch(phone: Phone, n: number): FieldRecord[] {
  const d = drive(phone)
  const out: FieldRecord[] = [d]
  while (out.length < n) out.push(donation(phone, { driveId: d.id, channelId: d.channelId, siteId: d.siteId }))
  return out
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Sends one gzip'd push until the station answers 200, as the app would (timeout, Retry-After, backoff). */
async function pushUntilAnswered(baseUrl: string, phone: Phone, body: Buffer, n: number, stats: LoadStats) {
  let failures = 0
  for (;;) {
    const t0 = performance.now()
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), DEFAULT_TIMEOUT_MS)
    try {
      const res = await fetch(`${baseUrl}/api/v1/sync/push`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${phone.token}`,
          'Content-Type': 'application/json',
          'Content-Encoding': 'gzip',
          'Accept-Encoding': 'gzip',
        },
        body: new Uint8Array(body),
        signal: abort.signal,
      })
      const text = await res.text()
      if (res.status === 200) {
        stats.answered.push(performance.now() - t0)
        const seen = /auth;dur=(\d+), body;dur=(\d+), write;dur=(\d+)/.exec(res.headers.get('Server-Timing') ?? '')
        if (seen) stats.stationMs.push(Number(seen[1]) + Number(seen[2]) + Number(seen[3]))
        if (text.includes('"duplicate"') || /"duplicate"\s*:/.test(text)) stats.committedResent++
        stats.records += n
        return
      }
      if (res.status !== 503 && res.status !== 429) throw new Error(`push refused: ${res.status} ${text.slice(0, 300)}`)
      stats.busy++
      const after = Number(res.headers.get('Retry-After') ?? '5') * 1000
      await sleep(after * (0.5 + Math.random()))
    } catch (err) {
      // A reused connection the station had closed, as the app sees now and then: sent again.
      if (abort.signal.aborted) stats.timeouts++
      else if (err instanceof TypeError) stats.networkErrors++
      else throw err
      failures++
      await sleep(Math.min(60_000, 5_000 * 2 ** (failures - 1)) * (0.5 + Math.random()))
    } finally {
      clearTimeout(timer)
    }
  }
}

function figures(label: string, stats: LoadStats, seconds: number) {
  const ms = (v: number) => Math.round(v)
  return {
    [`${label}: pushes answered 200`]: stats.answered.length,
    [`${label}: pushes the phone gave up on (timeout ${DEFAULT_TIMEOUT_MS / 1000} s)`]: stats.timeouts,
    [`${label}: committed pushes sent again`]: stats.committedResent,
    [`${label}: 503/429 busy answers (nothing done)`]: stats.busy,
    [`${label}: connection errors (sent again)`]: stats.networkErrors,
    [`${label}: answer time p50 (ms)`]: ms(percentile(stats.answered, 50)),
    [`${label}: answer time p95 (ms)`]: ms(percentile(stats.answered, 95)),
    [`${label}: answer time p99 (ms)`]: ms(percentile(stats.answered, 99)),
    [`${label}: answer time max (ms)`]: ms(Math.max(...stats.answered)),
    [`${label}: of p99, seen by the station (ms)`]: ms(percentile(stats.stationMs, 99)),
    [`${label}: all records in (s)`]: seconds.toFixed(1),
    [`${label}: records per second`]: Math.round(stats.records / seconds),
  }
}

export default async function load(): Promise<void> {
  const data = tempDataDir()
  const store = await openStore({ dataDir: data.dir })
  const station = new StationProcess(data.dir)
  try {
    await station.start()
    const t = new TestStation('sqlite', { ...store, dispose: () => store.close() }, {
      url: station.url,
      close: async () => {},
    } as unknown as RunningStation)
    const setup = await t.createStation('load')
    const phones: Phone[] = []
    for (let i = 0; i < PHONES + SMALL_PHONES + 1; i++) phones.push(await t.enroll(setup, `load phone ${i}`))
    const tunnel = await countingTunnel(station.port)
    const base = `http://127.0.0.1:${tunnel.port}`

    // Baseline: one phone alone, the same batch size.
    const lone = phones.pop()!
    const loneBody = phonePush(t, lone, phoneBatch(lone, RECORDS))
    const loneStats = newStats()
    await pushUntilAnswered(base, lone, loneBody, RECORDS, loneStats)
    const loneMs = loneStats.answered[0]!
    const upBefore = tunnel.bytes.up
    const downBefore = tunnel.bytes.down

    // 200 phones x 500 records, all at once.
    const many = phones.slice(0, PHONES)
    const bodies = many.map((p) => phonePush(t, p, phoneBatch(p, RECORDS)))
    const burst = newStats()
    let started = performance.now()
    await Promise.all(many.map((p, i) => pushUntilAnswered(base, p, bodies[i]!, RECORDS, burst)))
    const burstSeconds = (performance.now() - started) / 1000
    const burstUp = tunnel.bytes.up - upBefore
    const burstDown = tunnel.bytes.down - downBefore

    // 50 phones x 10 pushes of 50 records, each phone pushing its next batch once the last is answered.
    const small = phones.slice(PHONES, PHONES + SMALL_PHONES)
    const steady = newStats()
    started = performance.now()
    await Promise.all(
      small.map(async (p) => {
        for (let k = 0; k < SMALL_PUSHES; k++) {
          const body = phonePush(t, p, phoneBatch(p, SMALL_RECORDS), 1 + k * SMALL_RECORDS)
          await pushUntilAnswered(base, p, body, SMALL_RECORDS, steady)
        }
      }),
    )
    const steadySeconds = (performance.now() - started) / 1000
    await tunnel.close()

    const expected = RECORDS * (PHONES + 1) + SMALL_PHONES * SMALL_PUSHES * SMALL_RECORDS
    const stored = Number(
      (
        await store.db
          .selectFrom('records')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
    if (stored !== expected) throw new Error(`the station holds ${stored} records, expected exactly ${expected}`)

    const perRecord = (bytes: number) => (bytes / (PHONES * RECORDS)).toFixed(1)
    summarize([
      {
        bench: 'load',
        figure: `${PHONES} phones × ${RECORDS} records at once: records/s at the station (p99 answer / lone push)`,
        result: `${Math.round((PHONES * RECORDS) / burstSeconds)}/s (${(percentile(burst.answered, 99) / loneMs).toFixed(1)}×)`,
        target: '',
        ok: null,
      },
      {
        bench: 'load',
        figure: `${SMALL_PHONES} phones × ${SMALL_PUSHES} pushes of ${SMALL_RECORDS}: records/s`,
        result: `${Math.round((SMALL_PHONES * SMALL_PUSHES * SMALL_RECORDS) / steadySeconds)}/s`,
        target: '',
        ok: null,
      },
    ])
    console.table({
      'baseline: one phone alone, one push of the same size (ms)': Math.round(loneMs),
      ...figures(`${PHONES} phones x ${RECORDS}`, burst, burstSeconds),
      [`${PHONES} phones x ${RECORDS}: p99 / lone push`]: (percentile(burst.answered, 99) / loneMs).toFixed(1),
      [`${PHONES} phones x ${RECORDS}: TCP bytes up per record`]: perRecord(burstUp),
      [`${PHONES} phones x ${RECORDS}: TCP bytes down per record`]: perRecord(burstDown),
      ...figures(`${SMALL_PHONES} phones x ${SMALL_PUSHES} pushes of ${SMALL_RECORDS}`, steady, steadySeconds),
      'records at the station (exactly once each)': stored,
    })
  } finally {
    await station.dispose()
    await store.close()
    data.remove()
  }
}
