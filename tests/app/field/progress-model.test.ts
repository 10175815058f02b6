// The phone's progress model, by hand-worked cases: pulled station totals plus what this phone has
// not synced, never counting a record the totals already hold, and which targets show where.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addToCounts,
  collectionDate,
  effectiveRecords,
  emptyCounts,
  type IndicatorContext,
  type IndicatorCounts,
} from '../../../src/domain/indicators'
import { newId } from '../../../src/domain/ids'
import type { Correction, Donation, FieldRecord, Target, Void } from '../../../src/domain/records'
import type { StationTotals } from '../../../src/domain/sync-protocol'
import {
  confirmedAfter,
  driveCard,
  type Family,
  type FamilyRecord,
  receiptsMayBeNewer,
  recordState,
  refusedCount,
  type RecordState,
  stationCard,
  stationTargets,
  otherTargets,
  inTargetScope,
  scopedUnsyncedEffect,
  unsyncedEffect,
} from '../../../src/app/field/progress-model'
import { isWaitingRecord, waitingByDrive } from '../../../src/app/field/waiting'
import {
  makeDeferral,
  makeDonation,
  makeDrive,
  RURAL,
  SITE,
  STATION,
  TEAM,
  UNIVERSITY,
} from '../support/field-fixtures'

const STAFF = newId()
const TODAY = '2026-11-20'
const MONTH = { kind: 'month' as const, start: '2026-11-01', end: '2026-11-30' }
const YEAR = { kind: 'year' as const, start: '2026-01-01', end: '2026-12-31' }
const COMPUTED_AT = '2026-11-20T08:00:00.000Z'
const ctx: IndicatorContext = { ruralMobileChannelIds: new Set([RURAL.id]), population: 7_080_000 }

const ruralDrive = makeDrive(STAFF, { date: TODAY, teamIds: [TEAM.id] })
const donation = (over: Partial<Donation> = {}) =>
  makeDonation(ruralDrive, STAFF, { collectedOn: TODAY, teamIds: [TEAM.id], ...over })
const uniDonation = (over: Partial<Donation> = {}) =>
  donation({ driveId: null, channelId: UNIVERSITY.id, siteId: null, teamIds: [], ...over })

/** Counts with the given scalars (everything else zero). */
function counts(over: Partial<IndicatorCounts>): IndicatorCounts {
  return { ...emptyCounts(), ...over }
}

/**
 * Station totals as the server sends them: 10 whole-blood 400 ml donations this month, 3 of them on
 * rural buses (two trips), 7 at universities; the year adds 20 more university donations.
 */
function totals(
  kind: 'month' | 'year',
  over: { computedAt?: string; period?: StationTotals['period']; extra?: number } = {},
): StationTotals {
  const uni = (kind === 'month' ? 7 : 27) + (over.extra ?? 0)
  const all = counts({
    donations: 3 + uni,
    wholeBloodDonations: 3 + uni,
    wholeBlood400: 3 + uni,
    wholeBloodUnits: 2 * (3 + uni),
    ruralMobileWholeBlood: 3,
    busTrips: 2,
    ruralBusTrips: 2,
    byChannel: { [RURAL.id]: 3, [UNIVERSITY.id]: uni },
  })
  const rural = counts({
    donations: 3,
    wholeBloodDonations: 3,
    wholeBlood400: 3,
    wholeBloodUnits: 6,
    ruralMobileWholeBlood: 3,
    busTrips: 2,
    ruralBusTrips: 2,
    byChannel: { [RURAL.id]: 3 },
  })
  const university = counts({
    donations: uni,
    wholeBloodDonations: uni,
    wholeBlood400: uni,
    wholeBloodUnits: 2 * uni,
    byChannel: { [UNIVERSITY.id]: uni },
  })
  return {
    key: kind,
    period: over.period ?? (kind === 'month' ? MONTH : YEAR),
    computedAt: over.computedAt ?? COMPUTED_AT,
    counts: all,
    indicators: null as never,
    byChannel: { [RURAL.id]: rural, [UNIVERSITY.id]: university },
    byTeam: {},
  }
}

const fam = (...members: [FieldRecord, RecordState][]): Family =>
  members.map(([record, state]): FamilyRecord => ({ record, state }))

function target(over: Partial<Target>): Target {
  return {
    id: newId(),
    stationId: STATION.id,
    period: MONTH,
    scope: { kind: 'station', id: null },
    metric: 'rural_mobile_share',
    comparison: '>=',
    value: 32,
    ...over,
  }
}

