// `npx tsx tests/e2e/screenshots-progress.ts`: the phone's progress screen at 390×844 in headless
// Chromium against the built app and the real station server: a station with targets and another
// phone's records, this phone offline with a rural drive of three donations not yet synced.
// Writes PNGs to screenshots/ (zh-CN and en, the first screen and the whole page).
import { addDays } from '../../src/domain/dates'
import { newId } from '../../src/domain/ids'
import { periodFor } from '../../src/domain/targets'
import { startServer } from '../support/server'
import { prepareScreenshots, shot } from './support/screenshots'
import { PHONE, launchChromium } from './support/browser'
import {
  dinBody,
  dinWithCheck,
  putPhoneRow,
  enrollPhone,
  PINS,
  residentId,
  setUpStation,
  unlockAs,
} from './support/field'
import { addTargetByApi, channelsOf, otherPhoneSends, recordRuralDrive, stationToday } from './support/progress'

async function main(): Promise<void> {
  await prepareScreenshots()
  const server = await startServer()
  const browser = await launchChromium()
  try {
    const station = await setUpStation(server.url)
    await otherPhoneSends(server.url, station, { university: 6, rural: 4 })
    const channels = await channelsOf(server.url, station)
    const today = stationToday()
    await addTargetByApi(server.url, station, {
      period: periodFor('month', today),
      scope: { kind: 'station', id: null },
      metric: 'rural_mobile_share',
      comparison: '>=',
      value: 32,
    })
    await addTargetByApi(server.url, station, {
      period: periodFor('year', today),
      scope: { kind: 'channel', id: channels.find((c) => c.code === 'universities')!.id },
      metric: 'donations',
      comparison: '>=',
      value: 1000,
    })
    await addTargetByApi(server.url, station, {
      period: periodFor('year', today),
      scope: { kind: 'channel', id: channels.find((c) => c.code === 'rural_mobile')!.id },
      metric: 'whole_blood_donations',
      comparison: '>=',
      value: 28000,
    })
    // Quarter, custom-period and site targets (issue 15).
    await addTargetByApi(server.url, station, {
      period: periodFor('quarter', today),
      scope: { kind: 'station', id: null },
      metric: 'donations',
      comparison: '>=',
      value: 9000,
    })
    await addTargetByApi(server.url, station, {
      period: periodFor('month', today),
      scope: { kind: 'site', id: station.sites.find((s) => s.name === '宜阳县三乡镇')!.id },
      metric: 'donations',
      comparison: '>=',
      value: 60,
    })
    await addTargetByApi(server.url, station, {
      period: { kind: 'custom', start: addDays(today, -6), end: addDays(today, 7) },
      scope: { kind: 'site', id: station.sites.find((s) => s.kind === 'university')!.id },
      metric: 'rate_400ml',
      comparison: '>=',
      value: 70,
    })

    const context = await browser.newContext({
      viewport: PHONE,
      hasTouch: true,
      isMobile: true,
      deviceScaleFactor: 1,
      locale: 'zh-CN',
    })
    const page = await context.newPage()
    page.on('pageerror', (e) => console.error('page error:', e.message))
    await enrollPhone(page, server.url, station.enrollmentCode)
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await context.setOffline(true)
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    const driveId = await recordRuralDrive(
      page,
      [
        { id: residentId('410327', '1995-07-21', '051'), name: '刘洋', din: 1 },
        { id: residentId('410328', '1990-03-08', '071'), name: '孙强', din: 2 },
        { id: residentId('410329', '1992-11-02', '033'), name: '周敏', din: 3 },
      ],
      { body: dinBody, withCheck: dinWithCheck },
    )
    // A target for this very drive, as the next pull would bring it (the bus is offline here).
    const stationId = channels[0]!.stationId
    await putPhoneRow(page, 'targets', {
      key: newId(),
      value: {
        id: newId(),
        stationId,
        period: { kind: 'custom', start: today, end: today },
        scope: { kind: 'drive', id: driveId },
        metric: 'donations',
        comparison: '>=',
        value: 40,
      },
    })
    await page.locator('.bar-back').tap()
    await page.getByTestId('progress-link').waitFor()
    await shot(page, '30-drives-progress-link')
    await page.getByTestId('progress-link').tap()
    await page.getByTestId('progress-ready').waitFor()
    await shot(page, '31-progress')
    await shot(page, '31b-progress-full', true)
    await page.getByTestId('progress-other-targets').scrollIntoViewIfNeeded()
    await shot(page, '31c-progress-other-targets')

    await page.evaluate(() => localStorage.setItem('bloodbus.locale', 'en'))
    await page.reload()
    await unlockAs(page, '王建华', PINS.leader, { touch: true })
    await page.getByTestId('progress-ready').waitFor()
    await shot(page, '32-progress-en')
    await shot(page, '32b-progress-en-full', true)
    await page.getByTestId('progress-other-targets').scrollIntoViewIfNeeded()
    await shot(page, '32c-progress-en-other-targets')
  } finally {
    await browser.close()
    await server.stop(true)
  }
}

await main()
