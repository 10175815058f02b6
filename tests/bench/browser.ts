// Browser benchmark of the field app, in headless Chromium with the CPU throttled 4× (a mid-range
// phone), against the production build served by the real station server:
//   - donation save: the tap on "save" reaches the page → the IndexedDB commit, and → the form
//     says saved (shown only after the commit), median and p95 over a series of donations entered
//     through the real UI; also from the touch's own timestamp, beside the browser's input delay
//     on an empty page, so the part that is not the app's shows;
//   - offline cold start: the browser launched again on the phone's profile (kept on disk, as a
//     phone's is), network off, straight to the donor form URL → the app is interactive (lock
//     screen up, form mounted beneath it) and → the form is usable after unlock;
//   - the JavaScript the donor form needs before it is usable, gzipped, from dist/.
// Targets: save < 30 ms median, cold start < 1 s, initial JS < 150 KB gzip.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import type { BrowserContext, Locator, Page } from 'playwright-core'
// @ts-expect-error plain ESM script without types
import { buildIfStale } from '../../scripts/build-if-stale.mjs'
import { launchProfile, PHONE } from '../e2e/support/browser'
import { makeFieldSeed, pickSite, PINS, residentId, seedPhone, unlockAs, type FieldSeed } from '../e2e/support/field'
import { startServer } from '../support/server'
import { percentile } from './stats'

const CPU_SLOWDOWN = 4
const SAVES = Number(process.env.BENCH_SAVES ?? 25)
const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 5)
const DIST = 'dist'
const TARGET = { saveMedianMs: 30, coldStartMs: 1000, initialJsKb: 150 }
/** A folder to write CPU profiles (.cpuprofile, for Chrome DevTools) of the last five saves and the last cold start, and a trace of that cold start. */
const PROFILE_DIR = process.env.BENCH_PROFILE

/** Starts the CPU profiler on `page`; the returned function stops it and writes `<name>.cpuprofile`. */
async function profile(context: BrowserContext, page: Page, name: string): Promise<() => Promise<void>> {
  if (!PROFILE_DIR) return async () => {}
  const cdp = await context.newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
  await cdp.send('Profiler.start')
  return async () => {
    const { profile: result } = await cdp.send('Profiler.stop')
    mkdirSync(PROFILE_DIR, { recursive: true })
    writeFileSync(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(result))
  }
}

/**
 * With BENCH_PROFILE, also a Chrome trace (`<name>.trace.json`, for the Performance panel) with V8's
 * compile events: where a cold start's main thread goes besides running scripts.
 */
async function trace(context: BrowserContext, page: Page, name: string): Promise<() => Promise<void>> {
  if (!PROFILE_DIR) return async () => {}
  const cdp = await context.newCDPSession(page)
  const events: unknown[] = []
  cdp.on('Tracing.dataCollected', (e: { value: unknown[] }) => {
    events.push(...e.value)
  })
  await cdp.send('Tracing.start', {
    categories: 'devtools.timeline,v8,disabled-by-default-v8.compile,loading',
    transferMode: 'ReportEvents',
  })
  return async () => {
    const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve))
    await cdp.send('Tracing.end')
    await complete
    mkdirSync(PROFILE_DIR, { recursive: true })
    writeFileSync(join(PROFILE_DIR, `${name}.trace.json`), JSON.stringify({ traceEvents: events }))
  }
}

async function throttle(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN })
}

async function openDrive(page: Page, seed: FieldSeed): Promise<string> {
  await page.getByRole('link', { name: '开始新车次' }).tap()
  await page.getByLabel('车号').fill('豫C-B0001')
  await page.getByRole('radio', { name: '乡村流动', exact: true }).tap()
  await pickSite(page, seed.sites[0]!.name, seed.sites[0]!.name)
  await page.getByRole('checkbox', { name: seed.roster.collector.name, exact: true }).tap()
  await page.getByLabel('第一个血袋号（DIN）').fill(seed.dinBody(1))
  await page.getByLabel('最后一个血袋号（DIN）').fill(seed.dinBody(SAVES + 10))
  await page.getByRole('button', { name: '开始车次' }).tap()
  await page.getByRole('link', { name: '登记献血者' }).waitFor()
  const m = /\/drives\/([^/]+)/.exec(page.url())
  if (!m) throw new Error(`no drive id in ${page.url()}`)
  return m[1]!
}

