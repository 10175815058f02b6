// Station components mounted with the real messages: the target form explains a mistake under its
// field in the manager's language; a progress bar shows actual, target, pace and what it takes; the
// enrollment code shows as text and as a QR code; the annual report model and CSV match the seed figures.
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { computeProgress } from '../../../../src/domain/progress'
import type { Channel, Target } from '../../../../src/domain/records'
import { periodFor, validateTarget } from '../../../../src/domain/targets'
import { emptyCounts, indicatorsFromCounts } from '../../../../src/domain/indicators'
import EnrollmentQr from '../../../../src/app/components/station/EnrollmentQr.vue'
import ProgressBar from '../../../../src/app/components/common/ProgressBar.vue'
import TargetForm from '../../../../src/app/components/station/TargetForm.vue'
import { annualReport, recordsTable, reportTable, toCsv } from '../../../../src/app/station/report-model'
import { channelRows, drillDown, sumMonths, targetsForPeriod } from '../../../../src/app/station/dashboard-model'
import { emptyTargetForm, formToTarget, parseTargetValue } from '../../../../src/app/station/target-form'
import { createAppI18n } from '../../../../src/app/i18n'

const STATION = '018f0000-0000-7000-8000-000000000001'
const RURAL: Channel = {
  id: '018f0000-0000-7000-8000-0000000000a1',
  stationId: STATION,
  code: 'rural_mobile',
  nameZh: '乡村流动',
  nameEn: 'Rural mobile',
  ruralMobile: true,
}
const UNI: Channel = {
  id: '018f0000-0000-7000-8000-0000000000a2',
  stationId: STATION,
  code: 'universities',
  nameZh: '高校',
  nameEn: 'Universities',
  ruralMobile: false,
}

function i18n(locale: 'en' | 'zh-CN' = 'en') {
  return createAppI18n(locale)
}

describe('target form', () => {
  it('reads the typed value in either habit and leaves unreadable text for the validator to name', () => {
    expect(parseTargetValue('32.5')).toBe(32.5)
    expect(parseTargetValue('32,5')).toBe(32.5)
    expect(parseTargetValue('10,258')).toBe(10258)
    expect(parseTargetValue(' 32 % ')).toBe(32)
    expect(parseTargetValue('')).toBeNull()
    expect(parseTargetValue('lots')).toBeNaN()
    const form = { ...emptyTargetForm('2024-03-10'), periodKind: 'month' as const, month: 2, value: 'lots' }
    const candidate = formToTarget(form, { id: '018f0000-0000-7000-8000-0000000000e1', stationId: STATION })
    expect(candidate.period).toEqual({ kind: 'month', start: '2024-02-01', end: '2024-02-29' })
    const r = validateTarget(candidate, [])
    expect(r.ok ? [] : r.errors.map((e) => `${e.field}:${e.code}`)).toEqual(['value:invalid'])
  })

  it('shows the share error under the value, in English and in Chinese, and saves nothing', async () => {
    for (const [locale, text] of [
      ['en', 'A share must be between 0% and 100% (you entered 120).'],
      ['zh-CN', '比例须在 0% 到 100% 之间（您输入了 120）。'],
    ] as const) {
      const saved: Target[] = []
      const wrapper = mount(TargetForm, {
        props: {
          editing: null,
          today: '2024-03-10',
          reference: { channels: [RURAL, UNI], sites: [], teams: [] },
          save: async (input: Record<string, unknown>) => {
            const r = validateTarget({ ...input, stationId: STATION }, [], { channels: [RURAL, UNI] })
            if (r.ok) saved.push(r.target)
            return r
          },
        },
        global: { plugins: [i18n(locale)] },
      })
      await wrapper.find('#tf-value').setValue('120')
      await wrapper.find('form').trigger('submit')
      await new Promise((r) => setTimeout(r, 0))
      expect(wrapper.find('[role="alert"]').text()).toBe(text)
      expect(saved).toEqual([])
      // Fixing the value saves it.
      await wrapper.find('#tf-value').setValue('32')
      await wrapper.find('form').trigger('submit')
      await new Promise((r) => setTimeout(r, 0))
      expect(saved).toHaveLength(1)
      expect(wrapper.emitted('saved')).toHaveLength(1)
      wrapper.unmount()
    }
  })
})

