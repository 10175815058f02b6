// `npm run screenshots` (donor part): the donor's own screens at phone size in zh-CN and en: the
// questionnaire panel on the record form, donor mode (a question, the self-exclusion, contact,
// consent and signature, the hand-back PIN), the answers back on the form with their deferral, the
// thanks screen, the kiosk (start and its QR code), and the station's donors page.
import type { Browser, Page } from 'playwright-core'
import { DEFAULT_QUESTIONNAIRE } from '../../src/domain/questionnaire'
import { startServer } from '../support/server'
import { prepareScreenshots, shot } from './support/screenshots'
import { PHONE, launchChromium } from './support/browser'
import { dinBody, enrollPhone, pickSite, PINS, residentId, setUpStation, unlockAs } from './support/field'

type Lang = 'zh-CN' | 'en'
const L = {
  'zh-CN': {
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
    vitals: ['体重 (kg)', '血红蛋白 (g/L)', '收缩压 (mmHg)', '舒张压 (mmHg)', '脉搏 (次/分)', '体温 (°C)'],
    donate: '献血',
    defer: '暂缓',
    save: '保存',
    pos: '阳性 +',
    yes: '是',
    no: '否',
    use: '可以使用我的血液',
    exclude: '请勿使用我的血液',
    sms: '短信',
    none: '不要联系我',
    sign: '我同意并签名',
    confirm: '确认',
    nextDonor: '下一位',
    begin: '开始答题',
    login: ['血站代码', '用户名', '密码', '登录'],
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
    vitals: ['Weight (kg)', 'Hb (g/L)', 'Systolic (mmHg)', 'Diastolic (mmHg)', 'Pulse (/min)', 'Temp. (°C)'],
    donate: 'Donate',
    defer: 'Defer',
    save: 'Save',
    pos: 'Positive +',
    yes: 'Yes',
    no: 'No',
    use: 'My blood may be used',
    exclude: 'Please do not use my blood',
    sms: 'SMS',
    none: 'Do not contact me',
    sign: 'I agree and sign',
    confirm: 'Confirm',
    nextDonor: 'Next donor',
    begin: 'Begin',
    login: ['Station code', 'Username', 'Password', 'Sign in'],
  },
} as const

async function newPage(browser: Browser, lang: Lang): Promise<Page> {
  const context = await browser.newContext({
    viewport: PHONE,
    hasTouch: true,
    isMobile: true,
    deviceScaleFactor: 1,
    locale: lang,
  })
  await context.addInitScript((l) => localStorage.setItem('bloodbus.locale', l), lang)
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error('page error:', e.message))
  page.on('dialog', (d) => void d.accept())
  return page
}

async function typeInto(page: Page, label: string, text: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).fill(text)
}

/** Donor mode from the first question to the signature; `prefix` names the shots (none: no shots). */
async function answer(page: Page, lang: Lang, yes: string[], exclude: boolean, prefix: string | null): Promise<void> {
  const l = L[lang]
  for (const [i, q] of DEFAULT_QUESTIONNAIRE.questions.entries()) {
    await page.getByTestId('question').waitFor()
    if (prefix && i === 0) await shot(page, `${prefix}-02-question`)
    if (q.kind === 'self_exclusion') {
      if (prefix) await shot(page, `${prefix}-03-self-exclusion`)
      await page.getByRole('button', { name: exclude ? l.exclude : l.use }).tap()
    } else await page.getByRole('button', { name: yes.includes(q.code) ? l.yes : l.no, exact: true }).tap()
  }
  if (prefix) await shot(page, `${prefix}-04-contact`)
  await page.getByRole('button', { name: exclude ? l.sms : l.none, exact: true }).tap()
  const box = (await page.getByTestId('signature-pad').boundingBox())!
  await page.mouse.move(box.x + 40, box.y + 110)
  await page.mouse.down()
  for (let i = 1; i <= 24; i++) await page.mouse.move(box.x + 40 + i * 11, box.y + 100 - Math.sin(i / 2) * 45)
  await page.mouse.up()
  if (prefix) await shot(page, `${prefix}-05-consent`)
  await page.getByRole('button', { name: l.sign }).tap()
}

