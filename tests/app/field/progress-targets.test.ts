// Quarter, custom-period and site targets on the phone (issue 15): the station's figure for each
// target (pulled with the totals) plus what this phone has not synced, never counting a record
// twice; a metric only the station works out says so, for that target alone.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type Family,
  type FamilyRecord,
  otherTargets,
  type RecordState,
  scopedUnsyncedEffect,
} from '../../../src/app/field/progress-model'
import {
  addToCounts,
  collectionDate,
  effectiveRecords,
  emptyCounts,
  type IndicatorContext,
  type IndicatorCounts,
  mergeCounts,
} from '../../../src/domain/indicators'
import { newId } from '../../../src/domain/ids'
import type { Correction, Donation, Drive, FieldRecord, Scope, Target, Void } from '../../../src/domain/records'
import { type TargetTotals, targetTotalsKey } from '../../../src/domain/target-totals'
import {
  DEVICE_ID,
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
const COMPUTED_AT = '2026-11-20T08:00:00.000Z'
const QUARTER = { kind: 'quarter' as const, start: '2026-10-01', end: '2026-12-31' }
const MONTH = { kind: 'month' as const, start: '2026-11-01', end: '2026-11-30' }
const CUSTOM = { kind: 'custom' as const, start: '2026-11-10', end: '2026-11-25' }
const ctx: IndicatorContext = { ruralMobileChannelIds: new Set([RURAL.id]), population: 7_080_000 }
const OTHER_SITE = newId()
const OTHER_TEAM = newId()

const ruralDrive = makeDrive(STAFF, { date: TODAY, teamIds: [TEAM.id] })
const otherSiteDrive = makeDrive(STAFF, { date: TODAY, siteId: OTHER_SITE })
const donation = (over: Partial<Donation> = {}) =>
  makeDonation(ruralDrive, STAFF, {
    collectedOn: TODAY,
    teamIds: [TEAM.id],
    din: `W1234${newId().slice(0, 8)}`,
    ...over,
  })

const fam = (...members: [FieldRecord, RecordState][]): Family =>
  members.map(([record, state]): FamilyRecord => ({ record, state }))

function target(over: Partial<Target>): Target {
  return {
    id: newId(),
    stationId: STATION.id,
    period: QUARTER,
    scope: { kind: 'station', id: null },
    metric: 'donations',
    comparison: '>=',
    value: 100,
    ...over,
  }
}

function totalsFor(t: Target, counts: Partial<IndicatorCounts>, over: Partial<TargetTotals> = {}): TargetTotals {
  return {
    key: targetTotalsKey(t.id),
    targetId: t.id,
    period: { start: t.period.start, end: t.period.end },
    scope: t.scope,
    computedAt: COMPUTED_AT,
    counts: { ...emptyCounts(), ...counts },
    population: 7_080_000,
    ...over,
  }
}

const base = () => ({ id: newId(), stationId: STATION.id, deviceId: DEVICE_ID, authorStaffId: STAFF })

describe('quarter, custom-period and site targets on the phone', () => {
  it("a quarter target: the station's figure for the quarter plus this phone's waiting donations", () => {
    const quarter = target({ value: 300 })
    const rows = otherTargets({
      today: TODAY,
      targets: [quarter],
      targetTotals: [totalsFor(quarter, { donations: 120 })],
      computedAt: COMPUTED_AT,
      unsynced: [fam([donation(), 'pending']), fam([donation(), 'confirmed_after']), fam([donation(), 'in_totals'])],
      ctx,
    })
    expect(rows).toHaveLength(1)
    expect(rows[0]!.reason).toBeNull()
    expect(rows[0]!.progress!.progress!.actual).toBe(122)
    expect(rows[0]!.unsynced).toBe(2)
    // 51 of 92 days gone: 300 × 51/92 expected by now.
    expect(rows[0]!.progress!.progress!.expectedByNow).toBeCloseTo((300 * 51) / 92, 9)
  })

  it('a site target counts only the records of its site; a correction moving a donation away takes it off', () => {
    const site = target({ period: MONTH, scope: { kind: 'site', id: SITE.id }, value: 40 })
    const sent = donation()
    const moved: Correction = {
      type: 'correction',
      ...base(),
      createdAt: '2026-11-20T09:00:00.000Z',
      targetId: sent.id,
      reason: 'wrong bus',
      replacement: { ...sent, driveId: otherSiteDrive.id, siteId: OTHER_SITE },
    }
    const rows = otherTargets({
      today: TODAY,
      targets: [site],
      targetTotals: [totalsFor(site, { donations: 10 })],
      computedAt: COMPUTED_AT,
      unsynced: [
        fam([donation(), 'pending']),
        fam([makeDonation(otherSiteDrive, STAFF, { collectedOn: TODAY }), 'pending']),
        fam([sent, 'in_totals'], [moved, 'pending']),
      ],
      ctx,
    })
    // 10 + 1 new at the site − 1 moved to the other site.
    expect(rows[0]!.progress!.progress!.actual).toBe(10)
    expect(rows[0]!.unsynced).toBe(2)
  })

  it('a custom-period share target of a channel and a team target of a quarter', () => {
    const share = target({
      period: CUSTOM,
      scope: { kind: 'channel', id: RURAL.id },
      metric: 'rate_400ml',
      value: 60,
    })
    const team = target({ scope: { kind: 'team', id: TEAM.id }, metric: 'deferral_rate', comparison: '<=', value: 20 })
    const rows = otherTargets({
      today: TODAY,
      targets: [team, share],
      targetTotals: [
        totalsFor(share, { donations: 4, wholeBloodDonations: 4, wholeBlood400: 2 }),
        totalsFor(team, { donations: 9, deferrals: 1 }),
      ],
      computedAt: COMPUTED_AT,
      unsynced: [
        fam([donation(), 'pending']),
        fam([donation({ product: { type: 'whole_blood', volumeMl: 200 } }), 'pending']),
        fam([makeDeferral(ruralDrive, STAFF, { collectedOn: TODAY, teamIds: [TEAM.id] }), 'pending']),
        // Before the custom period: in the quarter's team target only.
        fam([donation({ collectedOn: '2026-11-02' }), 'pending']),
      ],
      ctx,
    })
    // Channel targets before team ones.
    expect(rows.map((r) => r.target.id)).toEqual([share.id, team.id])
    // 3 of 6 whole-blood donations at 400 ml.
    expect(rows[0]!.progress!.progress!.actual).toBeCloseTo(50, 9)
    // 2 deferrals of 12 + 2 presentations.
    expect(rows[1]!.progress!.progress!.actual).toBeCloseTo((2 / 14) * 100, 9)
  })

  it("a metric the phone does not work out says 'see the station' for that target alone", () => {
    const returning = target({ metric: 'first_time_return_share' as Target['metric'] })
    const quarter = target({})
    const rows = otherTargets({
      today: TODAY,
      targets: [returning, quarter],
      targetTotals: [totalsFor(quarter, { donations: 5 })],
      computedAt: COMPUTED_AT,
      unsynced: [],
      ctx,
    })
    const byId = new Map(rows.map((r) => [r.target.id, r]))
    expect(byId.get(returning.id)).toMatchObject({ progress: null, reason: 'station_only' })
    expect(byId.get(quarter.id)!.progress!.progress!.actual).toBe(5)
  })

  it('no figure is made from totals of another refresh, of an edited target, or without totals', () => {
    const quarter = target({})
    const rows = (targetTotals: TargetTotals[], computedAt: string | null) =>
      otherTargets({ today: TODAY, targets: [quarter], targetTotals, computedAt, unsynced: [], ctx })[0]!
    expect(rows([], COMPUTED_AT)).toMatchObject({ progress: null, reason: 'no_totals' })
    expect(rows([totalsFor(quarter, {}, { computedAt: '2026-11-19T08:00:00.000Z' })], COMPUTED_AT).reason).toBe(
      'no_totals',
    )
    expect(rows([totalsFor(quarter, {}, { scope: { kind: 'site', id: SITE.id } })], COMPUTED_AT).reason).toBe(
      'no_totals',
    )
    expect(rows([totalsFor(quarter, {})], null).reason).toBe('no_totals')
    expect(rows([totalsFor(quarter, {})], COMPUTED_AT).reason).toBeNull()
  })

  it('shows only targets running today that the month and year cards do not: no drive, past or calendar ones', () => {
    const shown = [
      target({}),
      target({ period: MONTH, scope: { kind: 'site', id: SITE.id } }),
      target({
        period: { kind: 'year', start: '2026-01-01', end: '2026-12-31' },
        scope: { kind: 'site', id: SITE.id },
      }),
    ]
    const hidden = [
      target({ period: MONTH }),
      target({ period: { kind: 'quarter', start: '2026-07-01', end: '2026-09-30' } }),
      target({ period: { kind: 'custom', start: TODAY, end: TODAY }, scope: { kind: 'drive', id: ruralDrive.id } }),
      target({ period: MONTH, scope: { kind: 'team', id: TEAM.id } }),
    ]
    const rows = otherTargets({
      today: TODAY,
      targets: [...hidden, ...shown],
      targetTotals: [],
      computedAt: COMPUTED_AT,
      unsynced: [],
      ctx,
    })
    expect(rows.map((r) => r.target.id).sort()).toEqual(shown.map((t) => t.id).sort())
  })

  it('per 1,000 uses the population the station counted the period with', () => {
    const per1000 = target({ metric: 'per_1000', value: 3 })
    const row = otherTargets({
      today: TODAY,
      targets: [per1000],
      targetTotals: [totalsFor(per1000, { donations: 2000 }, { population: 1_000_000 })],
      computedAt: COMPUTED_AT,
      unsynced: [fam([donation(), 'pending'])],
      ctx,
    })[0]!
    expect(row.progress!.progress!.actual).toBeCloseTo(2.001, 9)
  })
})

// ---------------------------------------------------------------------------------------------
// Random saves, voids and corrections in random sync states: the station's figure of a target
// (what it holds) plus this phone's part equals a full recount of what the station will hold.

type Op =
  | { op: 'donation'; drive: number; day: number; volume: 200 | 400 }
  | { op: 'deferral'; drive: number; day: number }
  | { op: 'void'; pick: number }
  | { op: 'correct'; pick: number; drive: number; day: number; volume: 200 | 400 }

const DAYS = ['2026-09-29', '2026-09-30', '2026-10-01', '2026-11-10', '2026-11-20', '2026-11-25', '2026-11-26']
const DRIVES: Drive[] = [
  makeDrive(STAFF, { date: TODAY, teamIds: [TEAM.id] }),
  makeDrive(STAFF, { date: TODAY, siteId: OTHER_SITE, teamIds: [OTHER_TEAM, TEAM.id] }),
  makeDrive(STAFF, { date: TODAY, channelId: UNIVERSITY.id, siteId: OTHER_SITE }),
]
const SCOPES: Scope[] = [
  { kind: 'station', id: null },
  { kind: 'site', id: SITE.id },
  { kind: 'site', id: OTHER_SITE },
  { kind: 'channel', id: RURAL.id },
  { kind: 'channel', id: UNIVERSITY.id },
  { kind: 'team', id: TEAM.id },
  { kind: 'team', id: OTHER_TEAM },
]
const SPANS = [{ start: '2026-07-01', end: '2026-09-30' }, QUARTER, CUSTOM, MONTH]

const volume = fc.constantFrom(200 as const, 400 as const)
const day = fc.nat(DAYS.length - 1)
const drive = fc.nat(DRIVES.length - 1)
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('donation' as const), drive, day, volume }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('deferral' as const), drive, day }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('void' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('correct' as const), pick: fc.nat(), drive, day, volume }) },
)
const stateArb = fc.constantFrom<RecordState>('in_totals', 'pending', 'confirmed_after', 'refused')

