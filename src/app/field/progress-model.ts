// The phone's progress screen, worked out without Vue or IndexedDB: the station "as of last sync"
// (the running totals the station sent with the last pull) plus what this phone has that those
// totals do not hold yet, and this phone's drive against its targets.
//
// Never counting a record twice: a record is in the pulled totals exactly when the station
// confirmed it (a receipt) no later than the totals were computed, both by the station's clock.
// So each record on the phone is in one of four states (RecordState). Records still waiting,
// or confirmed after the totals were made, are added; refused ones are not (the station does not
// have them, and may never). A void or correction changes what its record counts, so the unit of
// the computation is a record's family (the original, its voids and its corrections): the effect
// of the family is what it counts with everything the station will have once the phone synced,
// minus what it counts with only what the totals already hold, both as effectiveRecords() sees it.
import {
  addCountsInto,
  effectiveRecords,
  emptyCounts,
  type IndicatorContext,
  type IndicatorCounts,
  indicatorsFromCounts,
  type Indicators,
  mergeCounts,
} from '../../domain/indicators'
import { metricActual, type MetricActual } from '../../domain/progress'
import type { Drive, FieldRecord, Period, Target } from '../../domain/records'
import type { StationTotals } from '../../domain/sync-protocol'
import { periodFor } from '../../domain/targets'
import { onCalendarTotals, phoneComputable, type TargetTotals } from '../../domain/target-totals'
import { type TargetProgressRow, targetProgress } from '../station/dashboard-model'
import {
  addToEffectCell,
  addToVersionGroup,
  type CellPlace,
  type EffectCell,
  placeOf,
  type EffectSum,
  type EffectSummary,
  emptyEffectSum,
} from './progress-cells'

export {
  addToEffectCell,
  addToVersionGroup,
  type CellPlace,
  cellKey,
  type EffectCell,
  type EffectSum,
  type EffectSummary,
  emptyEffectSum,
  type VersionGroup,
} from './progress-cells'

// ---------------------------------------------------------------------------------------------
// Which records the pulled totals hold

/**
 * - in_totals: confirmed by the station before the totals were computed (or older than that);
 * - pending: in the outbox, waiting to be sent;
 * - confirmed_after: the station confirmed it after computing the totals this phone holds;
 * - refused: the station refused it; it waits in "needs attention" and is not counted.
 */
export type RecordState = 'in_totals' | 'pending' | 'confirmed_after' | 'refused'

export interface FamilyRecord {
  record: FieldRecord
  state: RecordState
}

/** A counted record (donation, deferral or drive) with its voids and corrections. */
export type Family = readonly FamilyRecord[]

/** A station receipt confirmed after the totals were computed (both by the station's clock)? */
export function confirmedAfter(receivedAt: string, totalsComputedAt: string | null): boolean {
  if (totalsComputedAt === null) return true
  const r = Date.parse(receivedAt)
  const c = Date.parse(totalsComputedAt)
  if (Number.isNaN(r) || Number.isNaN(c)) return true
  return r > c
}

/**
 * Whether any receipt can be newer than the pulled totals, so receipts must be read. The last
 * pull answered with the highest sequence the station then held from this device, and the
 * station's totals at that pull held every record of it (the sync engine pushes before it
 * pulls, and a push marks the totals for recomputing). If the station has since answered for
 * nothing beyond that sequence, no receipt is newer than the totals.
 */
export function receiptsMayBeNewer(settledSeq: number, pulledDeviceLastSeq: number | null): boolean {
  return pulledDeviceLastSeq === null || settledSeq > pulledDeviceLastSeq
}

export function recordState(
  recordId: string,
  outbox: ReadonlyMap<string, 'pending' | 'rejected'>,
  confirmedLate: ReadonlySet<string>,
): RecordState {
  const queued = outbox.get(recordId)
  if (queued === 'pending') return 'pending'
  if (queued === 'rejected') return 'refused'
  return confirmedLate.has(recordId) ? 'confirmed_after' : 'in_totals'
}

const FIGURE_TYPES = new Set<FieldRecord['type']>(['donation', 'deferral', 'drive', 'void', 'correction'])
const adds = (s: RecordState) => s === 'pending' || s === 'confirmed_after'

