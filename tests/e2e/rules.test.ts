// Hard stops and recorded overrides on a phone in real Chromium at 390×844, offline after the
// first load, against the real station: a donor who gave today is refused outright; an interval
// shortfall goes ahead only on the drive leader's PIN (a wrong PIN is refused) and a reason; a
// 56-year-old with BP 168/102 is deferred with both reasons. Back online, the station has the
// override and both reasons, and its annual report counts them by reason and by drive.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Deferral, Donation } from '../../src/domain/records'
import { type RunningServer, startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'
import {
  addSnapshotDonor,
  dinBody,
  dinWithCheck,
  enrollPhone,
  PINS,
  readTables,
  residentId,
  setUpStation,
  type StationSetup,
  unlockAs,
} from './support/field'
import { recordRuralDrive, stationApi, stationToday, typeInto } from './support/progress'

const VITALS = ['体重 (kg)', '血红蛋白 (g/L)', '收缩压 (mmHg)', '舒张压 (mmHg)', '脉搏 (次/分)', '体温 (°C)']

describe('hard stops and recorded overrides', () => {
  let server: RunningServer
  let browser: Browser
  let context: BrowserContext
  let station: StationSetup
  const errors: string[] = []

  beforeAll(async () => {
    server = await startServer()
    browser = await launchChromium()
    context = await browser.newContext({ viewport: PHONE, hasTouch: true, locale: 'zh-CN' })
    station = await setUpStation(server.url)
  })
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await server?.stop(true)
  })

  async function identify(page: Page, id: string, name: string, vitals: string[]): Promise<void> {
    await page.getByRole('link', { name: '登记献血者' }).tap()
    await typeInto(page, '身份证号', id)
    await typeInto(page, '姓名', name)
    await page.getByRole('radio', { name: '农村', exact: true }).tap()
    await page.keyboard.press('Enter')
    for (const [i, label] of VITALS.entries()) await typeInto(page, label, vitals[i]!)
  }

  it('refuses a same-day donation, needs the leader PIN for an interval override, keeps both deferral reasons; the station counts them', async () => {
    const page = await context.newPage()
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('dialog', (d) => void d.accept())
    await enrollPhone(page, server.url, station.enrollmentCode)
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await context.setOffline(true)
    await page.reload()
    await unlockAs(page, '王建华', PINS.leader, { touch: true })

    // A donor gives once; the snapshot knows another who gave 60 days ago.
    const zhaoLi = residentId('410327', '1992-05-17', '042')
    const earlier = residentId('410327', '1985-11-02', '023')
    await addSnapshotDonor(page, earlier, {
      lastDonationOn: new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10),
      lastDonationType: 'whole_blood',
      apheresisLast12Months: 0,
      deferredUntil: null,
      permanentlyDeferred: false,
      hadReaction: false,
      donationCount: 3,
    })
    const driveId = await recordRuralDrive(page, [{ id: zhaoLi, name: '赵丽', din: 1 }], {
      body: dinBody,
      withCheck: dinWithCheck,
    })

    // 1. 赵丽 again, the same day: refused outright, no tick box, no override.
    await identify(page, zhaoLi, '赵丽', ['60', '130', '118', '76', '70', '36.5'])
    await expect.poll(() => page.getByTestId('blockers').textContent()).toContain('同一天不能再献血')
    expect(await page.getByRole('button', { name: '献血', exact: true }).isDisabled()).toBe(true)
    expect(await page.getByText('已当面核实').count()).toBe(0) // the old tick box that let it through
    await page.getByRole('button', { name: '返回', exact: true }).tap()
    await page.getByTestId('same-day').waitFor()
    await page.getByRole('link', { name: '返回', exact: true }).tap() // leaves the form (the dialog is accepted)
    await page.getByRole('link', { name: '登记献血者' }).waitFor()

    // 2. The donor from 60 days ago: the interval needs the leader's PIN and a reason.
    await identify(page, earlier, '钱芳', ['58', '128', '116', '74', '72', '36.6'])
    await page.getByRole('button', { name: '献血', exact: true }).tap()
    await page.getByRole('radio', { name: '400 ml', exact: true }).tap()
    await page.getByRole('radio', { name: 'B', exact: true }).tap()
    await page.getByRole('radio', { name: '阳性 +', exact: true }).tap()
    await typeInto(page, '血袋号（DIN）', dinWithCheck(2))
    await page.getByRole('button', { name: '保存' }).tap()
    await expect.poll(() => page.getByTestId('override').textContent()).toContain('保存前需要负责人批准例外')
    await page.getByRole('button', { name: '负责人批准例外' }).tap()
    const sheet = page.getByRole('dialog')
    await sheet.getByLabel('例外原因').selectOption({ label: '临床紧急用血' })
    await sheet.getByLabel(/负责人 王建华 的 PIN/).fill(PINS.collector)
    await sheet.getByRole('button', { name: '批准' }).tap()
    await expect.poll(() => sheet.getByRole('alert').textContent()).toContain('PIN 不对')
    await sheet.getByLabel(/负责人 王建华 的 PIN/).fill(PINS.leader)
    await sheet.getByRole('button', { name: '批准' }).tap()
    await expect.poll(() => page.getByTestId('override-approved').textContent()).toContain('已由 王建华 批准例外')
    await page.getByRole('button', { name: '保存' }).tap()
    await expect.poll(() => page.getByTestId('saved').textContent()).toContain('钱芳')
    await page.getByRole('link', { name: '返回车次' }).tap()

    // 3. A 56-year-old with BP 168/102: deferred with both reasons.
    await identify(page, residentId('410327', '1970-01-01', '015'), '孙建国', ['72', '140', '168', '102', '72', '36.5'])
    await expect.poll(() => page.getByTestId('blockers').textContent()).toContain('年龄')
    await page.getByRole('button', { name: '暂缓', exact: true }).tap()
    await expect.poll(() => page.getByTestId('more-reasons').textContent()).toContain('血压不符合要求')
    await page.getByRole('button', { name: '保存' }).tap()
    await expect.poll(() => page.getByTestId('saved').textContent()).toContain('年龄不符合要求、血压不符合要求')
    await page.getByRole('link', { name: '返回车次' }).tap()

    // On the phone: one donation of 赵丽, the override recorded, both reasons kept.
    const tables = await readTables(page, ['donations', 'deferrals'])
    const donations = tables.donations as unknown as Donation[]
    expect(donations).toHaveLength(2)
    const overridden = donations.find((d) => d.override)!
    expect(overridden.override).toMatchObject({
      rules: ['interval'],
      reasonCode: 'urgent_clinical_need',
      approvedBy: station.staff.leader,
    })
    const [deferral] = tables.deferrals as unknown as Deferral[]
    expect(deferral).toMatchObject({ reasonCode: 'age', reasonCodes: ['age', 'blood_pressure'] })

    // The record view shows the override.
    await page.getByRole('link', { name: /钱芳/ }).tap()
    await expect.poll(() => page.getByTestId('record-override').textContent()).toContain('王建华 批准（临床紧急用血）')
    await page.getByRole('link', { name: '返回' }).tap()

    // Back online: everything goes to the station.
    await context.setOffline(false)
    const today = stationToday()
    const login = await stationApi<{ token: string }>(server.url, 'POST', '/api/v1/auth/login', {
      stationCode: 'luoyang',
      username: 'admin',
      password: 'correct horse battery staple',
    })
    const listStation = () =>
      stationApi<{ records: { record: Deferral | Donation }[] }>(
        server.url,
        'GET',
        `/api/v1/reports/records?from=${today}&to=${today}`,
        undefined,
        login.token,
      )
    // Sync runs by itself on "online": the drive, two donations, the deferral.
    await expect.poll(async () => (await listStation()).records.length, { timeout: 30_000 }).toBe(4)
    const listed = await listStation()
    const atStation = listed.records.map((r) => r.record)
    expect(atStation.find((r) => r.type === 'deferral')).toMatchObject({ reasonCodes: ['age', 'blood_pressure'] })
    expect(atStation.find((r) => r.type === 'donation' && r.override)).toMatchObject({
      override: { reasonCode: 'urgent_clinical_need' },
    })

    // The station's annual report (a manager's laptop): overrides by reason and by drive, deferrals by reason.
    const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' })
    try {
      const report = await desk.newPage()
      report.on('pageerror', (e) => errors.push(e.message))
      await report.goto(`${server.url}/station/login`)
      await report.getByLabel('血站代码').fill('luoyang')
      await report.getByLabel('用户名').fill('admin')
      await report.getByLabel('密码').fill('correct horse battery staple')
      await report.locator('form button[type="submit"]').click()
      await report.waitForURL((url) => url.pathname === '/station' || url.pathname === '/station/')
      await report.goto(`${server.url}/station/report/${today.slice(0, 4)}`)
      const overrides = report.locator('[data-section="overrides"]')
      await expect
        .poll(() => overrides.locator('[data-key="override_reason.urgent_clinical_need"] .num').textContent())
        .toBe('1')
      expect(await overrides.locator(`[data-key="override_drive.${driveId}"] .num`).textContent()).toBe('1')
      expect(await overrides.locator(`[data-key="override_drive.${driveId}"] th`).textContent()).toContain('豫C-A0001')
      const reasons = report.locator('[data-section="deferralReasons"]')
      expect(await reasons.locator('[data-key="deferral_reason.age"] .num').textContent()).toBe('1')
      expect(await reasons.locator('[data-key="deferral_reason.blood_pressure"] .num').textContent()).toBe('1')
      expect(await report.locator('[data-section="collection"] [data-key="deferrals"] .num').textContent()).toBe('1')
    } finally {
      await desk.close()
    }
    expect(errors).toEqual([])
  })
})
