// `npx tsx tests/e2e/screenshots-finish.ts`: the fit-and-finish screens at 390×844 in zh-CN, then
// in English: a failed drive open with its first error in view, the donor form with the keyboard
// up (the visible area 390×400), the identity correction, and the drive's waiting count beside
// the sync badge.
import type { Page } from 'playwright-core'
import { startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'
import { dinBody, dinWithCheck, enrollPhone, pickSite, PINS, residentId, setUpStation, unlockAs } from './support/field'
import { prepareScreenshots, shot } from './support/screenshots'

const KEYBOARD_UP = { width: 390, height: 400 }

async function keyboardShot(page: Page, field: string, name: string): Promise<void> {
  await page.getByLabel(field, { exact: true }).focus()
  await page.setViewportSize(KEYBOARD_UP)
  await page.getByTestId('drive-tally').and(page.locator('[data-compact="true"]')).waitFor()
  await shot(page, name)
  await page.setViewportSize(PHONE)
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
}

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
    await enrollPhone(page, server.url, station.enrollmentCode)
    await unlockAs(page, '王建华', PINS.leader, { touch: true })

    // A failed 开始车次: the missing bag numbers come into view with the focus.
    await page.getByRole('link', { name: '开始新车次' }).tap()
    await page.getByLabel('车号').fill('豫C-A1234')
    await page.getByRole('radio', { name: '乡村流动', exact: true }).tap()
    await pickSite(page, 'sanxiang', '宜阳县三乡镇')
    await page.getByRole('checkbox', { name: '李敏', exact: true }).tap()
    await page.getByRole('radio', { name: '王建华', exact: true }).tap()
    await page.evaluate(() => window.scrollTo(0, 0))
    await page.getByRole('button', { name: '开始车次' }).tap()
    await shot(page, 'f01-drive-open-error-focus')
    await page.getByLabel('第一个血袋号（DIN）').fill(dinBody(1))
    await page.getByLabel('最后一个血袋号（DIN）').fill(dinBody(40))
    await page.getByRole('button', { name: '开始车次' }).tap()
    await page.getByRole('link', { name: '登记献血者' }).waitFor()

    // The keyboard up on the donor form: the tally folds, the field and its label stay clear.
    await page.getByRole('link', { name: '登记献血者' }).tap()
    await page.getByLabel('身份证号').fill(residentId('410327', '1995-07-21', '051'))
    await keyboardShot(page, '手机号（可选）', 'f02-donor-keyboard-up')
    await page.getByLabel('姓名', { exact: true }).fill('赵莉')
    await page.getByRole('radio', { name: '农村', exact: true }).tap()
    await page.getByRole('button', { name: '下一步' }).tap()
    // A failed 献血 on the vitals step: the first missing measurement gets the focus.
    await page.getByLabel('体重 (kg)').fill('68')
    await page.getByRole('button', { name: '献血', exact: true }).tap()
    await shot(page, 'f03-donor-vitals-error-focus')
    for (const [label, value] of [
      ['血红蛋白 (g/L)', '142'],
      ['收缩压 (mmHg)', '122'],
      ['舒张压 (mmHg)', '78'],
      ['脉搏 (次/分)', '72'],
      ['体温 (°C)', '36.6'],
    ] as const)
      await page.getByLabel(label).fill(value)
    await page.getByRole('button', { name: '献血', exact: true }).tap()
    await page.getByRole('radio', { name: '400 ml', exact: true }).tap()
    await page.getByRole('radio', { name: 'A', exact: true }).tap()
    await page.getByRole('radio', { name: '阳性 +', exact: true }).tap()
    await page.getByLabel('血袋号（DIN）').fill(dinWithCheck(1))
    await page.getByRole('button', { name: '保存' }).tap()
    await page.getByTestId('saved').waitFor()
    await page.getByRole('link', { name: '返回车次' }).tap()

    // The identity correction.
    await page.getByRole('link', { name: /赵莉/ }).tap()
    await page.getByRole('button', { name: '更正身份' }).waitFor()
    await shot(page, 'f04-record-actions')
    await page.getByRole('button', { name: '更正身份' }).tap()
    await page.getByLabel('身份证号').fill(residentId('410327', '1995-07-21', '061'))
    await page.getByLabel('姓名', { exact: true }).fill('赵丽')
    await page.getByTestId('identity-visit').waitFor()
    await shot(page, 'f05-identity-correct')
    await page.getByLabel('身份证号').fill(residentId('410327', '1995-07-21', '051'))
    await page.getByLabel('原因（必填）').fill('姓名登记错误')
    await page.getByRole('button', { name: '保存' }).tap()
    await page.getByText('身份信息的更正已保存。').waitFor()
    await shot(page, 'f06-identity-saved', true)
    await page.getByRole('link', { name: '返回' }).tap()

    // Offline: the drive card and the badge count the same waiting records.
    await context.setOffline(true)
    await page.getByRole('link', { name: '返回' }).tap()
    await page.getByRole('link', { name: '查看进度' }).tap()
    await page.getByTestId('progress-ready').waitFor()
    await shot(page, 'f07-progress-waiting')

    // English.
    await context.setOffline(false)
    await page.locator('.bar-back').tap()
    await page.getByRole('link', { name: '设置' }).tap()
    await page.getByRole('radio', { name: 'English', exact: true }).tap()
    await page.getByRole('link', { name: 'Back' }).tap()
    await page.getByRole('link', { name: 'Open a drive' }).tap()
    await page.getByRole('button', { name: 'Open drive' }).tap()
    await shot(page, 'f11-en-drive-open-error-focus')
    await page.getByRole('link', { name: 'Back' }).tap()
    await page.locator('.drive-card').first().tap()
    await page.getByRole('link', { name: 'Record donor' }).tap()
    await keyboardShot(page, 'Mobile (optional)', 'f12-en-donor-keyboard-up')
    await page.getByRole('link', { name: 'Back' }).tap()
    await page.getByRole('link', { name: /赵丽/ }).tap()
    await page.getByRole('button', { name: 'Correct identity' }).tap()
    await page.getByLabel('Name', { exact: true }).fill('赵丽丽')
    await page.getByRole('radio', { name: 'Urban', exact: true }).tap()
    await page.getByTestId('identity-visit').waitFor()
    await shot(page, 'f13-en-identity-correct')
    await page.getByRole('button', { name: 'Save' }).tap()
    await shot(page, 'f14-en-identity-error-focus')
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
