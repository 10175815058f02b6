import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIELD_DB_NAME } from '../../src/app/db'
import { type RunningServer, startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'

describe('app shell in Chromium', () => {
  let server: RunningServer
  let browser: Browser
  beforeAll(async () => {
    server = await startServer()
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop(true)
  })

  it('loads the built app from the station server at phone size', async () => {
    const page = await browser.newPage({ viewport: PHONE })
    const workers: string[] = []
    page.on('worker', (w) => workers.push(new URL(w.url()).pathname))
    await page.goto(server.url)
    await expect.poll(() => page.locator('h1').first().textContent()).toContain('献血车')
    // The font warm-up (warm-start.js) ran: its worker was started.
    expect(workers).toContain('/warm-fonts.js')
    await page.close()
  })

  it('starts from few scripts, each marked for V8 to compile while it streams', async () => {
    // The chunking and the compile hint are build settings a Vite upgrade could silently undo.
    const html = readFileSync('dist/index.html', 'utf8')
    const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!)
    expect(scripts.map((s) => s.replace(/-[\w-]{8}\.js$/, ''))).toEqual(
      expect.arrayContaining(['/assets/index', '/assets/vendor', '/assets/record-form']),
    )
    expect(scripts.length).toBeLessThanOrEqual(4)
    for (const s of scripts.filter((s) => !s.includes('rolldown-runtime'))) {
      expect(readFileSync(join('dist', s), 'utf8').startsWith('//# allFunctionsCalledOnLoad\n'), s).toBe(true)
    }
  })

  it('leaves the update prompt, the service worker registration and the storage request out of the first scripts', () => {
    // They run after the first screen (main.ts, App.vue); in the first scripts they cost every cold start.
    const html = readFileSync('dist/index.html', 'utf8')
    const first = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) =>
      readFileSync(join('dist', m[1]!), 'utf8'),
    )
    for (const marker of ['/sw.js', 'pwa.update.ready', '.persist()']) {
      expect(
        first.some((code) => code.includes(marker)),
        marker,
      ).toBe(false)
    }
  })

  it('leaves Dexie and the save code out of the first scripts: the first screen reads plain IndexedDB', () => {
    // db/boot-read.ts reads the lock screen's and the donor form's rows; Dexie and the save code
    // (db/field-records.ts, with its refusals' messages) load after that screen (main.ts).
    const html = readFileSync('dist/index.html', 'utf8')
    const first = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) =>
      readFileSync(join('dist', m[1]!), 'utf8'),
    )
    for (const marker of ['DatabaseClosedError', 'no such drive on this phone', 'this drive is already closed']) {
      expect(
        first.some((code) => code.includes(marker)),
        marker,
      ).toBe(false)
    }
    // The markers are real: the build has them, in chunks that load later.
    const later = readdirSync('dist/assets')
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join('dist/assets', f), 'utf8'))
    expect(later.some((code) => code.includes('DatabaseClosedError'))).toBe(true)
    expect(later.some((code) => code.includes('no such drive on this phone'))).toBe(true)
  })

  it('leaves valibot and the record schemas out of the first scripts: the form needs the plain rules only', () => {
    // The form imports code lists and rules without schemas (domain/record-codes.ts, rule-schemas.ts
    // holds the others); the schemas check records when the save code loads after the first screen.
    // A module lands whole in one chunk, so one value import of records.ts brings them all back.
    const html = readFileSync('dist/index.html', 'utf8')
    const first = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) =>
      readFileSync(join('dist', m[1]!), 'utf8'),
    )
    // valibot names itself in every schema (its Standard Schema `vendor`); the others are schema messages.
    const markers = ['valibot', 'id must be a lower-case UUID', 'code must be lower_snake_case']
    for (const marker of markers) {
      expect(
        first.some((code) => code.includes(marker)),
        marker,
      ).toBe(false)
    }
    const later = readdirSync('dist/assets')
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join('dist/assets', f), 'utf8'))
    for (const marker of markers) expect(later.some((code) => code.includes(marker))).toBe(true)
  })

  it('leaves the default deferral catalogue, questionnaire and server error sentences out of the first scripts, precached for later', () => {
    // Only the donor form's later steps read the defaults (field/rule-defaults.ts loads them after
    // the first screen), and no first screen shows a server's refusal (the serverErrors feature).
    // One value import of deferral-reasons.ts or questionnaire.ts, or the sentences back under
    // errors, brings them back into the first scripts.
    const html = readFileSync('dist/index.html', 'utf8')
    const first = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) =>
      readFileSync(join('dist', m[1]!), 'utf8'),
    )
    // A deferral reason, a question of the default set, its consent, and a server refusal.
    const markers = ['血红蛋白偏低', '最近一周内您是否有感冒', '我已如实回答以上问题', '登记码无效或已过期']
    for (const marker of markers) {
      expect(
        first.some((code) => code.includes(marker)),
        marker,
      ).toBe(false)
    }
    // The markers are real, and their chunks are precached: the later steps work offline.
    const sw = readFileSync('dist/sw.js', 'utf8')
    for (const marker of markers) {
      const chunks = readdirSync('dist/assets').filter(
        (f) => f.endsWith('.js') && readFileSync(join('dist/assets', f), 'utf8').includes(marker),
      )
      expect(chunks.length, marker).toBeGreaterThan(0)
      for (const f of chunks) expect(sw.includes(`assets/${f}`), `${marker} in ${f}, precached`).toBe(true)
    }
  })

  it("warms the phone's own database from the page, by the name the app gives it, before the modules run", () => {
    // A classic script of its own (the CSP allows no inline script), in <head> before the entry
    // module: classic scripts run while the page parses, modules after.
    const html = readFileSync('dist/index.html', 'utf8')
    expect(html).not.toMatch(/<script>/)
    const warm = html.indexOf('<script src="/warm-start.js"></script>')
    expect(warm).toBeGreaterThan(0)
    expect(warm).toBeLessThan(html.indexOf('<script type="module"'))
    expect(warm).toBeLessThan(html.indexOf('</head>'))
    // The file cannot import the name; a rename would quietly warm nothing.
    expect(readFileSync('dist/warm-start.js', 'utf8')).toContain(`indexedDB.open('${FIELD_DB_NAME}')`)
  })

  it("finds the first screen's fonts in a worker, in the body's font stack, and has it offline", () => {
    // warm-start.js starts it; the worker cannot read the CSS, so it names the stack itself: a
    // stack other than --font-body would warm faces the page does not use.
    expect(readFileSync('dist/warm-start.js', 'utf8')).toContain("new Worker('/warm-fonts.js')")
    const tokens = readFileSync('src/app/styles/tokens.css', 'utf8')
    const body = /--font-body:\s*([^;]+);/.exec(tokens)![1]!.replace(/\s+/g, ' ').trim()
    const worker = readFileSync('dist/warm-fonts.js', 'utf8')
    expect(/const FONT_BODY =\s*"([^"]+)"/.exec(worker)?.[1]).toBe(body)
    // An offline cold start gets it from the service worker.
    expect(readFileSync('dist/sw.js', 'utf8')).toContain('"warm-fonts.js"')
  })
})
