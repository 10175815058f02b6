// `npm run screenshots` (retention and quality figures, issue 15): at 390×844 in zh-CN and en, the
// dashboard of the seed year 2023 with a target on a retention figure, its retention section, and
// the targets page listing those targets.
import { startSeededStation, MANAGER } from './support/station'
import { launchChromium, PHONE } from './support/browser'
import { prepareScreenshots, shot } from './support/screenshots'

async function api(url: string, token: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return res.status === 204 ? null : res.json()
}

async function main(): Promise<void> {
  await prepareScreenshots()
  const server = await startSeededStation()
  const browser = await launchChromium()
  try {
    const { token } = (await api(server.url, '', 'POST', '/api/v1/auth/login', MANAGER)) as { token: string }
    const channels = (await api(server.url, token, 'GET', '/api/v1/admin/channels')) as { id: string; code: string }[]
    const rural = channels.find((c) => c.code === 'rural_mobile')!
    const year = { kind: 'year', start: '2023-01-01', end: '2023-12-31' }
    for (const t of [
      { scope: { kind: 'station', id: null }, metric: 'return_12m_share', comparison: '>=', value: 10 },
      { scope: { kind: 'channel', id: rural.id }, metric: 'deferrals_per_10k', comparison: '<=', value: 900 },
      { scope: { kind: 'station', id: null }, metric: 'donations_per_drive', comparison: '>=', value: 60 },
    ])
      await api(server.url, token, 'POST', '/api/v1/admin/targets', { period: year, ...t })

    for (const lang of ['zh-CN', 'en'] as const) {
      const tag = lang === 'zh-CN' ? 'zh' : 'en'
      const context = await browser.newContext({
        viewport: PHONE,
        deviceScaleFactor: 1,
        locale: lang,
        isMobile: true,
        hasTouch: true,
      })
      await context.addInitScript((l) => localStorage.setItem('bloodbus.locale', l), lang)
      const page = await context.newPage()
      await page.goto(`${server.url}/station/login`)
      await page.locator('input[autocomplete="organization"]').fill(MANAGER.stationCode)
      await page.locator('input[autocomplete="username"]').fill(MANAGER.username)
      await page.locator('input[autocomplete="current-password"]').fill(MANAGER.password)
      await page.locator('button[type="submit"]').click()
      await page.waitForURL((u) => u.pathname === '/station')
      await page.locator('#dash-year').selectOption('2023')
      await page.locator('[data-retention="first_time_share"] .tile-value').waitFor({ timeout: 120_000 })
      await page.getByTestId('target-progress').nth(2).waitFor({ timeout: 120_000 })
      await shot(page, `retention-dashboard-targets-${tag}`)
      await page.getByTestId('retention-figures').scrollIntoViewIfNeeded()
      await shot(page, `retention-dashboard-figures-${tag}`)
      await page.getByTestId('retention-figures').locator('.table-card').first().scrollIntoViewIfNeeded()
      await shot(page, `retention-dashboard-tables-${tag}`)
      await page.goto(`${server.url}/station/targets`)
      await page.locator('#targets-year').selectOption('2023')
      await page.locator('.station-main h1').waitFor()
      await shot(page, `retention-targets-${tag}`)
      await context.close()
    }
  } finally {
    await browser.close()
    await server.stop(true)
  }
}

await main()