/** Fills a whole 400 ml donation for donor `n`, up to (not including) the save tap. */
async function fillDonation(page: Page, seed: FieldSeed, n: number): Promise<void> {
  await page.getByLabel('身份证号').fill(residentId('410327', '1990-03-15', String(100 + n).padStart(3, '0')))
  await page.getByLabel('姓名').fill(`献血者${n}`)
  await page.getByRole('radio', { name: '农村', exact: true }).tap()
  await page.getByRole('button', { name: '下一步' }).tap()
  for (const [label, value] of [
    ['体重 (kg)', '68'],
    ['血红蛋白 (g/L)', '142'],
    ['收缩压 (mmHg)', '122'],
    ['舒张压 (mmHg)', '78'],
    ['脉搏 (次/分)', '72'],
    ['体温 (°C)', '36.6'],
  ] as const) {
    await page.getByLabel(label).fill(value)
  }
  await page.getByRole('button', { name: '献血', exact: true }).tap()
  await page.getByRole('radio', { name: '400 ml', exact: true }).tap()
  await page.getByRole('radio', { name: 'A', exact: true }).tap()
  await page.getByRole('radio', { name: '阳性 +', exact: true }).tap()
  await page.getByLabel('血袋号（DIN）').fill(seed.dinWithCheck(n))
}

interface SaveTiming {
  committedMs: number
  shownMs: number
  fromTouchMs: number
}

/**
 * Taps save and measures inside the page (no automation latency), from the moment the tap reaches
 * the page (its click is dispatched) to (a) the commit of the IndexedDB transaction that wrote the
 * outbox, seen by the probe below, and (b) the "saved" notice entering the DOM, which the app
 * shows after the commit. (c) is (a) counted from the touch's own timestamp, so it includes the
 * browser's input delivery: see inputDelay().
 */
async function timedSave(page: Page): Promise<SaveTiming> {
  // Strings, not functions: tsx would wrap named functions in a helper the page does not have.
  await page.evaluate(`window.benchSave = new Promise((resolve) => {
    let clickedAt = null
    let touchedAt = null
    document.addEventListener('click', (e) => { clickedAt ??= performance.now(); touchedAt ??= e.timeStamp }, { capture: true, once: true })
    const observer = new MutationObserver(() => {
      if (clickedAt === null || !document.querySelector('[data-testid="saved"]')) return
      observer.disconnect()
      const shownAt = performance.now()
      const commit = window.benchCommits.find((t) => t >= clickedAt)
      resolve({
        committedMs: commit === undefined ? NaN : commit - clickedAt,
        shownMs: shownAt - clickedAt,
        fromTouchMs: commit === undefined ? NaN : commit - touchedAt,
      })
    })
    observer.observe(document.body, { childList: true, subtree: true, attributes: true })
  }); undefined`) // not the promise itself: evaluate would wait for it
  await bareTap(page, page.getByRole('button', { name: '保存' }))
  return page.evaluate(`Promise.race([window.benchSave, new Promise((_, reject) => setTimeout(() =>
    reject(new Error('no "saved" notice 15 s after tapping save: ' + (document.querySelector('[role=alert]')?.textContent ?? ''))), 15000))])`) as Promise<SaveTiming>
}

/**
 * A bare touch at the centre of `target`, as a finger gives it. Playwright's tap() first runs its
 * own checks inside the page and watches the touch's events: work a phone never does.
 */
async function bareTap(page: Page, target: Locator): Promise<void> {
  const box = await target.boundingBox()
  if (!box) throw new Error('the element to tap is not on screen')
  await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2)
}

/**
 * The browser's own input delay at this throttle: touch timestamp → click dispatched, on a page
 * with nothing but a button. It is in "touch → commit" and is not the app's doing.
 */
async function inputDelay(context: BrowserContext): Promise<number> {
  const page = await context.newPage()
  await page.setContent(`<meta name="viewport" content="width=device-width"><button style="width:200px;height:60px">save</button>
    <script>window.delays = []; document.querySelector('button').addEventListener('click', (e) => window.delays.push(performance.now() - e.timeStamp))</script>`)
  await throttle(context, page)
  for (let i = 0; i < 20; i++) {
    await bareTap(page, page.getByRole('button'))
    await page.waitForTimeout(50)
  }
  const delays = (await page.evaluate('window.delays')) as number[]
  await page.close()
  return percentile(delays, 50)
}

/**
 * Runs before the app's own scripts in every page: notes when read-write IndexedDB transactions
 * that include the outbox commit, and when the lock screen and the donor form first appear.
 */