function recordsOf(ops: Op[]): FieldRecord[] {
  let clock = Date.parse('2026-11-20T01:00:00.000Z')
  const at = () => new Date((clock += 1000)).toISOString()
  const out: FieldRecord[] = []
  const live: string[] = []
  for (const o of ops) {
    if (o.op === 'donation' || o.op === 'deferral') {
      const d = DRIVES[o.drive]!
      const over = { createdAt: at(), collectedOn: DAYS[o.day]!, teamIds: d.teamIds }
      const rec =
        o.op === 'donation'
          ? makeDonation(d, STAFF, { ...over, product: { type: 'whole_blood', volumeMl: o.volume } })
          : makeDeferral(d, STAFF, over)
      out.push(rec)
      live.push(rec.id)
    } else if (live.length > 0) {
      const id = live[o.pick % live.length]!
      const original = out.find((r) => r.id === id) as Donation
      if (o.op === 'void') {
        out.push({ type: 'void', ...base(), createdAt: at(), targetId: id, reason: 'wrong donor' } satisfies Void)
        live.splice(live.indexOf(id), 1)
      } else {
        const d = DRIVES[o.drive]!
        const replacement = {
          ...original,
          driveId: d.id,
          channelId: d.channelId,
          siteId: d.siteId,
          teamIds: d.teamIds,
          collectedOn: DAYS[o.day]!,
          ...(original.type === 'donation' ? { product: { type: 'whole_blood' as const, volumeMl: o.volume } } : {}),
        }
        out.push({ type: 'correction', ...base(), createdAt: at(), targetId: id, reason: 'typo', replacement })
      }
    }
  }
  return out
}

