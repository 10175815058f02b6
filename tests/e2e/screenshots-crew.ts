// `npm run screenshots` (crew part): one drive on two phones of the bus, at phone size in zh-CN and
// en: the leader's drive with its phones, a phone's own code to join, the block of bags handed out
// and its join code, the joined phone's drive, the donor hand-over code, the report to the leader,
// the leader's list with the report back, and the close reconciling the whole bus.
import type { Browser, Page } from 'playwright-core'
import { startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'
import { FAKE_CAMERA, pointCamera } from './support/crew'
import { dinBody, dinWithCheck, enrollPhone, pickSite, PINS, residentId, setUpStation, unlockAs } from './support/field'
import { stationApi } from './support/progress'
import { prepareScreenshots, shot } from './support/screenshots'
// (The English run's drive uses bags 101–140, since the station knows the first run's.)

const L = {
  zh: {
    openNew: '开始新车次',
    bus: '车号',
    channel: '乡村流动',
    first: '第一个血袋号（DIN）',
    last: '最后一个血袋号（DIN）',
    submit: '开始车次',
    record: '登记献血者',
    id: '身份证号',
    name: '姓名',
    rural: '农村',
    next: '下一步',
    vitals: ['体重 (kg)', '血红蛋白 (g/L)', '收缩压 (mmHg)', '舒张压 (mmHg)', '脉搏 (次/分)', '体温 (°C)'],
    donate: '献血',
    pos: '阳性 +',
    din: '血袋号（DIN）',
    toDrive: '返回车次',
    back: '返回',
    add: '添加手机',
    count: '给这部手机的血袋数',
    handOut: '分发并显示加入码',
    scanLeader: '扫车长的码',
    done: '完成',
    receive: '接收汇总',
    handover: '交回车长',
    close: '结束车次',
    spoiled: '损耗',
    returned: '退回',
  },
  en: {
    openNew: 'Open a drive',
    bus: 'Bus',
    channel: 'Rural mobile',
    first: 'First bag number (DIN)',
    last: 'Last bag number (DIN)',
    submit: 'Open drive',
    record: 'Record donor',
    id: 'ID card number',
    name: 'Name',
    rural: 'Rural',
    next: 'Next',
    vitals: ['Weight (kg)', 'Hb (g/L)', 'Systolic (mmHg)', 'Diastolic (mmHg)', 'Pulse (/min)', 'Temp. (°C)'],
    donate: 'Donate',
    pos: 'Positive +',
    din: 'Bag number (DIN)',
    toDrive: 'Back to drive',
    back: 'Back',
    add: 'Add a phone',
    count: 'Bags for this phone',
    handOut: 'Hand out bags',
    scanLeader: "Scan the leader's code",
    done: 'Done',
    receive: 'Receive a report',
    handover: 'Report',
    close: 'Close drive',
    spoiled: 'Spoiled',
    returned: 'Returned',
  },
} as const
type Lang = keyof typeof L

const fill = (page: Page, label: string, text: string) => page.getByLabel(label, { exact: true }).fill(text)

async function phone(browser: Browser, url: string, code: string, lang: Lang): Promise<Page> {
  const context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, locale: 'zh-CN' })
  await context.addInitScript(FAKE_CAMERA)
  if (lang === 'en') await context.addInitScript(`localStorage.setItem('bloodbus.locale', 'en')`)
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error('page error:', e.message))
  page.on('dialog', (d) => void d.accept())
  await enrollPhone(page, url, code)
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
  })
  await context.setOffline(true)
  await page.reload()
  await page.getByRole('button', { name: /王建华/ }).waitFor()
  return page
}

async function donation(page: Page, lang: Lang, id: string, name: string, bag: number): Promise<void> {
  const l = L[lang]
  await fill(page, l.id, id)
  await fill(page, l.name, name)
  await page.getByRole('radio', { name: l.rural, exact: true }).tap()
  await page.getByRole('button', { name: l.next, exact: true }).tap()
  const values = ['68', '142', '122', '78', '72', '36.6']
  for (const [i, label] of l.vitals.entries()) await fill(page, label, values[i]!)
  await page.getByRole('button', { name: l.donate, exact: true }).tap()
  await page.getByRole('radio', { name: '400 ml', exact: true }).tap()
  await page.getByRole('radio', { name: 'A', exact: true }).tap()
  await page.getByRole('radio', { name: l.pos, exact: true }).tap()
  await fill(page, l.din, dinWithCheck(bag))
  await page.keyboard.press('Enter')
  await page.getByTestId('saved').filter({ hasText: name }).waitFor()
}

