// A whole bus drive on a phone in real Chromium at 390×844, offline after the first load:
// open the drive, record donations and a deferral with keyboard and touch, void one, close with
// bag reconciliation and the leader's PIN, close the page, reopen it: everything is still there,
// each record with its outbox entry.
//
// The station is set up through the server's setup and admin API; the phone enrolls with a code
// and pulls the roster, sites and channels for real, then the network goes away.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

describe('a bus drive recorded offline on a phone', () => {
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

  function watch(page: Page): Page {
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('dialog', (d) => void d.accept())
    return page
  }

  async function typeInto(page: Page, label: string, text: string): Promise<void> {
    await page.getByLabel(label, { exact: true }).focus()
    await page.keyboard.press('Control+A')
    await page.keyboard.type(text)
  }

  async function recordDonor(
    page: Page,
    donor: {
      id: string
      name: string
      household: '农村' | '城镇'
      vitals: string[]
      outcome: 'donate' | 'defer'
      volume?: string
      abo?: string
      rhd?: string
      din?: string
    },
  ): Promise<void> {
    await page.getByRole('link', { name: '登记献血者' }).tap()
    await typeInto(page, '身份证号', donor.id)
    await typeInto(page, '姓名', donor.name)
    await page.getByRole('radio', { name: donor.household, exact: true }).tap()
    await page.keyboard.press('Enter') // identity → vitals
    const labels = ['体重 (kg)', '血红蛋白 (g/L)', '收缩压 (mmHg)', '舒张压 (mmHg)', '脉搏 (次/分)', '体温 (°C)']
    for (const [i, label] of labels.entries()) await typeInto(page, label, donor.vitals[i]!)
    if (donor.outcome === 'defer') {
      await expect.poll(() => page.getByTestId('blockers').textContent()).toContain('低于下限')
      await page.getByRole('button', { name: '暂缓', exact: true }).tap()
      await expect.poll(() => page.getByTestId('deferral-until').textContent()).toMatch(/暂缓至 \d{4}-\d{2}-\d{2}/)
      await page.getByRole('button', { name: '保存' }).tap()
    } else {
      await page.getByRole('button', { name: '献血', exact: true }).tap()
      await page.getByRole('radio', { name: donor.volume!, exact: true }).tap()
      await page.getByRole('radio', { name: donor.abo!, exact: true }).tap()
      await page.getByRole('radio', { name: donor.rhd!, exact: true }).tap()
      await typeInto(page, '血袋号（DIN）', donor.din!)
      await page.keyboard.press('Enter') // saves the form
    }
    await expect.poll(() => page.getByTestId('saved').textContent()).toContain(donor.name)
    await page.getByRole('link', { name: '返回车次' }).tap()
  }

  it('records, voids and closes a drive offline, keeps every record with its outbox entry, and the station accepts them all', async () => {
    const page = watch(await context.newPage())
    await enrollPhone(page, server.url, station.enrollmentCode)
    const [device] = (await readTables(page, ['device'])).device!
    // The service worker has precached the app: from here on there is no network.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await context.setOffline(true)
    await page.reload()
    await page.getByRole('button', { name: /王建华/ }).waitFor()

    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    await expect.poll(() => page.getByTestId('unsynced').textContent()).toContain('待上传 0 条')
    await page.getByRole('link', { name: '开始新车次' }).tap()
    await typeInto(page, '车号', '豫C-A1234')
    await page.getByRole('radio', { name: '乡村流动', exact: true }).tap()
    await typeInto(page, '采血地点', 'sanxiang')
    await page.getByRole('button', { name: /宜阳县三乡镇/ }).tap()
    await page.getByRole('checkbox', { name: '李敏', exact: true }).tap()
    await page.getByRole('radio', { name: '王建华', exact: true }).tap()
    await typeInto(page, '第一个血袋号（DIN）', dinBody(1))
    await typeInto(page, '最后一个血袋号（DIN）', dinBody(40))
    await expect.poll(() => page.getByTestId('bags-loaded').textContent()).toContain('共装车 40 个血袋')
    await page.getByRole('button', { name: '开始车次' }).tap()
    await page.getByRole('link', { name: '登记献血者' }).waitFor()

    await recordDonor(page, {
      id: residentId('410327', '1995-07-21', '051'),
      name: '刘洋',
      household: '农村',
      vitals: ['68', '142', '122', '78', '72', '36.6'],
      outcome: 'donate',
      volume: '400 ml',
      abo: 'A',
      rhd: '阳性 +',
      din: dinWithCheck(1),
    })
    await recordDonor(page, {
      id: residentId('410328', '1990-03-08', '071'),
      name: '孙强',
      household: '城镇',
      vitals: ['75', '150', '118', '76', '68', '36.4'],
      outcome: 'donate',
      volume: '200 ml',
      abo: 'O',
      rhd: '阴性 −',
      din: dinWithCheck(2),
    })
    await recordDonor(page, {
      id: residentId('410328', '2000-02-03', '062'),
      name: '陈静',
      household: '城镇',
      vitals: ['52', '108', '104', '70', '80', '36.8'],
      outcome: 'defer',
    })
    await expect.poll(() => page.getByTestId('tally-donations').textContent()).toBe('2')
    expect(await page.getByTestId('tally-units').textContent()).toBe('3')
    expect(await page.getByTestId('tally-deferrals').textContent()).toBe('1')

    // Void 孙强's donation: the reason is required.
    await page.getByRole('link', { name: /孙强/ }).tap()
    await page.getByRole('button', { name: '作废' }).tap()
    await page.getByRole('button', { name: '确认作废' }).tap()
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('请写明原因')
    await typeInto(page, '原因（必填）', '献血者信息登记错误')
    await page.getByRole('button', { name: '确认作废' }).tap()
    await page.getByText('已作废并保存。').waitFor()
    await page.getByRole('link', { name: '返回' }).tap()
    await expect.poll(() => page.getByTestId('tally-donations').textContent()).toBe('1')

    // Close: 1 used + 1 spoiled (the voided donation's bag) + 37 returned ≠ 40 → a note is required.
    await page.getByRole('link', { name: '结束车次' }).tap()
    await typeInto(page, '损耗', '1')
    await typeInto(page, '退回', '37')
    await expect.poll(() => page.getByTestId('reconcile-status').textContent()).toContain('相差 -1')
    await page.locator('.pin-input').fill(PINS.leader)
    await page.getByRole('button', { name: '签字并结束' }).tap()
    await expect.poll(() => page.getByText('数目不符，请写明原因').count()).toBe(1)
    await typeInto(page, '差异说明（必填）', '一袋在路上破损，已丢弃')
    await page.locator('.pin-input').fill(PINS.leader)
    await page.getByRole('button', { name: '签字并结束' }).tap()
    await page.getByText('本车次已结束并签字确认。').waitFor()

    const before = await readTables(page, [
      'drives',
      'driveCloses',
      'donations',
      'deferrals',
      'donorIdentities',
      'voids',
      'outbox',
    ])
    await page.close()

    // Reopen the app, still offline: everything is there.
    const again = watch(await context.newPage())
    await again.goto(`${server.url}/drives`)
    await again.getByRole('button', { name: /李敏/ }).waitFor()
    await unlockAs(again, '李敏', PINS.collector, { touch: true })
    await again.getByRole('heading', { name: '已结束的车次' }).waitFor()
    await expect.poll(() => again.getByTestId('unsynced').textContent()).toContain('待上传 6 条')
    const after = await readTables(again, [
      'drives',
      'driveCloses',
      'donations',
      'deferrals',
      'donorIdentities',
      'voids',
      'outbox',
    ])
    expect(after).toEqual(before)
    expect(after.drives).toHaveLength(1)
    expect(after.donations).toHaveLength(2)
    expect(after.deferrals).toHaveLength(1)
    expect(after.donorIdentities).toHaveLength(3)
    expect(after.voids).toMatchObject([{ reason: '献血者信息登记错误' }])
    expect(after.driveCloses).toMatchObject([
      { bagsLoaded: 40, bagsUsed: 1, bagsSpoiled: 1, bagsReturned: 37, signedOffBy: station.staff.leader },
    ])
    const records = Object.entries(after)
      .filter(([name]) => name !== 'outbox')
      .flatMap(([, rows]) => rows)
    const outbox = after.outbox!
    expect(outbox).toHaveLength(records.length)
    for (const rec of records) {
      expect(
        outbox.filter((e) => e.recordId === rec.id),
        `outbox entry of ${String(rec.type)}`,
      ).toHaveLength(1)
      expect(rec).toMatchObject({
        deviceId: device!.deviceId,
        authorStaffId: station.staff.leader,
        stationId: device!.stationId,
      })
    }
    expect(outbox.map((e) => e.seq)).toEqual([...outbox.map((e) => e.seq)].sort((a, b) => Number(a) - Number(b)))

    // Back in range of the network: the station takes every record, none refused.
    await context.setOffline(false)
    await expect.poll(() => again.getByTestId('unsynced').textContent(), { timeout: 30_000 }).toContain('待上传 0 条')
    expect(await again.getByText(/被服务器拒收/).count()).toBe(0)
    expect(errors).toEqual([])
  })
})
