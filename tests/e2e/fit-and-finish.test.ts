// Small things that cost minutes every hour, in real Chromium at 390×844: a failed submit brings
// its first error into view with the focus; the on-screen keyboard (a shorter viewport) never
// leaves the focused field or its label behind the sticky tally; a donor's name corrected on the
// phone reaches the station.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/server/db/store'
import { currentDonorIdentity } from '../../src/server/repo/donor-identities'
import { type RunningServer, startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'
import { dinBody, dinWithCheck, enrollPhone, pickSite, PINS, residentId, setUpStation, unlockAs } from './support/field'

interface Box {
  top: number
  bottom: number
}

async function boxOf(locator: Locator): Promise<Box> {
  const b = await locator.boundingBox()
  if (!b) throw new Error('not on screen')
  return { top: b.y, bottom: b.y + b.height }
}

/** The visible band between the sticky top (title bar and tally) and the bottom action bar. */
async function clearBand(page: Page): Promise<Box> {
  return page.evaluate(() => {
    const top = Math.max(
      ...[...document.querySelectorAll('.screen-bar, .screen-top')].map((e) => e.getBoundingClientRect().bottom),
    )
    const actions = document.querySelector('.screen-actions')
    const height = window.visualViewport?.height ?? window.innerHeight
    return { top, bottom: actions ? actions.getBoundingClientRect().top : height }
  })
}

function within(inner: Box, band: Box): boolean {
  return inner.top >= band.top - 0.5 && inner.bottom <= band.bottom + 0.5
}

/** The focused element's id, and the label that names it. */
async function focused(page: Page): Promise<{ id: string; label: Locator }> {
  const id = await page.evaluate(() => document.activeElement?.id ?? '')
  return { id, label: page.locator(`label[for="${id}"]`) }
}

describe('fit and finish on the phone', () => {
  let server: RunningServer
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const errors: string[] = []

  beforeAll(async () => {
    server = await startServer()
    browser = await launchChromium()
    context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, locale: 'zh-CN' })
    const station = await setUpStation(server.url)
    page = await context.newPage()
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('dialog', (d) => void d.accept())
    await enrollPhone(page, server.url, station.enrollmentCode)
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
  })
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await server?.stop(true)
  })

  it('a failed 开始车次 on the long drive-open form brings the first error into view with the focus', async () => {
    await page.getByRole('link', { name: '开始新车次' }).tap()
    await page.getByLabel('车号').fill('豫C-A1234')
    await page.getByRole('radio', { name: '乡村流动', exact: true }).tap()
    await pickSite(page, 'sanxiang', '宜阳县三乡镇')
    await page.getByRole('checkbox', { name: '李敏', exact: true }).tap()
    await page.getByRole('radio', { name: '王建华', exact: true }).tap()
    // The bag numbers are left out; the crew is at the top of the form when they tap the button.
    await page.evaluate(() => window.scrollTo(0, 0))
    await page.getByRole('button', { name: '开始车次' }).tap()
    const first = page.getByLabel('第一个血袋号（DIN）')
    await expect.poll(async () => (await focused(page)).id).toBe(await first.getAttribute('id'))
    await expect.poll(async () => within(await boxOf(first), await clearBand(page))).toBe(true)
    expect(within(await boxOf(page.locator('label', { hasText: '第一个血袋号（DIN）' })), await clearBand(page))).toBe(
      true,
    )

    // And an error at the top while the crew is at the bottom: the bus number.
    await page.getByLabel('车号').fill('')
    await first.fill(dinBody(1))
    await page.getByLabel('最后一个血袋号（DIN）').fill(dinBody(40))
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight))
    await page.getByRole('button', { name: '开始车次' }).tap()
    const bus = page.getByLabel('车号')
    await expect.poll(async () => (await focused(page)).id).toBe(await bus.getAttribute('id'))
    await expect.poll(async () => within(await boxOf(bus), await clearBand(page))).toBe(true)

    await bus.fill('豫C-A1234')
    await page.getByRole('button', { name: '开始车次' }).tap()
    await page.getByRole('link', { name: '登记献血者' }).waitFor()
  })

  it('with the keyboard up the tally folds, and the focused field and its label stay clear of it', async () => {
    await page.getByRole('link', { name: '登记献血者' }).tap()
    const tally = page.getByTestId('drive-tally')
    // The phone field, low on the screen, gets the focus; then the keyboard takes half the screen.
    const phone = page.getByLabel('手机号（可选）')
    await phone.waitFor()
    // The bars' heights reach the page's scroll padding (AppScreen, from its ResizeObserver).
    const stickyPadding = () =>
      page.evaluate(() => {
        const bars = ['.screen-bar', '.screen-top', '.screen-actions'].map(
          (s) => document.querySelector(s)?.getBoundingClientRect().height ?? 0,
        )
        const css = getComputedStyle(document.documentElement)
        return {
          top: css.scrollPaddingTop === `${Math.ceil(bars[0]! + bars[1]!)}px`,
          bottom: css.scrollPaddingBottom === `${Math.ceil(bars[2]!)}px`,
          nonZero: bars[0]! > 0 && bars[2]! > 0,
        }
      })
    await expect.poll(stickyPadding).toEqual({ top: true, bottom: true, nonZero: true })
    const fullTally = await boxOf(tally)
    await phone.focus()
    await page.setViewportSize({ width: 390, height: 400 })
    await expect.poll(() => tally.getAttribute('data-compact')).toBe('true')
    const slim = await boxOf(tally)
    expect(slim.bottom - slim.top).toBeLessThan((fullTally.bottom - fullTally.top) / 2)
    const phoneLabel = page.locator('label', { hasText: '手机号（可选）' })
    await expect
      .poll(
        async () =>
          within(await boxOf(phone), await clearBand(page)) && within(await boxOf(phoneLabel), await clearBand(page)),
      )
      .toBe(true)

    // A field whose label sits under the tally when it gets the focus (the crew moved up a field).
    const name = page.getByLabel('姓名', { exact: true })
    const nameLabel = page.locator('label', { hasText: /^姓名$/ })
    await page.evaluate(() => {
      const label = [...document.querySelectorAll('label')].find((l) => l.textContent?.trim() === '姓名')!
      const tallyBottom = document.querySelector('.screen-top')!.getBoundingClientRect().bottom
      // Scroll so the label's top is 10 px under the tally's bottom edge.
      window.scrollBy(0, label.getBoundingClientRect().top - tallyBottom + 10)
      document.getElementById(label.htmlFor)!.focus({ preventScroll: true })
    })
    await expect
      .poll(
        async () =>
          within(await boxOf(name), await clearBand(page)) && within(await boxOf(nameLabel), await clearBand(page)),
      )
      .toBe(true)
    const tallyNow = await boxOf(tally)
    expect((await boxOf(nameLabel)).top).toBeGreaterThanOrEqual(tallyNow.bottom - 0.5)

    // The keyboard goes away: the full tally is back.
    await page.setViewportSize(PHONE)
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    await expect.poll(() => tally.getAttribute('data-compact')).toBe(null)
    await page.getByRole('link', { name: '返回' }).tap()
  })

  it("a donor's name corrected on the phone reaches the station's identity row", async () => {
    const idNumber = residentId('410327', '1995-07-21', '051')
    await page.getByRole('link', { name: '登记献血者' }).tap()
    await page.getByLabel('身份证号').fill(idNumber)
    await page.getByLabel('姓名', { exact: true }).fill('赵莉')
    await page.getByRole('radio', { name: '农村', exact: true }).tap()
    await page.getByRole('button', { name: '下一步' }).tap()
    for (const [label, value] of [
      ['体重 (kg)', '68'],
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

    await page.getByRole('link', { name: /赵莉/ }).tap()
    await page.getByRole('button', { name: '更正身份' }).tap()
    // Nothing changed yet: refused, the reason asked for, the focus on the first error.
    await page.getByRole('button', { name: '保存' }).tap()
    await expect.poll(() => page.getByText('没有任何改动。').count()).toBe(1)
    await page.getByLabel('姓名', { exact: true }).fill('赵丽')
    await page.getByLabel('原因（必填）').fill('姓名登记错误')
    await page.getByRole('button', { name: '保存' }).tap()
    await page.getByText('身份信息的更正已保存。').waitFor()
    await expect.poll(() => page.locator('.rec-name').textContent()).toBe('赵丽')
    await page.getByTestId('identity-correction').waitFor()

    // The phone sends it by itself; the station's identity row shows the new name.
    const store = await openStore({ dataDir: server.dataDir })
    try {
      const nameAtStation = async (): Promise<string | null> => {
        const row = await store.db
          .selectFrom('records')
          .select(['station_id', 'donor_key'])
          .where('type', '=', 'donor_identity')
          .executeTakeFirst()
        if (!row?.donor_key) return null
        return (await currentDonorIdentity(store.db, row.station_id, row.donor_key))?.identity.name ?? null
      }
      await expect.poll(nameAtStation, { timeout: 30_000 }).toBe('赵丽')
    } finally {
      await store.close()
    }
    await page.getByRole('link', { name: '返回' }).tap()
  })

  it('has thrown no page errors', () => {
    expect(errors).toEqual([])
  })
})
