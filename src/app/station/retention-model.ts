// The retention figures as the station pages show them (issue 15): one tile per figure, its value
// (a share in [0, 1], or a rate) and the counts it comes from, for the hint under it.
import type { RetentionMetric } from '../../domain/records'
import type { RetentionFigures } from '../../domain/retention'

export interface RetentionTile {
  metric: RetentionMetric
  value: number | null
  unit: 'percent' | 'rate'
  /** Params of the hint (`station.retention.basis.<metric>`). */
  basis: Record<string, string | number>
}

export function retentionTiles(f: RetentionFigures): RetentionTile[] {
  const hours = Math.round(f.crewHours)
  return [
    {
      metric: 'first_time_share',
      value: f.firstTimeShare,
      unit: 'percent',
      basis: { part: f.firstTimeDonations, whole: f.donations },
    },
    {
      metric: 'return_12m_share',
      value: f.return12m.all.share,
      unit: 'percent',
      basis: { part: f.return12m.all.returned, whole: f.return12m.all.firstTimers },
    },
    {
      metric: 'deferrals_per_10k',
      value: f.deferralsPer10k,
      unit: 'rate',
      basis: { part: f.deferrals, whole: f.presentations },
    },
    {
      metric: 'reactions_per_1000',
      value: f.reactionsPer1000,
      unit: 'rate',
      basis: { part: f.reactions, whole: f.donations },
    },
    {
      metric: 'donations_per_drive',
      value: f.donationsPerDrive,
      unit: 'rate',
      basis: { part: f.donationsOnDrives, whole: f.drives },
    },
    {
      metric: 'donations_per_crew_hour',
      value: f.donationsPerCrewHour,
      unit: 'rate',
      basis: { part: f.donationsOnClosedDrives, whole: hours },
    },
    {
      metric: 'conversion_400',
      value: f.conversion400,
      unit: 'percent',
      basis: { part: f.given400, whole: f.eligible400 },
    },
  ]
}
