// The donor's visit on the bus (issue 14, clinic) on a phone in real Chromium at 390×844, offline
// after the first load, against the real station: a reagent lot expired before the drive's date is
// refused when the drive opens, and a rapid test done with a lot expired since is refused on the
// donor form; a reactive HBsAg defers with its reason; a copper-sulphate screen and a slow, short
// bleed are recorded, and the bag is flagged at the station after sync; a moderate reaction appears
// on the station's follow-up list and its call is marked done.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays } from '../../src/domain/dates'
import type { AdverseReaction, Deferral, Donation, Drive } from '../../src/domain/records'
import { type RunningServer, startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'
import {
  dinBody,
  dinWithCheck,
  enrollPhone,
  pickSite,
  PINS,
  readTables,
  residentId,
  setUpStation,
  type StationSetup,
  unlockAs,
} from './support/field'
import { stationApi, stationToday, typeInto } from './support/progress'

const VITALS = ['体重 (kg)', '收缩压 (mmHg)', '舒张压 (mmHg)', '脉搏 (次/分)', '体温 (°C)']

describe('rapid tests, the bleed and reactions', () => {
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

  async function identify(page: Page, id: string, name: string, vitals: string[], hb: string | null): Promise<void> {
    await page.getByRole('link', { name: '登记献血者' }).tap()
    await typeInto(page, '身份证号', id)
    await typeInto(page, '姓名', name)
    await page.getByRole('radio', { name: '农村', exact: true }).tap()
    await page.keyboard.press('Enter')
    if (hb === null) {
      await page.getByRole('radio', { name: '硫酸铜法', exact: true }).tap()
      await page.getByRole('radio', { name: '合格（下沉）', exact: true }).tap()
    } else await typeInto(page, '血红蛋白 (g/L)', hb)
    for (const [i, label] of VITALS.entries()) await typeInto(page, label, vitals[i]!)
  }

  it('refuses expired reagent lots, defers a reactive HBsAg, flags a slow short bleed and follows up a moderate reaction', async () => {
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

    // 1. A drive dated yesterday: an ALT lot that expired the day before is refused; one good
    //    until yesterday opens it.
    const today = stationToday()
    const yesterday = addDays(today, -1)
    await page.getByRole('link', { name: '开始新车次' }).tap()
    await page.locator('#drive-date').fill(yesterday)
    await typeInto(page, '车号', '豫C-A0001')
    await page.getByRole('radio', { name: '乡村流动', exact: true }).tap()
    await pickSite(page, '宜阳县三乡镇', '宜阳县三乡镇')
    await page.getByRole('checkbox', { name: '李敏', exact: true }).check()
    await page.getByRole('radio', { name: '王建华', exact: true }).tap()
    await typeInto(page, '第一个血袋号（DIN）', dinBody(1))
    await typeInto(page, '最后一个血袋号（DIN）', dinBody(40))
    await page.locator('#lot-alt').fill('ALT-2402')
    await page.locator('#expiry-alt').fill(addDays(today, -2))
    await page.getByRole('button', { name: '开始车次' }).tap()
    await expect
      .poll(() => page.getByTestId('reagent-lots').getByRole('alert').textContent())
      .toContain('该批试剂已过期')
    await page.locator('#expiry-alt').fill(yesterday)
    await page.getByRole('button', { name: '开始车次' }).tap()
    await page.getByRole('link', { name: '登记献血者' }).waitFor()

    // 2. Today the ALT lot has expired: an ALT result is refused; HBsAg reactive defers.
    await identify(page, residentId('410327', '1990-03-08', '017'), '周强', ['66', '120', '78', '70', '36.5'], '145')
    await typeInto(page, '谷丙转氨酶 ALT（U/L）', '28')
    await expect.poll(() => page.getByTestId('reagent-expired').textContent()).toContain('ALT-2402')
    expect(await page.getByRole('button', { name: '献血', exact: true }).isDisabled()).toBe(true)
    await page.getByRole('button', { name: '暂缓', exact: true }).tap()
    expect(await page.getByRole('button', { name: '保存' }).count()).toBe(0) // still on the tests
    await page.getByLabel('谷丙转氨酶 ALT（U/L）', { exact: true }).fill('')
    await page.getByTestId('reagent-expired').waitFor({ state: 'detached' })
    await page.getByRole('radio', { name: '有反应（阳性）', exact: true }).tap()
    await expect.poll(() => page.getByTestId('blockers').textContent()).toContain('乙肝表面抗原快检有反应')
    await page.getByRole('button', { name: '暂缓', exact: true }).tap()
    expect(await page.locator('#deferral-reason').inputValue()).toBe('hbsag_reactive')
    await page.getByRole('button', { name: '保存' }).tap()
    await expect.poll(() => page.getByTestId('saved').textContent()).toContain('乙肝表面抗原快检有反应')
    await page.getByRole('link', { name: '返回车次' }).tap()

    // 3. Copper sulphate passes, ABO typed O by the rapid test; a 14-minute short bleed by 李敏.
    await identify(page, residentId('410327', '1994-07-21', '026'), '刘芳', ['55', '112', '72', '76', '36.6'], null)
    await page.getByRole('radio', { name: 'O', exact: true }).tap()
    await page.getByRole('button', { name: '献血', exact: true }).tap()
    expect(await page.getByRole('radio', { name: 'O', exact: true }).isChecked()).toBe(true)
    await page.getByRole('radio', { name: '400 ml', exact: true }).tap()
    await page.getByRole('radio', { name: '阳性 +', exact: true }).tap()
    await typeInto(page, '血袋号（DIN）', dinWithCheck(2))
    await page.getByLabel('开始时间').fill('09:00')
    await page.getByLabel('结束时间').fill('09:14')
    await typeInto(page, '实际采集量（ml）', '310')
    await page.getByRole('checkbox', { name: '采集量不足' }).check()
    await page.getByRole('button', { name: '保存' }).tap()
    await expect.poll(() => page.getByTestId('bleed').getByRole('alert').textContent()).toContain('请选择采血人员')
    await page.getByTestId('bleed').getByRole('radio', { name: '李敏', exact: true }).tap()
    const flags = await page.getByTestId('bleed-flags').textContent()
    expect(flags).toContain('采血超过 12 分钟')
    expect(flags).toContain('采集量不足')
    await page.getByRole('button', { name: '保存' }).tap()
    await expect.poll(() => page.getByTestId('saved').textContent()).toContain('刘芳')
    await page.getByRole('link', { name: '返回车次' }).tap()

    // 4. She felt faint after: a moderate vasovagal reaction, with onset, treatment and outcome.
    await page.getByRole('link', { name: /刘芳/ }).tap()
    await page.getByRole('button', { name: '不良反应', exact: true }).tap()
    await page.getByRole('radio', { name: '血管迷走神经反应（即发）', exact: true }).tap()
    await page.getByRole('radio', { name: '中度', exact: true }).tap()
    await page.getByRole('button', { name: '保存' }).tap()
    await expect.poll(() => page.locator('#record-change-form').textContent()).toContain('请选择')
    await page.getByRole('radio', { name: '采血后（在场）', exact: true }).tap()
    await page.getByLabel('处理措施').fill('平卧、口服糖水')
    await page.getByRole('radio', { name: '痊愈', exact: true }).tap()
    await page.getByRole('button', { name: '保存' }).tap()
    await expect.poll(() => page.getByTestId('reaction-detail').textContent()).toContain('采血后（在场） · 痊愈')
    // The record shows the rapid tests and the bleed with its flags.
    expect(await page.getByTestId('record-rapid').textContent()).toContain('硫酸铜法 合格（下沉）')
    expect(await page.getByTestId('record-bleed').textContent()).toContain('采血 14 分钟 · 310 ml · 李敏 · 采集量不足')

    const tables = await readTables(page, ['drives', 'donations', 'deferrals', 'adverseReactions'])
    expect((tables.drives as unknown as Drive[])[0]!.reagentLots).toEqual([
      { test: 'alt', lot: 'ALT-2402', expiresOn: yesterday },
    ])
    const [deferral] = tables.deferrals as unknown as Deferral[]
    expect(deferral).toMatchObject({
      reasonCode: 'hbsag_reactive',
      rapidTests: { hbMethod: 'haemoglobinometer', hbsag: 'reactive' },
    })
    const [donation] = tables.donations as unknown as Donation[]
    expect(donation!.rapidTests).toEqual({ hbMethod: 'copper_sulphate', hbCopperPass: true, abo: 'O' })
    expect(donation!.vitals!.hbGL).toBeUndefined()
    expect(donation!.bleed).toMatchObject({ volumeMl: 310, shortDraw: true, collectedBy: station.staff.collector })
    const [reaction] = tables.adverseReactions as unknown as AdverseReaction[]
    expect(reaction).toMatchObject({ code: 'vasovagal', severity: 'moderate', onset: 'after', outcome: 'recovered' })

    // 5. Back online: the station flags the bag and lists the call; the manager marks it done.
    await context.setOffline(false)
    const login = await stationApi<{ token: string }>(server.url, 'POST', '/api/v1/auth/login', {
      stationCode: 'luoyang',
      username: 'admin',
      password: 'correct horse battery staple',
    })
    await expect
      .poll(
        async () =>
          (
            await stationApi<{ followUps: unknown[] }>(
              server.url,
              'GET',
              '/api/v1/reports/reaction-follow-ups',
              undefined,
              login.token,
            )
          ).followUps.length,
        { timeout: 30_000 },
      )
      .toBe(1)
    const flagged = await stationApi<{ bags: Array<{ din: string; flags: string[] }> }>(
      server.url,
      'GET',
      `/api/v1/reports/flagged-bags?from=${today}&to=${today}`,
      undefined,
      login.token,
    )
    expect(flagged.bags).toEqual([
      expect.objectContaining({ din: donation!.din, flags: ['short_draw', 'platelet_limit'] }),
    ])
    const desk = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' })
    try {
      const manager = await desk.newPage()
      manager.on('pageerror', (e) => errors.push(e.message))
      await manager.goto(`${server.url}/station/login`)
      await manager.getByLabel('血站代码').fill('luoyang')
      await manager.getByLabel('用户名').fill('admin')
      await manager.getByLabel('密码').fill('correct horse battery staple')
      await manager.locator('form button[type="submit"]').click()
      await manager.waitForURL((url) => url.pathname === '/station' || url.pathname === '/station/')
      await manager.goto(`${server.url}/station/clinic`)
      const bags = manager.getByTestId('flagged-bags')
      await expect.poll(() => bags.textContent(), { timeout: 15_000 }).toContain(donation!.din)
      expect(await bags.textContent()).toContain('采血超过 12 分钟：不宜制备血小板')
      const call = manager.getByTestId('follow-up')
      expect(await call.textContent()).toContain('24 小时回访')
      expect(await call.textContent()).toContain('中度')
      await call.getByLabel('回访记录（可选）').fill('已无不适')
      await call.getByRole('button', { name: '已回访' }).click()
      await expect.poll(() => call.getByRole('status').textContent()).toContain('admin')
      await manager.reload()
      await expect
        .poll(() => manager.getByTestId('follow-ups').textContent(), { timeout: 15_000 })
        .toContain('没有待回访的献血者')
      expect(await manager.getByTestId('reaction-rates').textContent()).toContain('共 1 例 / 1 人次献血')
    } finally {
      await desk.close()
    }
    expect(errors).toEqual([])
  })
})
