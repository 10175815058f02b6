// `npm run screenshots` (lookback and station pages on a phone): at 390×844 in zh-CN and en, the
// lab's lookback list, the bus phone's drive and record with a hold, and every station page of a
// small station (phones named, open codes, paged staff and sites, the report on its latest year).
import type { Browser, Page } from 'playwright-core'
import { startServer } from '../support/server'
import { launchChromium, PHONE } from './support/browser'
import {
  dinBody,
  dinWithCheck,
  enrollPhone,
  PINS,
  residentId,
  setUpStation,
  type StationSetup,
  unlockAs,
} from './support/field'
import { anotherPhone } from './support/lookback'
import { recordRuralDrive } from './support/progress'
import { prepareScreenshots, shot } from './support/screenshots'

type Lang = 'zh-CN' | 'en'

async function api(url: string, token: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return res.status === 204 ? null : res.json()
}

/** More sites and staff than one page, and an unused code named for the next phone. */
async function growLists(url: string, station: StationSetup): Promise<void> {
  const counties = ['孟津区', '偃师区', '新安县', '宜阳县', '洛宁县', '伊川县', '嵩县', '栾川县', '汝阳县']
  const sites = Array.from({ length: 64 }, (_, i) => ({
    name: `${counties[i % 9]}石门村${i + 1}组`,
    kind: i % 4 === 0 ? 'township' : 'village',
    area: counties[i % 9],
  }))
  for (let i = 0; i < sites.length; i += 16)
    await Promise.all(sites.slice(i, i + 16).map((s) => api(url, station.adminToken, 'POST', '/api/v1/admin/sites', s)))
  for (let i = 0; i < 12; i += 4)
    await Promise.all(
      [0, 1, 2, 3].map((j) =>
        api(url, station.adminToken, 'POST', '/api/v1/admin/staff', {
          name: `采血员${i + j + 1}`,
          role: 'collector',
          pin: PINS.collector,
        }),
      ),
    )
  await api(url, station.adminToken, 'POST', '/api/v1/admin/enrollment-codes', { deviceName: '4号车 手机B' })
}

async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/station/login`)
  await page.locator('input[autocomplete="organization"]').fill('luoyang')
  await page.locator('input[autocomplete="username"]').fill('admin')
  await page.locator('input[autocomplete="current-password"]').fill('correct horse battery staple')
  await page.locator('button[type="submit"]').click()
  await page.waitForURL((u) => u.pathname === '/station')
}

async function stationPages(browser: Browser, url: string, lang: Lang): Promise<void> {
  const context = await browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 1,
    locale: lang,
    isMobile: true,
    hasTouch: true,
  })
  await context.addInitScript((l) => localStorage.setItem('bloodbus.locale', l), lang)
  const page = await context.newPage()
  await signIn(page, url)
  const tag = lang === 'zh-CN' ? 'zh' : 'en'
  for (const [path, name, ready] of [
    ['/station', 'dashboard', '.station-main h1'],
    ['/station/lookback', 'lookback', '[data-testid="lookback-item"]'],
    ['/station/phones', 'phones', '[data-testid="phone-row"]'],
    ['/station/staff', 'staff', '[data-testid="staff-range"]'],
    ['/station/sites', 'sites', '[data-testid="sites-range"]'],
    ['/station/targets', 'targets', '.station-main h1'],
    ['/station/report', 'report', '[data-testid="report-latest"]'],
    ['/station/channel-list', 'channels', '.station-table tbody tr'],
  ] as const) {
    await page.goto(`${url}${path}`)
    await page.locator(ready).first().waitFor({ timeout: 30_000 })
    await shot(page, `lookback-station-${name}-${tag}`)
    await shot(page, `lookback-station-${name}-${tag}-full`, true)
  }
  await context.close()
}

async function main(): Promise<void> {
  await prepareScreenshots()
  const server = await startServer()
  const browser = await launchChromium()
  try {
    const station = await setUpStation(server.url)
    // The bus phone, out of range, takes two donations another phone makes doubtful.
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1, locale: 'zh-CN', hasTouch: true })
    const page = await context.newPage()
    page.on('dialog', (d) => void d.accept())
    await enrollPhone(page, server.url, station.enrollmentCode)
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await context.setOffline(true)
    await page.reload()
    const liu = { id: residentId('410327', '1995-07-21', '051'), name: '刘洋', din: 1 }
    const sun = { id: residentId('410328', '1990-03-08', '071'), name: '孙强', din: 2 }
    const other = await anotherPhone(server.url, station)
    await other.defer(liu.id)
    const before = new Date()
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    const driveId = await recordRuralDrive(page, [liu, sun], { body: dinBody, withCheck: dinWithCheck })
    await other.donate(sun.id, 41, new Date(before.getTime() - 60_000))
    // More staff than one page (after the drive: a long roster turns the crew list into a search).
    await growLists(server.url, station)
    await context.setOffline(false)
    await page.getByTestId('sync-badge').first().getAttribute('data-state')
    await page.waitForFunction(
      () => document.querySelector('[data-testid="sync-badge"]')?.getAttribute('data-state') === 'confirmed',
      undefined,
      { timeout: 30_000 },
    )
    await page.getByTestId('lookback-notice').waitFor({ timeout: 30_000 })
    for (const lang of ['zh-CN', 'en'] as const) {
      const tag = lang === 'zh-CN' ? 'zh' : 'en'
      if (lang === 'en') {
        await page.evaluate(() => localStorage.setItem('bloodbus.locale', 'en'))
        await page.goto(`${server.url}/drives/${driveId}`)
        await unlockAs(page, '王建华', PINS.leader, { touch: true })
      }
      await page.getByTestId('lookback-notice').waitFor({ timeout: 30_000 })
      await shot(page, `lookback-phone-drive-${tag}`)
      await page
        .locator('.entry')
        .filter({ hasText: dinWithCheck(liu.din) })
        .tap()
      await page.getByTestId('record-lookback').waitFor()
      await shot(page, `lookback-phone-record-${tag}`)
      await page.goBack()
    }
    await context.close()
    for (const lang of ['zh-CN', 'en'] as const) await stationPages(browser, server.url, lang)
  } finally {
    await browser.close()
    await server.stop(true)
  }
}

await main()