// ---------------------------------------------------------------------------------------------
// Counts split the way the station's totals are

/** Counts of a period as the station's totals give them: all, by channel, by team. */
export interface ScopedCounts {
  counts: IndicatorCounts
  byChannel: Record<string, IndicatorCounts>
  byTeam: Record<string, IndicatorCounts>
}

export function emptyScoped(): ScopedCounts {
  return { counts: emptyCounts(), byChannel: {}, byTeam: {} }
}

function mergeMaps(
  a: Record<string, IndicatorCounts>,
  b: Record<string, IndicatorCounts>,
): Record<string, IndicatorCounts> {
  const out: Record<string, IndicatorCounts> = {}
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
    out[key] = mergeCounts(a[key] ?? emptyCounts(), b[key] ?? emptyCounts())
  return out
}

export function mergeScoped(a: ScopedCounts, b: ScopedCounts): ScopedCounts {
  return {
    counts: mergeCounts(a.counts, b.counts),
    byChannel: mergeMaps(a.byChannel, b.byChannel),
    byTeam: mergeMaps(a.byTeam, b.byTeam),
  }
}

/** Adds a cell's counts (its records') to all, the cell's channel and each of its teams. */
function addScoped(into: ScopedCounts, cell: EffectCell): void {
  const { place } = cell
  addCountsInto(into.counts, cell.counts)
  addCountsInto((into.byChannel[place.channelId] ??= emptyCounts()), cell.counts)
  for (const team of place.teamIds) addCountsInto((into.byTeam[team] ??= emptyCounts()), cell.counts)
}

// ---------------------------------------------------------------------------------------------
// What this phone adds to a period

export interface PeriodSpan {
  start: string
  end: string
}

export interface UnsyncedEffect {
  /** To add to the pulled totals of the period (may hold negative numbers: a void of a sent donation). */
  delta: ScopedCounts
  /** Records (donations, deferrals, drives, voids, corrections) behind the delta, waiting or confirmed after the totals. */
  records: number
}

const inSpan = (date: string | null, span: PeriodSpan) => date !== null && span.start <= date && date <= span.end

/**
 * What a family changes, worked out once: the screen asks it of every period and target card
 * (two calendar cards and each quarter, custom-period and site target), and resolving voids and
 * corrections is the costly part.
 */
interface FamilyEffect {
  /** Its records that add to the totals (waiting or confirmed after them) and change figures. */
  addedFigures: number
  /** Effective records once the phone synced, and as the totals hold them. */
  after: FieldRecord[]
  before: FieldRecord[]
  /** Each version of its record (a correction's replacement), for the periods and scopes it touches. */
  versions: FieldRecord[]
}

const effects = new WeakMap<Family, FamilyEffect | null>()

const COUNTED = new Set<FieldRecord['type']>(['donation', 'deferral', 'drive'])

/** A family's effect, or null when nothing of it adds to the totals. */
function familyEffect(family: Family): FamilyEffect | null {
  if (effects.has(family)) return effects.get(family)!
  const added = family.filter((r) => adds(r.state))
  let effect: FamilyEffect | null = null
  if (added.length > 0 && family.length === 1 && COUNTED.has(family[0]!.record.type)) {
    // A record alone (most families): effectiveRecords would give it back as it is.
    const { record } = family[0]!
    effect = { addedFigures: 1, after: [record], before: [], versions: [record] }
  } else if (added.length > 0) {
    effect = {
      addedFigures: added.filter((r) => FIGURE_TYPES.has(r.record.type)).length,
      after: effectiveRecords(family.filter((r) => r.state !== 'refused').map((r) => r.record)),
      before: effectiveRecords(family.filter((r) => r.state === 'in_totals').map((r) => r.record)),
      versions: family.map((r) => (r.record.type === 'correction' ? r.record.replacement : r.record)),
    }
  }
  effects.set(family, effect)
  return effect
}

/** The families' effects (what progress adds), or their sum as the phone keeps it. */
export type Unsynced = readonly Family[] | EffectSummary

