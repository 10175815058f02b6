// Retention and quality figures end to end (issue 15, item 3), real Chromium against the real
// server: the station holds a deterministic part of the generated seed year (every record tied to
// January–April 2023), a manager on a 390×844 phone opens the dashboard on 2023, and every figure on
// screen equals the one computed here, in plain code over the same records (not retentionFigures()).
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays } from '../../src/domain/dates'
import { generateSeedYear } from '../../src/domain/generator/seed-year'
import { hashPin } from '../../src/domain/pin'
import type {
  AdverseReaction,
  Correction,
  Deferral,
  Donation,
  Drive,
  DriveClose,
  FieldRecord,
  SiteKind,
} from '../../src/domain/records'
import { openStore } from '../../src/server/db/store'
import { insertAccount, prepareAccount } from '../../src/server/repo/accounts'
import { importBundle, rebaseStation, rosterForRecords } from '../../src/server/repo/import'
import { createStation } from '../../src/server/repo/stations'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RunningServer, startServer } from '../support/server'
import { launchChromium, PHONE } from './support/browser'

const MANAGER = { stationCode: 'luoyang', username: 'zhao.quality', password: 'return-in-12-months' }
const LAST_DAY = '2023-04-30'

/** The day a record belongs to: its own date, or that of the record it points at. */
function anchorDays(records: FieldRecord[]): Map<string, string> {
  const byId = new Map(records.map((r) => [r.id, r]))
  const day = new Map<string, string>()
  const of = (r: FieldRecord, depth = 0): string | undefined => {
    if (day.has(r.id)) return day.get(r.id)
    let d: string | undefined
    if (r.type === 'donation' || r.type === 'deferral') d = r.collectedOn
    else if (r.type === 'drive') d = r.date
    else if (depth < 10) {
      const target =
        r.type === 'drive_close'
          ? r.driveId
          : r.type === 'adverse_reaction'
            ? r.donationId
            : r.type === 'void' || r.type === 'correction'
              ? r.targetId
              : null
      const t = target ? byId.get(target) : undefined
      d = t ? of(t, depth + 1) : undefined
    }
    if (d !== undefined) day.set(r.id, d)
    return d
  }
  for (const r of records) of(r)
  return day
}