describe('which records the pulled totals hold', () => {
  it('a receipt is newer than the totals only when the station confirmed it after computing them', () => {
    expect(confirmedAfter('2026-11-20T08:00:00.001Z', COMPUTED_AT)).toBe(true)
    expect(confirmedAfter('2026-11-20T08:00:00.000Z', COMPUTED_AT)).toBe(false)
    // Station clocks in another offset are the same instants.
    expect(confirmedAfter('2026-11-20T15:59:59.000+08:00', COMPUTED_AT)).toBe(false)
    expect(confirmedAfter('2026-11-20T16:00:01.000+08:00', COMPUTED_AT)).toBe(true)
    expect(confirmedAfter('2026-11-20T07:00:00.000Z', null)).toBe(true)
  })

  it('receipts need reading only when the station answered beyond what the last pull knew', () => {
    expect(receiptsMayBeNewer(40, 40)).toBe(false)
    expect(receiptsMayBeNewer(38, 40)).toBe(false)
    expect(receiptsMayBeNewer(41, 40)).toBe(true)
    expect(receiptsMayBeNewer(0, null)).toBe(true)
  })

  it('outbox status wins over a receipt; otherwise a late receipt, else in the totals', () => {
    const outbox = new Map<string, 'pending' | 'rejected'>([
      ['a', 'pending'],
      ['b', 'rejected'],
    ])
    const late = new Set(['a', 'c'])
    expect(recordState('a', outbox, late)).toBe('pending')
    expect(recordState('b', outbox, late)).toBe('refused')
    expect(recordState('c', outbox, late)).toBe('confirmed_after')
    expect(recordState('d', outbox, late)).toBe('in_totals')
  })
})