/** Adds (sign 1) or takes away (sign -1) one family's effect and refusals. */
export function addFamilyEffect(sum: EffectSum, family: Family, ctx: IndicatorContext, sign: 1 | -1 = 1): void {
  sum.refused += sign * family.filter((r) => r.state === 'refused' && FIGURE_TYPES.has(r.record.type)).length
  const effect = familyEffect(family)
  if (!effect) return
  for (const rec of effect.after) addToEffectCell(sum, rec, ctx, sign)
  for (const rec of effect.before) addToEffectCell(sum, rec, ctx, -sign as 1 | -1)
  addToVersionGroup(sum, effect.versions, effect.addedFigures, sign)
}

export function summaryOfSum(sum: EffectSum): EffectSummary {
  return { cells: [...sum.cells.values()], groups: [...sum.groups.values()], refused: sum.refused }
}

const summaries = new WeakMap<readonly Family[], { ctx: IndicatorContext; summary: EffectSummary }>()

/** The families' effects summed (worked out once per list and context). */
export function effectSummary(families: readonly Family[], ctx: IndicatorContext): EffectSummary {
  const kept = summaries.get(families)
  if (kept && kept.ctx === ctx) return kept.summary
  const sum = emptyEffectSum()
  for (const family of families) addFamilyEffect(sum, family, ctx)
  const summary = summaryOfSum(sum)
  summaries.set(families, { ctx, summary })
  return summary
}

function summaryOf(unsynced: Unsynced, ctx: IndicatorContext): EffectSummary {
  return Array.isArray(unsynced) ? effectSummary(unsynced as readonly Family[], ctx) : (unsynced as EffectSummary)
}

/** What the phone's records add to the station's totals of `span` (by collection date). */
export function unsyncedEffect(unsynced: Unsynced, ctx: IndicatorContext, span: PeriodSpan): UnsyncedEffect {
  const delta = emptyScoped()
  let records = 0
  const { cells, groups } = summaryOf(unsynced, ctx)
  for (const cell of cells) {
    if (!inSpan(cell.place.date, span)) continue
    addScoped(delta, cell)
    records += cell.records
  }
  // A family belongs to the period when any version of its record does (a donation voided
  // before it was sent still waits to be sent, though it changes nothing).
  for (const group of groups) if (group.places.some((p) => inSpan(p.date, span))) records += group.addedFigures
  return { delta, records }
}

/** The counted record a family stands for (its original), or null. */
export function familyRoot(family: Family): FieldRecord | null {
  return (
    family.find((r) => r.record.type === 'donation' || r.record.type === 'deferral' || r.record.type === 'drive')
      ?.record ?? null
  )
}

/** Records the station refused that would change the figures; they are not counted anywhere here. */
export function refusedCount(unsynced: Unsynced, ctx: IndicatorContext): number {
  return summaryOf(unsynced, ctx).refused
}

// ---------------------------------------------------------------------------------------------
// The station's month and year

export type StationPeriodKind = 'month' | 'year'

export interface StationCard {
  kind: StationPeriodKind
  period: Period
  /** False when the phone holds no totals of this period (never synced, or the month turned since). */
  hasTotals: boolean
  /** Totals + what this phone adds; only this phone's part when there are no totals. */
  counts: ScopedCounts
  indicators: Indicators
  /** Records of this phone counted on top of the totals. */
  unsynced: number
  /** Targets of exactly this calendar period, for the station, a channel or a team. */
  targets: TargetProgressRow[]
}

const SHOWN_SCOPES = new Set(['station', 'channel', 'team'])

/** Station, channel and team targets of exactly `period` (the totals come by calendar month and year). */
export function stationTargets(targets: readonly Target[], period: Period): Target[] {
  const order = ['station', 'channel', 'team']
  return targets
    .filter(
      (t) =>
        t.period.kind === period.kind &&
        t.period.start === period.start &&
        t.period.end === period.end &&
        SHOWN_SCOPES.has(t.scope.kind),
    )
    .sort((a, b) => order.indexOf(a.scope.kind) - order.indexOf(b.scope.kind) || a.metric.localeCompare(b.metric))
}

/** The counts a target reads: the station's, one channel's or one team's. */
export function scopedCountsOf(counts: ScopedCounts, scope: Target['scope']): IndicatorCounts {
  if (scope.kind === 'channel') return counts.byChannel[scope.id!] ?? emptyCounts()
  if (scope.kind === 'team') return counts.byTeam[scope.id!] ?? emptyCounts()
  return counts.counts
}

