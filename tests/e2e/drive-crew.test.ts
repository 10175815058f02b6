// One drive, three phones, no network between them (issue 14), in real Chromium against the real
// station. The leader's phone opens the drive; two crew phones join it by QR code (each QR image the
// other page shows is decoded by the app's own scanner, ZXing, from a camera stream); each gets its
// own block of bags. A donor registered on one phone is collected on another by a hand-over QR; at
// the end each phone hands its report to the leader's phone by QR and the leader's close reconciles
// every bag of the bus. Back online, the station counts one trip with every donation and shows each
// phone's part.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DrivePhones } from '../../src/server/repo/drive-phones'
import { type RunningServer, startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'
import {
  dinBody,
  dinWithCheck,
  enrollPhone,
  PINS,
  residentId,
  setUpStation,
  type StationSetup,
  unlockAs,
} from './support/field'
import { recordRuralDrive, stationApi, typeInto } from './support/progress'
import { FAKE_CAMERA, pointCamera } from './support/crew'

describe('one drive worked by three phones offline', () => {
  let server: RunningServer
  let browser: Browser
  let station: StationSetup
  const contexts: BrowserContext[] = []
  const errors: string[] = []

  beforeAll(async () => {
    server = await startServer()
    browser = await launchChromium()
    station = await setUpStation(server.url)
  })
  afterAll(async () => {
    for (const c of contexts) await c.close()
    await browser?.close()
    await server?.stop(true)
  })

  type Phone = { context: BrowserContext; page: Page }
  async function newPhone(code: string): Promise<Phone> {
    const context = await browser.newContext({ viewport: PHONE, hasTouch: true, locale: 'zh-CN' })
    contexts.push(context)
    await context.addInitScript(FAKE_CAMERA)
    const page = await context.newPage()
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('dialog', (d) => void d.accept())
    await enrollPhone(page, server.url, code)
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await context.setOffline(true)
    await page.reload()
    await page.getByRole('button', { name: /王建华/ }).waitFor()
    return { context, page }
  }

  const enrollmentCode = async () =>
    (await stationApi<{ code: string }>(server.url, 'POST', '/api/v1/admin/enrollment-codes', {}, station.adminToken))
      .code

  /** The screen's back link (a reload would lock the phone). */
  async function back(page: Page): Promise<void> {
    await page.getByRole('link', { name: '返回', exact: true }).first().tap()
  }

  async function donor(page: Page, id: string, name: string): Promise<void> {
    await typeInto(page, '身份证号', id)
    await typeInto(page, '姓名', name)
    await page.getByRole('radio', { name: '农村', exact: true }).tap()
  }

  async function vitalsAndDonation(page: Page, bag: number): Promise<void> {
    await page.getByRole('button', { name: '下一步' }).tap()
    const vitals = ['68', '142', '122', '78', '72', '36.6']
    for (const [i, label] of [
      '体重 (kg)',
      '血红蛋白 (g/L)',
      '收缩压 (mmHg)',
      '舒张压 (mmHg)',
      '脉搏 (次/分)',
      '体温 (°C)',
    ].entries())
      await typeInto(page, label, vitals[i]!)
    await page.getByRole('button', { name: '献血', exact: true }).tap()
    await page.getByRole('radio', { name: '400 ml', exact: true }).tap()
    await page.getByRole('radio', { name: 'A', exact: true }).tap()
    await page.getByRole('radio', { name: '阳性 +', exact: true }).tap()
    await typeInto(page, '血袋号（DIN）', dinWithCheck(bag))
    await page.keyboard.press('Enter')
  }

  it('joins by QR with own bags, hands a donor on, reconciles the bus at the close, and the station counts one trip', async () => {
    const codes = [station.enrollmentCode, await enrollmentCode(), await enrollmentCode()]
    const [leader, desk, chair] = (await Promise.all(codes.map((code) => newPhone(code)))) as [Phone, Phone, Phone]
    await Promise.all([
      unlockAs(leader.page, '王建华', PINS.leader, { touch: true }),
      unlockAs(desk.page, '李敏', PINS.collector, { touch: true }),
      unlockAs(chair.page, '张伟', PINS.second, { touch: true }),
    ])

    // The leader opens the drive with bags 1–40 and records one donor.
    const driveId = await recordRuralDrive(
      leader.page,
      [{ id: residentId('410327', '1995-07-21', '051'), name: '刘洋', din: 1 }],
      { body: dinBody, withCheck: dinWithCheck },
    )

    // Two phones join: each shows its own code, the leader scans it, hands out a block, shows the join code.
    for (const [phone, bags] of [
      [desk, '31 – 40'],
      [chair, '21 – 30'],
    ] as const) {
      await phone.page.getByTestId('join-link').tap()
      await leader.page.getByTestId('crew-link').tap()
      await pointCamera(phone.page, leader.page)
      await leader.page.getByRole('button', { name: '添加手机' }).tap()
      await typeInto(leader.page, '给这部手机的血袋数', '10')
      await leader.page.getByRole('button', { name: '分发并显示加入码' }).tap()
      await pointCamera(leader.page, phone.page)
      await phone.page.getByRole('button', { name: '扫车长的码' }).tap()
      await phone.page.getByTestId('own-bags').waitFor({ timeout: 20_000 })
      const [from, to] = bags.split(' – ').map(Number) as [number, number]
      expect(await phone.page.getByTestId('own-bags').textContent()).toContain(`${dinBody(from)} – ${dinBody(to)}`)
      await leader.page.getByRole('button', { name: '完成' }).tap()
      await leader.page.goBack()
    }
    // The same join code scanned by the wrong phone is refused: it names the phone it is for.
    await leader.page.getByTestId('crew-link').tap()
    await leader.page.getByRole('button', { name: '再显示加入码' }).first().tap()
    await pointCamera(leader.page, chair.page)
    await back(chair.page)
    await chair.page.getByTestId('join-link').tap()
    await chair.page.getByRole('button', { name: '扫车长的码' }).tap()
    await expect
      .poll(() => chair.page.getByTestId('join-problem').textContent(), { timeout: 20_000 })
      .toContain('这个码是给另一部手机（李敏）的')
    await leader.page.getByRole('button', { name: '完成' }).tap()

    // The desk registers a donor and hands her on to the chair, which collects her in its own bag 21.
    await desk.page.getByRole('link', { name: '登记献血者' }).tap()
    await donor(desk.page, residentId('410329', '1992-11-02', '033'), '周敏')
    await desk.page.getByTestId('donor-handoff-show').tap()
    await pointCamera(desk.page, chair.page)
    await back(chair.page)
    await chair.page.locator(`a[href$="/drives/${driveId}"]`).tap()
    await chair.page.getByRole('link', { name: '登记献血者' }).tap()
    await chair.page.getByTestId('donor-scan').tap()
    await chair.page.getByText('已收到上一台手机登记的献血者').waitFor({ timeout: 20_000 })
    expect(await chair.page.getByLabel('姓名', { exact: true }).inputValue()).toBe('周敏')
    await vitalsAndDonation(chair.page, 21)
    await chair.page.getByTestId('saved').filter({ hasText: '周敏' }).waitFor()
    await desk.page.getByRole('button', { name: '关闭' }).tap()
    // A bag of the chair's block is out of the desk's range on the desk.
    await donor(desk.page, residentId('410322', '1987-05-19', '015'), '吴刚')
    await vitalsAndDonation(desk.page, 22)
    await desk.page.getByText('此血袋不在本车装车范围内').first().waitFor()
    await typeInto(desk.page, '血袋号（DIN）', dinWithCheck(31))
    await desk.page.keyboard.press('Enter')
    await desk.page.getByTestId('saved').filter({ hasText: '吴刚' }).waitFor()

    // Each phone hands its report to the leader's phone by QR.
    for (const phone of [desk, chair]) {
      await phone.page.getByRole('link', { name: '返回车次' }).tap()
      await phone.page.getByRole('link', { name: '交回车长' }).tap()
      expect(await phone.page.getByTestId('handover-summary').textContent()).toContain('用 1 袋')
      await pointCamera(phone.page, leader.page)
      await leader.page.getByRole('button', { name: '接收汇总' }).tap()
      await leader.page.getByText(/已收到 .+ 的汇总/).waitFor({ timeout: 20_000 })
    }
    expect(await leader.page.getByTestId('crew-part').allTextContents()).toEqual([
      expect.stringContaining(`${dinBody(1)} – ${dinBody(20)}，共 20 袋`),
      expect.stringContaining('已交回：用 1 袋 · 献血 1 · 暂缓 0'),
      expect.stringContaining('已交回：用 1 袋 · 献血 1 · 暂缓 0'),
    ])

    // The leader's close: the whole bus, 3 bags used of 40, 37 returned.
    await back(leader.page)
    await leader.page.getByRole('link', { name: '结束车次' }).tap()
    await leader.page.getByTestId('bus-reconciliation').waitFor()
    expect(await leader.page.getByTestId('bus-line').count()).toBe(3)
    expect(await leader.page.getByTestId('bags-used').textContent()).toBe('3')
    await typeInto(leader.page, '损耗', '0')
    await typeInto(leader.page, '退回', '37')
    expect(await leader.page.getByTestId('reconcile-status').textContent()).toContain('相符')
    for (const digit of PINS.leader)
      await leader.page.locator('.pin-pad').getByRole('button', { name: digit, exact: true }).tap()
    await leader.page.getByRole('button', { name: '签字并结束' }).tap()
    await leader.page.waitForURL(new RegExp(`/drives/${driveId}$`))

    // Back in range: every phone syncs; the station has one trip with all three donations.
    for (const phone of [desk, chair]) await back(phone.page)
    for (const phone of [chair, desk, leader]) {
      await phone.context.setOffline(false)
      await expect
        .poll(() => phone.page.getByTestId('sync-badge').first().getAttribute('data-state'), { timeout: 30_000 })
        .toBe('confirmed')
    }
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
    const report = await stationApi<{ counts: { busTrips: number; donations: number } }>(
      server.url,
      'GET',
      `/api/v1/reports/indicators?from=${today}&to=${today}`,
      undefined,
      station.adminToken,
    )
    expect(report.counts).toMatchObject({ busTrips: 1, donations: 3 })
    const phones = await stationApi<DrivePhones>(
      server.url,
      'GET',
      `/api/v1/reports/drives/${driveId}/phones`,
      undefined,
      station.adminToken,
    )
    expect(phones.closed).toBe(true)
    expect(phones.phones.map((p) => [p.leader, p.label, p.donations, p.dinFirst, p.bagsUsed])).toEqual([
      [true, '王建华', 1, dinBody(1), 1],
      [false, '李敏', 1, dinBody(31), 1],
      [false, '张伟', 1, dinBody(21), 1],
    ])
    expect(errors).toEqual([])
  }, 150_000)
})
