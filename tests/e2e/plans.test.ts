// Drive plans end to end (issue 15), real Chromium against the real server: a manager on a phone-
// sized screen plans today's drive; a bus phone pulls it and, offline, opens the drive prefilled
// from it; after the phone syncs the dashboard's planned vs done moves; the drive's recruitment
// list exports as XLSX and opens with the expected rows.
import { readFileSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMonths } from '../../src/domain/dates'
import { donorKey } from '../../src/domain/donor-key'
import { newId } from '../../src/domain/ids'
import type { Channel, FieldRecord, Station } from '../../src/domain/records'
import type { PullResponse, PushResponse } from '../../src/domain/sync-protocol'
import { type RunningServer, startServer } from '../support/server'
import { launchChromium, PHONE } from './support/browser'
import {
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
import { stationApi, stationToday } from './support/progress'
import { readXlsxRows } from './support/xlsx'

const MANAGER = { username: 'li.planner', password: 'plan-787-rural-trips' }

describe('drive plans: from the station calendar to a drive opened offline, and whom to invite', () => {
  let server: RunningServer
  let browser: Browser
  let station: StationSetup
  let manager: Page
  let phone: { context: BrowserContext; page: Page }
  const errors: string[] = []
  const today = stationToday()
  const month = today.slice(0, 7)
  let rural: Channel

  beforeAll(async () => {
    server = await startServer()
    browser = await launchChromium()
    station = await setUpStation(server.url)
    await stationApi(server.url, 'POST', '/api/v1/admin/accounts', { ...MANAGER, role: 'manager' }, station.adminToken)
    const channels = await stationApi<Channel[]>(
      server.url,
      'GET',
      '/api/v1/admin/channels',
      undefined,
      station.adminToken,
    )
    rural = channels.find((c) => c.code === 'rural_mobile')!
    const year = today.slice(0, 4)
    await stationApi(
      server.url,
      'POST',
      '/api/v1/admin/targets',
      {
        period: { kind: 'year', start: `${year}-01-01`, end: `${year}-12-31` },
        scope: { kind: 'channel', id: rural.id },
        metric: 'bus_trips',
        comparison: '>=',
        value: 787,
      },
      station.adminToken,
    )
    await otherPhoneSendsPastDonors()

    // The manager works from a phone too: every action must be on screen at 390×844.
    const mobile = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, locale: 'en' })
    manager = await mobile.newPage()
    manager.on('pageerror', (e) => errors.push(`station: ${e.message}`))
    manager.on('dialog', (d) => void d.accept())
    await manager.addInitScript(() => localStorage.setItem('bloodbus.locale', 'en'))

    const context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, locale: 'zh-CN' })
    const page = await context.newPage()
    page.on('pageerror', (e) => errors.push(`phone: ${e.message}`))
    phone = { context, page }
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop(true)
  })

  /** Another phone sent, long ago, the donors a recruitment list finds (with their identities). */
  async function otherPhoneSendsPastDonors(): Promise<void> {
    const { code } = await stationApi<{ code: string }>(
      server.url,
      'POST',
      '/api/v1/admin/enrollment-codes',
      {},
      station.adminToken,
    )
    const device = await stationApi<{ deviceId: string; token: string }>(server.url, 'POST', '/api/v1/devices/enroll', {
      code,
      name: 'old bus phone',
    })
    const pull = await stationApi<PullResponse>(server.url, 'GET', '/api/v1/sync/pull', undefined, device.token)
    const st = pull.changes.find((c) => c.entity === 'station' && c.op === 'upsert') as { value: Station }
    const township = station.sites.find((s) => s.name === '宜阳县三乡镇')!
    const university = station.sites.find((s) => s.kind === 'university')!
    const now = new Date().toISOString()
    const author = () => ({
      id: newId(),
      stationId: st.value.id,
      deviceId: device.deviceId,
      authorStaffId: station.staff.collector,
      createdAt: now,
    })
    const donors = [
      {
        id: residentId('410327', '1980-02-11', '011'),
        name: '陈静',
        phone: '13900000001',
        on: addMonths(today, -14),
        site: township,
        rhd: 'pos' as const,
      },
      {
        id: residentId('410327', '1984-05-06', '021'),
        name: '杨帆',
        phone: '13900000002',
        on: addMonths(today, -2),
        site: township,
        rhd: 'pos' as const,
      },
      {
        id: residentId('410311', '1990-09-09', '031'),
        name: '黄蕾',
        phone: '13900000003',
        on: addMonths(today, -7),
        site: university,
        rhd: 'neg' as const,
      },
    ]
    const records: FieldRecord[] = []
    for (const [i, d] of donors.entries()) {
      const key = await donorKey(d.id, st.value.donorKeySalt!)
      records.push({
        type: 'donation',
        ...author(),
        driveId: null,
        channelId:
          d.site.kind === 'university'
            ? (
                pull.changes.find(
                  (c) => c.entity === 'channel' && (c as { value: Channel }).value.code === 'universities',
                ) as { value: Channel }
              ).value.id
            : rural.id,
        siteId: d.site.id,
        teamIds: [],
        collectedOn: d.on,
        donorKey: key,
        sex: 'F',
        ageYears: 35,
        household: 'rural',
        repeatDonor: true,
        collectedAt: `${d.on}T10:00:00.000+08:00`,
        product: { type: 'whole_blood', volumeMl: 400 },
        abo: 'O',
        rhd: d.rhd,
        din: dinWithCheck(900 + i),
      })
      records.push({
        type: 'donor_identity',
        ...author(),
        donorKey: key,
        idNumber: d.id,
        name: d.name,
        phone: d.phone,
        household: 'rural',
      })
    }
    const answer = await stationApi<PushResponse>(
      server.url,
      'POST',
      '/api/v1/sync/push',
      {
        deviceId: device.deviceId,
        schemaVersion: 2,
        mutations: records.map((record, i) => ({ seq: i + 1, mutationId: newId(), record })),
      },
      device.token,
    )
    const refused = answer.results.filter((r) => r.status === 'rejected')
    if (refused.length > 0) throw new Error(`refused: ${JSON.stringify(refused[0])}`)
  }

  /** Every button of the page's cards lies inside the 390 px viewport. */
  async function actionsOnScreen(page: Page, selector: string): Promise<void> {
    const boxes = await page.locator(`${selector} button`).evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect()
        return { text: e.textContent?.trim(), left: r.left, right: r.right, width: r.width }
      }),
    )
    expect(boxes.length).toBeGreaterThan(0)
    for (const b of boxes) {
      expect(b.width, `${b.text}`).toBeGreaterThan(0)
      expect(b.left, `${b.text}`).toBeGreaterThanOrEqual(0)
      expect(b.right, `${b.text}`).toBeLessThanOrEqual(PHONE.width)
    }
  }

  const tripsCell = () => manager.locator(`[data-testid="plan-pace"] tr[data-month="${month}"] [data-col="trips"]`)

  it('a manager plans today’s drive on the calendar; the dashboard counts it as planned', async () => {
    await manager.goto(`${server.url}/station/plans`)
    await manager.waitForURL(/\/station\/login/)
    await manager.getByLabel('Station code').fill('luoyang')
    await manager.getByLabel('Username').fill(MANAGER.username)
    await manager.getByLabel('Password').fill(MANAGER.password)
    await manager.getByRole('button', { name: 'Sign in' }).tap()
    await manager.waitForURL((url) => url.pathname === '/station/plans')
    await manager.getByText('No drives planned this month.').waitFor()

    await manager.getByTestId('new-plan').tap()
    const form = manager.getByTestId('plan-form')
    await form.getByLabel('Date').fill(today)
    await form.getByLabel('Site').selectOption({ label: '宜阳县三乡镇 · 宜阳县' })
    await form.getByLabel('Channel').selectOption({ label: 'Rural mobile' })
    await form.getByLabel('Bus').fill('豫C-P0787')
    await form.getByLabel('Crew').selectOption([{ label: '王建华' }, { label: '李敏' }])
    await form.getByLabel('Leader').selectOption({ label: '王建华' })
    await form.getByLabel('Expected donors').fill('35')
    await form.getByLabel('First bag number (optional)').fill(dinBody(1))
    await form.getByLabel('Last bag number (optional)').fill(dinBody(60))
    await form.getByRole('button', { name: 'Save' }).tap()
    await manager.getByRole('status').filter({ hasText: 'Plan saved' }).waitFor()
    const card = manager.getByTestId('plan-card')
    expect(await card.count()).toBe(1)
    expect(await card.textContent()).toMatch(
      /宜阳县三乡镇Rural mobile · 豫C-P0787\s*35 expected\s+· crew of 2 \(王建华\)/,
    )
    await actionsOnScreen(manager, '[data-testid="plan-card"]')
    await actionsOnScreen(manager, '.station-page-head')

    await manager.getByRole('link', { name: 'Dashboard' }).tap()
    await manager.waitForURL((url) => url.pathname === '/station')
    await expect.poll(() => tripsCell().textContent(), { timeout: 30_000 }).toBe('1 / 0')
    expect(await manager.getByTestId('pace-target').textContent()).toMatch(/Trip target \d{4}: 0 of 787 done/)
    expect(await manager.getByTestId('pace-takes').textContent()).toMatch(
      /787 more trips by 31 December [\s\S]*1 of them are planned; 786 still need a plan\./,
    )
  })

  it('the phone pulls the plan and, offline, opens today’s drive prefilled from it', async () => {
    const { page, context } = phone
    await enrollPhone(page, server.url, station.enrollmentCode)
    // The app's files are cached before the phone leaves the network.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    const plans = (await readTables(page, ['drivePlans'])).drivePlans!
    expect(plans.map((p) => (p.value as { busCode: string }).busCode)).toEqual(['豫C-P0787'])
    await context.setOffline(true)
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    await page.getByRole('link', { name: '开始新车次' }).tap()
    await page.getByTestId('from-plan').waitFor()
    expect(await page.getByTestId('drive-plans').textContent()).toContain('宜阳县三乡镇 · 乡村流动 · 豫C-P0787')
    expect(await page.getByTestId('drive-plans').textContent()).toContain('预计 35 人')
    expect(await page.getByLabel('车号', { exact: true }).inputValue()).toBe('豫C-P0787')
    expect(await page.getByRole('radio', { name: '乡村流动', exact: true }).isChecked()).toBe(true)
    expect(await page.getByRole('checkbox', { name: '李敏', exact: true }).isChecked()).toBe(true)
    expect(await page.getByRole('radio', { name: '王建华', exact: true }).isChecked()).toBe(true)
    expect(await page.getByTestId('bags-loaded').textContent()).toContain('60')
    // Editable: the day's bus differs from the plan.
    await page.getByLabel('车号', { exact: true }).fill('豫C-P0788')
    await page.getByRole('button', { name: '开始车次' }).tap()
    await page.getByRole('link', { name: '登记献血者' }).waitFor()
    const drives = (await readTables(page, ['drives'])).drives!
    expect(drives).toHaveLength(1)
    expect(drives[0]).toMatchObject({
      planId: (plans[0]!.value as { id: string }).id,
      busCode: '豫C-P0788',
      siteId: station.sites.find((s) => s.name === '宜阳县三乡镇')!.id,
      channelId: rural.id,
      date: today,
      leaderStaffId: station.staff.leader,
      bagsLoaded: 60,
    })
  })

  it('after the phone syncs, planned vs done moves on the dashboard', async () => {
    await phone.context.setOffline(false)
    await expect
      .poll(
        async () =>
          (
            await stationApi<{ months: { month: string; doneTrips: number }[] }>(
              server.url,
              'GET',
              `/api/v1/admin/plan-summary?asOf=${today}`,
              undefined,
              station.adminToken,
            )
          ).months.find((m) => m.month === month)!.doneTrips,
        { timeout: 30_000 },
      )
      .toBe(1)
    await manager.reload()
    await expect.poll(() => tripsCell().textContent(), { timeout: 30_000 }).toBe('1 / 1')
    expect(await manager.getByTestId('pace-target').textContent()).toMatch(/1 of 787 done/)
    expect(await manager.getByTestId('pace-takes').textContent()).toMatch(/786 more trips by 31 December/)
  })

  it('the plan’s recruitment list exports as XLSX and opens with the expected rows', async () => {
    await manager.getByRole('link', { name: 'Plans' }).tap()
    await manager.getByTestId('plan-card').waitFor()
    await manager.getByTestId('recruit').tap()
    const panel = manager.getByTestId('recruitment')
    await expect
      .poll(() => panel.getByTestId('recruit-count').textContent())
      .toBe('Donors: 2 — 1 from the area, 1 RhD-negative, 0 emergency team')
    await actionsOnScreen(manager, '[data-testid="recruitment"]')
    const [download] = await Promise.all([manager.waitForEvent('download'), panel.getByTestId('recruit-xlsx').tap()])
    expect(download.suggestedFilename()).toBe(`recruitment-${today}.xlsx`)
    const rows = readXlsxRows(readFileSync((await download.path())!))
    expect(rows[0]).toEqual([
      'Name',
      'Phone',
      'Blood group',
      'Last donation',
      'Last site',
      'Donations',
      'Eligible from',
      'Why invited',
    ])
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[3], r[4], r[7]])).toEqual([
      ['陈静', '13900000001', 'O RhD+', addMonths(today, -14), '宜阳县三乡镇', 'Donor of the area'],
      ['黄蕾', '13900000003', 'O RhD-', addMonths(today, -7), '河南科技大学', 'RhD negative'],
    ])
    // Not given for 15 months: nobody of the area is left; the call-up stays.
    await panel.getByLabel('Not given for (months)').fill('15')
    await panel.getByRole('button', { name: 'Show list' }).tap()
    await expect
      .poll(() => panel.getByTestId('recruit-count').textContent())
      .toBe('Donors: 1 — 0 from the area, 1 RhD-negative, 0 emergency team')
    expect(errors).toEqual([])
  })
})
