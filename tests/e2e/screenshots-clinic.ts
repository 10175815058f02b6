// `npm run screenshots` (part): the clinic screens of issue 14 at 390×844 in zh-CN and en — the
// reagent lots on "open a drive" (an expired lot refused), the rapid tests (a lot expired since
// refused, a reactive HBsAg deferring, copper sulphate), the bleed with its lab flags, the reaction
// form and record, and the station's donor-care page (follow-up calls, flagged bags, rates, bleed
// limits) and the dashboard's reaction rates.
import type { Browser, Page } from 'playwright-core'
import { addDays, isoDateOf } from '../../src/domain/dates'
import { startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'
import {
  dinBody,
  dinWithCheck,
  enrollPhone,
  pickSite,
  PINS,
  residentId,
  setUpStation,
  type StationSetup,
  unlockAs,
} from './support/field'
import { stationApi } from './support/progress'
import { prepareScreenshots, shot } from './support/screenshots'

const LABELS = {
  'zh-CN': {
    openNew: '开始新车次',
    bus: '车号',
    rural: '乡村流动',
    dinFirst: '第一个血袋号（DIN）',
    dinLast: '最后一个血袋号（DIN）',
    open: '开始车次',
    record: '登记献血者',
    id: '身份证号',
    name: '姓名',
    household: '农村',
    hb: '血红蛋白 (g/L)',
    vitals: ['体重 (kg)', '收缩压 (mmHg)', '舒张压 (mmHg)', '脉搏 (次/分)', '体温 (°C)'],
    alt: '谷丙转氨酶 ALT（U/L）',
    reactive: '有反应（阳性）',
    copper: '硫酸铜法',
    copperPass: '合格（下沉）',
    donate: '献血',
    defer: '暂缓',
    pos: '阳性 +',
    din: '血袋号（DIN）',
    started: '开始时间',
    ended: '结束时间',
    volume: '实际采集量（ml）',
    short: '采集量不足',
    save: '保存',
    toDrive: '返回车次',
    reaction: '不良反应',
    vasovagal: '血管迷走神经反应（即发）',
    moderate: '中度',
    after: '采血后（在场）',
    treatment: '处理措施',
    recovered: '痊愈',
  },
  en: {
    openNew: 'Open a drive',
    bus: 'Bus',
    rural: 'Rural mobile',
    dinFirst: 'First bag number (DIN)',
    dinLast: 'Last bag number (DIN)',
    open: 'Open drive',
    record: 'Record donor',
    id: 'ID card number',
    name: 'Name',
    household: 'Rural',
    hb: 'Hb (g/L)',
    vitals: ['Weight (kg)', 'Systolic (mmHg)', 'Diastolic (mmHg)', 'Pulse (/min)', 'Temp. (°C)'],
    alt: 'ALT (U/L)',
    reactive: 'Reactive',
    copper: 'Copper sulphate',
    copperPass: 'Pass (drop sank)',
    donate: 'Donate',
    defer: 'Defer',
    pos: 'Positive +',
    din: 'Bag number (DIN)',
    started: 'Started',
    ended: 'Ended',
    volume: 'Volume drawn (ml)',
    short: 'Short draw',
    save: 'Save',
    toDrive: 'Back to drive',
    reaction: 'Reaction',
    vasovagal: 'Vasovagal, immediate',
    moderate: 'Moderate',
    after: 'After, on site',
    treatment: 'Treatment',
    recovered: 'Recovered',
  },
} as const
type Locale = keyof typeof LABELS

const fill = (page: Page, label: string, text: string) => page.getByLabel(label, { exact: true }).fill(text)

async function phoneScreens(browser: Browser, url: string, locale: Locale, code: string): Promise<void> {
  const L = LABELS[locale]
  const tag = locale === 'zh-CN' ? 'zh' : 'en'
  const context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, locale: 'zh-CN' })
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error('page error:', e.message))
  page.on('dialog', (d) => void d.accept())
  await page.addInitScript((l) => localStorage.setItem('bloodbus.locale', l), locale)
  await enrollPhone(page, url, code)
  if (await page.locator('.unlock').isVisible()) await unlockAs(page, '王建华', PINS.leader, { touch: true })
  const today = isoDateOf(new Date(), 'Asia/Shanghai')
  const first = locale === 'zh-CN' ? 1 : 41

  // Open a drive dated yesterday; an ALT lot expired the day before is refused first.
  await page.getByRole('link', { name: L.openNew }).tap()
  await page.locator('#drive-date').fill(addDays(today, -1))
  await fill(page, L.bus, locale === 'zh-CN' ? '豫C-A0001' : '豫C-A0002')
  await page.getByRole('radio', { name: L.rural, exact: true }).tap()
  await pickSite(page, '宜阳县三乡镇', '宜阳县三乡镇')
  await page.getByRole('checkbox', { name: '李敏', exact: true }).check()
  await page.getByRole('radio', { name: '王建华', exact: true }).tap()
  await fill(page, L.dinFirst, dinBody(first))
  await fill(page, L.dinLast, dinBody(first + 39))
  await page.locator('#lot-abo_rhd').fill('ABO-2411')
  await page.locator('#expiry-abo_rhd').fill(addDays(today, 200))
  await page.locator('#lot-alt').fill('ALT-2402')
  await page.locator('#expiry-alt').fill(addDays(today, -2))
  await page.getByRole('button', { name: L.open }).tap()
  await page.getByTestId('reagent-lots').getByRole('alert').waitFor()
  await page.getByTestId('reagent-lots').scrollIntoViewIfNeeded()
  await shot(page, `clinic-01-drive-reagent-lots-${tag}`)
  await page.locator('#expiry-alt').fill(addDays(today, -1))
  await page.getByRole('button', { name: L.open }).tap()
  await page.getByRole('link', { name: L.record }).waitFor()

  const identify = async (id: string, name: string) => {
    await page.getByRole('link', { name: L.record }).tap()
    await fill(page, L.id, id)
    await fill(page, L.name, name)
    await page.getByRole('radio', { name: L.household, exact: true }).tap()
    await page.keyboard.press('Enter')
  }
  const n = locale === 'zh-CN' ? 1 : 5

  // The ALT lot has expired since: refused; HBsAg reactive defers.
  await identify(residentId('410327', '1990-03-08', `01${n}`), '周强')
  await fill(page, L.hb, '145')
  for (const [i, label] of L.vitals.entries()) await fill(page, label, ['66', '120', '78', '70', '36.5'][i]!)
  await fill(page, L.alt, '28')
  await page.getByTestId('reagent-expired').waitFor()
  await page.getByTestId('rapid-tests').scrollIntoViewIfNeeded()
  await shot(page, `clinic-02-rapid-test-expired-lot-${tag}`)
  await fill(page, L.alt, '')
  await page.getByRole('radio', { name: L.reactive, exact: true }).tap()
  await page.getByTestId('blockers').waitFor()
  await page.getByTestId('blockers').scrollIntoViewIfNeeded()
  await shot(page, `clinic-03-hbsag-reactive-${tag}`)
  await page.getByRole('button', { name: L.defer, exact: true }).tap()
  await page.locator('#deferral-reason').waitFor()
  await shot(page, `clinic-04-deferral-hbsag-${tag}`)
  await page.getByRole('button', { name: L.save }).tap()
  await page.getByTestId('saved').waitFor()
  await page.getByRole('link', { name: L.toDrive }).tap()

  // Copper sulphate passes; the bleed: 14 minutes and short.
  await identify(residentId('410327', '1994-07-21', `02${n}`), '刘芳')
  await page.getByRole('radio', { name: L.copper, exact: true }).tap()
  await page.getByRole('radio', { name: L.copperPass, exact: true }).tap()
  for (const [i, label] of L.vitals.entries()) await fill(page, label, ['55', '112', '72', '76', '36.6'][i]!)
  await page.getByRole('radio', { name: 'O', exact: true }).tap()
  await page.getByRole('radio', { name: L.copperPass, exact: true }).scrollIntoViewIfNeeded()
  await shot(page, `clinic-05-copper-sulphate-${tag}`)
  await page.getByRole('button', { name: L.donate, exact: true }).tap()
  await page.getByRole('radio', { name: '400 ml', exact: true }).tap()
  await page.getByRole('radio', { name: L.pos, exact: true }).tap()
  await fill(page, L.din, dinWithCheck(first + 1))
  await fill(page, L.started, '09:00')
  await fill(page, L.ended, '09:14')
  await fill(page, L.volume, '310')
  await page.getByRole('checkbox', { name: L.short }).check()
  await page.getByTestId('bleed').locator('label.choice', { hasText: '李敏' }).tap()
  await page.getByTestId('bleed-flags').scrollIntoViewIfNeeded()
  await shot(page, `clinic-06-bleed-flagged-${tag}`)
  await page.getByTestId('bleed').scrollIntoViewIfNeeded()
  await shot(page, `clinic-06b-bleed-form-${tag}`, true)
  await page.getByRole('button', { name: L.save }).tap()
  await page.getByTestId('saved').waitFor()
  await page.getByRole('link', { name: L.toDrive }).tap()

  // A moderate reaction on her record.
  await page.getByRole('link', { name: /刘芳/ }).tap()
  await page.getByRole('button', { name: L.reaction, exact: true }).tap()
  await page.getByRole('radio', { name: L.vasovagal, exact: true }).tap()
  await page.getByRole('radio', { name: L.moderate, exact: true }).tap()
  await page.getByRole('radio', { name: L.after, exact: true }).tap()
  await fill(page, L.treatment, locale === 'zh-CN' ? '平卧、口服糖水' : 'Lay flat, sweet drink')
  await page.getByRole('radio', { name: L.recovered, exact: true }).tap()
  await shot(page, `clinic-07-reaction-form-${tag}`)
  await page.getByRole('button', { name: L.save }).tap()
  await page.getByTestId('reaction-detail').waitFor()
  await page.getByTestId('reaction-detail').scrollIntoViewIfNeeded()
  await shot(page, `clinic-08-reaction-recorded-${tag}`)

  // Wait for the phone to send it all (drive, deferral, donation, reaction).
  const login = await stationApi<{ token: string }>(url, 'POST', '/api/v1/auth/login', {
    stationCode: 'luoyang',
    username: 'admin',
    password: 'correct horse battery staple',
  })
  for (let i = 0; i < 120; i++) {
    const answer = await stationApi<{ followUps: unknown[] }>(
      url,
      'GET',
      '/api/v1/reports/reaction-follow-ups',
      undefined,
      login.token,
    )
    if (answer.followUps.length >= (locale === 'zh-CN' ? 1 : 2)) break
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
  await page.getByTestId('reaction-rates').waitFor()
  await page.getByTestId('reaction-rates').scrollIntoViewIfNeeded()
  await shot(page, `clinic-09-dashboard-reaction-rates-${tag}`)
  await page.goto(`${url}/station/clinic`)
  await page.getByTestId('follow-up').first().waitFor()
  await shot(page, `clinic-10-station-follow-ups-${tag}`)
  if (locale === 'en') {
    // The zh-CN pass left two calls: mark one done to show it.
    const call = page.getByTestId('follow-up').first()
    await call.locator('input').fill('Feels well, no bruising')
    await call.getByRole('button').click()
    await call.getByRole('status').waitFor()
    await shot(page, `clinic-11-station-call-done-${tag}`)
  }
  await page.getByTestId('flagged-bags').scrollIntoViewIfNeeded()
  await shot(page, `clinic-12-station-flagged-bags-${tag}`)
  await page.getByTestId('reaction-rates').scrollIntoViewIfNeeded()
  await shot(page, `clinic-13-station-rates-limits-${tag}`)
  await shot(page, `clinic-14-station-page-${tag}`, true)
  await context.close()
}

async function main(): Promise<void> {
  await prepareScreenshots()
  const server = await startServer()
  const browser = await launchChromium()
  try {
    const station: StationSetup = await setUpStation(server.url)
    await phoneScreens(browser, server.url, 'zh-CN', station.enrollmentCode)
    const { code } = await stationApi<{ code: string }>(
      server.url,
      'POST',
      '/api/v1/admin/enrollment-codes',
      {},
      station.adminToken,
    )
    await phoneScreens(browser, server.url, 'en', code)
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