/** Pulled totals cover `today`'s calendar period of their kind? */
export function totalsCurrent(totals: StationTotals | null | undefined, today: string): totals is StationTotals {
  return !!totals && totals.period.start <= today && today <= totals.period.end
}

export interface StationCardInput {
  kind: StationPeriodKind
  today: string
  totals: StationTotals | null | undefined
  unsynced: Unsynced
  targets: readonly Target[]
  ctx: IndicatorContext
}

export function stationCard(input: StationCardInput): StationCard {
  const { kind, today, unsynced, ctx } = input
  const current = totalsCurrent(input.totals, today) ? input.totals : null
  const period: Period = current ? { ...current.period } : periodFor(kind, today)
  const effect = unsyncedEffect(unsynced, ctx, period)
  const base: ScopedCounts = current
    ? { counts: current.counts, byChannel: current.byChannel, byTeam: current.byTeam }
    : emptyScoped()
  const counts = mergeScoped(base, effect.delta)
  const shown = current ? stationTargets(input.targets, period) : []
  return {
    kind,
    period,
    hasTotals: current !== null,
    counts,
    indicators: indicatorsFromCounts(counts.counts, ctx),
    unsynced: effect.records,
    targets: shown.map((t) =>
      targetProgress(t, scopedCountsOf(counts, t.scope), today, { population: ctx.population ?? null }),
    ),
  }
}

// ---------------------------------------------------------------------------------------------
// Quarters, custom periods and sites

/** Whether a record (as it counts) falls in a target's scope, as the station's reports scope it. */
export function inTargetScope(rec: FieldRecord, scope: Target['scope']): boolean {
  const place = placeOf(rec)
  return place !== null && placeInScope(place, scope)
}

/** Whether a cell's records fall in a target's scope. */
function placeInScope(place: CellPlace, scope: Target['scope']): boolean {
  switch (scope.kind) {
    case 'station':
      return true
    case 'channel':
      return place.channelId === scope.id
    case 'site':
      return place.siteId === scope.id
    case 'team':
      return scope.id !== null && place.teamIds.includes(scope.id)
    case 'drive':
      return place.driveId === scope.id
  }
}

/** What the families add to the station's counts of one period and scope, and the records behind it. */
export function scopedUnsyncedEffect(
  unsynced: Unsynced,
  ctx: IndicatorContext,
  span: PeriodSpan,
  scope: Target['scope'],
): { delta: IndicatorCounts; records: number } {
  const delta = emptyCounts()
  let records = 0
  const counts = (p: CellPlace) => inSpan(p.date, span) && placeInScope(p, scope)
  const { cells, groups } = summaryOf(unsynced, ctx)
  for (const cell of cells) {
    if (!counts(cell.place)) continue
    addCountsInto(delta, cell.counts)
    records += cell.records
  }
  for (const group of groups) if (group.places.some(counts)) records += group.addedFigures
  return { delta, records }
}

/**
 * - station_only: a metric the phone does not work out (the station's dashboard shows it);
 * - no_totals: the station's figure for this target has not reached the phone yet (set or edited
 *   after the last sync, or a station that does not send it).
 */
export type OtherTargetReason = 'station_only' | 'no_totals'

export interface OtherTargetRow {
  target: Target
  /** Station figure as of the last sync + this phone's part; null with a reason. */
  progress: TargetProgressRow | null
  reason: OtherTargetReason | null
  /** Records of this phone counted on top of the station's figure. */
  unsynced: number
}

export interface OtherTargetsInput {
  today: string
  targets: readonly Target[]
  targetTotals: readonly TargetTotals[]
  /**
   * When the month and year totals were computed (what decides which records they hold): a
   * target's figure from another refresh, or with no totals at all, is not mixed in.
   */
  computedAt: string | null
  unsynced: Unsynced
  ctx: IndicatorContext
}

/**
 * Targets running today that the month and year cards do not show: quarters, custom periods and
 * sites (drive targets show with their drive). Each is the station's own figure for the target
 * (pulled with the totals) plus what this phone has that the figure does not hold yet, exactly as
 * the month and year are.
 */