/** The figures, the plain way: voids drop a record, the newest correction stands for its original. */
function expectedFigures(records: FieldRecord[], kinds: Map<string, SiteKind>, from: string, to: string, asOf: string) {
  const voided = new Set(records.flatMap((r) => (r.type === 'void' ? [r.targetId] : [])))
  const newest = new Map<string, Correction>()
  for (const r of records)
    if (r.type === 'correction' && (!newest.has(r.targetId) || newest.get(r.targetId)!.createdAt <= r.createdAt))
      newest.set(r.targetId, r)
  const donations: Donation[] = []
  const deferrals: Deferral[] = []
  for (const r of records) {
    if ((r.type !== 'donation' && r.type !== 'deferral') || voided.has(r.id)) continue
    const now = (newest.get(r.id)?.replacement as Donation | Deferral | undefined) ?? r
    if (now.type === 'donation') donations.push({ ...now, id: r.id })
    else deferrals.push({ ...now, id: r.id })
  }
  const inPeriod = (d: string) => d >= from && d <= to
  const sorted = [...donations].sort(
    (a, b) =>
      a.collectedOn.localeCompare(b.collectedOn) ||
      Date.parse(a.collectedAt) - Date.parse(b.collectedAt) ||
      a.id.localeCompare(b.id),
  )
  const firstOf = new Map<string, Donation>()
  const laterDays = new Map<string, string[]>()
  for (const d of sorted) {
    if (!firstOf.has(d.donorKey)) firstOf.set(d.donorKey, d)
    else laterDays.set(d.donorKey, [...(laterDays.get(d.donorKey) ?? []), d.collectedOn])
  }
  const counted = donations.filter((d) => inPeriod(d.collectedOn))
  const firsts = [...firstOf.values()].filter((d) => inPeriod(d.collectedOn))
  const ret = { all: [0, 0], bus: [0, 0], fixed: [0, 0] } as Record<string, [number, number]>
  const byChannel = new Map<string, [number, number]>()
  for (const d of firsts) {
    if (addDays(d.collectedOn, 365) > asOf) continue
    const back = (laterDays.get(d.donorKey) ?? []).some((day) => day <= addDays(d.collectedOn, 365)) ? 1 : 0
    const onBus = d.driveId !== null && (d.siteId === null || kinds.get(d.siteId) !== 'fixed_site')
    const c = byChannel.get(d.channelId) ?? [0, 0]
    byChannel.set(d.channelId, c)
    for (const bucket of [ret.all!, ret[onBus ? 'bus' : 'fixed']!, c]) {
      bucket[0]++
      bucket[1] += back
    }
  }
  const periodDeferrals = deferrals.filter((d) => inPeriod(d.collectedOn))
  const presentations = counted.length + periodDeferrals.length
  const byReason = new Map<string, number>()
  for (const d of periodDeferrals)
    for (const code of d.reasonCodes?.length ? d.reasonCodes : [d.reasonCode])
      byReason.set(code, (byReason.get(code) ?? 0) + 1)
  const countedIds = new Set(counted.map((d) => d.id))
  const reactions = records.filter(
    (r): r is AdverseReaction => r.type === 'adverse_reaction' && !voided.has(r.id) && countedIds.has(r.donationId),
  ).length
  const drives = records.filter((r): r is Drive => r.type === 'drive' && !voided.has(r.id) && inPeriod(r.date))
  const driveIds = new Set(drives.map((d) => d.id))
  const onDrive = (id: string) => counted.filter((d) => d.driveId === id).length
  const onDrives = counted.filter((d) => d.driveId !== null && driveIds.has(d.driveId)).length
  let hours = 0
  let onClosed = 0
  const closed = new Set<string>()
  for (const c of records) {
    if (c.type !== 'drive_close' || voided.has(c.id) || !driveIds.has(c.driveId) || closed.has(c.driveId)) continue
    closed.add(c.driveId)
    const drive = drives.find((d) => d.id === (c as DriveClose).driveId)!
    const h = (Date.parse(c.closedAt) - Date.parse(drive.createdAt)) / 3_600_000
    if (!(h > 0)) continue
    hours += h * new Set(drive.staffIds).size
    onClosed += onDrive(drive.id)
  }
  const eligible = counted.filter(
    (d) => d.product.type === 'whole_blood' && (d.vitals === undefined || d.vitals.weightKg >= 50),
  )
  const given400 = eligible.filter((d) => d.product.type === 'whole_blood' && d.product.volumeMl === 400).length
  const div = (a: number, b: number) => (b > 0 ? a / b : null)
  return {
    tiles: {
      first_time_share: div(firsts.length, counted.length),
      return_12m_share: div(ret.all![1], ret.all![0]),
      deferrals_per_10k: div(periodDeferrals.length * 10_000, presentations),
      reactions_per_1000: div(reactions * 1000, counted.length),
      donations_per_drive: div(onDrives, drives.length),
      donations_per_crew_hour: div(onClosed, hours),
      conversion_400: div(given400, eligible.length),
    },
    bus: div(ret.bus![1], ret.bus![0]),
    fixed: div(ret.fixed![1], ret.fixed![0]),
    byChannel: new Map([...byChannel].map(([id, [n, r]]) => [id, div(r, n)])),
    byReason: new Map([...byReason].map(([code, n]) => [code, (n / presentations) * 10_000])),
    firstTimers: ret.all![0],
  }
}

const one = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 })
const two = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
const pct = (x: number | null) => (x === null ? '—' : `${one.format(x * 100)}%`)
const PERCENT = new Set(['first_time_share', 'return_12m_share', 'conversion_400'])