describe('progress bar', () => {
  it('shows actual, target, pace and the sentence, with an accessible meter', () => {
    const target = {
      period: periodFor('month', '2023-06-01'),
      metric: 'donations' as const,
      comparison: '>=' as const,
      value: 9000,
    }
    const progress = computeProgress({ target, actual: { kind: 'count', value: 5800 }, asOf: '2023-06-20' })
    const wrapper = mount(ProgressBar, {
      props: { progress, period: target.period, asOf: '2023-06-20' },
      global: { plugins: [i18n()] },
    })
    expect(wrapper.find('.progress-actual').text()).toBe('5,800')
    expect(wrapper.text()).toContain('Target ≥ 9,000')
    expect(wrapper.text()).toContain('Expected by now 6,000')
    expect(wrapper.find('.progress-status').text()).toBe('On track')
    expect(wrapper.find('.progress-takes').text()).toBe('3,200 to go: 320 a day for the 10 days left reach 9,000')
    const meter = wrapper.find('[role="meter"]')
    expect(meter.attributes('aria-valuenow')).toBe('5800')
    expect(meter.attributes('aria-label')).toBe('Donations: 5,800 of a target of ≥ 9,000, On track')
    expect(wrapper.find('.progress-fill').attributes('style')).toContain(`width: ${(5800 / 9900) * 100}%`)
  })
})

describe('enrollment code', () => {
  it('shows the code as text and a QR code drawn as one SVG path', () => {
    const wrapper = mount(EnrollmentQr, {
      props: { code: 'ACDE-FGHJ', payload: 'https://station.test/enroll?code=ACDE-FGHJ', label: 'QR' },
    })
    expect(wrapper.find('[data-testid="enrollment-code"]').text()).toBe('ACDE-FGHJ')
    const svg = wrapper.find('svg')
    expect(svg.attributes('viewBox')).toMatch(/^0 0 (\d+) \1$/)
    expect(wrapper.find('path').attributes('d')).toMatch(/^(M\d+ \d+h1v1h-1z)+$/)
  })
})