describe('what this phone adds to the station', () => {
  it('adds waiting records to the totals: 10 + 2 rural donations, a new trip and a deferral', () => {
    const d1 = donation()
    const d2 = donation({ din: 'W123423000002' })
    const deferral = makeDeferral(ruralDrive, STAFF, { collectedOn: TODAY, teamIds: [TEAM.id] })
    const families = [
      fam([ruralDrive, 'pending']),
      fam([d1, 'pending']),
      fam([d2, 'pending']),
      fam([deferral, 'pending']),
    ]
    const card = stationCard({
      kind: 'month',
      today: TODAY,
      totals: totals('month'),
      unsynced: families,
      targets: [],
      ctx,
    })
    expect(card.hasTotals).toBe(true)
    expect(card.unsynced).toBe(4)
    expect(card.counts.counts.donations).toBe(12)
    expect(card.counts.counts.ruralMobileWholeBlood).toBe(5)
    expect(card.counts.counts.busTrips).toBe(3)
    expect(card.counts.counts.deferrals).toBe(1)
    expect(card.counts.byChannel[RURAL.id]!.donations).toBe(5)
    expect(card.counts.byChannel[UNIVERSITY.id]!.donations).toBe(7)
    // The team of the drive: one trip and two donations, none in the totals.
    expect(card.counts.byTeam[TEAM.id]).toMatchObject({ donations: 2, busTrips: 1, deferrals: 1 })
    // 5 of 12 whole-blood donations on rural buses.
    expect(card.indicators.ruralMobileShare).toBeCloseTo(5 / 12, 12)
    expect(card.indicators.wholeBloodUnits).toBe(24)
  })

  it('never adds a record the totals already hold: confirmed before they were computed', () => {
    const d1 = donation()
    const d2 = donation({ din: 'W123423000002' })
    // The station confirmed both and computed its totals after: 12 donations, 5 rural.
    const after = totals('month', { extra: 0 })
    after.counts = {
      ...after.counts,
      donations: 12,
      wholeBloodDonations: 12,
      wholeBlood400: 12,
      wholeBloodUnits: 24,
      ruralMobileWholeBlood: 5,
    }
    const families = [fam([d1, 'in_totals']), fam([d2, 'in_totals'])]
    const card = stationCard({ kind: 'month', today: TODAY, totals: after, unsynced: families, targets: [], ctx })
    expect(card.unsynced).toBe(0)
    expect(card.counts.counts.donations).toBe(12)
    expect(card.counts.counts.ruralMobileWholeBlood).toBe(5)
  })

  it('adds a record confirmed after the totals were computed, once', () => {
    const d1 = donation()
    const card = stationCard({
      kind: 'month',
      today: TODAY,
      totals: totals('month'),
      unsynced: [fam([d1, 'confirmed_after'])],
      targets: [],
      ctx,
    })
    expect(card.unsynced).toBe(1)
    expect(card.counts.counts.donations).toBe(11)
  })

  it('a waiting void of a donation the station counted takes it away; a waiting correction moves it', () => {
    const counted = donation()
    const v: Void = {
      type: 'void',
      id: newId(),
      stationId: STATION.id,
      deviceId: counted.deviceId,
      authorStaffId: STAFF,
      createdAt: counted.createdAt,
      targetId: counted.id,
      reason: 'entered twice',
    }
    const voided = unsyncedEffect([fam([counted, 'in_totals'], [v, 'pending'])], ctx, MONTH)
    expect(voided.records).toBe(1)
    expect(voided.delta.counts).toMatchObject({
      donations: -1,
      wholeBloodDonations: -1,
      wholeBlood400: -1,
      wholeBloodUnits: -2,
      ruralMobileWholeBlood: -1,
    })
    expect(voided.delta.byChannel[RURAL.id]!.donations).toBe(-1)

    const other = donation({ din: 'W123423000003' })
    const c: Correction = {
      type: 'correction',
      id: newId(),
      stationId: STATION.id,
      deviceId: other.deviceId,
      authorStaffId: STAFF,
      createdAt: '2026-11-20T12:00:00.000+08:00',
      targetId: other.id,
      reason: 'was 200 ml',
      replacement: { ...other, product: { type: 'whole_blood', volumeMl: 200 } },
    }
    const corrected = unsyncedEffect([fam([other, 'in_totals'], [c, 'pending'])], ctx, MONTH)
    expect(corrected.delta.counts).toMatchObject({
      donations: 0,
      wholeBlood400: -1,
      wholeBlood200: 1,
      wholeBloodUnits: -1,
    })
  })

  it('a donation voided before it was ever sent adds nothing', () => {
    const d = donation()
    const v: Void = {
      type: 'void',
      id: newId(),
      stationId: STATION.id,
      deviceId: d.deviceId,
      authorStaffId: STAFF,
      createdAt: d.createdAt,
      targetId: d.id,
      reason: 'wrong donor',
    }
    const effect = unsyncedEffect([fam([d, 'pending'], [v, 'pending'])], ctx, MONTH)
    expect(effect.delta.counts.donations).toBe(0)
    expect(effect.records).toBe(2)
  })

  it('a refused record is neither in the totals nor added, and is counted apart', () => {
    const refused = donation()
    const families = [fam([refused, 'refused'])]
    const card = stationCard({
      kind: 'month',
      today: TODAY,
      totals: totals('month'),
      unsynced: families,
      targets: [],
      ctx,
    })
    expect(card.counts.counts.donations).toBe(10)
    expect(card.unsynced).toBe(0)
    expect(refusedCount(families, ctx)).toBe(1)
  })

  it('a record of last month counts in the year, not in the month', () => {
    const october = donation({ collectedOn: '2026-10-30' })
    const families = [fam([october, 'pending'])]
    expect(
      stationCard({ kind: 'month', today: TODAY, totals: totals('month'), unsynced: families, targets: [], ctx }).counts
        .counts.donations,
    ).toBe(10)
    const year = stationCard({
      kind: 'year',
      today: TODAY,
      totals: totals('year'),
      unsynced: families,
      targets: [],
      ctx,
    })
    expect(year.counts.counts.donations).toBe(31)
    expect(year.unsynced).toBe(1)
  })

  it("after the month turned without a sync, the month has no station figures, only this phone's", () => {
    const d = donation({ collectedOn: '2026-12-01' })
    const oldMonth = totals('month') // November's, pulled before the month turned
    const card = stationCard({
      kind: 'month',
      today: '2026-12-01',
      totals: oldMonth,
      unsynced: [fam([d, 'pending'])],
      targets: [target({ period: { kind: 'month', start: '2026-12-01', end: '2026-12-31' } })],
      ctx,
    })
    expect(card.hasTotals).toBe(false)
    expect(card.period).toEqual({ kind: 'month', start: '2026-12-01', end: '2026-12-31' })
    expect(card.counts.counts.donations).toBe(1)
    expect(card.unsynced).toBe(1)
    expect(card.targets).toEqual([])
  })
})

