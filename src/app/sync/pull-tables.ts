// Which Dexie table holds each kind of reference data a pull delivers.
import type { PullEntity } from '../../domain/sync-protocol'
import type { FieldDb } from '../db'

export const PULL_TABLE = {
  station: 'stations',
  site: 'sites',
  channel: 'channels',
  team: 'teams',
  target: 'targets',
  roster: 'roster',
  eligibility: 'eligibility',
  population: 'population',
  totals: 'stationTotals',
  plan: 'drivePlans',
  lookback: 'lookbackFlags',
} as const satisfies Record<PullEntity, keyof FieldDb>