describe('dashboard and report models', () => {
  const counts = {
    ...emptyCounts(),
    donations: 93_560,
    wholeBloodDonations: 84_609,
    wholeBlood400: 84_381,
    wholeBloodUnits: 169_002,
    apheresisDonations: 8_951,
    apheresisDoses: 13_187,
    ruralMobileWholeBlood: 27_577,
    ruralDonorDonations: 64_921,
    repeatDonorDonations: 62_760,
    ruralBusTrips: 787,
    busTrips: 1_200,
    byChannel: { [RURAL.id]: 27_577, [UNI.id]: 10_258 },
  }
  const ind = indicatorsFromCounts(counts, { ruralMobileChannelIds: new Set([RURAL.id]), population: 7_077_000 })

  it('lays out the annual report like the review, and its CSV carries the published figures', () => {
    const sections = annualReport(ind, [RURAL, UNI], [])
    expect(sections.map((s) => s.key)).toEqual(['collection', 'channels', 'teams', 'quality'])
    const rural = sections[1]!.rows[0]!
    expect(rural).toMatchObject({ key: 'channel.rural_mobile', value: 27_577, extra: { value: 787 } })
    const t = (k: string) => (createAppI18n('en').global as unknown as { t: (k: string) => string }).t(k)
    const table = reportTable(sections, t, 'en')
    const row = (key: string) => table.rows.find((r) => r[1] === key)!
    expect(row('donations')[3]).toBe(93_560)
    expect(row('whole_blood_units')[3]).toBe(169_002)
    expect(row('rate_400ml')[3]).toBe(99.73)
    expect(row('rural_mobile_share')[3]).toBe(32.59)
    expect(row('rural_donor_share')[3]).toBe(69.39)
    expect(row('repeat_donor_share')[3]).toBe(67.08)
    expect(row('per_1000')[3]).toBe(13.22)
    const csv = toCsv(table.header, table.rows)
    expect(csv.startsWith('\uFEFFsection,key,label,value,extra_label,extra_value\r\n')).toBe(true)
    expect(csv).toContain('channels,channel.rural_mobile,Rural mobile,27577,bus trips,787\r\n')
    expect(toCsv(['a'], [['say "hi", then go']])).toBe('\uFEFFa\r\n"say ""hi"", then go"\r\n')
  })

  it("gives each channel its share of whole blood, and groups a channel's records by drive and site", () => {
    const rows = channelRows(
      [RURAL, UNI],
      { [RURAL.id]: { ...emptyCounts(), donations: 27_577, wholeBloodDonations: 27_577, wholeBlood400: 27_500 } },
      counts,
    )
    expect(rows[0]!.wholeBloodShare).toBeCloseTo(32.593, 3)
    expect(rows[1]).toMatchObject({ donations: 0, wholeBloodShare: 0, rate400ml: null })

    const drive = {
      type: 'drive',
      id: 'd1',
      date: '2023-06-02',
      siteId: 's1',
      busCode: 'BUS-3',
      channelId: RURAL.id,
      deviceId: 'leader-phone',
    } as never
    const donation = (id: string, voided = false, override?: object) => ({
      voided,
      record: {
        type: 'donation',
        id,
        deviceId: 'leader-phone',
        driveId: 'd1',
        siteId: 's1',
        collectedOn: '2023-06-02',
        product: { type: 'whole_blood', volumeMl: 400 },
        ...(override ? { override } : {}),
      } as never,
    })
    const view = drillDown([
      { voided: false, record: drive },
      donation('a'),
      donation('b', false, { rules: ['interval'], reasonCode: 'urgent_clinical_need' }),
      donation('c', true, { rules: ['interval'], reasonCode: 'urgent_clinical_need' }),
      {
        voided: false,
        // Schema 3: a phone that joined the drive by QR code recorded this one.
        record: {
          type: 'deferral',
          id: 'x',
          deviceId: 'desk-phone',
          driveId: 'd1',
          siteId: 's1',
          collectedOn: '2023-06-02',
        } as never,
      },
    ])
    expect(view.drives).toEqual([
      {
        driveId: 'd1',
        date: '2023-06-02',
        siteId: 's1',
        busCode: 'BUS-3',
        donations: 2,
        wholeBlood: 2,
        deferrals: 1,
        overrides: 1, // a voided donation's override does not count
        phones: [
          { deviceId: 'leader-phone', donations: 2, deferrals: 0 },
          { deviceId: 'desk-phone', donations: 0, deferrals: 1 },
        ],
      },
    ])
    expect(view.sites).toEqual([{ siteId: 's1', drives: 1, donations: 2, wholeBlood: 2, deferrals: 1 }])
  })

  it('shows the targets of a period, the ones running today first', () => {
    const mk = (id: string, period: Target['period'], kind: 'station' | 'channel' = 'station'): Target => ({
      id,
      stationId: STATION,
      period,
      scope: kind === 'station' ? { kind, id: null } : { kind, id: RURAL.id },
      metric: 'donations',
      comparison: '>=',
      value: 1,
    })
    const list = [
      mk('jan', periodFor('month', '2024-01-01')),
      mk('year', periodFor('year', '2024-01-01')),
      mk('jun', periodFor('month', '2024-06-01'), 'channel'),
      mk('old', periodFor('year', '2023-01-01')),
    ]
    expect(targetsForPeriod(list, periodFor('year', '2024-01-01'), '2024-06-15').map((t) => t.id)).toEqual([
      'year',
      'jun',
      'jan',
    ])
  })
})