export function otherTargets(input: OtherTargetsInput): OtherTargetRow[] {
  const { today, unsynced, ctx } = input
  const order = ['station', 'channel', 'site', 'team']
  const totalsOf = new Map(input.targetTotals.map((t) => [t.targetId, t]))
  return input.targets
    .filter((t) => t.period.start <= today && today <= t.period.end && t.scope.kind !== 'drive' && !onCalendarTotals(t))
    .sort(
      (a, b) =>
        order.indexOf(a.scope.kind) - order.indexOf(b.scope.kind) ||
        a.period.start.localeCompare(b.period.start) ||
        a.metric.localeCompare(b.metric),
    )
    .map((target): OtherTargetRow => {
      if (!phoneComputable(target.metric)) return { target, progress: null, reason: 'station_only', unsynced: 0 }
      const totals = totalsOf.get(target.id)
      const fits =
        totals !== undefined &&
        totals.period.start === target.period.start &&
        totals.period.end === target.period.end &&
        totals.scope.kind === target.scope.kind &&
        totals.scope.id === target.scope.id &&
        totals.computedAt === input.computedAt
      if (!fits) return { target, progress: null, reason: 'no_totals', unsynced: 0 }
      const effect = scopedUnsyncedEffect(unsynced, ctx, target.period, target.scope)
      const counts = mergeCounts(totals.counts, effect.delta)
      return {
        target,
        progress: targetProgress(target, counts, today, { population: totals.population }),
        reason: null,
        unsynced: effect.records,
      }
    })
}

// ---------------------------------------------------------------------------------------------
// This phone's drive

export interface DriveTargetRow {
  target: Target
  /** What the drive stands at in the target's metric. */
  actual: MetricActual | null
  /** Percent for shares, the count for counts; null without a denominator. */
  value: number | null
  met: boolean | null
  /** ≥ counts: how many more it takes; null otherwise. */
  toGo: number | null
}

/** A channel, site or team target the drive adds to, and what it adds. */
export interface DriveContribution {
  target: Target
  actual: MetricActual | null
}

export interface DriveCard {
  drive: Drive
  closed: boolean
  counts: IndicatorCounts
  /** This drive's records waiting to be sent, counted as the sync badge counts them (field/waiting.ts). */
  notSent: number
  /** This drive's records the station refused (they wait in "needs attention"). */
  refused: number
  /** Targets set for this drive. */
  targets: DriveTargetRow[]
  /** Targets of the drive's channel, site or teams running today. */
  contributes: DriveContribution[]
}

function valueOf(actual: MetricActual | null): number | null {
  if (!actual) return null
  if (actual.kind === 'count') return actual.value
  return actual.whole > 0 ? (actual.part / actual.whole) * 100 : null
}

export function driveTargetRow(target: Target, counts: IndicatorCounts): DriveTargetRow {
  const actual = metricActual(target.metric, counts)
  const value = valueOf(actual)
  const met =
    value === null ? null : target.comparison === '>=' ? value >= target.value - 1e-9 : value <= target.value + 1e-9
  const toGo =
    actual?.kind === 'count' && target.comparison === '>='
      ? Math.max(0, Math.ceil(target.value - actual.value - 1e-9))
      : null
  return { target, actual, value, met, toGo }
}

export interface DriveCardInput {
  drive: Drive
  closed: boolean
  counts: IndicatorCounts
  notSent: number
  refused?: number
  targets: readonly Target[]
  today: string
}

export function driveCard(input: DriveCardInput): DriveCard {
  const { drive, counts, today } = input
  const running = (t: Target) => t.period.start <= today && today <= t.period.end
  const own = input.targets.filter((t) => t.scope.kind === 'drive' && t.scope.id === drive.id)
  const related = input.targets.filter(
    (t) =>
      running(t) &&
      ((t.scope.kind === 'channel' && t.scope.id === drive.channelId) ||
        (t.scope.kind === 'site' && t.scope.id === drive.siteId) ||
        (t.scope.kind === 'team' && t.scope.id !== null && drive.teamIds.includes(t.scope.id))),
  )
  return {
    drive,
    closed: input.closed,
    counts,
    notSent: input.notSent,
    refused: input.refused ?? 0,
    targets: own.map((t) => driveTargetRow(t, counts)),
    contributes: related.map((t) => ({
      target: t,
      actual: t.metric === 'per_1000' ? null : metricActual(t.metric, counts),
    })),
  }
}
