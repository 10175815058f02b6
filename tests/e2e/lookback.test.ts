// Lookback after sync in real Chromium against the real station: a bus phone out of range takes
// two donations; meanwhile another phone defers the first donor, and (after the bus phone synced)
// sends an earlier same-day donation of the second. Both later donations land on the station's
// quarantine list with their causes, the bus phone shows the holds after its next pull, and a
// release by the lab (who and when) reaches the phone on the pull after that.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
import { anotherPhone, stationSignIn } from './support/lookback'
import { recordRuralDrive } from './support/progress'

describe('lookback after sync', () => {
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

  async function newContext(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: PHONE, hasTouch: true, locale: 'zh-CN' })
    contexts.push(context)
    const page = await context.newPage()
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('dialog', (d) => void d.accept())
    return { context, page }
  }
  const badgeState = (page: Page) => page.getByTestId('sync-badge').first().getAttribute('data-state')

  it('holds the later donation for the lab, on the station list and on the phone after its pull', async () => {
    const liu = { id: residentId('410327', '1995-07-21', '051'), name: '刘洋', din: 1 }
    const sun = { id: residentId('410328', '1990-03-08', '071'), name: '孙强', din: 2 }
    const bus = await newContext()
    await enrollPhone(bus.page, server.url, station.enrollmentCode)
    await bus.page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await bus.context.setOffline(true)
    await bus.page.reload()
    await bus.page.getByRole('button', { name: /王建华/ }).waitFor()

    // In range, another phone defers 刘洋 (a cold) before the bus, out of range, takes his blood.
    const other = await anotherPhone(server.url, station)
    await other.defer(liu.id)
    const morning = new Date()
    await unlockAs(bus.page, '王建华', PINS.leader, { touch: true })
    const driveId = await recordRuralDrive(bus.page, [liu, sun], { body: dinBody, withCheck: dinWithCheck })

    // Back in range the bus phone syncs by itself; then the other phone sends 孙强's donation taken
    // earlier the same day: the bus phone's is the second inside the interval.
    await bus.context.setOffline(false)
    await expect.poll(() => badgeState(bus.page), { timeout: 30_000 }).toBe('confirmed')
    await other.donate(sun.id, 41, new Date(morning.getTime() - 60_000))

    // The lab's list at the station, on a phone: both held donations with what caused them.
    const lab = await newContext()
    await stationSignIn(lab.page, server.url, '/station/lookback')
    const items = lab.page.getByTestId('lookback-item')
    await expect.poll(() => items.count(), { timeout: 15_000 }).toBe(2)
    const liuItem = items.filter({ hasText: dinWithCheck(liu.din) })
    const sunItem = items.filter({ hasText: dinWithCheck(sun.din) })
    expect(await liuItem.textContent()).toContain('献血前另一台手机已登记暂缓')
    expect(await liuItem.textContent()).toContain('暂缓：感冒、发热')
    expect(await liuItem.textContent()).toContain('2号车手机')
    expect(await sunItem.textContent()).toContain('间隔期内另一台手机已采过血')
    expect(await sunItem.textContent()).toContain(dinWithCheck(41))
    // Every action in reach at 390 px.
    for (const button of await lab.page.locator('main button, main select, main input').all()) {
      const box = (await button.boundingBox())!
      expect(box.x).toBeGreaterThanOrEqual(0)
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width)
    }

    // The bus phone pulls: the drive says two donations are held, each marked, the record explains.
    await bus.page.getByTestId('sync-badge').first().tap()
    await bus.page.getByTestId('sync-now').tap()
    await expect.poll(() => badgeState(bus.page), { timeout: 30_000 }).toBe('confirmed')
    // Back to the drive inside the app (a reload would lock the phone until a PIN).
    await bus.page.goBack()
    await bus.page.waitForURL((url) => url.pathname === `/drives/${driveId}`)
    const notice = bus.page.getByTestId('lookback-notice')
    await expect.poll(() => notice.textContent(), { timeout: 15_000 }).toContain('有 2 份献血被暂扣')
    const badges = bus.page.getByTestId('lookback-badge')
    expect(await badges.allTextContents()).toEqual(['回溯暂扣', '回溯暂扣'])
    const liuEntry = bus.page.locator('.entry').filter({ hasText: dinWithCheck(liu.din) })
    expect(await liuEntry.getByTestId('lookback-badge').textContent()).toBe('回溯暂扣')
    await liuEntry.tap()
    const card = bus.page.getByTestId('record-lookback')
    await expect.poll(() => card.textContent()).toContain('献血前另一台手机已登记暂缓')
    await bus.page.goBack()
    await bus.page.waitForURL((url) => url.pathname === `/drives/${driveId}`)

    // The lab releases 刘洋's donation (the cold was over before he gave, say), with a note.
    await liuItem.getByLabel('备注').fill('复核：已痊愈')
    await liuItem.getByRole('button', { name: '放行' }).click()
    await expect.poll(() => lab.page.getByRole('status').textContent()).toContain('已记录：已放行')
    await lab.page.getByTestId('lookback-filter').selectOption('all')
    const decided = lab.page.getByTestId('lookback-item').filter({ hasText: dinWithCheck(liu.din) })
    await expect.poll(() => decided.getByTestId('lookback-decided').textContent()).toContain('已放行：admin')
    expect(await decided.textContent()).toContain('复核：已痊愈')

    // The phone's next pull brings the release.
    await bus.page.getByTestId('sync-badge').first().tap()
    await bus.page.getByTestId('sync-now').tap()
    await expect.poll(() => badgeState(bus.page), { timeout: 30_000 }).toBe('confirmed')
    await bus.page.goBack()
    await bus.page.waitForURL((url) => url.pathname === `/drives/${driveId}`)
    await expect.poll(() => notice.textContent(), { timeout: 15_000 }).toContain('有 1 份献血被暂扣')
    expect((await badges.allTextContents()).sort()).toEqual(['回溯暂扣', '已放行'])
    expect(errors).toEqual([])
  })
})