describe('summing monthly counts', () => {
  const month = (m: string, to: string, donations: number) => ({
    month: m,
    from: `${m}-01`,
    to,
    counts: { ...emptyCounts(), donations },
  })
  // The series of a year up to 20 June: January to May whole, June to the 20th.
  const series = [
    month('2024-01', '2024-01-31', 100),
    month('2024-02', '2024-02-29', 200),
    month('2024-03', '2024-03-31', 300),
    month('2024-04', '2024-04-30', 400),
    month('2024-05', '2024-05-31', 500),
    month('2024-06', '2024-06-20', 600),
  ]

  it('adds whole months, and the last one up to the series end', () => {
    expect(sumMonths(series, '2024-01-01', '2024-06-20')!.donations).toBe(2100)
    expect(sumMonths(series, '2024-04-01', '2024-06-20')!.donations).toBe(1500) // Q2 so far
    expect(sumMonths(series, '2024-02-01', '2024-02-29')!.donations).toBe(200)
  })

  it('refuses what whole months cannot give, so the server is asked instead', () => {
    expect(sumMonths(series, '2024-01-15', '2024-03-31')).toBeNull() // starts mid-month
    expect(sumMonths(series, '2024-01-01', '2024-06-30')).toBeNull() // past the series end
    expect(sumMonths(series, '2024-01-01', '2024-02-10')).toBeNull() // ends mid-month
    expect(sumMonths(series, '2023-12-01', '2024-01-31')).toBeNull() // before the series
  })
})

describe('records export table', () => {
  it('writes one row per listed record with what the indicators need, voided and corrected marked, no donor identity', () => {
    const donation = {
      type: 'donation',
      id: 'r1',
      collectedOn: '2023-06-02',
      channelId: RURAL.id,
      siteId: 's1',
      driveId: 'd1',
      household: 'rural',
      repeatDonor: true,
      product: { type: 'whole_blood', volumeMl: 400 },
      abo: 'O',
      rhd: 'neg',
      donorKey: 'ab'.repeat(16),
    }
    const deferral = {
      type: 'deferral',
      id: 'r2',
      collectedOn: '2023-06-02',
      channelId: RURAL.id,
      siteId: 's1',
      driveId: 'd1',
      household: 'urban',
      repeatDonor: false,
      reasonCode: 'low_hb',
      until: '2023-12-02',
    }
    const drive = { type: 'drive', id: 'd1', date: '2023-06-02', channelId: RURAL.id, siteId: 's1', busCode: 'BUS-3' }
    const listed = [
      {
        id: 'd1',
        type: 'drive',
        receivedAt: 't0',
        deviceId: 'p1',
        voided: false,
        correctedBy: null,
        record: drive as never,
      },
      {
        id: 'r1',
        type: 'donation',
        receivedAt: 't1',
        deviceId: 'p1',
        voided: false,
        correctedBy: 'c9',
        record: donation as never,
      },
      {
        id: 'r2',
        type: 'deferral',
        receivedAt: 't2',
        deviceId: 'p1',
        voided: true,
        correctedBy: null,
        record: deferral as never,
      },
    ]
    const table = recordsTable(
      listed,
      (id) => (id === RURAL.id ? 'rural_mobile' : id),
      (id) => (id === 's1' ? '嵩县乡镇采血点03' : ''),
    )
    const rows = table.rows.map((r) => Object.fromEntries(table.header.map((h, i) => [h, r[i]])))
    expect(rows[0]).toMatchObject({
      type: 'drive',
      date: '2023-06-02',
      channel: 'rural_mobile',
      site: '嵩县乡镇采血点03',
      bus: 'BUS-3',
      voided: false,
    })
    expect(rows[1]).toMatchObject({
      type: 'donation',
      product: 'whole_blood',
      volume_ml: 400,
      abo: 'O',
      rhd: 'neg',
      household: 'rural',
      repeat_donor: true,
      corrected_by: 'c9',
    })
    expect(rows[2]).toMatchObject({
      type: 'deferral',
      reason_code: 'low_hb',
      reason_codes: 'low_hb', // a schema-1 deferral reads as [reasonCode]
      deferred_until: '2023-12-02',
      voided: true,
    })
    expect(table.header).not.toContain('donorKey')
    expect(JSON.stringify(table.rows)).not.toContain('ab'.repeat(16))
  })
})
