// Sync when the network lies, in real Chromium against the real station:
// - the station refuses connections while the phone believes it is online: over a simulated ten
//   minutes (Playwright's clock) the phone tries a handful of times, not a thousand;
// - a captive portal answers HTML 400 and 401 to a phone holding a drive and 49 donations: nothing
//   is set aside, sync is not blocked, and everything reaches the station once the portal lets go.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isoDateOf } from '../../src/domain/dates'
import { newId } from '../../src/domain/ids'
import type { Donation, Drive, FieldRecord } from '../../src/domain/records'
import { openStore } from '../../src/server/db/store'
import { type RunningServer, startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'
import { enrollPhone, putPhoneRows, readTables, setUpStation } from './support/field'

const TEN_MINUTES = 10 * 60_000

interface PhoneIds {
  deviceId: string
  stationId: string
  channelId: string
  siteId: string
  staffId: string
}

async function phoneIds(page: Page): Promise<PhoneIds> {
  const t = await readTables(page, ['device', 'channels', 'sites', 'roster'])
  const device = t.device![0]! as { deviceId: string; stationId: string }
  return {
    deviceId: device.deviceId,
    stationId: device.stationId,
    channelId: (t.channels![0]!.value as { id: string }).id,
    siteId: (t.sites![0]!.value as { id: string }).id,
    staffId: (t.roster![0]!.value as { id: string }).id,
  }
}

/** A drive and its donations as outbox entries, numbered from 1, as the field screens would save them. */
function driveWithDonations(ids: PhoneIds, donations: number): Array<Record<string, unknown>> {
  const today = isoDateOf(new Date(), 'Asia/Shanghai')
  const author = () => ({
    id: newId(),
    stationId: ids.stationId,
    deviceId: ids.deviceId,
    authorStaffId: ids.staffId,
    createdAt: new Date().toISOString(),
  })
  const drive: Drive = {
    type: 'drive',
    ...author(),
    busCode: 'BUS-9',
    siteId: ids.siteId,
    channelId: ids.channelId,
    teamIds: [],
    date: today,
    staffIds: [ids.staffId],
    leaderStaffId: ids.staffId,
    dinFirst: 'X987627000001',
    dinLast: 'X987627999999',
    bagsLoaded: 60,
  }
  const records: FieldRecord[] = [drive]
  for (let i = 1; i <= donations; i++) {
    const donation: Donation = {
      type: 'donation',
      ...author(),
      driveId: drive.id,
      channelId: ids.channelId,
      siteId: ids.siteId,
      teamIds: [],
      collectedOn: today,
      donorKey: newId().replace(/-/g, ''),
      sex: 'F',
      ageYears: 30,
      household: 'rural',
      repeatDonor: true,
      collectedAt: new Date().toISOString(),
      product: { type: 'whole_blood', volumeMl: 400 },
      abo: 'O',
      rhd: 'pos',
      din: `X987627${String(i).padStart(6, '0')}`,
    }
    records.push(donation)
  }
  return records.map((record, i) => ({
    seq: i + 1,
    mutationId: newId(),
    recordId: record.id,
    recordType: record.type,
    record,
    createdAt: Date.now(),
    attempts: 0,
    lastAttemptAt: null,
    lastError: null,
    status: 'pending',
  }))
}

/**
 * Runs the page's fake clock forward in steps, letting real fetches and IndexedDB settle between
 * them. A step of 10 s holds a retry back by at most 10 s against backoffs of 5 s to 10 min, and
 * keeps the simulated hour of the portal case to a few hundred real steps.
 */
async function runClock(page: Page, ms: number, until?: () => Promise<boolean>): Promise<void> {
  const step = 10_000
  for (let t = 0; t < ms; t += step) {
    await page.clock.runFor(step)
    await new Promise((r) => setTimeout(r, 40))
    if (until && (await until())) return
  }
}

describe('sync when the network lies', () => {
  let browser: Browser
  const contexts: BrowserContext[] = []
  const servers: RunningServer[] = []

  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    for (const c of contexts) await c.close()
    await browser?.close()
    for (const s of servers) await s.stop(true)
  })

  async function enrolledPhone(opts: { serviceWorkers: 'allow' | 'block' }) {
    const server = await startServer()
    servers.push(server)
    const station = await setUpStation(server.url)
    const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', serviceWorkers: opts.serviceWorkers })
    contexts.push(context)
    const page = await context.newPage()
    await enrollPhone(page, server.url, station.enrollmentCode)
    return { server, page, ids: await phoneIds(page) }
  }

  it('a station refusing connections for ten minutes sees at most about a dozen attempts (every trigger held by the backoff)', async () => {
    const { server, page, ids } = await enrolledPhone({ serviceWorkers: 'allow' })
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await putPhoneRows(page, { outbox: driveWithDonations(ids, 2) })
    // The station goes away; the app still opens from the service worker's cache, and the phone
    // believes it is online all along.
    await server.stop()
    let requests = 0
    page.on('request', (r) => {
      if (r.url().includes('/api/')) requests++
    })
    await page.clock.install()
    await page.reload()
    await page.locator('.unlock').waitFor()
    // What else fires meanwhile: `online`, becoming visible, Background Sync.
    await runClock(page, TEN_MINUTES / 2)
    await page.evaluate(() => {
      window.dispatchEvent(new Event('online'))
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await runClock(page, TEN_MINUTES / 2)
    const { outbox } = await readTables(page, ['outbox'])
    const attempts = (outbox![0] as { attempts: number }).attempts
    console.log(
      `station refusing connections, 10 simulated minutes: ${attempts} push attempts, ${requests} API requests`,
    )
    expect(outbox!.every((e) => e.status === 'pending')).toBe(true)
    expect(attempts).toBeGreaterThanOrEqual(4)
    expect(attempts).toBeLessThanOrEqual(12)
    expect(requests).toBeLessThanOrEqual(14)
    expect(await page.getByTestId('sync-badge').first().getAttribute('data-state')).not.toBe('blocked')
  })

  it('a captive portal answering HTML 400 and 401 sets nothing aside and blocks nothing; all 50 records reach the station after', async () => {
    const { server, page, ids } = await enrolledPhone({ serviceWorkers: 'block' })
    let portal = true
    const portalAnswers: number[] = []
    await page.route('**/api/v1/sync/**', async (route) => {
      if (!portal) return route.fallback()
      const status = portalAnswers.length % 3 === 2 ? 401 : 400
      portalAnswers.push(status)
      await route.fulfill({
        status,
        contentType: 'text/html',
        body: '<html><body><h1>请登录以使用 Wi-Fi</h1><form action="/login"></form></body></html>',
      })
    })
    await page.clock.install()
    await page.reload()
    await page.locator('.unlock').waitFor()
    await putPhoneRows(page, { outbox: driveWithDonations(ids, 49) })
    await runClock(page, 30 * 60_000, async () => portalAnswers.length >= 9)
    expect(portalAnswers.filter((s) => s === 400).length).toBeGreaterThanOrEqual(6)
    expect(portalAnswers).toContain(401)
    const during = await readTables(page, ['outbox'])
    expect(during.outbox).toHaveLength(50)
    expect(during.outbox!.filter((e) => e.status !== 'pending')).toHaveLength(0)
    expect(await page.getByTestId('sync-badge').first().getAttribute('data-state')).not.toBe('blocked')

    // The portal lets go: the backoff brings the next round by itself.
    portal = false
    await runClock(page, 30 * 60_000, async () => (await readTables(page, ['outbox'])).outbox!.length === 0)
    const after = await readTables(page, ['outbox', 'receiptBatches'])
    expect(after.outbox).toHaveLength(0)
    // A receipt for each record (one row per settled batch).
    const receipts = after.receiptBatches!.flatMap((b) => b.recordIds as string[])
    expect(new Set(receipts).size).toBe(50)
    const store = await openStore({ dataDir: server.dataDir })
    try {
      const rows = await store.db.selectFrom('records').select(['id']).where('device_id', '=', ids.deviceId).execute()
      expect(rows).toHaveLength(50)
    } finally {
      await store.close()
    }
  })
})
