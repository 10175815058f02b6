// Retention and quality figures (issue 15, item 3; BRIEF §7), per period and channel, from the
// records as they count (effectiveRecords: voids and corrections resolved). Definitions are in
// docs/indicators-retention.md. Pure: the server and tests feed it the station's records.
import { addDays } from './dates'
import { type EffectiveRecord, effectiveRecords } from './indicators'
import type { MetricActual } from './progress'
import type {
  RetentionMetric,
  AdverseReaction,
  Deferral,
  Donation,
  Drive,
  DriveClose,
  FieldRecord,
  SiteKind,
} from './records'
import { deferralReasonCodes, RATE_SCALE, RETENTION_METRICS } from './record-codes'

export interface RetentionQuery {
  from: string
  to: string
  /** Returns count only once 365 days after the first donation have passed by this day. */
  asOf: string
  /** One channel, or null/absent for the station. */
  channelId?: string | null
}

export interface ReturnFigure {
  /** First-time donors of the period whose 365 days have passed. */
  firstTimers: number
  /** Of those, who donated again within 365 days after the first donation. */
  returned: number
  share: number | null
}

export interface RetentionFigures {
  donations: number
  firstTimeDonations: number
  /** First-time donations ÷ donations. */
  firstTimeShare: number | null
  return12m: {
    all: ReturnFigure
    byChannel: Record<string, ReturnFigure>
    bySiteKind: { bus: ReturnFigure; fixed: ReturnFigure }
  }
  /** Donations + deferrals. */
  presentations: number
  deferrals: number
  deferralsPer10k: number | null
  /** Each reason of a deferral counts once for that reason. */
  deferralsPer10kByReason: Record<string, number>
  reactions: number
  reactionsPer1000: number | null
  drives: number
  donationsOnDrives: number
  donationsPerDrive: number | null
  /** Σ over closed drives of (closedAt − drive createdAt) in hours × crew size. */
  crewHours: number
  donationsOnClosedDrives: number
  donationsPerCrewHour: number | null
  /** Whole-blood donations of donors eligible for 400 ml (weight ≥ 50 kg, or no vitals recorded). */
  eligible400: number
  given400: number
  conversion400: number | null
}

const ratio = (a: number, b: number, scale = 1): number | null => (b > 0 ? (a / b) * scale : null)
const figure = (firstTimers: number, returned: number): ReturnFigure => ({
  firstTimers,
  returned,
  share: ratio(returned, firstTimers),
})

function instant(iso: string): number {
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? 0 : ms
}

/** Whether donation `a` was taken before `b`: by day, then time, then id. */
function before(a: Donation, b: Donation): boolean {
  if (a.collectedOn !== b.collectedOn) return a.collectedOn < b.collectedOn
  const ta = instant(a.collectedAt)
  const tb = instant(b.collectedAt)
  return ta !== tb ? ta < tb : a.id < b.id
}

/** A donor eligible for 400 ml: weight at least 50 kg, or no vitals on the record (the check passed on the bus). */
export function eligibleFor400(d: Donation): boolean {
  return d.product.type === 'whole_blood' && (d.vitals === undefined || d.vitals.weightKg >= 50)
}

/**
 * The figures of a period (and channel) over the station's records; `records` is the whole
 * history (first-time and return need donations before and after the period).
 */
