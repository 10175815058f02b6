// Retention and quality figures over the generated Luoyang seed year, each checked against a
// separate, plain computation written here (not the domain's code), and on a hand-made history.
import { beforeAll, describe, expect, it } from 'vitest'
import { generateSeedYear, type SeedYear } from '../../src/domain/generator/seed-year'
import type { Deferral, Donation, Drive, FieldRecord, SiteKind } from '../../src/domain/records'
import { type RetentionFigures, retentionActual, retentionFigures } from '../../src/domain/retention'
import { phoneComputable } from '../../src/domain/target-totals'
import { RETENTION_METRICS, type RetentionMetric } from '../../src/domain/records'
import { computeProgress, metricActual } from '../../src/domain/progress'
import { emptyCounts } from '../../src/domain/indicators'
import { validateTarget } from '../../src/domain/targets'

describe('retention figures of the seed year', () => {
  let year: SeedYear
  let kinds: Map<string, SiteKind>
  beforeAll(() => {
    year = generateSeedYear({ profile: 'luoyang-2023' })
    kinds = new Map(year.reference.sites.map((s) => [s.id, s.kind]))
  }, 120_000)

  /** The plain way: drop voided records, let the newest correction stand for its original. */
  function live(records: FieldRecord[]): { donations: Donation[]; deferrals: Deferral[] } {
    const voided = new Set(records.flatMap((r) => (r.type === 'void' ? [r.targetId] : [])))
    const newest = new Map<string, FieldRecord & { type: 'correction' }>()
    for (const r of records)
      if (r.type === 'correction' && (!newest.has(r.targetId) || newest.get(r.targetId)!.createdAt <= r.createdAt))
        newest.set(r.targetId, r)
    const out = { donations: [] as Donation[], deferrals: [] as Deferral[] }
    for (const r of records) {
      if ((r.type !== 'donation' && r.type !== 'deferral') || voided.has(r.id)) continue
      const now = (newest.get(r.id)?.replacement as Donation | Deferral | undefined) ?? r
      if (now.type === 'donation') out.donations.push({ ...now, id: r.id })
      else out.deferrals.push({ ...now, id: r.id })
    }
    return out
  }

  it('first-time share, 12-month return by channel and site kind, deferrals per 10,000, 400 ml conversion', () => {
    const from = `${year.year}-01-01`
    const to = `${year.year}-06-30`
    const asOf = `${year.year + 1}-12-31`
    const got = retentionFigures(year.records, kinds, { from, to, asOf })

    const { donations, deferrals } = live(year.records)
    const sorted = [...donations].sort((a, b) =>
      a.collectedOn !== b.collectedOn
        ? a.collectedOn.localeCompare(b.collectedOn)
        : a.collectedAt !== b.collectedAt
          ? Date.parse(a.collectedAt) - Date.parse(b.collectedAt)
          : a.id.localeCompare(b.id),
    )
    const seen = new Set<string>()
    const first: Donation[] = []
    const later = new Map<string, string[]>()
    for (const d of sorted) {
      if (!seen.has(d.donorKey)) {
        seen.add(d.donorKey)
        first.push(d)
      } else {
        const days = later.get(d.donorKey) ?? []
        days.push(d.collectedOn)
        later.set(d.donorKey, days)
      }
    }
    const inHalf = (day: string) => day >= from && day <= to
    const counted = donations.filter((d) => inHalf(d.collectedOn))
    const firstIn = first.filter((d) => inHalf(d.collectedOn))
    expect(got.donations).toBe(counted.length)
    expect(got.firstTimeDonations).toBe(firstIn.length)
    expect(got.firstTimeShare).toBeCloseTo(firstIn.length / counted.length, 12)

    const plus365 = (day: string) =>
      new Date(Date.parse(`${day}T00:00:00Z`) + 365 * 86_400_000).toISOString().slice(0, 10)
    const returned = (d: Donation) => (later.get(d.donorKey) ?? []).some((day) => day <= plus365(d.collectedOn))
    expect(got.return12m.all.firstTimers).toBe(firstIn.length)
    expect(got.return12m.all.returned).toBe(firstIn.filter(returned).length)
    for (const channel of new Set(firstIn.map((d) => d.channelId))) {
      const of = firstIn.filter((d) => d.channelId === channel)
      expect(got.return12m.byChannel[channel]).toMatchObject({
        firstTimers: of.length,
        returned: of.filter(returned).length,
      })
    }
    const isBus = (d: Donation) => d.driveId !== null && kinds.get(d.siteId ?? '') !== 'fixed_site'
    expect(got.return12m.bySiteKind.bus.firstTimers).toBe(firstIn.filter(isBus).length)
    expect(got.return12m.bySiteKind.fixed.returned).toBe(firstIn.filter((d) => !isBus(d) && returned(d)).length)

    const deferredIn = deferrals.filter((d) => inHalf(d.collectedOn))
    expect(got.deferralsPer10k).toBeCloseTo((deferredIn.length / (counted.length + deferredIn.length)) * 10_000, 9)
    const wholeEligible = counted.filter(
      (d) => d.product.type === 'whole_blood' && (!d.vitals || d.vitals.weightKg >= 50),
    )
    const four = wholeEligible.filter((d) => d.product.type === 'whole_blood' && d.product.volumeMl === 400)
    expect(got.eligible400).toBe(wholeEligible.length)
    expect(got.conversion400).toBeCloseTo(four.length / wholeEligible.length, 12)
    // The seed year is a real station's shape: some first-timers, most of them not back within a year.
    expect(got.firstTimeShare).toBeGreaterThan(0.05)
    expect(got.return12m.all.share).toBeGreaterThan(0)
  }, 60_000)

  it('counts a return only once its year has passed, and reactions, drives and crew-hours of the period', () => {
    const base = year.records.find((r): r is Donation => r.type === 'donation' && r.driveId !== null)!
    const drive = year.records.find((r): r is Drive => r.type === 'drive' && r.id === base.driveId)!
    const at = (day: string) => `${day}T10:00:00.000+08:00`
    const d1: Donation = {
      ...base,
      id: '00000000-0000-7000-8000-000000000001',
      donorKey: 'f'.repeat(32),
      collectedOn: '2030-01-10',
      collectedAt: at('2030-01-10'),
    }
    const d2: Donation = {
      ...d1,
      id: '00000000-0000-7000-8000-000000000002',
      collectedOn: '2030-08-01',
      collectedAt: at('2030-08-01'),
    }
    const driveRec = {
      ...drive,
      id: d1.driveId!,
      date: '2030-01-10',
      createdAt: '2030-01-10T08:00:00.000+08:00',
      staffIds: [drive.staffIds[0]!, 'x', 'y'],
    } as FieldRecord
    const close: FieldRecord = {
      type: 'drive_close',
      id: '00000000-0000-7000-8000-0000000000c1',
      stationId: d1.stationId,
      deviceId: d1.deviceId,
      authorStaffId: d1.authorStaffId,
      createdAt: '2030-01-10T12:00:00.000+08:00',
      driveId: d1.driveId!,
      bagsLoaded: 1,
      bagsUsed: 1,
      bagsSpoiled: 0,
      bagsReturned: 0,
      discrepancyNote: '',
      signedOffBy: d1.authorStaffId,
      closedAt: '2030-01-10T12:00:00.000+08:00',
    }
    const reaction: FieldRecord = {
      type: 'adverse_reaction',
      id: '00000000-0000-7000-8000-0000000000a1',
      stationId: d1.stationId,
      deviceId: d1.deviceId,
      authorStaffId: d1.authorStaffId,
      createdAt: at('2030-01-10'),
      donationId: d1.id,
      code: 'vasovagal',
      severity: 'mild',
      occurredAt: at('2030-01-10'),
      note: '',
    }
    const records = [driveRec, d1, d2, close, reaction]
    const q = { from: '2030-01-01', to: '2030-01-31' }
    expect(retentionFigures(records, kinds, { ...q, asOf: '2030-12-31' }).return12m.all.firstTimers).toBe(0)
    const got = retentionFigures(records, kinds, { ...q, asOf: '2031-01-10' })
    expect(got.return12m.all).toEqual({ firstTimers: 1, returned: 1, share: 1 })
    expect(got).toMatchObject({
      reactions: 1,
      reactionsPer1000: 1000,
      drives: 1,
      donationsPerDrive: 1,
      crewHours: 12,
      donationsPerCrewHour: 1 / 12,
    })
  })
})

