// Every station page at 390×844 in real Chromium against the real station: no button, link, field
// or menu lies off-screen (bounding boxes), the page never scrolls sideways; a phone is named by
// the code the station issues for it and shows what waits on it; an unused code is listed and
// withdrawn; sites are searched and paged on the server; the report opens on the latest year with
// data and says so when a year has none.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../support/server'
import { launchChromium, PHONE } from './support/browser'
import { enrollPhone, setUpStation, type StationSetup } from './support/field'
import { stationSignIn } from './support/lookback'
import { addTargetByApi, channelsOf, otherPhoneSends, stationToday } from './support/progress'
import { periodFor } from '../../src/domain/targets'

describe('station pages on a phone', () => {
  let server: RunningServer
  let browser: Browser
  let station: StationSetup
  let context: BrowserContext
  let page: Page
  const errors: string[] = []

  beforeAll(async () => {
    server = await startServer()
    browser = await launchChromium()
    station = await setUpStation(server.url)
    const admin = (path: string, body: unknown) =>
      fetch(`${server.url}/api/v1/admin${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${station.adminToken}` },
        body: JSON.stringify(body),
      })
    const counties = ['孟津区', '偃师区', '新安县', '宜阳县', '洛宁县', '伊川县', '嵩县', '栾川县', '汝阳县']
    const sites = Array.from({ length: 60 }, (_, i) => ({
      name: `${counties[i % 9]}石门村${i + 1}组`,
      kind: 'village',
      area: counties[i % 9],
    }))
    for (let i = 0; i < sites.length; i += 20) await Promise.all(sites.slice(i, i + 20).map((s) => admin('/sites', s)))
    const channels = await channelsOf(server.url, station)
    const year = periodFor('year', stationToday())
    await addTargetByApi(server.url, station, {
      period: year,
      scope: { kind: 'channel', id: channels.find((c) => c.code === 'rural_mobile')!.id },
      metric: 'rural_mobile_share',
      comparison: '>=',
      value: 32.59,
    })
    await addTargetByApi(server.url, station, {
      period: year,
      scope: { kind: 'station', id: null },
      metric: 'donations',
      comparison: '>=',
      value: 93560,
    })
    await otherPhoneSends(server.url, station, { university: 3, rural: 4 })
    context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, locale: 'zh-CN' })
    page = await context.newPage()
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('dialog', (d) => void d.accept())
  })
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await server?.stop(true)
  })

  /** Every visible control of the page lies inside the 390 px screen, and the page does not scroll sideways. */
  async function allInReach(what: string): Promise<void> {
    const outside = await page.evaluate((width) => {
      const out: string[] = []
      for (const el of document.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea')) {
        const r = el.getBoundingClientRect()
        if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue
        if (r.left < -0.5 || r.right > width + 0.5)
          out.push(
            `${el.tagName} "${(el.textContent || el.getAttribute('aria-label') || '').trim()}" ${r.left}–${r.right}`,
          )
      }
      if (document.documentElement.scrollWidth > width + 1)
        out.push(`page ${document.documentElement.scrollWidth} wide`)
      return out
    }, PHONE.width)
    expect(outside, what).toEqual([])
  }

  it('keeps every action of every station page on screen', async () => {
    await stationSignIn(page, server.url, '/station')
    for (const [path, ready] of [
      ['/station', '[data-testid="target-progress"]'],
      ['/station/targets', '[data-testid="targets-table"] tbody tr'],
      ['/station/report', '[data-testid="report-latest"]'],
      ['/station/lookback', 'h1'],
      ['/station/staff', '[data-testid="staff-range"]'],
      ['/station/phones', '[data-testid="phone-row"]'],
      ['/station/sites', '[data-testid="sites-range"]'],
      ['/station/channel-list', '.station-table tbody tr'],
      ['/station/teams', '.station-table tbody tr'],
    ] as const) {
      await page.goto(`${server.url}${path}`)
      await page.locator(ready).first().waitFor({ timeout: 20_000 })
      await allInReach(path)
    }
    // The target's value and its edit and delete on the targets page, in reach (not just present).
    await page.goto(`${server.url}/station/targets`)
    const row = page.getByTestId('targets-table').locator('tbody tr').filter({ hasText: '32.59%' })
    await row.waitFor()
    for (const control of [row.getByRole('button', { name: '修改' }), row.getByRole('button', { name: '删除' })]) {
      const box = (await control.boundingBox())!
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width)
    }
    const dashboard = await page.goto(
      `${server.url}/station/channels/${(await channelsOf(server.url, station))[0]!.id}`,
    )
    expect(dashboard?.ok()).toBe(true)
    await page.locator('h1').first().waitFor()
    await allInReach('channel page')
    expect(errors).toEqual([])
  })

  it('names a phone by its code, shows its waiting records and its name; lists and withdraws an unused code', async () => {
    await page.goto(`${server.url}/station/phones`)
    await page.getByLabel('手机名称').fill('3号车 手机A')
    await page.getByRole('button', { name: '生成注册码' }).click()
    const code = (await page
      .locator('.station-main')
      .getByText(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/)
      .first()
      .textContent())!.trim()
    await page.getByRole('button', { name: '再生成一个注册码' }).click()
    // Three unused: the one the station's setup issued, and these two.
    const codes = page.getByTestId('open-code')
    await expect.poll(() => codes.count()).toBe(3)
    expect(await codes.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('3号车 手机A')]))

    // The phone enrolls with the code: the station lists it by the name it gave, not the User-Agent.
    const phoneContext = await browser.newContext({ viewport: PHONE, hasTouch: true, locale: 'zh-CN' })
    await enrollPhone(await phoneContext.newPage(), server.url, code)
    await phoneContext.close()
    await page.reload()
    const phone = page.getByTestId('phone-row').filter({ hasText: '3号车 手机A' })
    await phone.waitFor()
    expect(await phone.getByTestId('phone-pending').textContent()).toContain('0 条')
    expect(await page.getByTestId('phones-table').textContent()).not.toContain('Mozilla')
    await expect.poll(() => codes.count()).toBe(2)
    await codes.first().getByRole('button', { name: '作废' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toContain('注册码已作废')
    await expect.poll(() => codes.count()).toBe(1)

    await phone.getByRole('button', { name: '改名' }).click()
    // The name turns into a field (the row no longer shows it as text).
    const renaming = page.getByTestId('phone-row').filter({ has: page.getByLabel('新名称') })
    await renaming.getByLabel('新名称').fill('5号车 手机A')
    await allInReach('phones while renaming')
    await renaming.getByRole('button', { name: '保存' }).click()
    await page.getByTestId('phone-row').filter({ hasText: '5号车 手机A' }).waitFor()
    await allInReach('phones after rename')
  })

  it('searches and pages the sites on the server', async () => {
    await page.goto(`${server.url}/station/sites`)
    const range = page.getByTestId('sites-range')
    await expect.poll(() => range.textContent()).toBe('第 1–50 条，共 63 条')
    await page.getByRole('button', { name: '下一页' }).click()
    await expect.poll(() => range.textContent()).toBe('第 51–63 条，共 63 条')
    expect(await page.locator('.station-table tbody tr').count()).toBe(13)
    await page.getByTestId('sites-search').fill('嵩县')
    await expect.poll(() => range.textContent()).toBe('第 1–6 条，共 6 条')
    await allInReach('sites searched')
  })

  it('opens the report on the latest year with data and says when a year has none', async () => {
    await page.goto(`${server.url}/station/report`)
    const year = stationToday().slice(0, 4)
    await expect.poll(() => page.getByTestId('report-latest').textContent()).toContain(`${year} 年`)
    expect(page.url()).toContain(`/station/report/${year}`)
    await page.locator('#report-year').selectOption(String(Number(year) - 1))
    await expect
      .poll(() => page.getByTestId('report-no-data').textContent())
      .toContain(`${Number(year) - 1} 年没有任何记录`)
  })
})
