// The progress screen mounted in the field app: reachable from the drive list, shows this drive
// and the station's month and year with this phone's unsynced records marked, in both languages'
// keys, with accessible names on the meters.
import { describe, expect, it } from 'vitest'
import { isoDateOf } from '../../../src/domain/dates'
import { emptyCounts } from '../../../src/domain/indicators'
import { newId } from '../../../src/domain/ids'
import type { Target } from '../../../src/domain/records'
import type { StationTotals } from '../../../src/domain/sync-protocol'
import { periodFor } from '../../../src/domain/targets'
import { saveFieldRecords } from '../../../src/app/db/field-records'
import { mountFieldApp, settle } from '../support/field-app'
import { makeDonation, makeDrive, RURAL, STATION, UNIVERSITY } from '../support/field-fixtures'

describe('progress screen', () => {
  it('opens from the drive list and marks what this phone has not synced', async () => {
    const app = await mountFieldApp('/drives')
    const today = isoDateOf(new Date(), 'Asia/Shanghai')
    const month = periodFor('month', today)
    const year = periodFor('year', today)
    const staff = app.roster.leader.id
    const drive = makeDrive(staff, { date: today, authorStaffId: staff })
    await saveFieldRecords(
      [drive, ...[1, 2, 3].map((n) => makeDonation(drive, staff, { collectedOn: today, din: `W12342600000${n}` }))],
      app.db,
    )
    const computedAt = new Date(Date.now() - 3_600_000).toISOString()
    const c = {
      ...emptyCounts(),
      donations: 9,
      wholeBloodDonations: 9,
      wholeBlood400: 9,
      wholeBloodUnits: 18,
      ruralMobileWholeBlood: 2,
      byChannel: { [RURAL.id]: 2, [UNIVERSITY.id]: 7 },
    }
    const uni = { ...emptyCounts(), donations: 7, wholeBloodDonations: 7, wholeBlood400: 7, wholeBloodUnits: 14 }
    const totals = (key: 'month' | 'year', period: { start: string; end: string }): StationTotals => ({
      key,
      period: { kind: key, start: period.start, end: period.end },
      computedAt,
      counts: c,
      indicators: null as never,
      byChannel: { [UNIVERSITY.id]: uni },
      byTeam: {},
    })
    await app.db.stationTotals.bulkPut([
      { key: 'month', value: totals('month', month) },
      { key: 'year', value: totals('year', year) },
    ])
    await app.db.syncMeta.put({ key: 'lastPullAt', value: computedAt })
    const uniTarget: Target = {
      id: newId(),
      stationId: STATION.id,
      period: year,
      scope: { kind: 'channel', id: UNIVERSITY.id },
      metric: 'donations',
      comparison: '>=',
      value: 100,
    }
    await app.db.targets.put({ key: uniTarget.id, value: uniTarget })

    const link = app.wrapper.find('[data-testid="progress-link"]')
    expect(link.text()).toContain('查看进度')
    await link.trigger('click')
    await expect.poll(() => app.router.currentRoute.value.name, { timeout: 10_000 }).toBe('progress')
    await expect
      .poll(
        async () => {
          await settle(1)
          return app.wrapper.find('[data-testid="progress-ready"]').exists()
        },
        { timeout: 10_000 },
      )
      .toBe(true)
    const screen = app.wrapper.find('[data-testid="progress-ready"]')

    const driveCard = screen.find('[data-testid="progress-drive"]')
    expect(driveCard.find('[data-figure="donations"] dd').text()).toBe('3')
    expect(driveCard.find('[data-testid="drive-not-sent"]').text()).toBe('本车次 4 条待上传')

    const monthCard = screen.find('[data-testid="progress-station-month"]')
    expect(monthCard.find('[data-testid="unsynced"]').text()).toBe('含本机 4 条记录（血站汇总尚未包含）')
    expect(monthCard.find('[data-figure="donations"] dd').text()).toBe('12')
    // 5 of 12 whole-blood donations on rural buses.
    expect(monthCard.find('[data-figure="rural_mobile_share"] dd').text()).toBe('41.67%')

    const yearCard = screen.find('[data-testid="progress-station-year"]')
    const target = yearCard.find('[data-testid="station-target"]')
    expect(target.text()).toContain('高校')
    expect(target.find('[role="meter"]').attributes('aria-label')).toMatch(/^献血人次：实际 7，目标 ≥ 100/)
    expect(screen.text()).toContain('全站数字截至上次同步')
    app.wrapper.unmount()
  }, 30_000)
})