function recount(records: FieldRecord[], span: { start: string; end: string }, scope: Scope): IndicatorCounts {
  const c = emptyCounts()
  const inScope = (r: FieldRecord) =>
    (r.type === 'donation' || r.type === 'deferral' || r.type === 'drive') &&
    (scope.kind === 'station' ||
      (scope.kind === 'site' && r.siteId === scope.id) ||
      (scope.kind === 'channel' && r.channelId === scope.id) ||
      (scope.kind === 'team' && r.teamIds.includes(scope.id!)))
  for (const r of effectiveRecords(records)) {
    const date = collectionDate(r)
    if (date !== null && span.start <= date && date <= span.end && inScope(r)) addToCounts(c, r, ctx)
  }
  return c
}

describe("a target's figure on the phone", () => {
  it('equals a full recount of what the station will hold, whatever was saved, voided, corrected and synced', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 40 }),
        fc.array(stateArb, { minLength: 40, maxLength: 40 }),
        (ops, picks) => {
          const records = recordsOf(ops)
          // Sync states as a phone sees them: sent in order, so what the totals hold is a prefix;
          // after it, records are confirmed late, waiting, or refused.
          const cut = picks.findIndex((s) => s !== 'in_totals')
          const states = records.map((_, i): RecordState =>
            cut === -1 || i < cut ? 'in_totals' : picks[i] === 'in_totals' ? 'pending' : picks[i]!,
          )
          const rootOf = (r: FieldRecord) => (r.type === 'void' || r.type === 'correction' ? r.targetId : r.id)
          const byRoot = new Map<string, FamilyRecord[]>()
          records.forEach((record, i) => {
            const key = rootOf(record)
            byRoot.set(key, [...(byRoot.get(key) ?? []), { record, state: states[i]! }])
          })
          const families = [...byRoot.values()]
          const held = records.filter((_, i) => states[i] === 'in_totals')
          const willHold = records.filter((_, i) => states[i] !== 'refused')
          for (const span of SPANS) {
            for (const scope of SCOPES) {
              const effect = scopedUnsyncedEffect(families, ctx, span, scope)
              expect(mergeCounts(recount(held, span, scope), effect.delta)).toEqual(recount(willHold, span, scope))
            }
          }
          // And through the screen's rows, for a site quarter target.
          const t = target({ scope: { kind: 'site', id: OTHER_SITE }, metric: 'whole_blood_units', value: 1 })
          const [row] = otherTargets({
            today: TODAY,
            targets: [t],
            targetTotals: [{ ...totalsFor(t, {}), counts: recount(held, QUARTER, t.scope) }],
            computedAt: COMPUTED_AT,
            unsynced: families,
            ctx,
          })
          expect(row!.progress!.progress!.actual).toBe(recount(willHold, QUARTER, t.scope).wholeBloodUnits)
        },
      ),
      { numRuns: 300 },
    )
  })
})
