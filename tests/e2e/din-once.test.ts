// A bag number is used once, whatever the drive, in real Chromium at phone size:
// - offline on one phone: the next unused bag is offered with its check character; a range that
//   overlaps an open drive opens only on the leader's PIN; a bag used on drive 2 is refused on drive 3;
// - against the real station: a bag another phone used first is refused by the station, the phone
//   says in Chinese which drive and time hold it, offers only "correct the bag number" or "void",
//   and the DIN correction then syncs. No English sentence or raw code reaches the Chinese screen.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'
import {
  dinBody,
  dinWithCheck,
  enrollPhone,
  makeFieldSeed,
  pickSite,
  PINS,
  readTables,
  residentId,
  seedPhone,
  syncBagFromAnotherPhone,
  setUpStation,
  type StationSetup,
  unlockAs,
} from './support/field'
import { typeInto } from './support/progress'

/**
 * Latin text that is not ours to show on a Chinese screen: an English phrase (three words or
 * more) or a snake_case code. Bag numbers, "ml", "RhD", "DIN", "PIN" and blood groups are fine.
 */
export function latinLeaks(text: string): string[] {
  const leaks: string[] = []
  for (const m of text.matchAll(/[A-Za-z]{2,}(?:[ ,.:;'’-]+[A-Za-z]{2,}){2,}/g)) leaks.push(m[0])
  for (const m of text.matchAll(/\b[a-z]+(?:_[a-z0-9]+)+\b/g)) leaks.push(m[0])
  return leaks
}

/** What the sync screen says about the sync, refused, waiting and confirmed records. */
async function syncText(page: Page): Promise<string> {
  const parts = await Promise.all(
    ['sync-status', 'attention', 'waiting', 'receipts'].map((id) => page.getByTestId(id).innerText()),
  )
  return parts.join('\n')
}

describe('a bag number once, everywhere on the phone', () => {
  let server: RunningServer
  let browser: Browser
  const contexts: BrowserContext[] = []
  const errors: string[] = []

  beforeAll(async () => {
    server = await startServer()
    browser = await launchChromium()
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

  async function openDrive(page: Page, bus: string, first: number, last: number): Promise<void> {
    await page.getByRole('link', { name: '开始新车次' }).tap()
    await typeInto(page, '车号', bus)
    await page.getByRole('radio', { name: '乡村流动', exact: true }).tap()
    await pickSite(page, '宜阳县三乡镇', '宜阳县三乡镇')
    await page.getByRole('radio', { name: '王建华', exact: true }).tap()
    await typeInto(page, '第一个血袋号（DIN）', dinBody(first))
    await typeInto(page, '最后一个血袋号（DIN）', dinBody(last))
    await page.getByRole('button', { name: '开始车次' }).tap()
  }

  /** Through identity and vitals to the donation step, where the bag number is asked. */
  async function toDonation(page: Page, donor: { id: string; name: string }): Promise<void> {
    await page.getByRole('link', { name: '登记献血者' }).tap()
    await typeInto(page, '身份证号', donor.id)
    await typeInto(page, '姓名', donor.name)
    await page.getByRole('radio', { name: '农村', exact: true }).tap()
    await page.keyboard.press('Enter')
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
  }

  const dinField = (page: Page) => page.getByLabel('血袋号（DIN）', { exact: true })

  it('offline: offers the next bag, warns of an overlapping range until the leader confirms, refuses a bag of drive 2 on drive 3', async () => {
    const { page } = await newPhone()
    const seed = await makeFieldSeed()
    await seedPhone(page, server.url, seed)
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await page.context().setOffline(true)
    await page.reload()
    await page.getByRole('button', { name: /王建华/ }).waitFor()
    await unlockAs(page, '王建华', PINS.leader, { touch: true })

    // Drive 2 loads bags 41–80; the first donor is offered bag 41 with its check character.
    await openDrive(page, '豫C-0002', 41, 80)
    await page.getByRole('link', { name: '登记献血者' }).waitFor()
    await toDonation(page, { id: residentId('410327', '1995-07-21', '051'), name: '赵丽' })
    expect(await dinField(page).inputValue()).toBe(dinWithCheck(41))
    expect(await page.locator('.field', { has: dinField(page) }).textContent()).toContain(
      '已填入本车下一个未用的血袋号',
    )
    // Still editable: bag 61 is the one in hand.
    await typeInto(page, '血袋号（DIN）', dinWithCheck(61))
    await page.keyboard.press('Enter')
    await page.getByTestId('saved').filter({ hasText: '赵丽' }).waitFor()
    await page.getByRole('link', { name: '返回车次' }).tap()
    // The next donor on drive 2 is offered the bag after the highest used one.
    await toDonation(page, { id: residentId('410328', '1990-03-08', '071'), name: '孙强' })
    expect(await dinField(page).inputValue()).toBe(dinWithCheck(62))
    await page.keyboard.press('Enter')
    await page.getByTestId('saved').filter({ hasText: '孙强' }).waitFor()
    await page.getByRole('link', { name: '返回车次' }).tap()
    // Back to the list of drives (the drive screen's back button).
    await page.getByRole('link', { name: '返回', exact: true }).tap()
    await page.getByRole('link', { name: '开始新车次' }).waitFor()

    // Drive 3 loads bags 60–90 while drive 2 is open: a warning naming drive 2, the leader's PIN.
    await openDrive(page, '豫C-0003', 60, 90)
    const overlap = page.getByTestId('range-overlap')
    await overlap.waitFor()
    expect(await overlap.textContent()).toContain('豫C-0002')
    expect(await overlap.textContent()).toContain(`${dinBody(60)} – ${dinBody(80)}（21 袋）`)
    for (const digit of PINS.collector) await overlap.getByRole('button', { name: digit, exact: true }).tap()
    await overlap.getByTestId('range-overlap-confirm').tap()
    await expect.poll(() => overlap.getByRole('alert').textContent()).toContain('PIN 不对')
    expect((await readTables(page, ['drives'])).drives).toHaveLength(1)
    for (const digit of PINS.leader) await overlap.getByRole('button', { name: digit, exact: true }).tap()
    await overlap.getByTestId('range-overlap-confirm').tap()
    await page.getByRole('link', { name: '登记献血者' }).waitFor()
    const { drives } = await readTables(page, ['drives'])
    const drive3 = drives!.find((d) => d.busCode === '豫C-0003')!
    expect(drive3.rangeOverlap).toEqual({
      driveIds: [drives!.find((d) => d.busCode === '豫C-0002')!.id],
      confirmedBy: seed.roster.leader.id,
    })

    // On drive 3 the offer skips the bags drive 2 used; bag 61 is refused on screen and not saved.
    await toDonation(page, { id: residentId('410329', '1992-11-02', '033'), name: '周敏' })
    expect(await dinField(page).inputValue()).toBe(dinWithCheck(63))
    await typeInto(page, '血袋号（DIN）', dinWithCheck(61))
    await expect
      .poll(() => page.locator('.field', { has: dinField(page) }).textContent())
      .toContain('此血袋号已在本机的另一车次用过')
    await page.keyboard.press('Enter')
    await page.getByRole('button', { name: '保存' }).first().tap()
    expect(await page.getByTestId('saved').count()).toBe(0)
    const { donations } = await readTables(page, ['donations'])
    expect(donations!.map((d) => d.din).sort()).toEqual([dinWithCheck(61), dinWithCheck(62)])

    // The sync screen offline: records named by donor and bag, no English from the sync engine.
    await page.getByRole('link', { name: '返回', exact: true }).tap()
    await page.getByRole('link', { name: '登记献血者' }).waitFor()
    await page.getByTestId('sync-badge').first().tap()
    await page.getByTestId('waiting-item').first().waitFor()
    const waiting = await page.getByTestId('waiting').textContent()
    expect(waiting).toContain(`赵丽 · ${dinWithCheck(61)}`)
    expect(waiting).not.toMatch(/…[0-9a-f]{6}/)
    expect(latinLeaks(await syncText(page))).toEqual([])
    expect(errors).toEqual([])
  })

  it('station refusal: names the clash in Chinese, offers only correct or void, and the DIN correction syncs', async () => {
    const station: StationSetup = await setUpStation(server.url)
    // Phone A (through the API) recorded bag 61 on drive 2 at 15:08 and synced first.
    expect(await syncBagFromAnotherPhone(server.url, station, 61)).toEqual(['applied', 'applied'])
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())

    // Phone B records drive 3 offline and uses bag 61 (it cannot know phone A's drive).
    const { context, page } = await newPhone()
    await enrollPhone(page, server.url, station.enrollmentCode)
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await context.setOffline(true)
    await page.reload()
    await page.getByRole('button', { name: /王建华/ }).waitFor()
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    await openDrive(page, '豫C-0003', 60, 90)
    await page.getByRole('link', { name: '登记献血者' }).waitFor()
    await toDonation(page, { id: residentId('410329', '1992-11-02', '033'), name: '周敏' })
    await typeInto(page, '血袋号（DIN）', dinWithCheck(61))
    await page.keyboard.press('Enter')
    await page.getByTestId('saved').filter({ hasText: '周敏' }).waitFor()
    await page.getByRole('link', { name: '返回车次' }).tap()

    // Back online: the station refuses the donation; the sync screen says why, in Chinese.
    await context.setOffline(false)
    const badge = () => page.getByTestId('sync-badge').first().getAttribute('data-state')
    await expect.poll(badge, { timeout: 30_000 }).toBe('attention')
    await page.getByTestId('sync-badge').first().tap()
    const item = page.getByTestId('attention-item')
    await expect.poll(() => item.count()).toBe(1)
    expect(await item.getByTestId('attention-facts').textContent()).toContain(`周敏 · ${dinWithCheck(61)}`)
    expect(await item.getByTestId('attention-reason').textContent()).toContain('这个血袋号在血站已被另一条献血记录使用')
    const clash = await item.getByTestId('attention-clash').textContent()
    expect(clash).toContain(`血袋号 ${dinWithCheck(61)} 已由另一部手机登记给另一位献血者`)
    expect(clash).toContain(`豫C-0002 · 宜阳县三乡镇 · ${today}`)
    expect(clash).toContain('15:08')
    // Only what can succeed: correct the bag number, or void. Never "send again as is".
    expect(await item.getByRole('button').allTextContents()).toEqual(['更正血袋号', '作废这条记录'])
    expect(latinLeaks(await syncText(page))).toEqual([])

    // The crew corrects the bag number; the offered one is the next unused bag of drive 3.
    await item.getByRole('button', { name: '更正血袋号' }).tap()
    const newDin = item.getByLabel('正确的血袋号（DIN）')
    expect(await newDin.inputValue()).toBe(dinWithCheck(62))
    await newDin.fill(dinBody(62))
    await item.getByLabel('原因（必填）').fill('扫错了血袋')
    await item.getByRole('button', { name: '确认' }).tap()
    await expect.poll(() => item.getByRole('alert').textContent()).toContain('请输入校验位')
    expect(latinLeaks(await syncText(page))).toEqual([])
    await newDin.fill(dinWithCheck(62))
    await item.getByRole('button', { name: '确认' }).tap()
    await expect.poll(badge, { timeout: 30_000 }).toBe('confirmed')
    expect(await page.getByTestId('attention-item').count()).toBe(0)
    const { corrections, outbox } = await readTables(page, ['corrections', 'outbox'])
    expect(outbox).toHaveLength(0)
    expect(corrections).toMatchObject([{ reason: '扫错了血袋', replacement: { din: dinWithCheck(62) } }])
    // The receipts name the record by donor and bag too.
    expect(await page.getByTestId('receipts').textContent()).toContain(`周敏 · ${dinWithCheck(62)}`)
    expect(latinLeaks(await syncText(page))).toEqual([])
    expect(errors).toEqual([])
  })
})
