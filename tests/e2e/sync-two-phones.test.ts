// Two phones on one bus, in real Chromium against the real station: each records a drive offline
// through the field screens, then comes back online and syncs by itself. Both end up with station
// totals that include the other phone's records; the one record the station refuses (a bag number
// the other phone used first) waits in "needs attention" with the station's reason (in Chinese,
// naming the drive that holds it) while every other record is confirmed, until the crew corrects
// the bag number there and it goes too.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StationTotals } from '../../src/domain/sync-protocol'
import { type RunningServer, startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'
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
import { recordRuralDrive } from './support/progress'

interface Donor {
  id: string
  name: string
  din: number
}

describe('two phones on one bus sync with the station', () => {
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

  async function newPhone(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: PHONE, hasTouch: true, locale: 'zh-CN' })
    contexts.push(context)
    const page = await context.newPage()
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('dialog', (d) => void d.accept())
    return { context, page }
  }

  async function enrollmentCode(): Promise<string> {
    const res = await fetch(`${server.url}/api/v1/admin/enrollment-codes`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${station.adminToken}` },
      body: '{}',
    })
    return ((await res.json()) as { code: string }).code
  }

  /** Open a drive and record whole-blood donations through the field screens, offline. */
  async function recordDrive(page: Page, bus: string, donors: Donor[]): Promise<void> {
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    await recordRuralDrive(page, donors, { body: dinBody, withCheck: dinWithCheck }, bus)
  }

  const badgeState = (page: Page) => page.getByTestId('sync-badge').first().getAttribute('data-state')

  async function monthTotals(page: Page): Promise<StationTotals['counts'] | null> {
    const { stationTotals } = await readTables(page, ['stationTotals'])
    const month = stationTotals!.find((r) => r.key === 'month')
    return month ? (month.value as StationTotals).counts : null
  }

  it("records offline on two phones, both sync, totals include the other phone, the refused record waits with the station's reason", async () => {
    const a = await newPhone()
    const b = await newPhone()
    await enrollPhone(a.page, server.url, station.enrollmentCode)
    await enrollPhone(b.page, server.url, await enrollmentCode())
    for (const phone of [a, b]) {
      await phone.page.evaluate(async () => {
        await navigator.serviceWorker.ready
      })
      await phone.context.setOffline(true)
      await phone.page.reload()
      await phone.page.getByRole('button', { name: /王建华/ }).waitFor()
    }

    // Both crews record offline; phone B scans bag 1 again by mistake (phone A used it).
    await recordDrive(a.page, '豫C-A0001', [
      { id: residentId('410327', '1995-07-21', '051'), name: '刘洋', din: 1 },
      { id: residentId('410328', '1990-03-08', '071'), name: '孙强', din: 2 },
    ])
    await recordDrive(b.page, '豫C-A0001', [
      { id: residentId('410329', '1992-11-02', '033'), name: '周敏', din: 3 },
      { id: residentId('410322', '1987-05-19', '015'), name: '吴刚', din: 1 },
    ])
    for (const phone of [a, b]) {
      // Nothing sent: the badge says offline, or, where the browser keeps navigator.onLine true
      // after an offline reload (Debian's Chromium 150 does), that the records wait for the next try.
      await expect.poll(() => badgeState(phone.page)).toMatch(/^(offline|waiting)$/)
      expect(await phone.page.getByTestId('sync-badge').first().textContent()).toContain('3 条待上传')
    }

    // Phone A comes back into range first and sends everything by itself.
    await a.context.setOffline(false)
    await expect.poll(() => badgeState(a.page), { timeout: 30_000 }).toBe('confirmed')
    // Then phone B: every record confirmed but the second use of bag 1.
    await b.context.setOffline(false)
    await expect.poll(() => badgeState(b.page), { timeout: 30_000 }).toBe('attention')
    const bTables = await readTables(b.page, ['outbox'])
    expect(bTables.outbox).toHaveLength(1)
    expect(bTables.outbox![0]).toMatchObject({
      status: 'rejected',
      rejectCode: 'duplicate_din',
      recordType: 'donation',
    })

    // Phone A syncs again from the sync screen and sees phone B's donation in the station totals.
    await a.page.getByTestId('sync-badge').first().tap()
    await a.page.getByTestId('sync-now').tap()
    await expect.poll(async () => (await monthTotals(a.page))?.donations, { timeout: 30_000 }).toBe(3)
    await expect.poll(async () => (await monthTotals(b.page))?.donations, { timeout: 30_000 }).toBe(3)
    expect((await monthTotals(a.page))?.busTrips).toBe(2)

    // Phone B's sync screen: the refused donation with the station's reason, nothing else waiting.
    await b.page.getByTestId('sync-badge').first().tap()
    const item = b.page.getByTestId('attention-item')
    await expect.poll(() => item.count()).toBe(1)
    const reason = await b.page.getByTestId('attention-reason').textContent()
    expect(reason).toContain('血站拒收')
    expect(reason).toContain('这个血袋号在血站已被另一条献血记录使用')
    expect(reason).not.toMatch(/already used|duplicate_din/)
    expect(await item.getByTestId('attention-clash').textContent()).toContain('豫C-A0001')
    expect(await item.textContent()).toContain(`吴刚 · ${dinWithCheck(1)}`)
    expect(await b.page.getByTestId('waiting-item').count()).toBe(0)
    expect(await b.page.getByTestId('receipts').textContent()).toContain('献血')

    // The crew fixes the bag number on phone B: the fixed donation and its correction go by themselves.
    expect(await item.getByRole('button').allTextContents()).toEqual(['更正血袋号', '作废这条记录'])
    await item.getByRole('button', { name: '更正血袋号' }).tap()
    await item.getByLabel('正确的血袋号（DIN）').fill(dinWithCheck(4))
    await item.getByLabel('原因（必填）').fill('扫错了血袋')
    await item.getByRole('button', { name: '确认' }).tap()
    await expect.poll(() => badgeState(b.page), { timeout: 30_000 }).toBe('confirmed')
    expect(await b.page.getByTestId('attention-item').count()).toBe(0)
    await expect.poll(async () => (await monthTotals(b.page))?.donations, { timeout: 30_000 }).toBe(4)
    const bAll = await readTables(b.page, ['corrections', 'outbox'])
    expect(bAll.outbox).toHaveLength(0)
    expect(bAll.corrections).toMatchObject([{ reason: '扫错了血袋', replacement: { din: dinWithCheck(4) } }])

    const aAll = await readTables(a.page, ['outbox'])
    expect(aAll.outbox).toHaveLength(0)
    expect(errors).toEqual([])
  })
})
