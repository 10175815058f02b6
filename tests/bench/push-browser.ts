// Push throughput where phones run it: the phone side (the field database on Chromium's real
// IndexedDB, the phone's sync engine and HTTP transport with CompressionStream gzip, bundled from
// push-page.ts) in a headless Chromium page, pushing 10,000 records to a real station server in
// its own process on SQLite. The records are written first by the field app's own save path (in
// Node, tests/server/sync-phone.ts's BusCrew) and copied into the page's database as they were
// stored; then one sync round is timed inside the page, from its start to the pull after the last
// push (every outbox entry settled). CPU unthrottled unless BENCH_PUSH_CPU says otherwise.
// Target (issue 13): ≥ 5,000 records/s.
import { build } from 'esbuild'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { newId } from '../../src/domain/ids'
import { openStore } from '../../src/server/db/store'
import type { RunningStation } from '../../src/server/server'
import { seededRandom } from '../support/fault-proxy'
import { BusCrew, openPhoneDb, StationProcess, tempDataDir } from '../server/sync-phone'
import { TestStation } from '../server/support/station'
import { PHONE, launchChromium } from '../e2e/support/browser'
import { descendantsCpuMs, stationMeter } from './push-station'
import { summarize, table } from './summary'

const RECORDS = Number(process.env.BENCH_PUSH_RECORDS ?? 10_000)
const CPU_SLOWDOWN = Number(process.env.BENCH_PUSH_CPU ?? 1)
const TARGET_PER_S = 5000
/** Rows per page.evaluate when copying the phone's database into the page. */
const CHUNK = 2000

/**
 * With BENCH_PROFILE=<dir>: the page's CPU profile of the round, push-browser.cpuprofile (or of the
 * loopback round, the phone side alone: push-browser-loopback.cpuprofile).
 */
async function profile(context: BrowserContext, page: Page, file = 'push-browser'): Promise<() => Promise<void>> {
  const dir = process.env.BENCH_PROFILE
  if (!dir) return async () => {}
  const cdp = await context.newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 })
  await cdp.send('Profiler.start')
  return async () => {
    const { profile: result } = await cdp.send('Profiler.stop')
    await cdp.detach()
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, `${file}.cpuprofile`), JSON.stringify(result))
  }
}

