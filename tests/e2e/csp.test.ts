// The built app under the station's Content-Security-Policy in real Chromium: the phone screens
// (enroll, the QR scanner with ZXing's WebAssembly on a fake camera, unlock, drives, sync,
// settings), the service worker and the station pages run without one CSP violation.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../support/server'
import { launchChromium, PHONE } from './support/browser'
import { enrollPhone, PINS, setUpStation, type StationSetup, unlockAs } from './support/field'

declare global {
  interface Window {
    __cspViolations: string[]
  }
}

const FAKE_CAMERA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']

describe('the app under its Content-Security-Policy', () => {
  let server: RunningServer
  let browser: Browser
  let station: StationSetup
  // Per page; the phone test ends with a deliberate violation of its own.
  let problems: string[] = []
  let requests: string[] = []

  async function watched(context: BrowserContext): Promise<Page> {
    // Runs before any page script (from DevTools, which the CSP does not govern).
    await context.addInitScript(() => {
      window.__cspViolations = []
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
      )
    })
    problems = []
    requests = []
    const page = await context.newPage()
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    page.on('console', (m) => {
      // A 401 from /auth/me on the sign-in page is logged as an error too; only CSP refusals count here.
      if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`)
    })
    page.on('request', (r) => requests.push(r.url()))
    return page
  }

  const violations = (page: Page) => page.evaluate(() => window.__cspViolations)

  beforeAll(async () => {
    server = await startServer()
    station = await setUpStation(server.url)
    browser = await launchChromium(FAKE_CAMERA)
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop(true)
  })

  it('serves pages with a CSP that allows no inline script', async () => {
    const res = await fetch(`${server.url}/station`)
    const csp = res.headers.get('content-security-policy')!
    expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval'(;|$)/)
    expect(csp).toContain("frame-ancestors 'none'")
    expect(res.headers.get('x-frame-options')).toBe('DENY')
  })

  it('runs the phone screens, the scanner’s WebAssembly and the service worker without a violation', async () => {
    const context = await browser.newContext({ viewport: PHONE, permissions: ['camera'] })
    const page = await watched(context)
    await page.goto(`${server.url}/enroll`)
    await page.locator('h1').first().waitFor()
    // The QR scanner: Chromium on Linux has no native BarcodeDetector, so ZXing's wasm compiles.
    await page.getByRole('button', { name: '扫描登记二维码' }).click()
    const dialog = page.getByRole('dialog', { name: '扫描登记二维码' })
    await expect.poll(() => dialog.getByRole('status').textContent(), { timeout: 30_000 }).toContain('正在识别')
    expect(requests.some((u) => u.endsWith('.wasm'))).toBe(true)
    await dialog.getByRole('button', { name: '取消扫码' }).click()

    await enrollPhone(page, server.url, station.enrollmentCode)
    await unlockAs(page, '王建华', PINS.leader)
    for (const path of ['/drives', '/drives/new', '/sync', '/settings', '/progress']) {
      await page.goto(`${server.url}${path}`)
      await page.locator('h1').first().waitFor()
    }
    // The service worker's script runs under the same policy.
    // (ready resolves once a worker is active, possibly still "activating": wait for the state.)
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === 'activated')
    expect(await violations(page)).toEqual([])
    expect(problems).toEqual([])
    // The policy is in force (and the watch works): an injected inline script is refused.
    const ran = await page.evaluate(() => {
      const s = document.createElement('script')
      s.textContent = 'window.__injected = true'
      document.head.append(s)
      return (window as { __injected?: boolean }).__injected === true
    })
    expect(ran).toBe(false)
    await expect.poll(() => violations(page)).toEqual([expect.stringMatching(/^script-src-elem inline/)])
    await context.close()
  }, 120_000)

  it('runs the station pages without a violation', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en' })
    await context.addInitScript(() => localStorage.setItem('bloodbus.locale', 'en'))
    const page = await watched(context)
    await page.goto(`${server.url}/station/login`)
    await page.getByLabel('Station code').fill('luoyang')
    await page.getByLabel('Username').fill('admin')
    await page.getByLabel('Password').fill('correct horse battery staple')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url) => url.pathname === '/station')
    for (const path of ['/station/targets', '/station/report', '/station/staff', '/station/sites', '/station/phones']) {
      await page.goto(`${server.url}${path}`)
      await page.locator('h1, h2').first().waitFor()
    }
    // The enrollment QR code draws as SVG; the code shows beside it.
    await page.getByRole('button', { name: 'Issue an enrollment code' }).click()
    await expect.poll(() => page.locator('svg path').count()).toBeGreaterThan(0)
    expect(await violations(page)).toEqual([])
    expect(problems).toEqual([])
    await context.close()
  }, 120_000)
})
