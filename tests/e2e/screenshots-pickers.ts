// `npx tsx tests/e2e/screenshots-pickers.ts`: the pickers and the PIN lock at 390×844 in zh-CN
// and en, on a station of real size (200 sites, 100 staff), offline: the unlock list with the
// crew first and a search, the wait after wrong PINs, the lockout with the leaders who can lift
// it, and the drive-open form with the site and crew pickers open.
import type { Browser, Page } from 'playwright-core'
import { startServer } from '../support/server'
import { prepareScreenshots, shot } from './support/screenshots'
import { PHONE, launchChromium } from './support/browser'
import { dinBody, enrollPhone, growStation, pickSite, PINS, setUpStation, unlockAs } from './support/field'

const TEXT = {
  'zh-CN': {
    find: '查找姓名',
    rural: '乡村流动',
    site: '采血地点',
    crew: '查找随车人员',
    bus: '车号',
    open: '开始车次',
    dinFirst: '第一个血袋号（DIN）',
    dinLast: '最后一个血袋号（DIN）',
    record: '登记献血者',
    askLeader: '请车长解锁',
  },
  en: {
    find: 'Find your name',
    rural: 'Rural mobile',
    site: 'Site',
    crew: 'Find staff on board',
    bus: 'Bus',
    open: 'Open drive',
    dinFirst: 'First bag number (DIN)',
    dinLast: 'Last bag number (DIN)',
    record: 'Record donor',
    askLeader: 'Ask a bus leader to unlock',
  },
} as const

async function walk(browser: Browser, url: string, code: string, locale: 'zh-CN' | 'en'): Promise<void> {
  const tag = locale === 'en' ? 'en' : 'zh'
  const text = TEXT[locale]
  const context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, locale })
  try {
    const page: Page = await context.newPage()
    page.on('pageerror', (e) => console.error('page error:', e.message))
    page.on('dialog', (d) => void d.accept())
    await enrollPhone(page, url, code)
    if (locale === 'en') {
      await page.evaluate(() => localStorage.setItem('bloodbus.locale', 'en'))
      await page.reload()
    }
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await context.setOffline(true)

    // Open a drive so the next unlock list pins its crew.
    await page.goto(`${url}/drives/new`)
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    await page.getByLabel(text.bus, { exact: true }).fill('豫C-A1234')
    await page.getByRole('radio', { name: text.rural, exact: true }).tap()
    await page.getByLabel(text.site, { exact: true }).fill('ccz')
    await shot(page, `pickers-${tag}-01-site-search`)
    await page.getByRole('button', { name: /车村镇天桥沟村/ }).tap()
    await page.getByLabel(text.crew).fill('caixue')
    await page.locator('.crew-picker').evaluate((el) => el.scrollIntoView())
    await shot(page, `pickers-${tag}-02-crew-search`)
    await page.getByRole('checkbox', { name: '采血员1', exact: true }).check()
    await page.getByLabel(text.crew).fill('li')
    await page.getByRole('checkbox', { name: '李敏', exact: true }).check()
    await page.getByLabel(text.dinFirst).fill(dinBody(1))
    await page.getByLabel(text.dinLast).fill(dinBody(40))
    await shot(page, `pickers-${tag}-03-drive-open-full`, true)
    await page.locator('button[form="drive-open-form"]').tap()
    await page.getByRole('link', { name: text.record }).waitFor()

    // The next drive: bus and crew remembered.
    await page.goto(`${url}/drives/new`)
    await unlockAs(page, '李敏', PINS.collector, { touch: true })
    await page.getByTestId('remembered').waitFor()
    await shot(page, `pickers-${tag}-04-drive-open-remembered`)
    await page.getByRole('radio', { name: text.rural, exact: true }).tap()
    await pickSite(page, 'yyxsx', '宜阳县三乡镇')
    await shot(page, `pickers-${tag}-05-site-chosen`)

    // The unlock list: crew first, then a search.
    await page.goto(`${url}/drives`)
    await page.getByTestId('unlock-crew').waitFor()
    await shot(page, `pickers-${tag}-06-unlock-crew-first`)
    await page.getByLabel(text.find).fill('zw')
    await shot(page, `pickers-${tag}-07-unlock-search`)
    await page.getByRole('button', { name: /张伟/ }).tap()
    for (let i = 0; i < 2; i++) {
      for (const d of '9999') await page.locator('.pin-pad').getByRole('button', { name: d, exact: true }).tap()
      await page.locator('.unlock-actions .btn-primary').tap()
      await page.waitForTimeout(300)
    }
    await shot(page, `pickers-${tag}-08-unlock-wait`)
    for (let i = 0; i < 3; i++) {
      await page.waitForFunction(
        () => !document.querySelector<HTMLButtonElement>('.unlock-actions .btn-primary')?.disabled,
      )
      if (await page.getByTestId('locked-out').count()) break
      for (const d of '9999') await page.locator('.pin-pad').getByRole('button', { name: d, exact: true }).tap()
      await page.locator('.unlock-actions .btn-primary').tap()
      await page.waitForTimeout(300)
    }
    await page.getByTestId('locked-out').waitFor()
    await shot(page, `pickers-${tag}-09-locked-out`)
    await page.getByRole('button', { name: text.askLeader }).tap()
    await shot(page, `pickers-${tag}-10-choose-leader`)
    await page
      .getByTestId('unlock-leaders')
      .getByRole('button', { name: /王建华/ })
      .tap()
    await shot(page, `pickers-${tag}-11-leader-pin`)
    for (const d of PINS.leader) await page.locator('.pin-pad').getByRole('button', { name: d, exact: true }).tap()
    await page.locator('.unlock-actions .btn-primary').tap()
    await page.locator('.notice-ok').waitFor()
    await shot(page, `pickers-${tag}-12-unlocked-by-leader`)
  } finally {
    await context.close()
  }
}

/** The station's staff page with the lockout setting, at laptop and phone width. */
async function stationStaffPage(browser: Browser, url: string, locale: 'zh-CN' | 'en'): Promise<void> {
  const tag = locale === 'en' ? 'en' : 'zh'
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale })
  try {
    const page = await context.newPage()
    await page.addInitScript((l) => localStorage.setItem('bloodbus.locale', l), locale)
    await page.goto(`${url}/station/staff`)
    await page.locator('input').nth(0).fill('luoyang')
    await page.locator('input').nth(1).fill('admin')
    await page.locator('input[type="password"]').fill('correct horse battery staple')
    await page.locator('button[type="submit"]').click()
    await page.waitForURL((u) => u.pathname === '/station/staff')
    await page.getByTestId('pin-lockout').waitFor()
    await page.waitForTimeout(500)
    await shot(page, `pickers-${tag}-13-station-staff`)
    await page.setViewportSize(PHONE)
    await page.getByTestId('pin-lockout').scrollIntoViewIfNeeded()
    await shot(page, `pickers-${tag}-14-station-staff-phone`)
  } finally {
    await context.close()
  }
}

async function main(): Promise<void> {
  await prepareScreenshots()
  const server = await startServer()
  const browser = await launchChromium()
  try {
    const station = await setUpStation(server.url)
    await growStation(server.url, station)
    for (const locale of ['zh-CN', 'en'] as const) await stationStaffPage(browser, server.url, locale)
    for (const locale of ['zh-CN', 'en'] as const) {
      const { code } = await (
        await fetch(`${server.url}/api/v1/admin/enrollment-codes`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${station.adminToken}` },
          body: '{}',
        })
      ).json()
      await walk(browser, server.url, code as string, locale)
    }
  } finally {
    await browser.close()
    await server.stop(true)
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