describe('retention figures on the dashboard over part of the seed year', () => {
  let server: RunningServer
  let browser: Browser
  let page: Page
  let expected: ReturnType<typeof expectedFigures>
  const errors: string[] = []

  beforeAll(async () => {
    const seed = generateSeedYear({ profile: 'luoyang-2023', seed: 2023 })
    const day = anchorDays(seed.records)
    const part = seed.records.filter((r) => (day.get(r.id) ?? '9999') <= LAST_DAY)
    const dataDir = mkdtempSync(join(tmpdir(), 'bloodbus-retention-'))
    const store = await openStore({ dataDir })
    let kinds: Map<string, SiteKind>
    let records: FieldRecord[]
    try {
      const station = await createStation(store.db, { code: MANAGER.stationCode, name: '洛阳市中心血站' })
      await insertAccount(store.db, station.id, await prepareAccount({ ...MANAGER, role: 'manager' }))
      const fromId = seed.reference.stations[0]!.id
      const reference = rebaseStation(seed.reference, fromId, station.id)
      records = rebaseStation(part, fromId, station.id)
      kinds = new Map(reference.sites.map((s) => [s.id, s.kind]))
      const summary = await importBundle(store, station.id, {
        ...reference,
        roster: rosterForRecords(records, station.id, await hashPin('2580', { iterations: 1000 })),
        records,
      })
      expect(summary.rejected).toBe(0)
    } finally {
      await store.close()
    }
    // The dashboard's as-of day is today: every first donation of 2023 has had its 12 months.
    expected = expectedFigures(records, kinds, '2023-01-01', '2023-12-31', '2026-01-01')
    server = await startServer({ dataDir })
    browser = await launchChromium()
    const context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, locale: 'en' })
    page = await context.newPage()
    page.on('pageerror', (e) => errors.push(e.message))
    await page.addInitScript(() => localStorage.setItem('bloodbus.locale', 'en'))
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop(true)
  })

  it('shows every figure as computed here, usable at 390×844', async () => {
    expect(expected.firstTimers).toBeGreaterThan(1000)
    await page.goto(`${server.url}/station/login`)
    await page.getByLabel('Station code').fill(MANAGER.stationCode)
    await page.getByLabel('Username').fill(MANAGER.username)
    await page.getByLabel('Password').fill(MANAGER.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url) => !url.pathname.includes('login'))
    await page.goto(`${server.url}/station`)
    await page.locator('#dash-year').selectOption('2023')
    const section = page.getByTestId('retention-figures')
    const tile = (metric: string) => section.locator(`[data-retention="${metric}"] .tile-value`)
    await expect
      .poll(() => tile('first_time_share').textContent(), { timeout: 30_000 })
      .toBe(pct(expected.tiles.first_time_share))
    for (const [metric, value] of Object.entries(expected.tiles)) {
      const text = PERCENT.has(metric) ? pct(value) : value === null ? '—' : two.format(value)
      expect(await tile(metric).textContent(), metric).toBe(text)
    }
    expect(await section.locator('[data-site-kind="bus"] [data-col="share"]').textContent()).toBe(pct(expected.bus))
    expect(await section.locator('[data-site-kind="fixed"] [data-col="share"]').textContent()).toBe(pct(expected.fixed))
    for (const [id, share] of expected.byChannel)
      expect(await section.locator(`[data-channel="${id}"] [data-col="share"]`).textContent(), id).toBe(pct(share))
    for (const [code, rate] of expected.byReason)
      expect(await section.locator(`[data-reason="${code}"] td.num`).textContent(), code).toBe(two.format(rate))

    // On a phone nothing of it runs off the screen: tiles and tables stay within 390 px.
    for (const box of await section
      .locator('.tile, .card')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect)))
      expect(box.right).toBeLessThanOrEqual(PHONE.width)
    expect(errors).toEqual([])
  }, 90_000)
})