export default async function pushBrowser(): Promise<void> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./push-page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    // A profile names the phone's own functions (the same code, unminified names).
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: !process.env.BENCH_PROFILE,
    write: false,
    logLevel: 'error',
  })
  const script = bundle.outputFiles[0]!.text

  const data = tempDataDir()
  const store = await openStore({ dataDir: data.dir })
  const station = new StationProcess(data.dir)
  const meter = stationMeter()
  const browser = await launchChromium()
  try {
    await meter.launch(() => station.start())
    const t = new TestStation('sqlite', { ...store, dispose: () => store.close() }, {
      url: station.url,
      close: async () => {},
    } as unknown as RunningStation)
    const setup = await t.createStation('bench')
    const phone = await t.enroll(setup, 'bench phone')
    // The records as the field app's save path stores them (record, outbox entry, tallies).
    const nodeDb = await openPhoneDb(`bench-${newId()}`, phone)
    const crew = new BusCrew(setup, phone.deviceId, seededRandom(2023), () => new Date())
    await crew.write(nodeDb, RECORDS)
    const rows: Record<string, unknown[]> = {}
    for (const table of nodeDb.tables) rows[table.name] = await table.toArray()
    nodeDb.close()
    const pending = rows.outbox!.length

    const context = await browser.newContext({ viewport: PHONE })
    const page = await context.newPage()
    page.on('pageerror', (e) => console.error('page error:', e.message))
    // The bench's page at the station's own origin (its API is then same-origin, as the app's is).
    await page.route(`${station.url}/bench-push`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><meta charset="utf-8"><script>${script}</script>`,
      }),
    )
    await page.goto(`${station.url}/bench-push`)
    // The same rows twice: one database pushes to the station, the other to a loopback that
    // answers at once (the phone's own share of the work, measured in the same run).
    for (const db of ['bench-push', 'bench-push-loopback']) {
      for (const [name, list] of Object.entries(rows)) {
        for (let i = 0; i < list.length; i += CHUNK) {
          await page.evaluate(
            ([part, into]) =>
              (window as unknown as { benchPushLoad: (r: unknown, db: string) => Promise<void> }).benchPushLoad(
                part,
                into,
              ),
            [{ [name]: list.slice(i, i + CHUNK) }, db] as const,
          )
        }
      }
    }
    if (CPU_SLOWDOWN > 1) {
      const cdp = await context.newCDPSession(page)
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN })
    }
    const stopLoopbackProfile = await profile(context, page, 'push-browser-loopback')
    const loop0 = descendantsCpuMs(/chrom/i)
    const loopback = (await page.evaluate('window.benchPush(true)')) as {
      pushMs: number
      confirmed: number
      httpMs: number
    }
    const loopbackCpuMs = descendantsCpuMs(/chrom/i) - loop0
    await stopLoopbackProfile()
    if (loopback.confirmed !== pending) throw new Error(`loopback push did not finish: ${JSON.stringify(loopback)}`)
    // CPU from the start of the round to the first pull (the push alone), read when the page says.
    const byKind0 = new Map<string, number>()
    const byKind = new Map<string, number>()
    let browserCpu0 = 0
    let browserCpuMs = NaN
    let stationCpuMs = NaN
    await page.exposeFunction('benchPushDone', async () => {
      browserCpuMs = descendantsCpuMs(/chrom/i, byKind) - browserCpu0
      stationCpuMs = await meter.stop()
    })
    const stopProfile = await profile(context, page)
    await meter.start()
    browserCpu0 = descendantsCpuMs(/chrom/i, byKind0)
    const run = (await page.evaluate('window.benchPush()')) as {
      pushMs: number
      roundMs: number
      confirmed: number
      requests: number
      httpMs: number
      ok: boolean
    }
    for (const [k, ms] of byKind) byKind.set(k, ms - (byKind0.get(k) ?? 0))
    await stopProfile()
    if (!run.ok || run.confirmed !== pending) throw new Error(`push did not finish: ${JSON.stringify(run)}`)
    const stored = await store.db
      .selectFrom('records')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('device_id', '=', phone.deviceId)
      .executeTakeFirstOrThrow()
    if (Number(stored.n) !== pending) throw new Error(`station holds ${stored.n} of ${pending}`)
    await context.close()

    const perSecond = Math.round(pending / (run.pushMs / 1000))
    summarize([
      {
        bench: 'push-browser',
        figure: `push from Chromium's IndexedDB, ${pending.toLocaleString('en')} records end to end${CPU_SLOWDOWN > 1 ? `, CPU ${CPU_SLOWDOWN}×` : ''}`,
        result: `${perSecond}/s`,
        target: `≥ ${TARGET_PER_S}/s`,
        ok: perSecond >= TARGET_PER_S,
      },
    ])
    console.log(
      `\nPush from the phone side in Chromium (real IndexedDB), CPU ${CPU_SLOWDOWN}×, to a station on SQLite\n`,
    )
    console.log(
      table(
        ['measure', 'result'],
        [
          ['records pushed', String(pending)],
          ['push requests', String(run.requests)],
          ['push time, round start → pull after the last push (s)', (run.pushMs / 1000).toFixed(2)],
          ['records per second (push)', String(perSecond)],
          ['  of it, waiting on HTTP and the station (s)', (run.httpMs / 1000).toFixed(2)],
          ['station CPU time over the push (s)', (stationCpuMs / 1000).toFixed(2)],
          ["Chromium's CPU time over the push, all its processes (s)", (browserCpuMs / 1000).toFixed(2)],
          ...[...byKind].filter(([, ms]) => ms >= 5).map(([k, ms]) => [`  of it, ${k}`, (ms / 1000).toFixed(2)]),
          ['whole round with the pull (s)', (run.roundMs / 1000).toFixed(2)],
          [
            'the phone side alone (loopback station answering at once), push time (s)',
            (loopback.pushMs / 1000).toFixed(2),
          ],
          ['  records per second', String(Math.round(pending / (loopback.pushMs / 1000)))],
          ['  of it, in the transport: JSON, gzip, the answer (s)', (loopback.httpMs / 1000).toFixed(2)],
          [
            '  of it, the rest: outbox reads, settles, the engine (s)',
            ((loopback.pushMs - loopback.httpMs) / 1000).toFixed(2),
          ],
          ["  Chromium's CPU time (s)", (loopbackCpuMs / 1000).toFixed(2)],
        ],
      ),
    )
  } finally {
    await browser.close()
    await station.dispose()
    await store.close()
    data.remove()
    meter.dispose()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await pushBrowser()
