// A phone's database holding a year of records, built in bulk for the progress bench: the seed
// year's first N records as if this phone had written them, their running tallies (what the
// field app's save path keeps, computed here from the effective records), receipts for all but the
// last few (confirmed by the station), those last few waiting in the outbox, and the station
// totals the last pull brought (the confirmed records, by the station's calendar month and year,
// and by target for its quarter, custom-period and site targets).
// tests/app/field/progress-seed.test.ts checks that these tallies equal the real save path's.
import {
  addToCounts,
  collectionDate,
  effectiveRecords,
  emptyCounts,
  type IndicatorContext,
  type IndicatorCounts,
  indicatorsFromCounts,
} from '../../src/domain/indicators'
import { newId } from '../../src/domain/ids'
import type { Channel, Drive, FieldRecord, RosterEntry, Site, Station, Target, Team } from '../../src/domain/records'
import type { StationTotals } from '../../src/domain/sync-protocol'
import { periodFor } from '../../src/domain/targets'
import { driveTallyKey } from '../../src/app/db/tallies'
import { RECORD_TABLE } from '../../src/app/db/schema'
import { type Receipt, receiptBatchRow } from '../../src/app/db/receipt-batch'
import { inTargetScope } from '../../src/app/field/progress-model'
import { addDays } from '../../src/domain/dates'
import { type TargetTotals, targetTotalsKey } from '../../src/domain/target-totals'

/**
 * Tally keys of an effective record: the drive tallies, the only ones the progress screen reads
 * (src/app/db/tallies.ts may keep others for other screens).
 */
function tallyKeys(rec: FieldRecord): string[] {
  if (rec.type !== 'donation' && rec.type !== 'deferral' && rec.type !== 'drive') return []
  const driveId = rec.type === 'drive' ? rec.id : rec.driveId
  return driveId ? [driveTallyKey(driveId)] : []
}

/** The running tallies a phone holds after saving `records` (voids and corrections resolved). */
export function bulkTallies(records: readonly FieldRecord[], ctx: IndicatorContext): Map<string, IndicatorCounts> {
  const out = new Map<string, IndicatorCounts>()
  for (const rec of effectiveRecords(records)) {
    for (const key of tallyKeys(rec)) {
      let c = out.get(key)
      if (!c) {
        c = emptyCounts()
        out.set(key, c)
      }
      addToCounts(c, rec, ctx)
    }
  }
  return out
}

/** The station's running totals of `today`'s month and year over `records`, as a pull delivers them. */
export function stationTotalsOf(
  records: readonly FieldRecord[],
  ctx: IndicatorContext,
  today: string,
  computedAt: string,
): { month: StationTotals; year: StationTotals } {
  const make = (kind: 'month' | 'year'): StationTotals => {
    const period = periodFor(kind, today)
    const counts = emptyCounts()
    const byChannel: Record<string, IndicatorCounts> = {}
    const byTeam: Record<string, IndicatorCounts> = {}
    for (const rec of effectiveRecords(records)) {
      if (rec.type !== 'donation' && rec.type !== 'deferral' && rec.type !== 'drive') continue
      const date = collectionDate(rec)
      if (!date || date < period.start || date > period.end) continue
      addToCounts(counts, rec, ctx)
      addToCounts((byChannel[rec.channelId] ??= emptyCounts()), rec, ctx)
      for (const team of new Set(rec.teamIds)) addToCounts((byTeam[team] ??= emptyCounts()), rec, ctx)
    }
    return {
      key: kind,
      period: { kind, start: period.start, end: period.end },
      computedAt,
      counts,
      indicators: indicatorsFromCounts(counts, ctx),
      byChannel,
      byTeam,
    }
  }
  return { month: make('month'), year: make('year') }
}

export interface PhoneSeedInput {
  records: readonly FieldRecord[]
  /** How many of the last records still wait in the outbox. */
  pending: number
  /**
   * How many of the confirmed records before those were confirmed by the last push, after the
   * totals of the pull before it were computed (the state `failedPull` writes).
   */
  late: number
  station: Station
  deviceId: string
  sites: Site[]
  channels: Channel[]
  teams: Team[]
  roster: RosterEntry[]
  population: number | null
}