const PROBE = `(() => {
  window.benchCommits = []
  const transaction = IDBDatabase.prototype.transaction
  IDBDatabase.prototype.transaction = function (stores, mode, options) {
    const tx = transaction.call(this, stores, mode, options)
    const names = typeof stores === 'string' ? [stores] : Array.from(stores)
    if (mode === 'readwrite' && names.includes('outbox')) tx.addEventListener('complete', () => window.benchCommits.push(performance.now()))
    return tx
  }
  const marks = {}
  window.benchMarks = marks
  const check = () => {
    const now = performance.now()
    if (marks.lockReady === undefined && document.querySelector('.unlock .staff-btn')) marks.lockReady = now
    if (marks.formMounted === undefined && document.querySelector('#donor-form input')) marks.formMounted = now
    if (marks.formUsable === undefined) {
      const input = document.querySelector('#donor-form input')
      if (input && input.offsetParent !== null && !input.disabled && !input.closest('[inert]')) marks.formUsable = now
    }
  }
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true })
})()`

interface ColdStart {
  shellMs: number
  domReadyMs: number
  appReadyMs: number
  formUsableMs: number
  scripts: string[]
}

async function coldStart(
  context: BrowserContext,
  url: string,
  staffName: string,
  profileName: string | null,
): Promise<ColdStart> {
  const page = context.pages()[0] ?? (await context.newPage())
  await throttle(context, page)
  const stopProfile = profileName ? await profile(context, page, profileName) : null
  const stopTrace = profileName ? await trace(context, page, profileName) : null
  await page.goto(url)
  await page.waitForFunction(
    () => {
      const m = (window as unknown as { benchMarks: Record<string, number> }).benchMarks
      return m.lockReady !== undefined && m.formMounted !== undefined
    },
    null,
    { timeout: 30_000 },
  )
  await stopProfile?.()
  await stopTrace?.()
  await unlockAs(page, staffName, PINS.leader)
  await page.waitForFunction(
    () => (window as unknown as { benchMarks: Record<string, number> }).benchMarks.formUsable !== undefined,
  )
  // The scripts the page asked for before the form was usable, by the page's own clock (work
  // started after it, like sync, is not the form's).
  const { scripts, ...marks } = (await page.evaluate(`(() => {
    const nav = performance.getEntriesByType('navigation')[0]
    const scripts = performance.getEntriesByType('resource')
      .filter((e) => e.startTime <= window.benchMarks.formUsable && new URL(e.name).pathname.endsWith('.js'))
      .map((e) => new URL(e.name).pathname)
    return { ...window.benchMarks, shell: nav.responseEnd, domReady: nav.domContentLoadedEventEnd, scripts }
  })()`)) as Record<string, number> & { scripts: string[] }
  await page.close()
  return {
    shellMs: marks.shell!,
    domReadyMs: marks.domReady!,
    appReadyMs: Math.max(marks.lockReady!, marks.formMounted!),
    formUsableMs: marks.formUsable!,
    scripts,
  }
}

function gzipKb(paths: string[]): { totalKb: number; files: Array<{ file: string; kb: number }> } {
  const files = [...new Set(paths)]
    .map((p) => {
      const kb = gzipSync(readFileSync(join(DIST, p))).length / 1024
      return { file: p, kb }
    })
    .sort((a, b) => b.kb - a.kb)
  return { totalKb: files.reduce((s, f) => s + f.kb, 0), files }
}

const fmt = (n: number, digits = 1) => n.toFixed(digits)
const verdict = (ok: boolean) => (ok ? 'ok' : 'OVER')

