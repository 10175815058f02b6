// `npm run screenshots`: walks every field screen at phone size (390×844) in headless Chromium
// against the built app served by the real station server, and writes PNGs to screenshots/.
import { startServer } from '../support/server'
import { prepareScreenshots, shot } from './support/screenshots'
import { PHONE, launchChromium } from './support/browser'
import { isoDateOf } from '../../src/domain/dates'
import {
  addSnapshotDonor,
  dinBody,
  dinWithCheck,
  pickSite,
  PINS,
  residentId,
  setUpStation,
  unlockAs,
} from './support/field'

async function main(): Promise<void> {
  await prepareScreenshots()
  const server = await startServer()
  const browser = await launchChromium()
  try {
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
    const station = await setUpStation(server.url)
    const recentDonorId = residentId('410327', '1988-04-12', '031')

    // The QR code on the station's phones page opens /enroll?code=…
    await page.goto(`${server.url}/enroll?code=${encodeURIComponent(station.enrollmentCode)}`)
    await page.locator('h1').first().waitFor()
    await shot(page, '01-enroll')
    await page.locator('button[form="enroll-form"]').tap()
    await page.getByRole('button', { name: /王建华/ }).waitFor()
    // A donor the station saw two months ago; then the bus leaves the network behind.
    await addSnapshotDonor(page, recentDonorId, {
      lastDonationOn: isoDateOf(new Date(Date.now() - 60 * 86_400_000), 'Asia/Shanghai'),
      lastDonationType: 'whole_blood',
      apheresisLast12Months: 0,
      deferredUntil: null,
      permanentlyDeferred: false,
      hadReaction: false,
      donationCount: 3,
    })
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await context.setOffline(true)
    await shot(page, '02-unlock-who')
    await page.getByRole('button', { name: /王建华/ }).tap()
    await page.locator('.pin-pad').getByRole('button', { name: '2', exact: true }).tap()
    await page.locator('.pin-pad').getByRole('button', { name: '5', exact: true }).tap()
    await shot(page, '03-unlock-pin')
    await page.locator('.pin-input').fill('')
    await page.locator('.unlock-actions').getByRole('button').first().tap()
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    await page.getByRole('heading', { name: '进行中的车次' }).waitFor()
    await shot(page, '04-drives-empty')

    await page.getByRole('link', { name: '开始新车次' }).tap()
    await page.getByLabel('车号').fill('豫C-A1234')
    await page.getByRole('radio', { name: '乡村流动', exact: true }).tap()
    await pickSite(page, '宜阳县三乡镇', '宜阳县三乡镇')
    await page.getByRole('checkbox', { name: '志愿服务队伍', exact: true }).tap()
    await page.getByRole('checkbox', { name: '李敏', exact: true }).tap()
    await page.getByLabel('第一个血袋号（DIN）').fill(dinBody(1))
    await page.getByLabel('最后一个血袋号（DIN）').fill(dinBody(40))
    await shot(page, '05-drive-open')
    await shot(page, '05b-drive-open-full', true)
    await page.getByRole('button', { name: '开始车次' }).tap()
    await page.getByRole('link', { name: '登记献血者' }).waitFor()
    await shot(page, '06-drive-empty')

    // Donor 1: repeat donor whose last donation was two months ago (snapshot warning), then a
    // clean first-time donor who gives 400 ml.
    await page.getByRole('link', { name: '登记献血者' }).tap()
    await page.getByLabel('身份证号').fill(recentDonorId)
    await page.getByLabel('姓名').fill('赵丽')
    await page.getByTestId('snapshot-warning').waitFor()
    await shot(page, '07-donor-identity-warning')
    await page.getByRole('link', { name: '返回' }).tap()

    await page.getByRole('link', { name: '登记献血者' }).tap()
    await page.getByLabel('身份证号').fill(residentId('410327', '1995-07-21', '051'))
    // A name with emoji is refused, the characters named.
    await page.getByLabel('姓名').fill('张😀👍🏽')
    await shot(page, '08a-donor-name-error')
    await page.getByLabel('姓名').fill('刘洋')
    await page.getByLabel('手机号（可选）').fill('13838001234')
    await page.getByRole('radio', { name: '农村', exact: true }).tap()
    await shot(page, '08-donor-identity')
    await page.getByRole('button', { name: '下一步' }).tap()
    for (const [label, value] of [
      ['体重 (kg)', '68'],
      ['血红蛋白 (g/L)', '142'],
      ['收缩压 (mmHg)', '122'],
      ['舒张压 (mmHg)', '78'],
      ['脉搏 (次/分)', '72'],
      ['体温 (°C)', '36.6'],
    ] as const) {
      await page.getByLabel(label).fill(value)
    }
    await shot(page, '09-donor-vitals')
    await page.getByRole('button', { name: '献血', exact: true }).tap()
    await page.getByRole('radio', { name: '400 ml', exact: true }).tap()
    await page.getByRole('radio', { name: 'A', exact: true }).tap()
    await page.getByRole('radio', { name: '阳性 +', exact: true }).tap()
    await page.getByLabel('血袋号（DIN）').fill(dinWithCheck(1))
    await shot(page, '10-donor-donation')
    await page.getByRole('button', { name: '保存' }).tap()
    await page.getByTestId('saved').waitFor()
    await shot(page, '11-donor-saved')

    // Donor 2: low Hb → deferral.
    await page.getByRole('button', { name: '下一位' }).tap()
    await page.getByLabel('身份证号').fill(residentId('410328', '2000-02-03', '062'))
    await page.getByLabel('姓名').fill('陈静')
    await page.getByRole('radio', { name: '城镇', exact: true }).tap()
    await page.getByRole('button', { name: '下一步' }).tap()
    for (const [label, value] of [
      ['体重 (kg)', '52'],
      ['血红蛋白 (g/L)', '108'],
      ['收缩压 (mmHg)', '104'],
      ['舒张压 (mmHg)', '70'],
      ['脉搏 (次/分)', '80'],
      ['体温 (°C)', '36.8'],
    ] as const) {
      await page.getByLabel(label).fill(value)
    }
    await shot(page, '12-donor-vitals-fail')
    // Hb typed in g/dL and a temperature without its decimal point: unit-slip hints, then the
    // page reloads (the draft comes back after unlocking).
    await page.getByLabel('血红蛋白 (g/L)').fill('14.2')
    await page.getByLabel('体温 (°C)').fill('368')
    await page.getByTestId('slip-hint').first().waitFor()
    await shot(page, '12a-donor-vitals-slip')
    await page.waitForTimeout(600) // the draft's debounced write
    await page.reload()
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    await page.getByTestId('draft-restored').waitFor()
    await shot(page, '12b-donor-draft-restored')
    await page.getByRole('button', { name: '改为 36.8' }).tap()
    await page.getByLabel('血红蛋白 (g/L)').fill('108')
    await page.getByRole('button', { name: '暂缓' }).tap()
    await shot(page, '13-donor-deferral')
    await page.getByRole('button', { name: '保存' }).tap()
    await page.getByTestId('saved').waitFor()
    await page.getByRole('link', { name: '返回车次' }).tap()
    await page.getByTestId('drive-tally').waitFor()
    await shot(page, '14-drive')
    // The narrowest phones the bus crews carry.
    await page.setViewportSize({ width: 360, height: 740 })
    await shot(page, '14b-drive-360')
    await page.getByRole('link', { name: '登记献血者' }).tap()
    await page.getByLabel('身份证号').fill(recentDonorId)
    await page.getByTestId('snapshot-warning').waitFor()
    await shot(page, '14c-donor-360')
    await page.getByRole('link', { name: '返回' }).tap()
    await page.setViewportSize(PHONE)

    await page.getByRole('link', { name: /刘洋/ }).tap()
    await page.getByRole('button', { name: '作废' }).waitFor()
    await shot(page, '15-record')
    await page.getByRole('button', { name: '不良反应' }).tap()
    await shot(page, '15b-record-reaction')
    await page.getByRole('button', { name: '取消' }).tap()
    await page.getByRole('button', { name: '更正' }).tap()
    await shot(page, '15c-record-correct')
    await page.getByRole('button', { name: '取消' }).tap()
    await page.getByRole('button', { name: '作废' }).tap()
    await page.getByLabel('原因（必填）').fill('献血者信息登记错误')
    await shot(page, '16-record-void')
    await page.getByRole('button', { name: '确认作废' }).tap()
    await page.getByText('已作废并保存。').waitFor()
    await page.getByRole('link', { name: '返回' }).tap()
    await page.getByRole('link', { name: /陈静/ }).tap()
    await page.getByRole('button', { name: '作废' }).waitFor()
    await shot(page, '16b-record-deferral')
    await page.getByRole('link', { name: '返回' }).tap()

    await page.getByRole('link', { name: '结束车次' }).tap()
    await page.getByLabel('损耗').fill('1')
    await page.getByLabel('退回').fill('37')
    await page.getByTestId('reconcile-status').waitFor()
    await shot(page, '17-drive-close-mismatch')
    await shot(page, '17b-drive-close-full', true)

    await page.getByRole('link', { name: '返回' }).tap()
    await page.getByRole('link', { name: '返回' }).tap()
    await page.getByRole('link', { name: '设置' }).tap()
    await shot(page, '18-settings')
    await page.getByRole('radio', { name: 'English', exact: true }).tap()
    await page.getByRole('link', { name: 'Back' }).tap()
    await shot(page, '19-drives-en')
    await page.locator('.drive-card').first().tap()
    await page.getByTestId('drive-tally').waitFor()
    await shot(page, '20-drive-en')
    await page.getByRole('link', { name: 'Record donor' }).tap()
    await page.getByLabel('ID card number').fill('11010519491231002Y')
    await shot(page, '21-donor-en-error')
    await page.getByLabel('ID card number').fill(residentId('410328', '1992-05-06', '081'))
    await page.getByLabel('Name').fill('阿依古丽・买买提')
    await page.getByRole('radio', { name: 'Rural', exact: true }).tap()
    await page.getByRole('button', { name: 'Next' }).tap()
    for (const [label, value] of [
      ['Weight (kg)', '6800'],
      ['Hb (g/L)', '14.2'],
      ['Systolic (mmHg)', '78'],
      ['Diastolic (mmHg)', '122'],
      ['Pulse (/min)', '72'],
      ['Temp. (°C)', '366'],
    ] as const) {
      await page.getByLabel(label).fill(value)
    }
    await page.getByTestId('slip-hint').first().waitFor()
    await shot(page, '21b-donor-en-slip')
    await shot(page, '21c-donor-en-slip-full', true)
    await page.waitForTimeout(600)
    await page.reload()
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    await page.getByTestId('draft-restored').waitFor()
    await shot(page, '21d-donor-en-draft-restored')
    await page.getByRole('button', { name: /Lock/ }).tap()
    await page.getByRole('button', { name: /李敏/ }).tap()
    await shot(page, '22-locked-en-handover')
    // 李敏 gets a blank form and goes back to the drive; when 王建华 unlocks again, the drive
    // screen offers his draft back (en, then zh-CN).
    for (const digit of PINS.collector)
      await page.locator('.pin-pad').getByRole('button', { name: digit, exact: true }).tap()
    await page.locator('.unlock-actions .btn-primary').tap()
    await page.locator('.unlock').waitFor({ state: 'detached' })
    await page.getByRole('link', { name: 'Back' }).tap()
    await page.getByTestId('drive-tally').waitFor()
    await page.getByRole('button', { name: /Lock/ }).tap()
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    await page.getByTestId('draft-offer').waitFor()
    await shot(page, '23-drive-en-draft-offer')
    await page.getByRole('button', { name: /Lock/ }).tap()
    await page.locator('.locale-switch').tap()
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    await page.getByTestId('draft-offer').waitFor()
    await shot(page, '23b-drive-draft-offer')
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
