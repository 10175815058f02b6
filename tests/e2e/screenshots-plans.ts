// `npx tsx tests/e2e/screenshots-plans.ts`: the drive plans' screens at phone size (390×844), in
// Chinese and English, over the demo station (the year to date and its plans): the plans calendar,
// the plan form, a recruitment list, the dashboard's planned vs done, and a phone's drive-open form
// filled from today's plan. Into screenshots/plans-*.png.
import type { Browser } from 'playwright-core'
import { isoDateOf } from '../../src/domain/dates'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../../src/server/db/store'
import { DEMO_LOGIN, ensureDemoStation } from '../../src/server/demo'
import { createLogger } from '../../src/server/log'
import { startServer } from '../support/server'
import { prepareScreenshots, shot } from './support/screenshots'
import { launchChromium, PHONE } from './support/browser'
import { unlockAs } from './support/field'

async function api<T>(url: string, token: string | null, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return (res.status === 204 ? null : await res.json()) as T
}

async function stationScreens(browser: Browser, url: string, locale: 'zh-CN' | 'en'): Promise<void> {
  const context = await browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 1,
    locale,
    isMobile: true,
    hasTouch: true,
  })
  await context.addInitScript((l) => localStorage.setItem('bloodbus.locale', l), locale)
  const page = await context.newPage()
  await page.goto(`${url}/station/login`)
  await page.locator('input[autocomplete="organization"]').fill(DEMO_LOGIN.stationCode)
  await page.locator('input[autocomplete="username"]').fill(DEMO_LOGIN.manager.username)
  await page.locator('input[autocomplete="current-password"]').fill(DEMO_LOGIN.manager.password)
  await page.locator('button[type="submit"]').click()
  await page.waitForURL((u) => u.pathname === '/station')
  await page.getByTestId('pace-target').waitFor({ timeout: 60_000 })
  await page.getByTestId('plan-pace').scrollIntoViewIfNeeded()
  await shot(page, `plans-dashboard-pace-${locale}`)

  await page.goto(`${url}/station/plans`)
  await page.getByTestId('plan-card').first().waitFor()
  await shot(page, `plans-calendar-${locale}`)
  await page.getByTestId('plan-card').first().getByTestId('recruit').tap()
  await page.getByTestId('recruit-count').waitFor({ timeout: 60_000 })
  await page.getByTestId('recruitment').scrollIntoViewIfNeeded()
  await shot(page, `plans-recruitment-${locale}`)
  await page.getByTestId('plan-card').first().getByRole('button').first().tap()
  await page.getByTestId('plan-form').scrollIntoViewIfNeeded()
  await shot(page, `plans-form-${locale}`, true)
  await context.close()
}

async function phoneScreen(browser: Browser, url: string, token: string, leader: string): Promise<void> {
  const context = await browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    isMobile: true,
    hasTouch: true,
  })
  const page = await context.newPage()
  const { code } = await api<{ code: string }>(url, token, 'POST', '/api/v1/admin/enrollment-codes', {})
  await page.goto(`${url}/enroll`)
  await page.getByLabel(/登记码|Enrollment code/).fill(code)
  await page.locator('button[form="enroll-form"]').click()
  await page.locator('.unlock').waitFor({ timeout: 120_000 })
  await unlockAs(page, leader, DEMO_LOGIN.staffPin, { touch: true })
  await page.getByRole('link', { name: '开始新车次' }).tap()
  await page.getByTestId('from-plan').waitFor()
  await shot(page, 'plans-drive-open-zh-CN')
  await shot(page, 'plans-drive-open-full-zh-CN', true)
  await context.close()
}

async function main(): Promise<void> {
  await prepareScreenshots()
  // The demo station as `npm start` makes it (the year to date and its plans), seeded in-process
  // first: on a busy machine that takes longer than a server start may. PLANS_DATA_DIR reuses a folder.
  const dataDir = process.env.PLANS_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'bloodbus-plans-'))
  const store = await openStore({ dataDir })
  try {
    await ensureDemoStation(store, { log: createLogger({ level: 'warn' }) })
  } finally {
    await store.close()
  }
  const server = await startServer({ env: { DEMO: '0' }, dataDir })
  const browser = await launchChromium()
  try {
    const { token } = await api<{ token: string }>(server.url, null, 'POST', '/api/v1/auth/login', {
      stationCode: DEMO_LOGIN.stationCode,
      ...DEMO_LOGIN.manager,
    })
    const today = isoDateOf(new Date(), 'Asia/Shanghai')
    const plans = await api<{ leaderStaffId: string | null }[]>(
      server.url,
      token,
      'GET',
      `/api/v1/admin/plans?from=${today}&to=${today}`,
    )
    const staff = await api<{ id: string; name: string }[]>(server.url, token, 'GET', '/api/v1/admin/staff')
    const leader = staff.find((s) => s.id === plans.find((p) => p.leaderStaffId)?.leaderStaffId)
    for (const locale of ['zh-CN', 'en'] as const) await stationScreens(browser, server.url, locale)
    if (leader) await phoneScreen(browser, server.url, token, leader.name)
    else console.log('no plan with a leader today: the phone screen is left out')
  } finally {
    await browser.close()
    await server.stop(!process.env.PLANS_DATA_DIR)
  }
}

await main()
