// `npm run screenshots` (DIN part): the screens of "a bag number once" at phone size in zh-CN and en:
// the donor form offering the next bag, a bag used on another drive, the overlapping-range warning
// with the leader's PIN, and the sync screen with a station duplicate_din named and correct/void.
import type { Page } from 'playwright-core'
import { startServer } from '../support/server'
import { prepareScreenshots, shot } from './support/screenshots'
import { PHONE, launchChromium } from './support/browser'
import {
  dinBody,
  dinWithCheck,
  enrollPhone,
  syncBagFromAnotherPhone,
  pickSite,
  PINS,
  residentId,
  setUpStation,
  unlockAs,
} from './support/field'

type Lang = 'zh' | 'en'
const L = {
  zh: {
    openNew: '开始新车次',
    bus: '车号',
    site: '采血地点',
    channel: '乡村流动',
    first: '第一个血袋号（DIN）',
    last: '最后一个血袋号（DIN）',
    submit: '开始车次',
    record: '登记献血者',
    id: '身份证号',
    name: '姓名',
    rural: '农村',
    vitals: ['体重 (kg)', '血红蛋白 (g/L)', '收缩压 (mmHg)', '舒张压 (mmHg)', '脉搏 (次/分)', '体温 (°C)'],
    donate: '献血',
    pos: '阳性 +',
    din: '血袋号（DIN）',
    toDrive: '返回车次',
    back: '返回',
  },
  en: {
    openNew: 'Open a drive',
    bus: 'Bus',
    site: 'Site',
    channel: 'Rural mobile',
    first: 'First bag number (DIN)',
    last: 'Last bag number (DIN)',
    submit: 'Open drive',
    record: 'Record donor',
    id: 'ID card number',
    name: 'Name',
    rural: 'Rural',
    vitals: ['Weight (kg)', 'Hb (g/L)', 'Systolic (mmHg)', 'Diastolic (mmHg)', 'Pulse (/min)', 'Temp. (°C)'],
    donate: 'Donate',
    pos: 'Positive +',
    din: 'Bag number (DIN)',
    toDrive: 'Back to drive',
    back: 'Back',
  },
} as const

async function typeInto(page: Page, label: string, text: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).fill(text)
}

async function openDrive(page: Page, lang: Lang, bus: string, first: number, last: number): Promise<void> {
  const l = L[lang]
  await page.getByRole('link', { name: l.openNew }).tap()
  await typeInto(page, l.bus, bus)
  await page.getByRole('radio', { name: l.channel, exact: true }).tap()
  await pickSite(page, '宜阳县三乡镇', '宜阳县三乡镇')
  await page.getByRole('radio', { name: '王建华', exact: true }).tap()
  await typeInto(page, l.first, dinBody(first))
  await typeInto(page, l.last, dinBody(last))
  await page.getByRole('button', { name: l.submit }).tap()
}

async function toDonation(page: Page, lang: Lang, donor: { id: string; name: string }): Promise<void> {
  const l = L[lang]
  await page.getByRole('link', { name: l.record }).tap()
  await typeInto(page, l.id, donor.id)
  await typeInto(page, l.name, donor.name)
  await page.getByRole('radio', { name: l.rural, exact: true }).tap()
  await page.keyboard.press('Enter')
  const values = ['68', '142', '122', '78', '72', '36.6']
  for (const [i, label] of l.vitals.entries()) await typeInto(page, label, values[i]!)
  await page.getByRole('button', { name: l.donate, exact: true }).tap()
  await page.getByRole('radio', { name: '400 ml', exact: true }).tap()
  await page.getByRole('radio', { name: 'A', exact: true }).tap()
  await page.getByRole('radio', { name: l.pos, exact: true }).tap()
  await page.getByLabel(l.din, { exact: true }).scrollIntoViewIfNeeded()
}