async function phoneScreens(browser: Browser, baseUrl: string, code: string, lang: Lang): Promise<void> {
  const l = L[lang]
  const p = lang === 'en' ? 'visit-en' : 'visit'
  const page = await newPage(browser, lang)
  await enrollPhone(page, baseUrl, code)
  await unlockAs(page, '王建华', PINS.leader, { touch: true })
  await page.getByRole('link', { name: l.openNew }).tap()
  await typeInto(page, l.bus, '豫C-0007')
  await page.getByRole('radio', { name: l.channel, exact: true }).tap()
  await pickSite(page, '宜阳县三乡镇', '宜阳县三乡镇')
  await page.getByRole('radio', { name: '王建华', exact: true }).tap()
  await typeInto(page, l.first, dinBody(lang === 'en' ? 101 : 1))
  await typeInto(page, l.last, dinBody(lang === 'en' ? 140 : 40))
  await page.getByRole('button', { name: l.submit }).tap()

  const identity = async (id: string, name: string) => {
    await typeInto(page, l.id, id)
    await typeInto(page, l.name, name)
    await page.getByRole('radio', { name: l.rural, exact: true }).tap()
    await page.keyboard.press('Enter')
    await page.getByTestId('questionnaire-panel').waitFor()
  }
  const vitals = async () => {
    const values = ['68', '142', '122', '78', '72', '36.6']
    for (const [i, label] of l.vitals.entries()) await typeInto(page, label, values[i]!)
  }
  const pin = async () => {
    await page.getByTestId('hand-back').waitFor()
    await shot(page, `${p}-06-hand-back`)
    await page.getByTestId('donor-mode').locator('input[type="password"]').fill(PINS.leader)
    await page.getByTestId('donor-mode').getByRole('button', { name: l.confirm }).tap()
    await page.getByTestId('questionnaire-done').waitFor()
  }

  await page.getByRole('link', { name: l.record }).tap()
  // Other donors in English: the Chinese run's deferral reached the station's snapshot.
  const region = lang === 'en' ? '410328' : '410327'
  await identity(residentId(region, '1990-05-12', '035'), '赵丽')
  await shot(page, `${p}-01-panel`)
  await page.getByTestId('donor-mode-start').tap()
  await answer(page, lang, ['tattoo', 'alcohol'], false, p)
  await pin()
  await shot(page, `${p}-07-answers-defer`)
  await vitals()
  await page.getByRole('button', { name: l.defer, exact: true }).tap()
  await shot(page, `${p}-08-deferral`)
  await page.getByRole('button', { name: l.save }).first().tap()
  await page.getByTestId('saved').waitFor()
  await page.getByRole('button', { name: l.nextDonor }).tap()

  await identity(residentId(region, '1985-09-30', '017'), '孙强')
  await page.getByTestId('donor-mode-start').tap()
  await answer(page, lang, [], true, null)
  await page.getByTestId('hand-back').waitFor()
  await page.getByTestId('donor-mode').locator('input[type="password"]').fill(PINS.leader)
  await page.getByTestId('donor-mode').getByRole('button', { name: l.confirm }).tap()
  await page.getByTestId('questionnaire-done').waitFor()
  await vitals()
  await page.getByRole('button', { name: l.donate, exact: true }).tap()
  await page.getByRole('radio', { name: '400 ml', exact: true }).tap()
  await page.getByRole('radio', { name: 'A', exact: true }).tap()
  await page.getByRole('radio', { name: l.pos, exact: true }).tap()
  await page.keyboard.press('Enter')
  await page.getByTestId('thanks').waitFor()
  await page.getByTestId('thanks').scrollIntoViewIfNeeded()
  await shot(page, `${p}-09-thanks`)
  await shot(page, `${p}-09-thanks-full`, true)
  // Let the records reach the station for its page.
  await page.getByRole('link', { name: lang === 'en' ? 'Back to drive' : '返回车次' }).tap()
  const badge = page.getByTestId('sync-badge').first()
  for (let i = 0; i < 60 && (await badge.getAttribute('data-state')) !== 'confirmed'; i++)
    await page.waitForTimeout(500)

  const kiosk = await newPage(browser, lang)
  await kiosk.goto(`${baseUrl}/kiosk`)
  await kiosk.getByRole('button', { name: l.begin }).waitFor()
  await shot(kiosk, `${p}-10-kiosk`)
  await kiosk.getByRole('button', { name: l.begin }).tap()
  await answer(kiosk, lang, [], true, null)
  await kiosk.getByTestId('kiosk').getByRole('img').waitFor()
  await shot(kiosk, `${p}-11-kiosk-qr`)

  const manager = await newPage(browser, lang)
  await manager.goto(`${baseUrl}/station/donors`)
  const [station, user, password, submit] = l.login
  await manager.getByLabel(station).fill('luoyang')
  await manager.getByLabel(user).fill('admin')
  await manager.getByLabel(password).fill('correct horse battery staple')
  await manager.getByRole('button', { name: submit }).tap()
  await manager.getByTestId('self-exclusions').locator('td.mono').first().waitFor()
  await shot(manager, `${p}-12-station-donors`, true)
}

async function main(): Promise<void> {
  await prepareScreenshots()
  const server = await startServer()
  const browser = await launchChromium()
  try {
    const station = await setUpStation(server.url)
    const res = await fetch(`${server.url}/api/v1/admin/enrollment-codes`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${station.adminToken}` },
      body: '{}',
    })
    const second = ((await res.json()) as { code: string }).code
    await phoneScreens(browser, server.url, station.enrollmentCode, 'zh-CN')
    await phoneScreens(browser, server.url, second, 'en')
  } finally {
    await browser.close()
    await server.stop(true)
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
