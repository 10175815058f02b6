// The donor form in progress survives what a bus day does to a phone, in real Chromium on a
// profile kept on disk, offline: a reload, the browser being killed (the context closed and the
// browser launched again on the same profile), and a hand-over to another crew member and back,
// where the draft goes back to its author only. Also the unit-slip hint for Hb "14.2", applied.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../support/server'
import { launchProfile, PHONE } from './support/browser'
import {
  type FieldSeed,
  makeFieldSeed,
  pickSite,
  PINS,
  readTables,
  residentId,
  seedPhone,
  unlockAs,
} from './support/field'

const DONOR_ID = residentId('410327', '1995-07-21', '051')

describe('donor form drafts on a phone, offline', () => {
  let server: RunningServer
  let profileDir: string
  let context: BrowserContext
  let page: Page
  let seed: FieldSeed
  let driveId: string
  const errors: string[] = []

  async function openPhone(): Promise<Page> {
    context = await launchProfile(profileDir, { viewport: PHONE, hasTouch: true, isMobile: true, locale: 'zh-CN' })
    context.setDefaultTimeout(30_000)
    const p = context.pages()[0] ?? (await context.newPage())
    p.on('pageerror', (e) => errors.push(e.message))
    p.on('dialog', (d) => void d.accept())
    return p
  }

  async function draftRows(): Promise<Array<Record<string, unknown>>> {
    return (await readTables(page, ['drafts'])).drafts ?? []
  }
  /** Waits until the draft on disk holds what was typed (the write is debounced). */
  async function draftHas(check: (form: Record<string, unknown>) => boolean): Promise<void> {
    await expect
      .poll(async () => (await draftRows()).some((d) => check(d.form as Record<string, unknown>)), { timeout: 10_000 })
      .toBe(true)
  }
  const vitalsOf = (form: Record<string, unknown>) => form.vitals as Record<string, string>

  beforeAll(async () => {
    server = await startServer()
    profileDir = mkdtempSync(join(tmpdir(), 'bloodbus-e2e-draft-'))
    seed = await makeFieldSeed()
    page = await openPhone()
    await seedPhone(page, server.url, seed)
    await unlockAs(page, seed.roster.leader.name, PINS.leader, { touch: true })
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 })
    await context.setOffline(true)
    await page.getByRole('link', { name: '开始新车次' }).tap()
    await page.getByLabel('车号').fill('豫C-D0001')
    await page.getByRole('radio', { name: '乡村流动', exact: true }).tap()
    await pickSite(page, seed.sites[0]!.name, seed.sites[0]!.name)
    await page.getByRole('checkbox', { name: seed.roster.collector.name, exact: true }).tap()
    await page.getByLabel('第一个血袋号（DIN）').fill(seed.dinBody(1))
    await page.getByLabel('最后一个血袋号（DIN）').fill(seed.dinBody(40))
    await page.getByRole('button', { name: '开始车次' }).tap()
    await page.getByRole('link', { name: '登记献血者' }).waitFor()
    driveId = /\/drives\/([^/]+)/.exec(page.url())![1]!
  })
  afterAll(async () => {
    await context?.close()
    await server?.stop(true)
    if (profileDir) rmSync(profileDir, { recursive: true, force: true })
  })

  it('keeps the half-filled form through a reload', async () => {
    await page.getByRole('link', { name: '登记献血者' }).tap()
    await page.getByLabel('身份证号').fill(DONOR_ID)
    await page.getByLabel('姓名').fill('刘洋')
    await page.getByRole('radio', { name: '农村', exact: true }).tap()
    await page.getByRole('button', { name: '下一步' }).tap()
    await page.getByLabel('体重 (kg)').fill('68')
    await draftHas((f) => f.name === '刘洋' && vitalsOf(f).weightKg === '68')

    await page.reload()
    await unlockAs(page, seed.roster.leader.name, PINS.leader, { touch: true })
    await page.getByTestId('draft-restored').waitFor()
    expect(await page.getByLabel('体重 (kg)').inputValue()).toBe('68')
    await page.getByRole('button', { name: '返回' }).tap() // back to the identity step
    expect(await page.getByLabel('身份证号').inputValue()).toBe(DONOR_ID)
    expect(await page.getByLabel('姓名').inputValue()).toBe('刘洋')
    await page.getByRole('button', { name: '下一步' }).tap()
  })

  it('shows the unit slip for Hb 14.2 and applies it', async () => {
    await page.getByLabel('血红蛋白 (g/L)').fill('14.2')
    const hint = page.getByTestId('slip-hint')
    await expect.poll(() => hint.textContent()).toContain('是 g/dL 吗？即 142 g/L')
    expect(await page.getByTestId('blockers').count()).toBe(0)
    await page.getByRole('button', { name: '改为 142' }).tap()
    expect(await page.getByLabel('血红蛋白 (g/L)').inputValue()).toBe('142')
    await expect.poll(() => hint.count()).toBe(0)
  })

  it('keeps the form when the browser is killed and launched again on the same profile', async () => {
    await page.getByLabel('收缩压 (mmHg)').fill('122')
    await draftHas((f) => vitalsOf(f).hbGL === '142' && vitalsOf(f).systolic === '122')
    await context.close() // killed: no unload, no chance to save anything more

    page = await openPhone()
    await context.setOffline(true)
    await page.goto(`${server.url}/drives/${driveId}/donor`)
    await unlockAs(page, seed.roster.leader.name, PINS.leader, { touch: true })
    await page.getByTestId('draft-restored').waitFor()
    expect(await page.getByLabel('血红蛋白 (g/L)').inputValue()).toBe('142')
    expect(await page.getByLabel('收缩压 (mmHg)').inputValue()).toBe('122')
  })

  it('on a hand-over keeps the draft for its author only, and gives it back when they unlock', async () => {
    await page.getByRole('button', { name: new RegExp(`锁定.*${seed.roster.leader.name}`) }).tap()
    await page.getByRole('button', { name: new RegExp(seed.roster.collector.name) }).tap()
    await page.getByTestId('draft-kept').waitFor()
    for (const digit of PINS.collector)
      await page.locator('.pin-pad').getByRole('button', { name: digit, exact: true }).tap()
    await page.locator('.unlock-actions .btn-primary').tap()
    await page.locator('.unlock').waitFor({ state: 'detached' })
    // Someone else: a blank form at the first step, nothing of 刘洋.
    expect(await page.getByLabel('姓名').inputValue()).toBe('')
    expect(await page.getByLabel('身份证号').inputValue()).toBe('')
    expect(await page.getByTestId('draft-restored').count()).toBe(0)
    expect(await page.getByText('刘洋').count()).toBe(0)
    const rows = await draftRows()
    expect(rows.map((r) => r.staffId)).toEqual([seed.roster.leader.id])

    // A number pasted with spaces (21 characters, beyond the old limit of 20) is normalised, not cut.
    await page.getByLabel('身份证号').focus()
    await page.keyboard.insertText('110105 1949 1231 002x')
    await expect.poll(() => page.getByLabel('身份证号').inputValue()).toBe('11010519491231002X')
    await expect.poll(() => page.getByText('1949-12-31').count()).toBe(1)

    await page.getByRole('button', { name: new RegExp(`锁定.*${seed.roster.collector.name}`) }).tap()
    await unlockAs(page, seed.roster.leader.name, PINS.leader, { touch: true })
    await page.getByTestId('draft-restored').waitFor()
    expect(await page.getByLabel('血红蛋白 (g/L)').inputValue()).toBe('142')
    expect(errors).toEqual([])
  })
})