async function run(browser: Browser, url: string, codes: [string, string], lang: Lang, ruralId: string): Promise<void> {
  const l = L[lang]
  const tag = lang === 'en' ? '-en' : ''
  const base = lang === 'en' ? 100 : 0
  const [leader, desk] = await Promise.all([phone(browser, url, codes[0], lang), phone(browser, url, codes[1], lang)])
  await unlockAs(leader, '王建华', PINS.leader, { touch: true })
  await unlockAs(desk, '李敏', PINS.collector, { touch: true })

  await leader.getByRole('link', { name: l.openNew }).tap()
  await fill(leader, l.bus, '豫C-A0001')
  await leader.getByRole('radio', { name: l.channel, exact: true }).tap()
  await pickSite(leader, '宜阳县三乡镇', '宜阳县三乡镇')
  await leader.getByRole('checkbox', { name: '李敏', exact: true }).check()
  await leader.getByRole('radio', { name: '王建华', exact: true }).tap()
  await fill(leader, l.first, dinBody(base + 1))
  await fill(leader, l.last, dinBody(base + 40))
  await leader.getByRole('button', { name: l.submit }).tap()
  await leader.getByTestId('crew-link').waitFor()
  await shot(leader, `crew-01-leader-drive${tag}`)

  await desk.getByTestId('join-link').tap()
  await desk.getByTestId('crew-qr').waitFor()
  await shot(desk, `crew-02-join-this-phone${tag}`)
  await leader.getByTestId('crew-link').tap()
  await pointCamera(desk, leader)
  await leader.getByRole('button', { name: l.add }).tap()
  await leader.getByLabel(l.count, { exact: true }).waitFor({ timeout: 20_000 })
  await shot(leader, `crew-03-hand-out-bags${tag}`)
  await fill(leader, l.count, '15')
  await leader.getByRole('button', { name: l.handOut }).tap()
  await leader.getByTestId('join-code').waitFor()
  await shot(leader, `crew-04-join-code${tag}`)
  await pointCamera(leader, desk)
  await desk.getByRole('button', { name: l.scanLeader }).tap()
  await desk.getByTestId('own-bags').waitFor({ timeout: 20_000 })
  await leader.getByRole('button', { name: l.done }).tap()

  // The desk registers a donor and shows her hand-over code; then collects one itself.
  await desk.getByRole('link', { name: l.record }).tap()
  await desk.getByTestId('donor-scan').waitFor()
  await shot(desk, `crew-05-donor-identity${tag}`)
  await fill(desk, l.id, residentId('410329', '1992-11-02', '033'))
  await fill(desk, l.name, '周敏')
  await desk.getByRole('radio', { name: l.rural, exact: true }).tap()
  await desk.getByTestId('donor-handoff-show').tap()
  await desk.getByTestId('donor-handoff').waitFor()
  await shot(desk, `crew-06-donor-handoff${tag}`)
  await desk.getByRole('button', { name: lang === 'en' ? 'Close' : '关闭' }).tap()
  await donation(
    desk,
    lang,
    residentId('410322', lang === 'en' ? '1986-05-19' : '1987-05-19', '015'),
    '吴刚',
    base + 26,
  )
  await desk.getByRole('link', { name: l.toDrive }).tap()
  await desk.getByTestId('own-bags').waitFor()
  await shot(desk, `crew-07-joined-drive${tag}`)
  await desk.getByRole('link', { name: l.handover }).tap()
  await desk.getByTestId('handover-summary').waitFor()
  await shot(desk, `crew-08-report-to-leader${tag}`)

  await pointCamera(desk, leader)
  await leader.getByRole('button', { name: l.receive }).tap()
  await leader.getByRole('status').first().waitFor({ timeout: 20_000 })
  await shot(leader, `crew-09-phones-reported${tag}`)
  await leader.getByRole('link', { name: l.back, exact: true }).first().tap()
  await leader.getByRole('link', { name: l.close }).tap()
  await leader.getByTestId('bus-reconciliation').waitFor()
  await fill(leader, l.spoiled, '0')
  await fill(leader, l.returned, '39')
  await leader.getByTestId('bus-reconciliation').scrollIntoViewIfNeeded()
  await shot(leader, `crew-10-close-whole-bus${tag}`)

  // Back in range, both phones sync; the station's channel page lists each phone's part of the drive.
  await desk.getByRole('link', { name: l.back, exact: true }).first().tap()
  await leader.getByRole('link', { name: l.back, exact: true }).first().tap()
  for (const page of [leader, desk]) {
    await page.context().setOffline(false)
    const badge = page.getByTestId('sync-badge').first()
    for (let i = 0; i < 60 && (await badge.getAttribute('data-state')) !== 'confirmed'; i++)
      await page.waitForTimeout(500)
  }
  // The station's pages are read on a laptop.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
  if (lang === 'en') await context.addInitScript(`localStorage.setItem('bloodbus.locale', 'en')`)
  const manager = await context.newPage()
  await manager.goto(`${url}/station/login`)
  await manager.getByLabel(lang === 'en' ? 'Station code' : '血站代码').fill('luoyang')
  await manager.getByLabel(lang === 'en' ? 'Username' : '用户名').fill('admin')
  await manager.getByLabel(lang === 'en' ? 'Password' : '密码').fill('correct horse battery staple')
  await manager.getByRole('button', { name: lang === 'en' ? 'Sign in' : '登录' }).click()
  await manager.waitForURL((u) => !u.pathname.endsWith('/login'))
  await manager.goto(`${url}/station/channels/${ruralId}`)
  await manager.getByTestId('drive-phones').first().waitFor()
  await manager.getByTestId('drive-phones').first().scrollIntoViewIfNeeded()
  await shot(manager, `crew-11-station-drive-phones${tag}`)
  await context.close()
  await leader.context().close()
  await desk.context().close()
}

async function main(): Promise<void> {
  await prepareScreenshots()
  const server = await startServer()
  const browser = await launchChromium()
  try {
    const station = await setUpStation(server.url)
    const code = async () =>
      (await stationApi<{ code: string }>(server.url, 'POST', '/api/v1/admin/enrollment-codes', {}, station.adminToken))
        .code
    const channels = await stationApi<Array<{ id: string; code: string }>>(
      server.url,
      'GET',
      '/api/v1/admin/channels',
      undefined,
      station.adminToken,
    )
    const ruralId = channels.find((c) => c.code === 'rural_mobile')!.id
    await run(browser, server.url, [station.enrollmentCode, await code()], 'zh', ruralId)
    await run(browser, server.url, [await code(), await code()], 'en', ruralId)
  } finally {
    await browser.close()
    await server.stop(true)
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