export function retentionFigures(
  records: Iterable<FieldRecord>,
  siteKinds: ReadonlyMap<string, SiteKind>,
  q: RetentionQuery,
): RetentionFigures {
  const live: EffectiveRecord[] = effectiveRecords(records)
  const donations: Donation[] = []
  const deferrals: Deferral[] = []
  const drives = new Map<string, Drive>()
  const closes: DriveClose[] = []
  const reactions: AdverseReaction[] = []
  for (const r of live) {
    if (r.type === 'donation') donations.push(r)
    else if (r.type === 'deferral') deferrals.push(r)
    else if (r.type === 'drive') drives.set(r.id, r)
    else if (r.type === 'drive_close') closes.push(r)
    else if (r.type === 'adverse_reaction') reactions.push(r)
  }
  const inPeriod = (day: string) => q.from <= day && day <= q.to
  const inChannel = (channelId: string) => !q.channelId || channelId === q.channelId

  // Every donation of each donor, in order: the first is the first-time donation.
  const byDonor = new Map<string, Donation[]>()
  for (const d of donations) {
    const list = byDonor.get(d.donorKey) ?? []
    list.push(d)
    byDonor.set(d.donorKey, list)
  }
  const firstIds = new Set<string>()
  const nextAfter = new Map<string, Donation | undefined>()
  for (const list of byDonor.values()) {
    list.sort((a, b) => (before(a, b) ? -1 : 1))
    firstIds.add(list[0]!.id)
    nextAfter.set(list[0]!.id, list[1])
  }

  const counted = donations.filter((d) => inPeriod(d.collectedOn) && inChannel(d.channelId))
  const countedIds = new Set(counted.map((d) => d.id))
  const firstTime = counted.filter((d) => firstIds.has(d.id))

  const all = { n: 0, r: 0 }
  const byChannel: Record<string, { n: number; r: number }> = {}
  const bySiteKind = { bus: { n: 0, r: 0 }, fixed: { n: 0, r: 0 } }
  for (const d of firstTime) {
    const yearEnd = addDays(d.collectedOn, 365)
    if (yearEnd > q.asOf) continue
    const next = nextAfter.get(d.id)
    const back = next !== undefined && next.collectedOn <= yearEnd ? 1 : 0
    const kind = d.driveId !== null && (d.siteId === null || siteKinds.get(d.siteId) !== 'fixed_site') ? 'bus' : 'fixed'
    for (const bucket of [all, (byChannel[d.channelId] ??= { n: 0, r: 0 }), bySiteKind[kind]]) {
      bucket.n++
      bucket.r += back
    }
  }

  const deferred = deferrals.filter((d) => inPeriod(d.collectedOn) && inChannel(d.channelId))
  const presentations = counted.length + deferred.length
  const byReason: Record<string, number> = {}
  for (const d of deferred) for (const code of deferralReasonCodes(d)) byReason[code] = (byReason[code] ?? 0) + 1

  const reactionCount = reactions.filter((r) => countedIds.has(r.donationId)).length

  const periodDrives = [...drives.values()].filter((d) => inPeriod(d.date) && inChannel(d.channelId))
  const driveIds = new Set(periodDrives.map((d) => d.id))
  const onDrive = new Map<string, number>()
  for (const d of counted)
    if (d.driveId && driveIds.has(d.driveId)) onDrive.set(d.driveId, (onDrive.get(d.driveId) ?? 0) + 1)
  const donationsOnDrives = [...onDrive.values()].reduce((a, b) => a + b, 0)
  let crewHours = 0
  let donationsOnClosedDrives = 0
  const closedOnce = new Set<string>()
  for (const c of closes) {
    const drive = drives.get(c.driveId)
    if (!drive || !driveIds.has(drive.id) || closedOnce.has(drive.id)) continue
    closedOnce.add(drive.id)
    const hours = (instant(c.closedAt) - instant(drive.createdAt)) / 3_600_000
    if (!(hours > 0)) continue
    crewHours += hours * new Set(drive.staffIds).size
    donationsOnClosedDrives += onDrive.get(drive.id) ?? 0
  }

  const eligible = counted.filter(eligibleFor400)
  const given400 = eligible.filter((d) => d.product.type === 'whole_blood' && d.product.volumeMl === 400).length

  return {
    donations: counted.length,
    firstTimeDonations: firstTime.length,
    firstTimeShare: ratio(firstTime.length, counted.length),
    return12m: {
      all: figure(all.n, all.r),
      byChannel: Object.fromEntries(Object.entries(byChannel).map(([k, b]) => [k, figure(b.n, b.r)])),
      bySiteKind: {
        bus: figure(bySiteKind.bus.n, bySiteKind.bus.r),
        fixed: figure(bySiteKind.fixed.n, bySiteKind.fixed.r),
      },
    },
    presentations,
    deferrals: deferred.length,
    deferralsPer10k: ratio(deferred.length, presentations, 10_000),
    deferralsPer10kByReason: Object.fromEntries(
      Object.entries(byReason).map(([code, n]) => [code, (n / presentations) * 10_000]),
    ),
    reactions: reactionCount,
    reactionsPer1000: ratio(reactionCount, counted.length, 1000),
    drives: periodDrives.length,
    donationsOnDrives,
    donationsPerDrive: ratio(donationsOnDrives, periodDrives.length),
    crewHours,
    donationsOnClosedDrives,
    donationsPerCrewHour: ratio(donationsOnClosedDrives, crewHours),
    eligible400: eligible.length,
    given400,
    conversion400: ratio(given400, eligible.length),
  }
}

// ---------------------------------------------------------------------------------------------
// Targets on the figures

export function isRetentionMetric(metric: string): metric is RetentionMetric {
  return (RETENTION_METRICS as readonly string[]).includes(metric)
}

/** Scopes a retention target may have: the figures come per station or channel. */
export const RETENTION_SCOPE_KINDS = ['station', 'channel'] as const

/** Where a retention metric stands in the figures, as progress reads it (a share, or a rate on its scale). */
export function retentionActual(metric: RetentionMetric, f: RetentionFigures): MetricActual {
  const rate = (part: number, whole: number): MetricActual => ({
    kind: 'share',
    part,
    whole,
    scale: RATE_SCALE[metric],
  })
  switch (metric) {
    case 'first_time_share':
      return { kind: 'share', part: f.firstTimeDonations, whole: f.donations }
    case 'return_12m_share':
      return { kind: 'share', part: f.return12m.all.returned, whole: f.return12m.all.firstTimers }
    case 'conversion_400':
      return { kind: 'share', part: f.given400, whole: f.eligible400 }
    case 'deferrals_per_10k':
      return rate(f.deferrals, f.presentations)
    case 'reactions_per_1000':
      return rate(f.reactions, f.donations)
    case 'donations_per_drive':
      return rate(f.donationsOnDrives, f.drives)
    case 'donations_per_crew_hour':
      return rate(f.donationsOnClosedDrives, f.crewHours)
  }
}
