// The app as a PWA in real Chromium, served by the real station server: it works offline from the
// service worker, Chromium finds it installable, and a new version waits for the user: never
// applied while a form holds unsaved input, applied (page reloads into it) once staff agree.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'

/** Builds the app with a given version marker into `outDir`. */
function buildVersion(version: string, outDir: string): void {
  execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    stdio: 'inherit',
    // Vitest sets NODE_ENV=test, which would give a development flavour of Vue in the build.
    env: { ...process.env, NODE_ENV: 'production', VITE_APP_VERSION: version },
  })
}

const versionOf = (page: Page) =>
  page.evaluate(() => document.querySelector('meta[name="bloodbus-version"]')?.getAttribute('content'))

async function waitForServiceWorkerControl(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 })
}

describe('PWA: offline shell and updates that wait for the user', () => {
  let buildRoot: string
  let v1: string
  let v2: string
  let server: RunningServer
  let browser: Browser

  beforeAll(async () => {
    buildRoot = mkdtempSync(join(tmpdir(), 'bloodbus-pwa-'))
    v1 = join(buildRoot, 'v1')
    v2 = join(buildRoot, 'v2')
    buildVersion('e2e-v1', v1)
    buildVersion('e2e-v2', v2)
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop(true)
    if (buildRoot) rmSync(buildRoot, { recursive: true, force: true })
  })

  async function serve(staticDir: string, port?: string): Promise<string> {
    await server?.stop(true)
    server = await startServer({ env: { STATIC_DIR: staticDir, ...(port ? { PORT: port } : {}) } })
    return server.url
  }

  it('opens offline from the service worker, deep links included; /api is never served from cache', async () => {
    const url = await serve(v1)
    const context = await browser.newContext({ viewport: PHONE })
    const page = await context.newPage()
    await page.goto(url)
    await waitForServiceWorkerControl(page)
    expect(await page.evaluate(async () => (await fetch('/api/v1/health')).status)).toBe(200)

    await context.setOffline(true)
    await page.reload()
    await expect.poll(() => page.locator('h1').first().textContent()).toBeTruthy()
    expect(await versionOf(page)).toBe('e2e-v1')
    await page.goto(`${url}/drives/0190a1b2-0000-7000-8000-000000000000`)
    await expect.poll(() => page.locator('h1').first().textContent()).toBeTruthy()

    // The API answered a moment ago, yet offline it fails instead of replaying a cached answer.
    expect(
      await page.evaluate(() =>
        fetch('/api/v1/health').then(
          () => 'answered',
          () => 'failed',
        ),
      ),
    ).toBe('failed')

    // The scanner's wasm (loaded only when a scanner opens) is precached for the bus too.
    const wasm = readdirSync(join(v1, 'assets')).find((f) => f.endsWith('.wasm'))
    expect(wasm, 'the ZXing wasm is part of the build').toBeDefined()
    const size = await page.evaluate(
      (path) =>
        fetch(path)
          .then((r) => r.arrayBuffer())
          .then((b) => b.byteLength),
      `/assets/${wasm}`,
    )
    expect(size).toBeGreaterThan(500_000)
    await context.close()
  })

  it('precaches only what phones use: no station page, no XLSX writer; station pages still load online', async () => {
    const url = await serve(v1)
    const context = await browser.newContext({ viewport: PHONE, locale: 'en' })
    const page = await context.newPage()
    await page.addInitScript(() => localStorage.setItem('bloodbus.locale', 'en'))
    await page.goto(url)
    await waitForServiceWorkerControl(page)
    const precached = new Set(
      await page.evaluate(async () => {
        const names = await caches.keys()
        const lists = await Promise.all(
          names.map(async (n) => (await (await caches.open(n)).keys()).map((r) => new URL(r.url).pathname)),
        )
        return lists.flat()
      }),
    )
    const assets = readdirSync(join(v1, 'assets'))
    const stationViews = assets.filter((f) => /^Station\w+View-.*\.js$/.test(f))
    const xlsx = assets.filter(
      (f) => f.endsWith('.js') && readFileSync(join(v1, 'assets', f), 'utf8').includes('xl/worksheets'),
    )
    expect(stationViews.length).toBeGreaterThan(5)
    expect(xlsx).toHaveLength(1)
    for (const f of [...stationViews, ...xlsx]) expect(precached, f).not.toContain(`/assets/${f}`)
    // The phone's own screens are all there (the offline test above opens them), with the donor
    // form's parts that load after its first screen.
    for (const name of [
      'record-form-',
      'vendor-',
      'DonorRecordView',
      'ProgressView-',
      'SyncView-',
      'zxing_reader-',
      'DonorVitalsStep-',
      'DonorOutcomeStep-',
      'QuestionnairePanel-',
      'CrewQr-',
    ]) {
      const file = assets.find((f) => f.startsWith(name) && !f.endsWith('.css'))
      if (file) expect(precached, file).toContain(`/assets/${file}`)
    }
    expect([...precached].some((p) => p.startsWith('/assets/record-form-'))).toBe(true)

    // Online, under the same service worker, the station's pages load from the network.
    await page.goto(`${url}/station/login`)
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).count()).toBe(1)
    expect(await page.evaluate((path) => fetch(path).then((r) => r.status), `/assets/${xlsx[0]}`)).toBe(200)
    await context.close()
  })

  it('is installable in Chromium (manifest, icons, service worker)', async () => {
    const url = await serve(v1)
    // A normal profile: Chromium never offers installation in the incognito contexts newContext() makes.
    const profile = mkdtempSync(join(tmpdir(), 'bloodbus-profile-'))
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
      ],
      viewport: PHONE,
    })
    try {
      const page = context.pages()[0] ?? (await context.newPage())
      await page.goto(url)
      await waitForServiceWorkerControl(page)
      const cdp = await context.newCDPSession(page)
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
        installabilityErrors: unknown[]
      }
      expect(installabilityErrors).toEqual([])
      const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[] }
      expect(manifest.url).toContain('/manifest.webmanifest')
      expect(manifest.errors).toEqual([])
    } finally {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    }
  })

  it('offers v2 but does not apply it over a dirty form; applies it after the form is clean and the user agrees', async () => {
    const url = await serve(v1)
    const port = new URL(url).port
    const context = await browser.newContext({ viewport: PHONE })
    const page = await context.newPage()
    await page.goto(url)
    await waitForServiceWorkerControl(page)
    expect(await versionOf(page)).toBe('e2e-v1')

    // Staff start typing into a real form (the enrollment code on a new phone).
    const input = page.locator('#enroll-form input').first()
    await input.fill('LY01-7H3K-9QXP')
    // Marks this very page load: gone if the page reloads.
    await page.evaluate(() => {
      ;(window as unknown as { stillV1Page: boolean }).stillV1Page = true
    })

    // The station server now serves v2 at the same address; the app checks for an update.
    await serve(v2, port)
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update()
    })

    const prompt = page.getByRole('region', { name: '应用更新' })
    await expect.poll(() => prompt.count(), { timeout: 60_000 }).toBe(1)
    expect(await prompt.textContent()).toContain('新版本已就绪')
    const apply = prompt.getByRole('button', { name: '立即更新' })
    expect(await apply.isDisabled()).toBe(true)
    expect(await prompt.textContent()).toContain('有表单尚未保存')
    const box = await apply.boundingBox()
    expect(box!.height).toBeGreaterThanOrEqual(48)

    // Even a forced tap on the disabled button changes nothing.
    await apply.click({ force: true })
    await page.waitForTimeout(2000)
    expect(await page.evaluate(() => (window as unknown as { stillV1Page?: boolean }).stillV1Page)).toBe(true)
    expect(await versionOf(page)).toBe('e2e-v1')
    expect(await input.inputValue()).toBe('LY01-7H3K-9QXP')
    expect(await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting)).toBe(true)

    // The form is cleared (saved or discarded): the button comes alive, and agreeing reloads into v2.
    await input.fill('')
    await expect.poll(() => apply.isDisabled()).toBe(false)
    expect(await prompt.textContent()).not.toContain('有表单尚未保存')
    await apply.click()
    await expect.poll(() => versionOf(page).catch(() => null), { timeout: 30_000 }).toBe('e2e-v2')
    expect(await page.evaluate(() => (window as unknown as { stillV1Page?: boolean }).stillV1Page)).toBeUndefined()
    await expect.poll(() => page.getByRole('region', { name: '应用更新' }).count()).toBe(0)

    // And v2 is what the service worker now serves offline.
    await context.setOffline(true)
    await page.reload()
    expect(await versionOf(page)).toBe('e2e-v2')
    await context.close()
  })
})