export interface PhoneSeed {
  today: string
  /** Rows per IndexedDB object store. */
  rows: Record<string, unknown[]>
  /** What the progress screen must show for the station's year (all records, each once). */
  expectedYearDonations: number
  drivesToday: number
  /**
   * Rows that turn `rows` into the phone after a push whose pull failed: the totals (month, year
   * and each target's) of the pull before that push, which hold none of its `late` records, and
   * the last pull's device sequence of then. The push's records are no longer in the outbox; their
   * receipts (in `rows` already) are newer than these totals. `rows`' own totals and sequence
   * (`pulled`) turn it back.
   */
  failedPull: Record<string, unknown[]>
  pulled: Record<string, unknown[]>
}

/** Receipts per batch row. */
const RECEIPT_BATCH = 100

export function buildPhoneSeed(input: PhoneSeedInput): PhoneSeed {
  const { records, station, deviceId } = input
  const ctx: IndicatorContext = {
    ruralMobileChannelIds: new Set(input.channels.filter((c) => c.ruralMobile).map((c) => c.id)),
    population: input.population,
  }
  const last = [...records]
    .reverse()
    .map(collectionDate)
    .find((d) => d !== null)
  if (!last) throw new Error('no dated record')
  const today = last
  const confirmedCount = records.length - input.pending
  const confirmed = records.slice(0, confirmedCount)
  const earlierCount = confirmedCount - input.late
  if (earlierCount < 0) throw new Error('more late records than confirmed ones')
  // The push before the last pull confirmed the last `late` records: the totals of the pull
  // before it (a minute after the earlier confirmations) hold none of them, the last pull's (a
  // minute after the push) all. In UTC, as the station writes its times (nowIso).
  const earlierAt = new Date(`${today}T10:00:00.000+08:00`).toISOString()
  const earlierComputedAt = new Date(`${today}T10:01:00.000+08:00`).toISOString()
  const receivedAt = new Date(`${today}T12:00:00.000+08:00`).toISOString()
  const computedAt = new Date(`${today}T12:01:00.000+08:00`).toISOString()
  const totals = stationTotalsOf(confirmed, ctx, today, computedAt)
  const earlierTotals = stationTotalsOf(confirmed.slice(0, earlierCount), ctx, today, earlierComputedAt)

  const rows: Record<string, unknown[]> = {}
  const put = (table: string, row: unknown) => {
    ;(rows[table] ??= []).push(row)
  }
  for (const rec of records) put(RECORD_TABLE[rec.type], rec)
  for (const [key, counts] of bulkTallies(records, ctx)) put('tallies', { key, counts })
  // Receipts as the settles keep them: one row per push batch (of 100, the engine's first size).
  let batch: Receipt[] = []
  records.forEach((rec, i) => {
    const seq = i + 1
    const mutationId = newId()
    if (i < confirmedCount) {
      const at = i < earlierCount ? earlierAt : receivedAt
      batch.push({
        recordId: rec.id,
        recordType: rec.type,
        seq,
        mutationId,
        status: 'applied',
        receivedAt: at,
        settledAt: at,
      })
      if (batch.length === RECEIPT_BATCH || i === earlierCount - 1 || i === confirmedCount - 1) {
        put('receiptBatches', receiptBatchRow(batch, at))
        batch = []
      }
    } else {
      put('outbox', {
        seq,
        mutationId,
        recordId: rec.id,
        recordType: rec.type,
        record: rec,
        createdAt: Date.parse(rec.createdAt),
        attempts: 0,
        lastAttemptAt: null,
        lastError: null,
        status: 'pending',
      })
    }
  })
  put('syncMeta', { key: `settledSeq:${deviceId}`, value: confirmedCount })
  put('syncMeta', { key: 'pullCursor', value: 'bench.1' })
  // The last pull's totals and device sequence (`pulled`), or the pull's before the last push (`failedPull`).
  const pulled: Record<string, unknown[]> = {
    syncMeta: [
      { key: 'deviceLastSeq', value: confirmedCount },
      { key: 'lastPullAt', value: computedAt },
    ],
    stationTotals: [
      { key: 'month', value: totals.month },
      { key: 'year', value: totals.year },
    ],
  }
  const failedPull: Record<string, unknown[]> = {
    syncMeta: [
      { key: 'deviceLastSeq', value: earlierCount },
      { key: 'lastPullAt', value: earlierComputedAt },
    ],
    stationTotals: [
      { key: 'month', value: earlierTotals.month },
      { key: 'year', value: earlierTotals.year },
    ],
  }
  put('device', {
    key: 'device',
    deviceId,
    stationId: station.id,
    stationCode: station.code,
    token: null,
    enrolledAt: `${today.slice(0, 4)}-01-01T00:00:00.000Z`,
  })
  put('stations', { key: station.id, value: station })
  for (const s of input.sites) put('sites', { key: s.id, value: s })
  for (const c of input.channels) put('channels', { key: c.id, value: c })
  for (const t of input.teams) put('teams', { key: t.id, value: t })
  for (const r of input.roster) put('roster', { key: r.id, value: r })
  if (input.population !== null)
    put('population', {
      key: today.slice(0, 4),
      value: { stationId: station.id, year: Number(today.slice(0, 4)), population: input.population },
    })

  // Targets: the month's rural-bus share, the year's donations of each channel, and each drive of today.
  const drivesToday = records.filter((r): r is Drive => r.type === 'drive' && r.date === today)
  const targets: Target[] = [
    {
      id: newId(),
      stationId: station.id,
      period: periodFor('month', today),
      scope: { kind: 'station', id: null },
      metric: 'rural_mobile_share',
      comparison: '>=',
      value: 32,
    },
    {
      id: newId(),
      stationId: station.id,
      period: periodFor('year', today),
      scope: { kind: 'station', id: null },
      metric: 'per_1000',
      comparison: '>=',
      value: 13,
    },
    ...input.channels.map((c): Target => ({
      id: newId(),
      stationId: station.id,
      period: periodFor('year', today),
      scope: { kind: 'channel', id: c.id },
      metric: 'donations',
      comparison: '>=',
      value: 10_000,
    })),
    ...drivesToday.map((d): Target => ({
      id: newId(),
      stationId: station.id,
      period: { kind: 'custom', start: today, end: today },
      scope: { kind: 'drive', id: d.id },
      metric: 'donations',
      comparison: '>=',
      value: 120,
    })),
  ]
  // Targets the month and year totals cannot give (issue 15), each with the station's figure of
  // the last pull: the quarter's donations, today's site this month and every site of the year's
  // first 12 drives' sites this year, and the rural channel's 400 ml rate over the last 30 days.
  const todaysSite = drivesToday[0]?.siteId ?? input.sites[0]!.id
  const yearSites = [...new Set(records.flatMap((r) => (r.type === 'drive' ? [r.siteId] : [])))].slice(0, 12)
  const ruralChannel = input.channels.find((c) => c.ruralMobile)?.id ?? input.channels[0]!.id
  const own: Target[] = [
    {
      id: newId(),
      stationId: station.id,
      period: periodFor('quarter', today),
      scope: { kind: 'station', id: null },
      metric: 'donations',
      comparison: '>=',
      value: 30_000,
    },
    {
      id: newId(),
      stationId: station.id,
      period: periodFor('month', today),
      scope: { kind: 'site', id: todaysSite },
      metric: 'whole_blood_units',
      comparison: '>=',
      value: 400,
    },
    ...yearSites.map((siteId): Target => ({
      id: newId(),
      stationId: station.id,
      period: periodFor('year', today),
      scope: { kind: 'site', id: siteId },
      metric: 'donations',
      comparison: '>=',
      value: 1_000,
    })),
    {
      id: newId(),
      stationId: station.id,
      period: { kind: 'custom', start: addDays(today, -29), end: today },
      scope: { kind: 'channel', id: ruralChannel },
      metric: 'rate_400ml',
      comparison: '>=',
      value: 60,
    },
  ]
  targets.push(...own)
  for (const t of targets) put('targets', { key: t.id, value: t })
  const targetTotalsOf = (held: FieldRecord[], at: string) =>
    own.map((t) => {
      const counts = emptyCounts()
      for (const rec of held) {
        const date = collectionDate(rec)
        if (date && t.period.start <= date && date <= t.period.end && inTargetScope(rec, t.scope))
          addToCounts(counts, rec, ctx)
      }
      const value: TargetTotals = {
        key: targetTotalsKey(t.id),
        targetId: t.id,
        period: { start: t.period.start, end: t.period.end },
        scope: t.scope,
        computedAt: at,
        counts,
        population: input.population,
      }
      return { key: value.key, value }
    })
  pulled.stationTotals!.push(...targetTotalsOf(effectiveRecords(confirmed), computedAt))
  failedPull.stationTotals!.push(
    ...targetTotalsOf(effectiveRecords(confirmed.slice(0, earlierCount)), earlierComputedAt),
  )
  for (const [table, list] of Object.entries(pulled)) for (const row of list) put(table, row)

  const all = stationTotalsOf(records, ctx, today, computedAt)
  return {
    today,
    rows,
    expectedYearDonations: all.year.counts.donations,
    drivesToday: drivesToday.length,
    failedPull,
    pulled,
  }
}
