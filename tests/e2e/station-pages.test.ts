// The station pages in real Chromium against the real server holding the Luoyang 2023 seed year:
// a manager signs in, sets a rural-mobile share target and a university count target, sees them on
// the dashboard, and reads the annual report with the seed's published figures.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../support/server'
import { launchChromium, PHONE } from './support/browser'
import { MANAGER, startSeededStation } from './support/station'
import { computeIndicators } from '../../src/domain/indicators'
import { parseJsonLines } from '../../src/domain/interchange'
import { indicatorContextFor } from '../../src/domain/reference-data'

const DESKTOP = { width: 1280, height: 800 }

describe('station pages in Chromium over the seed year', () => {
  let server: RunningServer & { applied: number; rejected: number }
  let browser: Browser
  let page: Page
  const pageErrors: string[] = []

  // The seed year the station holds, as the interchange file `npm run cli -- generate` writes.
  const cliDir = mkdtempSync(join(tmpdir(), 'bloodbus-cli-'))
  const yearFile = join(cliDir, 'year.jsonl')

  beforeAll(async () => {
    server = await startSeededStation({ interchangeFile: yearFile })
    browser = await launchChromium()
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en' })
    page = await context.newPage()
    page.on('pageerror', (e) => pageErrors.push(e.message))
    page.on('dialog', (d) => void d.accept())
    // English for readable assertions; the zh-CN default is covered by the i18n tests.
    await page.addInitScript(() => localStorage.setItem('bloodbus.locale', 'en'))
  }, 600_000) // may wait for the seed template's build (tests/support/seed-template.ts) on a busy machine

  afterAll(async () => {
    await browser?.close()
    await server?.stop(true)
    rmSync(cliDir, { recursive: true, force: true })
  })

  it('loaded the whole year', () => {
    expect(server.rejected).toBe(0)
    expect(server.applied).toBeGreaterThan(93_560)
  })

  it('sends a visitor to sign-in, refuses a wrong password, and lets the manager in', async () => {
    await page.goto(`${server.url}/station/targets`)
    await page.waitForURL(/\/station\/login/)
    await page.getByLabel('Station code').fill(MANAGER.stationCode)
    await page.getByLabel('Username').fill(MANAGER.username)
    await page.getByLabel('Password').fill('not-the-password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong station code, username or password.')
    await page.getByLabel('Password').fill(MANAGER.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url) => url.pathname === '/station/targets')
    // The session lives in an HttpOnly, SameSite=Strict cookie: no script on the page can read it.
    const stored = await page.evaluate(() =>
      JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]),
    )
    expect(stored).not.toContain('bbs_')
    const cookie = (await page.context().cookies()).find((c) => c.name === 'bb_session')!
    expect(cookie.value).toMatch(/^bbs_/)
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' })
    // A reload finds the session again through the cookie: the targets page, not the sign-in. The
    // reload starts the app again (session asked of the server, the page's code): on a loaded
    // machine that took over expect.poll's 1 s, so wait for the page as for any navigation.
    await page.reload()
    await page.getByRole('button', { name: 'New target' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/station/targets')
  })

  async function addTarget(opts: { scopeKind: string; scope: string; metric: string; value: string }): Promise<void> {
    await page.getByRole('button', { name: 'New target' }).click()
    const form = page.getByTestId('target-form')
    await form.locator('#tf-kind').selectOption('year')
    await form.locator('#tf-year').selectOption('2023')
    await form.locator('#tf-scope').selectOption(opts.scopeKind)
    if (opts.scopeKind !== 'station') await form.locator('#tf-scope-id').selectOption({ label: opts.scope })
    await form.locator('#tf-metric').selectOption({ label: opts.metric })
    await form.locator('#tf-value').fill(opts.value)
    await form.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Target saved')
  }

  it('sets a rural-mobile share target and a university count target, explaining a mistake first', async () => {
    await page.getByRole('button', { name: 'New target' }).click()
    const form = page.getByTestId('target-form')
    await form.locator('#tf-year').selectOption('2023')
    await form.locator('#tf-scope').selectOption('channel')
    await form.locator('#tf-scope-id').selectOption({ label: 'Rural mobile' })
    await form.locator('#tf-metric').selectOption({ label: 'Rural-bus share' })
    await form.locator('#tf-value').fill('132')
    await form.getByRole('button', { name: 'Save' }).click()
    await expect
      .poll(() => form.getByRole('alert').first().textContent())
      .toBe('A share must be between 0% and 100% (you entered 132).')
    await form.getByRole('button', { name: 'Cancel' }).click()

    await addTarget({ scopeKind: 'station', scope: '', metric: 'Rural-bus share', value: '32' })
    await addTarget({ scopeKind: 'channel', scope: 'Universities', metric: 'Donations', value: '10000' })
    const table = page.getByTestId('targets-table')
    await page.locator('#targets-year').selectOption('2023')
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2)
    const text = await table.textContent()
    expect(text).toContain('≥ 32%')
    expect(text).toContain('≥ 10,000')
  })

  it('shows both targets on the dashboard with progress, and every channel', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click()
    await page.locator('#dash-year').selectOption('2023')
    await page.getByLabel('As of').fill('2023-12-31')
    await page.getByLabel('As of').dispatchEvent('change')
    const cards = page.getByTestId('target-progress')
    await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(2)
    await expect.poll(() => cards.first().textContent(), { timeout: 30_000 }).toContain('32.59%')
    const all = await cards.allTextContents()
    expect(all.join('\n')).toContain('Period over: 32.59% against a target of 32%, met')
    expect(all.join('\n')).toContain('Period over: 10,258 against a target of 10,000, met')
    await expect
      .poll(() => page.locator('[data-metric="donations"] .tile-value').textContent(), { timeout: 30_000 })
      .toBe('93,560')
    expect(await page.locator('[data-metric="rate_400ml"] .tile-value').textContent()).toBe('99.73%')
    expect(await page.locator('[data-metric="per_1000"] .tile-value').textContent()).toBe('13.22')
    await page.locator('[data-testid="channel-table"] tbody[aria-busy="false"]').waitFor({ timeout: 60_000 })
    const channels = await page.locator('[data-testid="channel-table"]').textContent()
    expect(channels).toContain('27,577')
    expect(channels).toContain('10,258')
    expect(channels).toContain('32.59%')

    // Mid-year, a share target has a "what it takes" sentence.
    await page.getByLabel('As of').fill('2023-09-30')
    await page.getByLabel('As of').dispatchEvent('change')
    await expect
      .poll(() => cards.first().locator('.progress-takes').textContent(), { timeout: 30_000 })
      .toMatch(/rural-bus donations this year keep the share at 32%|Enough rural-bus donations already/)
  })

  it('drills down from a channel to its drives and sites', async () => {
    await page.getByRole('link', { name: 'Rural mobile' }).click()
    await page.waitForURL(/\/station\/channels\//)
    await page.locator('#drill-month').fill('2023-06')
    await expect
      .poll(() => page.locator('table').first().locator('tbody tr').count(), { timeout: 30_000 })
      .toBeGreaterThan(10)
    expect(await page.locator('h1').textContent()).toContain('Rural mobile')
  })

  it("prints the annual report of 2023 with the seed's figures", async () => {
    await page.goto(`${server.url}/station/report/2023`)
    const report = page.getByTestId('annual-report')
    await report.waitFor()
    const value = (key: string) => report.locator(`tr[data-key="${key}"] td.num`).textContent()
    expect(await value('donations')).toBe('93,560')
    expect(await value('whole_blood_donations')).toBe('84,609')
    expect(await value('whole_blood_units')).toBe('169,002')
    expect(await value('apheresis_donations')).toBe('8,951')
    expect(await value('apheresis_doses')).toBe('13,187')
    expect(await value('channel.rural_mobile')).toBe('27,577')
    expect(await value('channel.universities')).toBe('10,258')
    expect(await value('team.rare_blood_type')).toBe('513')
    expect(await value('rate_400ml')).toBe('99.73%')
    expect(await value('rural_donor_share')).toBe('69.39%')
    expect(await value('repeat_donor_share')).toBe('67.08%')
    expect(await value('rural_mobile_share')).toBe('32.59%')
    expect(await value('per_1000')).toBe('13.22')
    expect(await report.locator('tr[data-key="channel.rural_mobile"] td.extra').textContent()).toContain('787')
    expect((await page.locator('.station-nav a[aria-current="page"]').allTextContents()).map((x) => x.trim())).toEqual([
      'Annual report',
    ])
    // Printing hides the page chrome.
    await page.emulateMedia({ media: 'print' })
    expect(await page.locator('.station-bar').isVisible()).toBe(false)
    await page.emulateMedia({ media: 'screen' })
  })

  it('shows on the report page exactly what the CLI report computes from the same year', async () => {
    // The seed year as an interchange file, through `npm run cli -- report --json`.
    const cli = (args: string[]) =>
      execFileSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      })
    const r = JSON.parse(cli(['report', '--input', yearFile, '--json'])) as {
      indicators: Record<string, number>
      metrics: Record<string, number | null>
      channels: { code: string; donations: number }[]
      teams: { code: string; donations: number }[]
    }
    await page.goto(`${server.url}/station/report/2023`)
    const report = page.getByTestId('annual-report')
    await report.waitFor()
    const shown = async (key: string) => (await report.locator(`tr[data-key="${key}"] td.num`).textContent())!
    const int = (n: number) => new Intl.NumberFormat('en').format(n)
    const two = (n: number) => n.toFixed(2)
    const i = r.indicators
    const expected: Record<string, string> = {
      donations: int(i.donations!),
      whole_blood_donations: int(i.wholeBloodDonations!),
      whole_blood_units: int(i.wholeBloodUnits!),
      apheresis_donations: int(i.apheresisDonations!),
      apheresis_doses: int(i.apheresisDoses!),
      rhd_negative_donations: int(i.rhdNegativeDonations!),
      deferrals: int(i.deferrals!),
      rate_400ml: `${two(r.metrics.rate_400ml!)}%`,
      rural_donor_share: `${two(r.metrics.rural_donor_share!)}%`,
      repeat_donor_share: `${two(r.metrics.repeat_donor_share!)}%`,
      rural_mobile_share: `${two(r.metrics.rural_mobile_share!)}%`,
      per_1000: two(r.metrics.per_1000!),
      deferral_rate: `${two(r.metrics.deferral_rate!)}%`,
      ...Object.fromEntries(r.channels.map((c) => [`channel.${c.code}`, int(c.donations)])),
      ...Object.fromEntries(r.teams.map((x) => [`team.${x.code}`, int(x.donations)])),
    }
    const actual: Record<string, string> = {}
    for (const key of Object.keys(expected)) actual[key] = await shown(key)
    expect(actual).toEqual(expected)
    expect(Object.keys(expected).length).toBeGreaterThan(20)
  })

  it('exports the report as CSV and as Excel', async () => {
    await page.goto(`${server.url}/station/report/2023`)
    await page.getByTestId('annual-report').waitFor()
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Report as CSV' }).click(),
    ])
    expect(csv.suggestedFilename()).toBe('luoyang-2023-report.csv')
    const text = readFileSync((await csv.path())!, 'utf8')
    expect(text.startsWith('\uFEFFsection,key,label,value,extra_label,extra_value\r\n')).toBe(true)
    expect(text).toContain('collection,donations,Donations,93560,,\r\n')
    expect(text).toContain('channels,channel.rural_mobile,Rural mobile,27577,bus trips,787\r\n')
    expect(text).toContain('quality,rural_mobile_share,Rural-bus share,32.59,,\r\n')
    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Report as Excel' }).click(),
    ])
    expect(xlsx.suggestedFilename()).toBe('luoyang-2023-report.xlsx')
    const bytes = readFileSync((await xlsx.path())!)
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK') // a zip, as every .xlsx is
    expect(bytes.includes(Buffer.from('xl/worksheets/sheet1.xml'))).toBe(true)
  })

  it('exports the year as an interchange file that reproduces the report', async () => {
    await page.goto(`${server.url}/station/report/2023`)
    await page.getByTestId('annual-report').waitFor()
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Records as interchange file (JSON Lines)' }).click(),
    ])
    expect(file.suggestedFilename()).toBe('luoyang-2023-records.jsonl')
    const parsed = parseJsonLines(readFileSync((await file.path())!, 'utf8'))
    expect(parsed.errors).toEqual([])
    const ind = computeIndicators(parsed.records, indicatorContextFor(parsed.reference, 2023))
    expect([ind.donations, ind.wholeBloodUnits, ind.apheresisDoses, ind.ruralBusTrips]).toEqual([
      93560, 169002, 13187, 787,
    ])
  })

  it('adds a staff member, refuses a weak PIN, resets the PIN and deactivates', async () => {
    await page.goto(`${server.url}/station/staff`)
    await page.locator('.station-table tbody tr').nth(1).waitFor()
    await page.getByLabel('Name', { exact: true }).fill('Li Na')
    await page.getByLabel('First PIN').fill('2468')
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Li Na was added')
    const row = page.locator('.station-table tbody tr', { hasText: 'Li Na' })
    await row.getByRole('button', { name: 'Reset PIN' }).click()
    await row.getByLabel('New PIN for Li Na').fill('1111')
    await row.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => row.getByRole('alert').textContent()).toContain('The PIN is not acceptable')
    await row.getByLabel('New PIN for Li Na').fill('3579')
    await row.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toContain('The PIN of Li Na was changed')
    await row.getByRole('button', { name: 'Deactivate' }).click()
    await expect.poll(() => row.locator('.badge').textContent()).toBe('Deactivated')
  })

  it('issues an enrollment code as text and QR, shows the phone that enrolled with it, and revokes it', async () => {
    await page.goto(`${server.url}/station/phones`)
    await page.getByRole('button', { name: 'Issue an enrollment code' }).click()
    const code = (await page.getByTestId('enrollment-code').textContent())!
    expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/)
    expect(await page.locator('.enroll-qr svg path').getAttribute('d')).toMatch(/^(M\d+ \d+h1v1h-1z)+$/)
    const enrolled = await fetch(`${server.url}/api/v1/devices/enroll`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code, name: 'Bus 3 phone A' }),
    })
    expect(enrolled.status).toBeLessThan(300)
    await page.reload()
    const row = page.locator('.station-table tbody tr', { hasText: 'Bus 3 phone A' })
    await row.waitFor()
    await row.getByRole('button', { name: 'Revoke' }).click()
    await expect.poll(() => row.locator('.badge').textContent()).toMatch(/^Revoked /)
  })

  it('copies the 2023 plan into 2024 and sets the 2024 population', async () => {
    await page.goto(`${server.url}/station/targets`)
    await page.locator('#copy-from').selectOption('2023')
    await page.locator('#copy-to').selectOption('2024')
    await page.getByRole('button', { name: 'Copy the plan' }).click()
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe('2 targets copied; 0 already set and left alone; 0 drive targets not copied.')
    await expect.poll(() => page.getByTestId('targets-table').locator('tbody tr').count()).toBe(2)
    expect(await page.locator('#targets-year').inputValue()).toBe('2024')
    // Copying again changes nothing: both are already set.
    await page.getByRole('button', { name: 'Copy the plan' }).click()
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe('0 targets copied; 2 already set and left alone; 0 drive targets not copied.')
    await page.locator('#pop-year').selectOption('2024')
    await page.locator('#pop-value').fill('7,050,000')
    await page.getByRole('button', { name: 'Save' }).last().click()
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Population for 2024 saved: 7,050,000.')
  })

  it('reads on a phone', async () => {
    await page.setViewportSize(PHONE)
    await page.goto(`${server.url}/station/report/2023`)
    await expect.poll(() => page.locator('tr[data-key="donations"] td.num').textContent()).toBe('93,560')
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    )
    expect(overflow).toBeLessThanOrEqual(0)
    expect(pageErrors).toEqual([])
  })
})
