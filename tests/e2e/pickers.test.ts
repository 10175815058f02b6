// A station of real size on a phone in real Chromium at 390×844, offline after the first pull:
// 200 sites and 100 staff arrive with their pinyin; the unlock list finds people by pinyin and
// takes a six-digit PIN; a leader is preselected on a cold start of /drives/new; the site is
// found by its initials and the drive opens; the next drive remembers bus and crew; wrong PINs
// wait, then lock a staff member out (through a reload) until the bus leader unlocks them.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Site } from '../../src/domain/records'
import { type RunningServer, startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'
import {
  dinBody,
  enrollPhone,
  growStation,
  PINS,
  readTables,
  setUpStation,
  SIX_DIGIT_PIN,
  type StationSetup,
  unlockAs,
} from './support/field'

describe('pickers and PIN lockout on a phone, offline', () => {
  let server: RunningServer
  let browser: Browser
  let context: BrowserContext
  let station: StationSetup
  let page: Page
  let checun: Site
  const errors: string[] = []

  beforeAll(async () => {
    server = await startServer()
    browser = await launchChromium()
    context = await browser.newContext({ viewport: PHONE, hasTouch: true, locale: 'zh-CN' })
    station = await setUpStation(server.url)
    ;({ checun } = await growStation(server.url, station, { zhouLiu: false }))
  }, 300_000)
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await server?.stop(true)
  })

  async function typeInto(label: string, text: string): Promise<void> {
    await page.getByLabel(label, { exact: true }).focus()
    await page.keyboard.press('Control+A')
    await page.keyboard.type(text)
  }
  async function typePin(pin: string): Promise<void> {
    for (const digit of pin) await page.locator('.pin-pad').getByRole('button', { name: digit, exact: true }).tap()
  }

  it('on the station’s staff page, the admin sets the lockout count and adds someone with a six-digit PIN', async () => {
    page = await context.newPage()
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${server.url}/station/staff`)
    await page.getByLabel('血站代码').fill('luoyang')
    await page.getByLabel('用户名').fill('admin')
    await page.getByLabel('密码').fill('correct horse battery staple')
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL((url) => url.pathname === '/station/staff')
    const lockout = page.getByLabel('连续输错几次密码后锁定')
    await expect.poll(() => lockout.inputValue()).toBe('5')
    await lockout.fill('2')
    await page.getByTestId('pin-lockout').getByRole('button', { name: '保存' }).click()
    await page.getByText('请输入 3 到 20 之间的整数').waitFor()
    await lockout.fill('3')
    await page.getByTestId('pin-lockout').getByRole('button', { name: '保存' }).click()
    await page.getByText('已保存：连续输错 3 次后锁定。手机下次同步后生效。').waitFor()
    await page.getByLabel('姓名').fill('周六')
    await page.getByLabel('初始 PIN').fill(SIX_DIGIT_PIN)
    await page.getByRole('button', { name: '添加', exact: true }).click()
    await page.getByText('已添加周六。手机下次同步后即可使用。').waitFor()
  })

  it('pulls 200 sites and 100 staff with pinyin, then works offline', async () => {
    await enrollPhone(page, server.url, station.enrollmentCode)
    const { sites, roster } = await readTables(page, ['sites', 'roster'])
    expect(sites).toHaveLength(200)
    expect(roster).toHaveLength(100)
    expect(sites!.find((s) => s.key === checun.id)!.value).toMatchObject({ initials: 'ccztqgc' })
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await context.setOffline(true)
  })

  it('finds a staff member by pinyin on the unlock list and takes a six-digit PIN', async () => {
    await page.goto(`${server.url}/drives`)
    await page.getByLabel('查找姓名').fill('zhouliu')
    await expect.poll(() => page.locator('.staff-btn').count()).toBe(1)
    await page.getByRole('button', { name: /周六/ }).tap()
    await typePin(SIX_DIGIT_PIN)
    await page.locator('.unlock-actions .btn-primary').tap()
    await page.locator('.unlock').waitFor({ state: 'detached' })
  })

  it('preselects the leader on a cold start of /drives/new, finds the site by initials and opens the drive', async () => {
    await page.goto(`${server.url}/drives/new`)
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    const leaderGroup = page.getByRole('group', { name: '车长' })
    await expect.poll(() => leaderGroup.getByRole('radio', { name: '王建华' }).isChecked()).toBe(true)
    await typeInto('车号', '豫C-A1234')
    await page.getByRole('radio', { name: '乡村流动', exact: true }).tap()
    await typeInto('采血地点', 'ccz')
    await page.getByRole('button', { name: /车村镇天桥沟村/ }).tap()
    await expect.poll(() => page.getByTestId('site-chosen').textContent()).toContain('车村镇天桥沟村')
    await typeInto('查找随车人员', 'limin')
    await page.getByRole('checkbox', { name: '李敏', exact: true }).tap()
    await expect.poll(() => page.getByTestId('crew-chosen').textContent()).toContain('已选 2 人')
    await typeInto('第一个血袋号（DIN）', dinBody(101))
    await typeInto('最后一个血袋号（DIN）', dinBody(140))
    await page.getByRole('button', { name: '开始车次' }).tap()
    await page.getByRole('link', { name: '登记献血者' }).waitFor()
    const { drives } = await readTables(page, ['drives'])
    expect(drives).toHaveLength(1)
    expect(drives![0]).toMatchObject({
      siteId: checun.id,
      busCode: '豫C-A1234',
      staffIds: [station.staff.leader, station.staff.collector],
      leaderStaffId: station.staff.leader,
    })
  })

  it('remembers the last bus and crew on the next drive, whoever opens it', async () => {
    await page.goto(`${server.url}/drives/new`)
    await unlockAs(page, '李敏', PINS.collector, { touch: true })
    await expect.poll(() => page.getByLabel('车号', { exact: true }).inputValue()).toBe('豫C-A1234')
    await expect.poll(() => page.getByTestId('crew-chosen').textContent()).toContain('已选 2 人')
    expect(await page.getByRole('checkbox', { name: '王建华', exact: true }).isChecked()).toBe(true)
    expect(await page.getByRole('checkbox', { name: '李敏', exact: true }).isChecked()).toBe(true)
    expect(await page.getByRole('group', { name: '车长' }).getByRole('radio', { name: '王建华' }).isChecked()).toBe(
      true,
    )
    await page.getByTestId('remembered').waitFor()
    // A university drive does not offer villages.
    await page.getByRole('radio', { name: '高校', exact: true }).tap()
    await typeInto('采血地点', 'checun')
    await page.getByText('没有找到“checun”').waitFor()
    // Back to a rural drive: Enter takes the only match.
    await page.getByRole('radio', { name: '乡村流动', exact: true }).tap()
    await typeInto('采血地点', 'ccz')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByTestId('site-chosen').textContent()).toContain('车村镇天桥沟村')
  })

  it('makes wrong PINs wait, locks out after the station’s count through a reload, and the leader unlocks', async () => {
    await page.goto(`${server.url}/drives`)
    // The drive's crew comes first on the unlock list (in pinyin order).
    await expect
      .poll(() => page.getByTestId('unlock-crew').locator('.staff-name').allTextContents())
      .toEqual(['李敏', '王建华'])
    await page.getByRole('button', { name: /张伟/ }).tap()
    await typePin('9999')
    await page.locator('.unlock-actions .btn-primary').tap()
    await page.getByText('密码不正确，还可再试 2 次').waitFor()
    await typePin('9999')
    await page.locator('.unlock-actions .btn-primary').tap()
    // The second wrong PIN makes the next try wait.
    await expect.poll(() => page.locator('.unlock-actions .btn-primary').isDisabled()).toBe(true)
    await expect.poll(() => page.locator('.unlock-actions .btn-primary').isEnabled(), { timeout: 5000 }).toBe(true)
    await typePin('9999')
    await page.locator('.unlock-actions .btn-primary').tap()
    await page.getByTestId('locked-out').waitFor()

    // A reload does not lift it, nor does the right PIN.
    await page.reload()
    await page.getByRole('button', { name: /张伟.*已锁定/ }).tap()
    await page.getByTestId('locked-out').waitFor()
    expect(await page.locator('.pin-pad').count()).toBe(0)

    await page.getByRole('button', { name: '请车长解锁' }).tap()
    await page
      .getByTestId('unlock-leaders')
      .getByRole('button', { name: /王建华/ })
      .tap()
    await typePin(PINS.leader)
    await page.locator('.unlock-actions .btn-primary').tap()
    await page.getByText('已由 王建华 解锁，请 张伟 重新输入密码。').waitFor()
    await typePin(PINS.second)
    await page.locator('.unlock-actions .btn-primary').tap()
    await page.locator('.unlock').waitFor({ state: 'detached' })
    const { syncMeta } = await readTables(page, ['syncMeta'])
    expect(syncMeta!.find((r) => r.key === 'pinAttempts')?.value).toEqual({})
    expect(errors).toEqual([])
  })

  it('keeps pinyin-pro out of the phone bundle (the server romanises)', () => {
    const assets = join(process.cwd(), 'dist', 'assets')
    const scripts = readdirSync(assets).filter((f) => f.endsWith('.js'))
    expect(scripts.length).toBeGreaterThan(0)
    // Option names and a dictionary entry of pinyin-pro; none appears in the app's own code.
    for (const file of scripts) {
      const text = readFileSync(join(assets, file), 'utf8')
      expect(text.includes('toneType') || text.includes('surname') || text.includes('zhōng'), file).toBe(false)
    }
  })
})