describe('which targets show where', () => {
  const stationMonthShare = target({})
  const uniYearCount = target({
    period: YEAR,
    scope: { kind: 'channel', id: UNIVERSITY.id },
    metric: 'donations',
    value: 400,
  })
  const teamMonth = target({ scope: { kind: 'team', id: TEAM.id }, metric: 'donations', value: 10 })
  const siteMonth = target({ scope: { kind: 'site', id: SITE.id }, metric: 'donations', value: 50 })
  const quarter = target({
    period: { kind: 'quarter', start: '2026-10-01', end: '2026-12-31' },
    metric: 'donations',
    value: 3000,
  })
  const lastMonth = target({ period: { kind: 'month', start: '2026-10-01', end: '2026-10-31' } })
  const forDrive = target({
    period: { kind: 'custom', start: TODAY, end: TODAY },
    scope: { kind: 'drive', id: ruralDrive.id },
    metric: 'donations',
    value: 30,
  })
  const otherDrive = target({
    period: { kind: 'custom', start: TODAY, end: TODAY },
    scope: { kind: 'drive', id: newId() },
    metric: 'donations',
    value: 30,
  })
  const all = [stationMonthShare, uniYearCount, teamMonth, siteMonth, quarter, lastMonth, forDrive, otherDrive]

  it('the month shows station, channel and team targets of exactly this month; the year those of this year', () => {
    expect(stationTargets(all, MONTH).map((t) => t.id)).toEqual([stationMonthShare.id, teamMonth.id])
    expect(stationTargets(all, YEAR).map((t) => t.id)).toEqual([uniYearCount.id])
  })

  it("reads each target from its own scope, with this phone's records added", () => {
    const families = [
      fam([ruralDrive, 'pending']),
      fam([donation(), 'pending']),
      fam([donation({ din: 'W123423000002' }), 'pending']),
      fam([uniDonation({ din: 'W123423000004' }), 'pending']),
    ]
    const month = stationCard({
      kind: 'month',
      today: TODAY,
      totals: totals('month'),
      unsynced: families,
      targets: all,
      ctx,
    })
    const [share, team] = month.targets
    // 5 rural of 13 whole-blood donations = 38.46 %.
    expect(share!.progress!.actual).toBeCloseTo((5 / 13) * 100, 9)
    expect(share!.progress!.met).toBe(true)
    expect(team!.progress!.actual).toBe(2)
    // Running today and on neither card: the site and the quarter target, shown apart.
    const others = otherTargets({
      today: TODAY,
      targets: all,
      targetTotals: [],
      computedAt: COMPUTED_AT,
      unsynced: families,
      ctx,
    })
    expect(others.map((o) => o.target.id)).toEqual([quarter.id, siteMonth.id])
    const year = stationCard({
      kind: 'year',
      today: TODAY,
      totals: totals('year'),
      unsynced: families,
      targets: all,
      ctx,
    })
    expect(year.targets).toHaveLength(1)
    expect(year.targets[0]!.progress!.actual).toBe(28)
    // 28 of 400 by 20 November: expected by now 400 × 324/365.
    expect(year.targets[0]!.progress!.expectedByNow).toBeCloseTo((400 * 324) / 365, 9)
  })

  it('the drive shows its own targets and what it adds to its channel, site and team targets', () => {
    const tally = counts({
      donations: 12,
      wholeBloodDonations: 12,
      wholeBlood400: 12,
      wholeBloodUnits: 24,
      ruralMobileWholeBlood: 12,
      deferrals: 2,
      busTrips: 1,
      ruralBusTrips: 1,
    })
    const ruralShareYear = target({ period: YEAR, scope: { kind: 'channel', id: RURAL.id } })
    const card = driveCard({
      drive: ruralDrive,
      closed: false,
      counts: tally,
      notSent: 3,
      targets: [...all, ruralShareYear],
      today: TODAY,
    })
    expect(card.targets).toHaveLength(1)
    expect(card.targets[0]).toMatchObject({ value: 12, met: false, toGo: 18 })
    expect(card.contributes.map((c) => c.target.id).sort()).toEqual(
      [teamMonth.id, siteMonth.id, ruralShareYear.id].sort(),
    )
    expect(card.contributes.find((c) => c.target.id === ruralShareYear.id)!.actual).toEqual({
      kind: 'share',
      part: 12,
      whole: 12,
    })
    expect(card.contributes.find((c) => c.target.id === siteMonth.id)!.actual).toEqual({ kind: 'count', value: 12 })
  })

  it("counts a drive's waiting records as the sync badge does: records, not the identity beside each donor", () => {
    const d = donation()
    const identity = { type: 'donor_identity', id: newId(), donorKey: d.donorKey } as unknown as FieldRecord
    const v: Void = {
      type: 'void',
      id: newId(),
      stationId: STATION.id,
      deviceId: d.deviceId,
      authorStaffId: STAFF,
      createdAt: d.createdAt,
      targetId: d.id,
      reason: 'entered twice',
    }
    const refused = donation({ din: 'W123423000009' })
    const entries = [
      { recordId: ruralDrive.id, record: ruralDrive as FieldRecord, status: 'pending' as const },
      { recordId: identity.id, record: identity, status: 'pending' as const },
      { recordId: d.id, record: d as FieldRecord, status: 'pending' as const },
      { recordId: v.id, record: v as FieldRecord, status: 'pending' as const },
      { recordId: refused.id, record: refused as FieldRecord, status: 'rejected' as const },
      // Fixed and queued again under its own id: waiting once, no longer refused.
      { recordId: refused.id, record: refused as FieldRecord, status: 'pending' as const },
    ]
    const driveOf = (r: FieldRecord) =>
      r.type === 'drive' ? r.id : r.type === 'donation' ? r.driveId : r.type === 'void' ? d.driveId : null
    expect(Object.fromEntries(waitingByDrive(entries, driveOf))).toEqual({
      [ruralDrive.id]: { waiting: 4, refused: 0 },
    })
    expect(Object.fromEntries(waitingByDrive(entries.slice(0, 5), driveOf))).toEqual({
      [ruralDrive.id]: { waiting: 3, refused: 1 },
    })
    expect(isWaitingRecord('donor_identity')).toBe(false)
    expect(isWaitingRecord('adverse_reaction')).toBe(true)
  })
})