export default async function run(): Promise<void> {
  const log = (m: string) => {
    if (process.env.BENCH_VERBOSE) console.error(`[bench] ${m}`)
  }
  await (buildIfStale as () => Promise<void>)()
  const server = await startServer()
  // The phone's browser profile lives on disk: each cold start launches the browser again on it.
  const phoneDir = mkdtempSync(join(tmpdir(), 'bloodbus-bench-phone-'))
  const openPhone = async (): Promise<BrowserContext> => {
    const phone = await launchProfile(phoneDir, { viewport: PHONE, hasTouch: true, isMobile: true, locale: 'zh-CN' })
    phone.setDefaultTimeout(30_000)
    await phone.addInitScript(PROBE)
    return phone
  }
  let context = await openPhone()
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    page.on('pageerror', (e) => console.error('page error:', e.message))
    const seed = await makeFieldSeed()
    await seedPhone(page, server.url, seed)
    await unlockAs(page, seed.roster.leader.name, PINS.leader)
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 })
    const driveId = await openDrive(page, seed)
    log(`drive ${driveId} open`)

    // Saves, CPU throttled.
    await throttle(context, page)
    const saves: SaveTiming[] = []
    await page.getByRole('link', { name: '登记献血者' }).tap()
    for (let n = 1; n <= SAVES; n++) {
      await fillDonation(page, seed, n)
      // The last five saves (the drive at its fullest) are profiled one by one, without the typing before them.
      const stopSaveProfile = n > SAVES - 5 ? await profile(context, page, `save-${n}`) : null
      saves.push(await timedSave(page))
      await stopSaveProfile?.()
      log(`save ${n}: ${JSON.stringify(saves.at(-1))}`)
      if (n < SAVES) await page.getByRole('button', { name: '下一位' }).tap()
    }
    const floor = await inputDelay(context)
    await context.close()

    // Offline cold starts straight into the donor form: the browser launched again, no network.
    const starts: ColdStart[] = []
    for (let i = 0; i < COLD_STARTS; i++) {
      context = await openPhone()
      await context.setOffline(true)
      starts.push(
        await coldStart(
          context,
          `${server.url}/drives/${driveId}/donor`,
          seed.roster.leader.name,
          i === COLD_STARTS - 1 ? 'cold-start' : null,
        ),
      )
      await context.close()
      log(`cold start ${i + 1}: ${JSON.stringify({ ...starts.at(-1)!, scripts: starts.at(-1)!.scripts.length })}`)
    }
    const js = gzipKb(starts[0]!.scripts)

    const median = (xs: number[]) => percentile(xs, 50)
    const committed = saves.map((s) => s.committedMs)
    const shown = saves.map((s) => s.shownMs)
    const appReady = median(starts.map((s) => s.appReadyMs))
    const fromTouch = saves.map((s) => s.fromTouchMs)
    const rows: Array<[string, string, string, string]> = [
      [
        'save (tap reaches the page) → IndexedDB commit (median)',
        `${fmt(median(committed))} ms`,
        `< ${TARGET.saveMedianMs} ms`,
        verdict(median(committed) < TARGET.saveMedianMs),
      ],
      ['save (tap reaches the page) → IndexedDB commit (p95)', `${fmt(percentile(committed, 95))} ms`, '', ''],
      ['save → "saved" on screen (median)', `${fmt(median(shown))} ms`, '', ''],
      ['save → "saved" on screen (p95)', `${fmt(percentile(shown, 95))} ms`, '', ''],
      ["touch → IndexedDB commit, with the browser's input delay (median)", `${fmt(median(fromTouch))} ms`, '', ''],
      ['browser input delay on an empty page, touch → click (median)', `${fmt(floor)} ms`, '', ''],
      ['offline cold start → shell from the SW (median)', `${fmt(median(starts.map((s) => s.shellMs)), 0)} ms`, '', ''],
      [
        'offline cold start → DOMContentLoaded (median)',
        `${fmt(median(starts.map((s) => s.domReadyMs)), 0)} ms`,
        '',
        '',
      ],
      [
        'offline cold start → lock screen up, donor form mounted (median)',
        `${fmt(appReady, 0)} ms`,
        `< ${TARGET.coldStartMs} ms`,
        verdict(appReady < TARGET.coldStartMs),
      ],
      [
        'offline cold start → form usable, PIN unlock included (median)',
        `${fmt(median(starts.map((s) => s.formUsableMs)), 0)} ms`,
        '',
        '',
      ],
      [
        'initial JS for the donor form (gzip)',
        `${fmt(js.totalKb)} KB`,
        `< ${TARGET.initialJsKb} KB`,
        verdict(js.totalKb < TARGET.initialJsKb),
      ],
    ]
    console.log(
      `\nBrowser bench: Chromium, CPU ${CPU_SLOWDOWN}× slower, ${PHONE.width}×${PHONE.height}, ${SAVES} saves, ${COLD_STARTS} offline cold starts\n`,
    )
    const widths = [0, 1, 2, 3].map((c) =>
      Math.max(...[['measure', 'result', 'target', ''], ...rows].map((r) => r[c]!.length)),
    )
    const line = (r: string[]) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd()
    console.log(line(['measure', 'result', 'target', '']))
    console.log(widths.map((w) => '-'.repeat(w)).join('  '))
    for (const r of rows) console.log(line(r))
    console.log(`\nsaves, save → commit (ms): ${committed.map((x) => fmt(x)).join(' ')}`)
    console.log(`saves, save → shown (ms):  ${shown.map((x) => fmt(x)).join(' ')}`)
    console.log(`JS loaded before the form is usable (${js.files.length} files):`)
    for (const f of js.files) console.log(`  ${fmt(f.kb).padStart(6)} KB  ${f.file}`)
  } finally {
    await context.close()
    rmSync(phoneDir, { recursive: true, force: true })
    await server.stop(true)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run()
