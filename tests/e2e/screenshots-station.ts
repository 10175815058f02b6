// `npx tsx tests/e2e/screenshots-station.ts`: the station pages over the Luoyang 2023 seed year at
// laptop (1280×800) and phone (390×844) size, in Chinese and English, into screenshots/station-*.png.
// STATION_DATA_DIR=<folder> reuses a folder seeded before (seeding takes about a minute).
import type { Browser, Page } from 'playwright-core'
import { periodFor } from '../../src/domain/targets'
import { startServer } from '../support/server'
import { prepareScreenshots, shot } from './support/screenshots'
import { launchChromium, PHONE } from './support/browser'
import { MANAGER, seedStationDataDir } from './support/station'

const DESKTOP = { width: 1280, height: 800 }

async function api(url: string, token: string | null, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return res.status === 204 ? null : res.json()
}

/** The 2023 plan a manager would set: station shares and rates, a university count, June's campaign. */
async function setTargets(url: string): Promise<void> {
  const { token } = (await api(url, null, 'POST', '/api/v1/auth/login', MANAGER)) as { token: string }
  const existing = (await api(url, token, 'GET', '/api/v1/admin/targets')) as unknown[]
  if (existing.length > 0) return
  const channels = (await api(url, token, 'GET', '/api/v1/admin/channels')) as { id: string; code: string }[]
  const uni = channels.find((c) => c.code === 'universities')!.id
  const rural = channels.find((c) => c.code === 'rural_mobile')!.id
  const year = periodFor('year', '2023-01-01')
  const station = { kind: 'station', id: null }
  for (const t of [
    { period: year, scope: station, metric: 'rural_mobile_share', comparison: '>=', value: 32 },
    { period: year, scope: station, metric: 'donations', comparison: '>=', value: 95_000 },
    { period: year, scope: station, metric: 'rate_400ml', comparison: '>=', value: 99.5 },
    { period: year, scope: station, metric: 'repeat_donor_share', comparison: '>=', value: 68 },
    { period: year, scope: station, metric: 'per_1000', comparison: '>=', value: 13.5 },
    { period: year, scope: station, metric: 'deferral_rate', comparison: '<=', value: 10 },
    { period: year, scope: { kind: 'channel', id: uni }, metric: 'donations', comparison: '>=', value: 10_000 },
    { period: year, scope: { kind: 'channel', id: rural }, metric: 'bus_trips', comparison: '>=', value: 780 },
    {
      period: periodFor('quarter', '2023-07-01'),
      scope: station,
      metric: 'donations',
      comparison: '>=',
      value: 23_000,
    },
  ])
    await api(url, token, 'POST', '/api/v1/admin/targets', t)
  await api(url, token, 'PUT', '/api/v1/admin/populations/2023', { population: 7_077_000 })
}

async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/station/login`)
  await page.locator('input[autocomplete="organization"]').fill(MANAGER.stationCode)
  await page.locator('input[autocomplete="username"]').fill(MANAGER.username)
  await page.locator('input[autocomplete="current-password"]').fill(MANAGER.password)
  await page.locator('button[type="submit"]').click()
  await page.waitForURL((u) => u.pathname === '/station')
}

async function dashboardAsOf(page: Page, date: string): Promise<void> {
  await page.locator('#dash-year').selectOption(date.slice(0, 4))
  await page.locator('#dash-asof').fill(date)
  await page.locator('#dash-asof').dispatchEvent('change')
  await page.getByTestId('target-progress').first().waitFor()
  await page.locator('.station-table tbody[aria-busy="false"]').first().waitFor({ timeout: 60_000 })
}

async function walk(browser: Browser, url: string, locale: 'zh-CN' | 'en', size: 'desktop' | 'phone'): Promise<void> {
  const viewport = size === 'desktop' ? DESKTOP : PHONE
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor: 1,
    locale,
    ...(size === 'phone' ? { isMobile: true, hasTouch: true } : {}),
  })
  await context.addInitScript((l) => localStorage.setItem('bloodbus.locale', l), locale)
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error('page error:', e.message))
  page.on('dialog', (d) => void d.accept())
  const tag = `station-${size}-${locale === 'zh-CN' ? 'zh' : 'en'}`
  await page.goto(`${url}/station/login`)
  await page.locator('form').waitFor()
  if (size === 'desktop' || locale === 'zh-CN') await shot(page, `${tag}-01-login`)
  await signIn(page, url)
  await dashboardAsOf(page, '2023-09-30')
  await shot(page, `${tag}-02-dashboard`, true)
  await page.goto(`${url}/station/report/2023`)
  await page.getByTestId('annual-report').waitFor()
  await shot(page, `${tag}-03-report`, true)
  if (locale === 'zh-CN') {
    await page.goto(`${url}/station/targets`)
    await page.locator('#targets-year').selectOption('2023')
    await page.getByRole('button', { name: /新建目标/ }).click()
    await page.locator('#tf-value').fill('120')
    await page.locator('[data-testid="target-form"] button[type="submit"]').click()
    await page.locator('[data-testid="target-form"] [role="alert"]').first().waitFor()
    await shot(page, `${tag}-04-targets`, true)
    await page.goto(`${url}/station/phones`)
    await page.locator('.card .btn-primary').click()
    await page.getByTestId('enrollment-code').waitFor()
    await shot(page, `${tag}-05-phones`, true)
    await page.goto(`${url}/station/staff`)
    await page.locator('.station-table tbody tr').nth(2).waitFor()
    await shot(page, `${tag}-06-staff`)
    await page.goto(`${url}/station`)
    await dashboardAsOf(page, '2023-06-30')
    await page.locator('.station-table a', { hasText: '乡村流动' }).click()
    await page.locator('#drill-month').fill('2023-06')
    await page.locator('.station-table tbody tr').nth(5).waitFor()
    await shot(page, `${tag}-07-channel`)
  }
  await context.close()
}

async function main(): Promise<void> {
  await prepareScreenshots()
  const dataDir = process.env.STATION_DATA_DIR || (await seedStationDataDir()).dataDir
  const server = await startServer({ dataDir })
  const browser = await launchChromium()
  try {
    await setTargets(server.url)
    for (const size of ['desktop', 'phone'] as const) {
      for (const locale of ['zh-CN', 'en'] as const) await walk(browser, server.url, locale, size)
    }
  } finally {
    await browser.close()
    await server.stop(!process.env.STATION_DATA_DIR)
  }
}

await main()