describe('what the families add, against a full recount', () => {
  const drives = [
    ruralDrive,
    makeDrive(STAFF, { date: '2026-11-03', teamIds: [TEAM.id, TEAM.id] }),
    makeDrive(STAFF, { date: '2026-10-30', channelId: UNIVERSITY.id, siteId: newId(), teamIds: [] }),
  ]
  const states: RecordState[] = ['in_totals', 'pending', 'confirmed_after', 'refused']
  const dates = ['2026-11-20', '2026-11-01', '2026-10-31', '2026-02-01', '2025-12-31']
  const other = { id: newId(), stationId: STATION.id, deviceId: ruralDrive.deviceId, authorStaffId: STAFF }
  const state = fc.constantFrom(...states)
  const version = fc.record({
    drive: fc.nat(drives.length - 1),
    date: fc.constantFrom(...dates),
    ml: fc.constantFrom(200 as const, 300 as const, 400 as const),
    teams: fc.constantFrom<string[][]>([], [TEAM.id], [TEAM.id, TEAM.id]),
  })
  /** A donation, some corrections of it (each of the one before, or of the donation) and perhaps a void. */
  const family = fc.record({
    original: version,
    originalState: state,
    corrections: fc.array(fc.record({ v: version, state, ofLast: fc.boolean() }), { maxLength: 3 }),
    void: fc.option(fc.record({ state, ofLast: fc.boolean() }), { nil: null }),
    drive: fc.option(state, { nil: null }),
  })
  type FamilySpec = typeof family extends fc.Arbitrary<infer T> ? T : never
  const donationOf = (
    v: { drive: number; date: string; ml: 200 | 300 | 400; teams: string[] },
    id?: string,
  ): Donation => {
    const d = makeDonation(drives[v.drive]!, STAFF, {
      collectedOn: v.date,
      teamIds: v.teams,
      product: { type: 'whole_blood', volumeMl: v.ml },
    })
    return id ? { ...d, id } : d
  }
  const build = (f: FamilySpec): Family => {
    const root = donationOf(f.original)
    const members: FamilyRecord[] = [{ record: root, state: f.originalState }]
    let last: Donation | Correction = root
    f.corrections.forEach((c, i) => {
      const correction: Correction = {
        ...other,
        type: 'correction',
        id: newId(),
        createdAt: `2026-11-20T1${i}:00:00.000+08:00`,
        targetId: c.ofLast ? last.id : root.id,
        reason: 'fixed',
        replacement: donationOf(c.v, root.id),
      }
      members.push({ record: correction, state: c.state })
      last = correction
    })
    if (f.void) {
      const v: Void = {
        ...other,
        type: 'void',
        id: newId(),
        createdAt: '2026-11-20T18:00:00.000+08:00',
        targetId: f.void.ofLast ? last.id : root.id,
        reason: 'entered twice',
      }
      members.push({ record: v, state: f.void.state })
    }
    return members
  }
  const spans = [MONTH, YEAR, { start: '2026-10-01', end: '2026-12-31' }, { start: '2026-11-01', end: '2026-11-03' }]
  const scopes: Target['scope'][] = [
    { kind: 'station', id: null },
    { kind: 'channel', id: UNIVERSITY.id },
    { kind: 'site', id: SITE.id },
    { kind: 'site', id: drives[2]!.siteId },
    { kind: 'team', id: TEAM.id },
    { kind: 'drive', id: drives[1]!.id },
  ]
  const inSpan = (rec: FieldRecord, span: { start: string; end: string }) => {
    const date = collectionDate(rec)
    return date !== null && span.start <= date && date <= span.end
  }
  /** Counts of the effective records of `records` in the span and scope. */
  const recount = (records: FieldRecord[], span: { start: string; end: string }, scope: Target['scope']) => {
    const out = emptyCounts()
    for (const rec of effectiveRecords(records))
      if (inSpan(rec, span) && inTargetScope(rec, scope)) addToCounts(out, rec, ctx)
    return out
  }
  it('the held records plus the delta count what every record the station will have counts (voids, corrections, refused, late)', () => {
    fc.assert(
      fc.property(fc.array(family, { maxLength: 12 }), (fs) => {
        const families: Family[] = fs.map(build)
        // Drives as families of their own, in some state (each drive once).
        fs.slice(0, drives.length).forEach((f, i) => {
          if (f.drive) families.push([{ record: drives[i]!, state: f.drive }])
        })
        const all = families.flat()
        const held = all.filter((r) => r.state === 'in_totals').map((r) => r.record)
        const kept = all.filter((r) => r.state !== 'refused').map((r) => r.record)
        for (const span of spans) {
          for (const scope of scopes) {
            const { delta, records } = scopedUnsyncedEffect(families, ctx, span, scope)
            // What the station will have, and what the totals hold: base + delta = expected, key by key.
            const expected = recount(kept, span, scope)
            const base = recount(held, span, scope)
            for (const key of Object.keys(expected) as (keyof IndicatorCounts)[]) {
              if (typeof expected[key] === 'number')
                expect((base[key] as number) + (delta[key] as number)).toBe(expected[key])
            }
            for (const map of ['byChannel', 'byTeam', 'byBloodGroup'] as const) {
              const keys = new Set([
                ...Object.keys(expected[map]),
                ...Object.keys(base[map]),
                ...Object.keys(delta[map]),
              ])
              for (const k of keys) {
                const at = (c: IndicatorCounts) => (c[map] as Record<string, number>)[k] ?? 0
                expect(at(base) + at(delta)).toBe(at(expected))
              }
            }
            // The records behind it: those that add, of every family with a version in the span and scope.
            const behind = families
              .filter((f) =>
                f.some((r) => {
                  const v = r.record.type === 'correction' ? r.record.replacement : r.record
                  return inSpan(v, span) && inTargetScope(v, scope)
                }),
              )
              .reduce((n, f) => n + f.filter((r) => r.state === 'pending' || r.state === 'confirmed_after').length, 0)
            expect(records).toBe(behind)
          }
          // The calendar cards' split by channel and team is the same arithmetic.
          const whole = unsyncedEffect(families, ctx, span)
          expect(whole.delta.counts).toEqual(
            scopedUnsyncedEffect(families, ctx, span, { kind: 'station', id: null }).delta,
          )
          expect(whole.delta.byChannel[UNIVERSITY.id] ?? emptyCounts()).toEqual(
            scopedUnsyncedEffect(families, ctx, span, { kind: 'channel', id: UNIVERSITY.id }).delta,
          )
          expect(whole.delta.byTeam[TEAM.id] ?? emptyCounts()).toEqual(
            scopedUnsyncedEffect(families, ctx, span, { kind: 'team', id: TEAM.id }).delta,
          )
        }
      }),
      { numRuns: 150 },
    )
  })
})
