// `npm run screenshots` (part): the hard-stop and override screens at 390×844 in zh-CN and en — a
// donor refused for a second donation today, the leader's override sheet (a wrong PIN refused),
// the approval on the form and on the record, a deferral with two reasons — and the station's
// deferral-reason and override tables on the annual report and the dashboard.
import type { Browser, Page } from 'playwright-core'
import { isoDateOf } from '../../src/domain/dates'
import { startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'
import {
  addSnapshotDonor,
  dinBody,
  dinWithCheck,
  enrollPhone,
  PINS,
  residentId,
  setUpStation,
  type StationSetup,
  unlockAs,
} from './support/field'
import { recordRuralDrive, stationApi } from './support/progress'
import { prepareScreenshots, shot } from './support/screenshots'

const LABELS = {
  'zh-CN': {
    record: '登记献血者',
    id: '身份证号',
    name: '姓名',
    rural: '农村',
    next: '下一步',
    vitals: ['体重 (kg)', '血红蛋白 (g/L)', '收缩压 (mmHg)', '舒张压 (mmHg)', '脉搏 (次/分)', '体温 (°C)'],
    donate: '献血',
    defer: '暂缓',
    pos: '阳性 +',
    din: '血袋号（DIN）',
    save: '保存',
    ask: '负责人批准例外',
    reason: '例外原因',
    urgent: '临床紧急用血',
    approve: '批准',
    toDrive: '返回车次',
    back: '返回',
  },
  en: {
    record: 'Record donor',
    id: 'ID card number',
    name: 'Name',
    rural: 'Rural',
    next: 'Next',
    vitals: ['Weight (kg)', 'Hb (g/L)', 'Systolic (mmHg)', 'Diastolic (mmHg)', 'Pulse (/min)', 'Temp. (°C)'],
    donate: 'Donate',
    defer: 'Defer',
    pos: 'Positive +',
    din: 'Bag number (DIN)',
    save: 'Save',
    ask: 'Leader approves exception',
    reason: 'Reason for the exception',
    urgent: 'Urgent clinical need',
    approve: 'Approve',
    toDrive: 'Back to drive',
    back: 'Back',
  },
} as const
type Locale = keyof typeof LABELS

async function fill(page: Page, label: string, text: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).fill(text)
}

