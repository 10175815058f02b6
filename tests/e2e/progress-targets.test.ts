// Targets set on the station pages reach a bus phone (month, year, and since issue 15 quarter,
// custom-period and site ones), whose progress screen moves at once when it records offline (the new records added to the station's figures and marked unsynced), counts
// them exactly once after it syncs, and then shows the same numbers as the station's dashboard.
// Real Chromium (a manager's laptop and a 390×844 phone, two contexts) against the real server.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../support/server'
import { launchChromium, PHONE } from './support/browser'
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
import { addDays } from '../../src/domain/dates'
import { periodFor } from '../../src/domain/targets'
import { addTargetByApi, otherPhoneSends, recordRuralDrive, stationApi, stationToday } from './support/progress'

const MANAGER = { username: 'zhao.manager', password: 'rural-share-32-percent' }

describe('targets from the station pages, progress on the phone', () => {
  let server: RunningServer
  let browser: Browser
  let station: StationSetup
  let manager: Page
  let phone: { context: BrowserContext; page: Page }
  const errors: string[] = []
  const today = stationToday()
  const [year, month] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))]

  beforeAll(async () => {
    server = await startServer()
    browser = await launchChromium()
    station = await setUpStation(server.url)
    await stationApi(server.url, 'POST', '/api/v1/admin/accounts', { ...MANAGER, role: 'manager' }, station.adminToken)
    // Another bus already sent today's work: 3 donations on a rural drive, 5 at the university.
    await otherPhoneSends(server.url, station, { rural: 3, university: 5 })

    const laptop = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en' })
    manager = await laptop.newPage()
    manager.on('pageerror', (e) => errors.push(`station: ${e.message}`))
    await manager.addInitScript(() => localStorage.setItem('bloodbus.locale', 'en'))

    const context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, locale: 'zh-CN' })
    const page = await context.newPage()
    page.on('pageerror', (e) => errors.push(`phone: ${e.message}`))
    page.on('dialog', (d) => void d.accept())
    phone = { context, page }
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop(true)
  })

  async function addTarget(opts: {
    kind: 'month' | 'year'
    scope: 'station' | 'channel'
    scopeName?: string
    metric: string
    value: string
  }): Promise<void> {
    await manager.getByRole('button', { name: 'New target' }).click()
    const form = manager.getByTestId('target-form')
    await form.locator('#tf-kind').selectOption(opts.kind)
    await form.locator('#tf-year').selectOption(String(year))
    if (opts.kind === 'month') await form.locator('#tf-month').selectOption(String(month))
    await form.locator('#tf-scope').selectOption(opts.scope)
    if (opts.scopeName) await form.locator('#tf-scope-id').selectOption({ label: opts.scopeName })
    await form.locator('#tf-metric').selectOption({ label: opts.metric })
    await form.locator('#tf-value').fill(opts.value)
    await form.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => manager.getByRole('status').first().textContent()).toContain('Target saved')
  }

  it('a manager signs in and sets a rural-bus share target for the month and a university count for the year', async () => {
    await manager.goto(`${server.url}/station/targets`)
    await manager.waitForURL(/\/station\/login/)
    await manager.getByLabel('Station code').fill('luoyang')
    await manager.getByLabel('Username').fill(MANAGER.username)
    await manager.getByLabel('Password').fill(MANAGER.password)
    await manager.getByRole('button', { name: 'Sign in' }).click()
    await manager.waitForURL((url) => url.pathname === '/station/targets')
    await addTarget({ kind: 'month', scope: 'station', metric: 'Rural-bus share', value: '32' })
    await addTarget({ kind: 'year', scope: 'channel', scopeName: 'Universities', metric: 'Donations', value: '1000' })
    // Targets the month and year totals cannot give (issue 15): the quarter's whole-blood donations,
    // this month's donations at the township the phone's drive goes to, and the university's
    // units over a custom period.
    const township = station.sites.find((s) => s.name === '宜阳县三乡镇')!
    const university = station.sites.find((s) => s.kind === 'university')!
    const goal = { comparison: '>=' as const }
    await addTargetByApi(server.url, station, {
      ...goal,
      period: periodFor('quarter', today),
      scope: { kind: 'station', id: null },
      metric: 'whole_blood_donations',
      value: 300,
    })
    await addTargetByApi(server.url, station, {
      ...goal,
      period: periodFor('month', today),
      scope: { kind: 'site', id: township.id },
      metric: 'donations',
      value: 20,
    })
    await addTargetByApi(server.url, station, {
      ...goal,
      period: { kind: 'custom', start: addDays(today, -2), end: addDays(today, 5) },
      scope: { kind: 'site', id: university.id },
      metric: 'whole_blood_units',
      value: 40,
    })
  })

  const monthCard = () => phone.page.getByTestId('progress-station-month')
  const yearCard = () => phone.page.getByTestId('progress-station-year')
  const figure = (card: ReturnType<typeof monthCard>, key: string) =>
    card.locator(`[data-figure="${key}"] dd`).textContent()
  const targetActual = (card: ReturnType<typeof monthCard>, metric: string) =>
    card.locator(`[data-testid="station-target"][data-metric="${metric}"] .progress-actual`).textContent()
  const other = (period: string, scope: string) =>
    phone.page.locator(`[data-testid="other-target"][data-period="${period}"][data-scope="${scope}"]`)
  /** The quarter, township and university targets' actuals on the phone. */
  const others = async () =>
    Promise.all([
      other('quarter', 'station').locator('.progress-actual').textContent(),
      other('month', 'site').locator('.progress-actual').textContent(),
      other('custom', 'site').locator('.progress-actual').textContent(),
    ])

  it('the phone enrolls, syncs, and shows the station as of that sync with both targets', async () => {
    const { page, context } = phone
    await enrollPhone(page, server.url, station.enrollmentCode)
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    await page.getByRole('link', { name: '查看进度' }).tap()
    await page.getByTestId('progress-ready').waitFor()
    await expect.poll(() => figure(monthCard(), 'donations')).toBe('8')
    expect(await figure(monthCard(), 'rural_mobile_share')).toBe('37.50%')
    expect(await targetActual(monthCard(), 'rural_mobile_share')).toBe('37.50%')
    expect(await targetActual(yearCard(), 'donations')).toBe('5')
    expect(await monthCard().getByTestId('unsynced').textContent()).toBe('本机记录均已计入')
    // The quarter (8 whole-blood donations), the township (none yet), the university (5 × 400 ml).
    expect(await others()).toEqual(['8', '0', '10'])
    expect(await page.getByText('血站看板查看').count()).toBe(0)
    expect(await page.getByTestId('progress-drive').count()).toBe(0)
    await page.locator('.bar-back').tap()
    await context.setOffline(true)
  })

  it('offline on a rural drive, the progress screen moves at once, the new records marked unsynced', async () => {
    const { page } = phone
    await recordRuralDrive(
      page,
      [
        { id: residentId('410327', '1995-07-21', '051'), name: '刘洋', din: 1 },
        { id: residentId('410328', '1990-03-08', '071'), name: '孙强', din: 2 },
        { id: residentId('410329', '1992-11-02', '033'), name: '周敏', din: 3 },
      ],
      { body: dinBody, withCheck: dinWithCheck },
    )
    await page.locator('.bar-back').tap()
    await page.getByRole('link', { name: '查看进度' }).tap()
    await page.getByTestId('progress-ready').waitFor()
    // 8 + 3 donations; 6 of 11 whole-blood donations on rural buses.
    await expect.poll(() => figure(monthCard(), 'donations')).toBe('11')
    expect(await figure(monthCard(), 'rural_mobile_share')).toBe('54.55%')
    expect(await targetActual(monthCard(), 'rural_mobile_share')).toBe('54.55%')
    expect(await figure(yearCard(), 'donations')).toBe('11')
    expect(await targetActual(yearCard(), 'donations')).toBe('5')
    // The drive, its three donations and nothing else that changes a figure (identities do not).
    expect(await monthCard().getByTestId('unsynced').textContent()).toBe('含本机 4 条记录（血站汇总尚未包含）')
    expect(await yearCard().getByTestId('unsynced').textContent()).toBe('含本机 4 条记录（血站汇总尚未包含）')
    // The quarter and the township move with the three donations; the university's site does not.
    expect(await others()).toEqual(['11', '3', '10'])
    expect(await other('month', 'site').getByTestId('unsynced').textContent()).toBe(
      '含本机 4 条记录（血站汇总尚未包含）',
    )
    expect(await other('custom', 'site').getByTestId('unsynced').textContent()).toBe('本机记录均已计入')
    const drive = page.getByTestId('progress-drive')
    expect(await drive.locator('[data-figure="donations"] dd').textContent()).toBe('3')
    expect(await drive.getByTestId('drive-not-sent').textContent()).toBe('本车次 4 条待上传')
    // The same count, in the same words, as the sync badge beside it.
    expect(await page.getByTestId('sync-badge').first().textContent()).toContain('4 条待上传')
    // Every label translated (the screen uses the station pages' period and scope names too).
    const text = await page.getByTestId('progress-ready').textContent()
    expect(text).not.toMatch(/\b(station|progress|fieldProgress)\.[a-zA-Z]/)
    expect(await monthCard().locator('h3').textContent()).toBe(`全站本月 · ${year}年${month}月`)
    const meter = monthCard().locator('[data-testid="station-target"] [role="meter"]')
    expect(await meter.getAttribute('aria-label')).toMatch(/^乡村流动采血占比：实际 54\.55%，目标 ≥ 32%/)
  })

  it('back online it syncs by itself and counts each record once', async () => {
    const { page, context } = phone
    await context.setOffline(false)
    await expect
      .poll(() => monthCard().getByTestId('unsynced').textContent(), { timeout: 30_000 })
      .toBe('本机记录均已计入')
    expect(await figure(monthCard(), 'donations')).toBe('11')
    expect(await figure(monthCard(), 'rural_mobile_share')).toBe('54.55%')
    expect(await figure(yearCard(), 'donations')).toBe('11')
    expect(await others()).toEqual(['11', '3', '10'])
    expect(await other('month', 'site').getByTestId('unsynced').textContent()).toBe('本机记录均已计入')
    expect(await page.getByTestId('drive-not-sent').textContent()).toBe('本车次的记录均已上传')
    // The figures can move before the round ends (the pull's later pages, the reference data).
    await expect
      .poll(() => page.getByTestId('sync-badge').first().getAttribute('data-state'), { timeout: 15_000 })
      .toBe('confirmed')
  })

  it('the station dashboard shows the same numbers as the phone', async () => {
    const phoneShare = await targetActual(monthCard(), 'rural_mobile_share')
    const phoneUniversity = await targetActual(yearCard(), 'donations')
    const phoneDonations = await figure(yearCard(), 'donations')
    const [phoneQuarter, phoneTownship, phoneUniversitySite] = await others()

    await manager.getByRole('link', { name: 'Dashboard' }).click()
    await manager.waitForURL((url) => url.pathname === '/station')
    const cards = manager.getByTestId('target-progress')
    await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(5)
    const share = cards.filter({ hasText: 'Rural-bus share' })
    const university = cards.filter({ hasText: 'Universities' })
    await expect.poll(() => share.locator('.progress-actual').textContent()).toBe(phoneShare)
    expect(await university.locator('.progress-actual').textContent()).toBe(phoneUniversity)
    const actualOf = (text: string) => cards.filter({ hasText: text }).locator('.progress-actual').textContent()
    expect(await actualOf(`${year} Q${Math.floor((month - 1) / 3) + 1}`)).toBe(phoneQuarter)
    expect(await actualOf('宜阳县三乡镇')).toBe(phoneTownship)
    expect(await actualOf('河南科技大学')).toBe(phoneUniversitySite)
    expect(await manager.locator('[data-metric="donations"] .tile-value').textContent()).toBe(phoneDonations)
    expect(phoneShare).toBe('54.55%')
    expect(phoneUniversity).toBe('5')
    expect(phoneDonations).toBe('11')
    expect(errors).toEqual([])
  })
})