describe('targets on the retention figures', () => {
  const figures = {
    donations: 1000,
    firstTimeDonations: 250,
    return12m: { all: { firstTimers: 200, returned: 50, share: 0.25 } },
    presentations: 1100,
    deferrals: 100,
    reactions: 4,
    drives: 20,
    donationsOnDrives: 800,
    crewHours: 400,
    donationsOnClosedDrives: 600,
    eligible400: 500,
    given400: 450,
  } as unknown as RetentionFigures
  const year = { kind: 'year' as const, start: '2023-01-01', end: '2023-12-31' }

  it('reads each metric from the figures: shares in percent, rates on their own scale', () => {
    const progress = (metric: RetentionMetric, comparison: '>=' | '<=', value: number) =>
      computeProgress({
        target: { period: year, metric, comparison, value },
        actual: retentionActual(metric, figures),
        asOf: '2023-06-30',
      })
    expect(progress('first_time_share', '>=', 20).actual).toBeCloseTo(25)
    expect(progress('return_12m_share', '>=', 30).actual).toBeCloseTo(25)
    expect(progress('conversion_400', '>=', 95).actual).toBeCloseTo(90)
    const deferrals = progress('deferrals_per_10k', '<=', 1000)
    expect(deferrals.actual).toBeCloseTo((100 / 1100) * 10_000)
    expect(deferrals.met).toBe(true)
    expect(progress('reactions_per_1000', '<=', 5).actual).toBeCloseTo(4)
    const perDrive = progress('donations_per_drive', '>=', 50)
    expect(perDrive.actual).toBeCloseTo(40)
    expect(perDrive.met).toBe(false)
    // A level, not a count that grows: expected to hold all along.
    expect(perDrive.expectedByNow).toBe(50)
    expect(progress('donations_per_crew_hour', '>=', 1).actual).toBeCloseTo(1.5)
  })

  it('a phone cannot compute them; the old metrics it can', () => {
    for (const m of RETENTION_METRICS) expect(phoneComputable(m)).toBe(false)
    expect(phoneComputable('donations')).toBe(true)
    expect(phoneComputable('deferral_rate')).toBe(true)
    expect(metricActual('donations_per_drive', emptyCounts())).toBeNull()
  })

  it('a target on them is for the station or a channel', () => {
    const base = {
      id: '01890000-0000-7000-8000-000000000001',
      stationId: '01890000-0000-7000-8000-000000000002',
      period: year,
      metric: 'return_12m_share',
      comparison: '>=',
      value: 30,
    }
    expect(validateTarget({ ...base, scope: { kind: 'station', id: null } }, []).ok).toBe(true)
    expect(validateTarget({ ...base, scope: { kind: 'channel', id: base.stationId } }, []).ok).toBe(true)
    const site = validateTarget({ ...base, scope: { kind: 'site', id: base.stationId } }, [])
    expect(site.ok).toBe(false)
    expect(!site.ok && site.errors.map((e) => e.code)).toContain('metric_needs_station_or_channel')
    expect(validateTarget({ ...base, value: 130, scope: { kind: 'station', id: null } }, []).ok).toBe(false)
  })
})