async function phoneScreens(browser: Browser, url: string, station: StationSetup, locale: Locale, code: string) {
  const L = LABELS[locale]
  const tag = locale === 'zh-CN' ? 'zh' : 'en'
  const context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, locale: 'zh-CN' })
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error('page error:', e.message))
  page.on('dialog', (d) => void d.accept())
  await enrollPhone(page, url, code)
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
  })
  // Other people on the second phone: the first phone's donors are in the station's snapshot by then.
  const n = locale === 'zh-CN' ? 0 : 2
  const zhaoLi = residentId('410327', '1992-05-17', `04${n}`)
  const earlier = residentId('410327', '1985-11-02', `02${n + 1}`)
  const older = residentId('410327', '1970-01-01', `01${n + 5}`)
  await addSnapshotDonor(page, earlier, {
    lastDonationOn: isoDateOf(new Date(Date.now() - 60 * 86_400_000), 'Asia/Shanghai'),
    lastDonationType: 'whole_blood',
    apheresisLast12Months: 0,
    deferredUntil: null,
    permanentlyDeferred: false,
    hadReaction: false,
    donationCount: 3,
  })
  await context.setOffline(true)
  await page.reload()
  await unlockAs(page, '王建华', PINS.leader, { touch: true })
  const bus = locale === 'zh-CN' ? '豫C-A0001' : '豫C-A0002'
  const first = locale === 'zh-CN' ? 1 : 41
  await recordRuralDrive(
    page,
    [{ id: zhaoLi, name: '赵丽', din: first }],
    { body: (n) => dinBody(n === 40 ? first + 39 : n === 1 ? first : n), withCheck: dinWithCheck },
    bus,
  )
  if (locale !== 'zh-CN') {
    await page.evaluate(() => localStorage.setItem('bloodbus.locale', 'en'))
    await page.reload()
    if (await page.locator('.unlock').isVisible()) await unlockAs(page, '王建华', PINS.leader, { touch: true })
  }
  await page.getByRole('link', { name: L.record }).waitFor()

  const identify = async (id: string, name: string) => {
    await page.getByRole('link', { name: L.record }).tap()
    await fill(page, L.id, id)
    await fill(page, L.name, name)
    await page.getByRole('radio', { name: L.rural, exact: true }).tap()
  }
  const measure = async (vitals: string[]) => {
    await page.getByRole('button', { name: L.next }).tap()
    for (const [i, label] of L.vitals.entries()) await fill(page, label, vitals[i]!)
  }

  // 赵丽 again today: refused outright.
  await identify(zhaoLi, '赵丽')
  await page.getByTestId('same-day').waitFor()
  await shot(page, `rules-01-same-day-identity-${tag}`)
  await measure(['60', '130', '118', '76', '70', '36.5'])
  await page.getByTestId('blockers').waitFor()
  await shot(page, `rules-02-same-day-vitals-${tag}`)
  await page.getByRole('button', { name: L.back, exact: true }).tap()
  await page.getByRole('link', { name: L.back, exact: true }).tap()

  // The donor from 60 days ago: the leader's override.
  await identify(earlier, '钱芳')
  await measure(['58', '128', '116', '74', '72', '36.6'])
  await shot(page, `rules-03-interval-vitals-${tag}`)
  await page.getByRole('button', { name: L.donate, exact: true }).tap()
  await page.getByRole('radio', { name: '400 ml', exact: true }).tap()
  await page.getByRole('radio', { name: 'B', exact: true }).tap()
  await page.getByRole('radio', { name: L.pos, exact: true }).tap()
  await fill(page, L.din, dinWithCheck(first + 1))
  await page.getByRole('button', { name: L.save }).tap()
  await page.getByTestId('override').locator('[role="alert"]').waitFor()
  await page.getByTestId('override').scrollIntoViewIfNeeded()
  await shot(page, `rules-04-override-needed-${tag}`)
  await page.getByRole('button', { name: L.ask }).tap()
  const sheet = page.getByRole('dialog')
  await sheet.getByLabel(L.reason).selectOption({ label: L.urgent })
  await sheet.locator('.pin-input').fill(PINS.collector)
  await sheet.getByRole('button', { name: L.approve, exact: true }).tap()
  await sheet.getByRole('alert').waitFor()
  await shot(page, `rules-05-override-sheet-wrong-pin-${tag}`)
  await sheet.locator('.pin-input').fill(PINS.leader)
  await sheet.getByRole('button', { name: L.approve, exact: true }).tap()
  await page.getByTestId('override-approved').waitFor()
  await page.getByTestId('override').scrollIntoViewIfNeeded()
  await shot(page, `rules-06-override-approved-${tag}`)
  await page.getByRole('button', { name: L.save }).tap()
  await page.getByTestId('saved').waitFor()
  await page.getByRole('link', { name: L.toDrive }).tap()

  // A 56-year-old with BP 168/102: both reasons.
  await identify(older, '孙建国')
  await measure(['72', '140', '168', '102', '72', '36.5'])
  await page.getByRole('button', { name: L.defer, exact: true }).tap()
  await page.getByTestId('more-reasons').waitFor()
  await shot(page, `rules-07-deferral-two-reasons-${tag}`)
  await page.getByRole('button', { name: L.save }).tap()
  await page.getByTestId('saved').waitFor()
  await shot(page, `rules-08-deferral-saved-${tag}`)
  await page.getByRole('link', { name: L.toDrive }).tap()
  await page.getByTestId('drive-tally').waitFor()
  await shot(page, `rules-09-drive-list-${tag}`)
  await page.getByRole('link', { name: /钱芳/ }).tap()
  await page.getByTestId('record-override').waitFor()
  await shot(page, `rules-10-record-override-${tag}`)
  await page.getByRole('link', { name: L.back, exact: true }).tap()

  // Back online: the phone sends its drive, two donations and the deferral before it is put away.
  await context.setOffline(false)
  const expected = locale === 'zh-CN' ? 4 : 8
  const login = await stationApi<{ token: string }>(url, 'POST', '/api/v1/auth/login', {
    stationCode: 'luoyang',
    username: 'admin',
    password: 'correct horse battery staple',
  })
  const today = isoDateOf(new Date(), 'Asia/Shanghai')
  for (let i = 0; i < 120; i++) {
    const listed = await stationApi<{ records: unknown[] }>(
      url,
      'GET',
      `/api/v1/reports/records?from=${today}&to=${today}`,
      undefined,
      login.token,
    )
    if (listed.records.length >= expected) break
    await new Promise((res) => setTimeout(res, 500))
  }
  await context.close()
}

async function stationScreens(browser: Browser, url: string, locale: Locale): Promise<void> {
  const tag = locale === 'zh-CN' ? 'zh' : 'en'
  const context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, locale: 'zh-CN' })
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error('page error:', e.message))
  await page.addInitScript((l) => localStorage.setItem('bloodbus.locale', l), locale)
  await page.goto(`${url}/station/login`)
  await page.locator('input').nth(0).fill('luoyang')
  await page.locator('input').nth(1).fill('admin')
  await page.locator('input[type="password"]').fill('correct horse battery staple')
  await page.locator('form button[type="submit"]').click()
  await page.waitForURL((u) => u.pathname === '/station' || u.pathname === '/station/')
  await page.getByTestId('rules-tables').waitFor()
  await page.getByTestId('rules-tables').scrollIntoViewIfNeeded()
  await shot(page, `rules-11-station-dashboard-${tag}`)
  const year = isoDateOf(new Date(), 'Asia/Shanghai').slice(0, 4)
  await page.goto(`${url}/station/report/${year}`)
  await page.locator('[data-section="overrides"]').waitFor()
  await page.locator('[data-section="deferralReasons"]').scrollIntoViewIfNeeded()
  await shot(page, `rules-12-station-report-${tag}`)
  await context.close()
}

async function main(): Promise<void> {
  await prepareScreenshots()
  const server = await startServer()
  const browser = await launchChromium()
  try {
    const station = await setUpStation(server.url)
    await phoneScreens(browser, server.url, station, 'zh-CN', station.enrollmentCode)
    const { code } = await stationApi<{ code: string }>(
      server.url,
      'POST',
      '/api/v1/admin/enrollment-codes',
      {},
      station.adminToken,
    )
    await phoneScreens(browser, server.url, station, 'en', code)
    await stationScreens(browser, server.url, 'zh-CN')
    await stationScreens(browser, server.url, 'en')
  } finally {
    await browser.close()
    await server.stop(true)
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