async function main(): Promise<void> {
  await prepareScreenshots()
  const server = await startServer()
  const browser = await launchChromium()
  try {
    const station = await setUpStation(server.url)
    // Another phone recorded bag 61 on drive 2 at 15:08 and synced first.
    await syncBagFromAnotherPhone(server.url, station, 61)

    const context = await browser.newContext({
      viewport: PHONE,
      hasTouch: true,
      isMobile: true,
      deviceScaleFactor: 1,
      locale: 'zh-CN',
    })
    const page = await context.newPage()
    page.on('pageerror', (e) => console.error('page error:', e.message))
    page.on('dialog', (d) => void d.accept())
    await enrollPhone(page, server.url, station.enrollmentCode)
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await context.setOffline(true)
    await page.reload()
    await page.getByRole('button', { name: /王建华/ }).waitFor()
    await unlockAs(page, '王建华', PINS.leader, { touch: true })

    // This phone: drive 3 with bags 60–90, bag 61 for 周敏 (it cannot know the other phone's drive).
    await openDrive(page, 'zh', '豫C-0003', 60, 90)
    await page.getByRole('link', { name: L.zh.record }).waitFor()
    await toDonation(page, 'zh', { id: residentId('410329', '1992-11-02', '033'), name: '周敏' })
    await shot(page, 'din-01-donor-next-bag')
    await typeInto(page, L.zh.din, dinWithCheck(61))
    await page.keyboard.press('Enter')
    await page.getByTestId('saved').filter({ hasText: '周敏' }).waitFor()
    await page.getByRole('link', { name: L.zh.toDrive }).tap()

    // Back online: the station refuses bag 61; the sync screen names the clash.
    await context.setOffline(false)
    const badge = page.getByTestId('sync-badge').first()
    for (let i = 0; i < 60 && (await badge.getAttribute('data-state')) !== 'attention'; i++)
      await page.waitForTimeout(500)
    await context.setOffline(true)
    await badge.tap()
    await page.getByTestId('attention-item').waitFor()
    await page.getByTestId('attention').scrollIntoViewIfNeeded()
    await shot(page, 'din-02-sync-refused')
    await page.getByTestId('attention-item').getByRole('button', { name: '更正血袋号' }).tap()
    await page.getByTestId('attention-item').scrollIntoViewIfNeeded()
    await shot(page, 'din-03-sync-correct-din')
    await page.getByTestId('attention-item').getByRole('button', { name: '取消' }).tap()
    await page.getByRole('link', { name: L.zh.back, exact: true }).tap()

    // A second drive of this phone with bags 70–99 overlaps drive 3 (open): the leader confirms.
    await openDrive(page, 'zh', '豫C-0004', 70, 99)
    await page.getByTestId('range-overlap').waitFor()
    await shot(page, 'din-04-range-overlap')
    for (const digit of PINS.collector)
      await page.getByTestId('range-overlap').getByRole('button', { name: digit, exact: true }).tap()
    await page.getByTestId('range-overlap-confirm').tap()
    await page.getByTestId('range-overlap').getByRole('alert').waitFor()
    await shot(page, 'din-05-range-overlap-wrong-pin')
    await page.getByTestId('range-overlap').getByRole('button', { name: '返回修改' }).tap()

    // English: settings → English, then the same screens.
    await page.getByRole('link', { name: L.zh.back, exact: true }).tap()
    await page.getByRole('link', { name: '设置' }).tap()
    await page.getByRole('radio', { name: 'English', exact: true }).tap()
    await page.getByRole('link', { name: 'Back' }).tap()
    await page.getByTestId('sync-badge').first().tap()
    await page.getByTestId('attention-item').waitFor()
    await page.getByTestId('attention').scrollIntoViewIfNeeded()
    await shot(page, 'din-12-sync-refused-en')
    await page.getByRole('link', { name: 'Back', exact: true }).tap()
    await openDrive(page, 'en', '豫C-0004', 70, 99)
    await page.getByTestId('range-overlap').waitFor()
    await shot(page, 'din-14-range-overlap-en')
    await page.getByTestId('range-overlap').getByRole('button', { name: 'Go back and change' }).tap()
    await page.getByRole('link', { name: 'Back', exact: true }).tap()
    await page.locator('.drive-card').first().tap()
    await page.getByRole('link', { name: L.en.record }).waitFor()
    await toDonation(page, 'en', { id: residentId('410328', '1990-03-08', '071'), name: '孙强' })
    await shot(page, 'din-11-donor-next-bag-en')
    await typeInto(page, L.en.din, dinWithCheck(61))
    await page.getByLabel(L.en.din, { exact: true }).blur()
    await shot(page, 'din-13-donor-bag-used-en')
    await context.close()
  } finally {
    await browser.close()
    await server.stop(true)
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
