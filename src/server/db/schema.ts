// Table shapes as Kysely sees them. Both engines store the same types: text for ids, dates (ISO
// strings compare in order) and JSON; integers for counts, sequences and 0/1 flags.
import type { Insertable, Selectable } from 'kysely'

type Flag = 0 | 1

export interface StationsTable {
  id: string
  code: string
  name: string
  time_zone: string
  /** Secret salt of donorKey(); phones get it with the station row. */
  donor_key_salt: string
  /** Random per station database; a pull cursor from another epoch (restored backup, other server) resets. */
  sync_epoch: string
  /** Last change sequence handed out for this station (pull cursors count in it). */
  change_counter: number
  /** Changes at or below this were compacted away: older cursors get a full reset. */
  pull_horizon: number
  /** Change sequence of the station row itself (it is pulled too). */
  change_seq: number
  /** Set when records or the indicator context changed; the next pull recomputes the running totals. */
  totals_stale: Flag
  created_at: string
  /** Wrong PINs in a row before a phone locks a staff member out; null: the default (5). Migration 0007. */
  pin_max_attempts: number | null
  /** JSON of Station.donorRules (overridable checks, override reasons); null: the defaults. */
  donor_rules: string | null
  /** JSON of Station.questionnaire; null: the default set (migration 0010). */
  questionnaire: string | null
  /** JSON of Station.bleedLimits; null: the defaults (migration 0011). */
  bleed_limits: string | null
}

/** A follow-up call to a donor after a reaction, marked done at the station (migration 0011). */
export interface ReactionFollowUpsTable {
  reaction_id: string
  /** FOLLOW_UP_KINDS: call_24h, call_2w. */
  kind: string
  station_id: string
  done_at: string
  /** The station account that marked it, and its name then. */
  done_by: string
  done_by_name: string
  note: string
}

export interface AccountsTable {
  id: string
  station_id: string
  username: string
  role: 'admin' | 'manager'
  password_hash: string
  active: Flag
  created_at: string
  updated_at: string
}

export interface SessionsTable {
  token_hash: string
  account_id: string
  station_id: string
  created_at: string
  expires_at: string
}

export interface DevicesTable {
  id: string
  station_id: string
  name: string
  token_hash: string
  enrolled_at: string
  enrolled_by: string | null
  revoked_at: string | null
  last_seq: number
  last_push_at: string | null
  last_pull_at: string | null
  /** Records waiting in the phone's outbox, as it said on its last pull (migration 0014); null: never said. */
  pending_records?: number | null
  pending_at?: string | null
}

export interface EnrollmentCodesTable {
  code_hash: string
  station_id: string
  created_by: string | null
  created_at: string
  expires_at: string
  used_at: string | null
  device_id: string | null
  /** HMAC of the short typed form; cleared when the code is spent (migration 0005). */
  short_hash: string | null
  /** The name the station gave the phone this code enrolls (migration 0014); null: the phone's own. */
  device_name?: string | null
  /** SHA-256 of the code and the phone's attempt id, kept when the code is spent (migration 0019): its retry is let in. */
  attempt_hash?: string | null
}

/** Columns every pulled table carries: the change sequence of its last write and a tombstone flag. */
interface Pulled {
  change_seq: number
  deleted: Flag
}

export interface StaffTable extends Pulled {
  id: string
  station_id: string
  name: string
  role: 'collector' | 'leader' | 'manager' | 'admin'
  pin_hash: string
  active: Flag
}

export interface SitesTable extends Pulled {
  id: string
  station_id: string
  name: string
  kind: string
  area: string
}

export interface ChannelsTable extends Pulled {
  id: string
  station_id: string
  code: string
  name_zh: string
  name_en: string
  rural_mobile: Flag
}

export interface TeamsTable extends Pulled {
  id: string
  station_id: string
  code: string
  name_zh: string
  name_en: string
}

export interface TargetsTable extends Pulled {
  id: string
  station_id: string
  period_kind: string
  period_start: string
  period_end: string
  scope_kind: string
  scope_id: string | null
  metric: string
  comparison: string
  value: number
}

export interface PopulationsTable extends Pulled {
  station_id: string
  year: number
  population: number
}

export interface EligibilityTable extends Pulled {
  station_id: string
  donor_key: string
  last_donation_on: string | null
  last_donation_type: string | null
  apheresis_last_12_months: number
  deferred_until: string | null
  permanently_deferred: Flag
  had_reaction: Flag
  donation_count: number
}

export interface StationTotalsTable extends Pulled {
  station_id: string
  key: string
  value: string
}

/**
 * Field records as received: immutable identity and body, plus columns projected from the record's
 * effective state (after corrections and voids) that reports group by.
 */
export interface RecordsTable {
  id: string
  station_id: string
  type: string
  /** Device that pushed it; null for records imported by the CLI. */
  device_id: string | null
  seq: number | null
  body: string
  received_at: string
  // Projected, maintained in the same transaction as the records that change them.
  collected_on: string | null
  channel_id: string | null
  site_id: string | null
  drive_id: string | null
  donor_key: string | null
  /** Effective type for donations and deferrals (a correction may turn one into the other). */
  effective_type: string | null
  product: string | null
  volume_ml: number | null
  doses: number | null
  household: string | null
  repeat_donor: Flag | null
  rhd: string | null
  abo: string | null
  din: string | null
  deferred_until: string | null
  permanent: Flag | null
  /** The record a void, correction or adverse reaction points at. */
  target_id: string | null
  voided: Flag
  corrected_by: string | null
  /** The leader's override of a donation (as corrected): its reason code and approver; null without one. */
  override_reason: string | null
  override_by: string | null
}

/** Every reason of a counted deferral (as corrected), in order: reports count deferrals by reason. */
export interface RecordReasonsTable {
  record_id: string
  station_id: string
  position: number
  code: string
}

export interface RecordTeamsTable {
  record_id: string
  team_id: string
  station_id: string
}

/** The answer given to each pushed mutation, so a re-sent batch gets the same answer. */
export interface PushResultsTable {
  device_id: string
  seq: number
  mutation_id: string
  result: string
  created_at: string
}

/** A planned drive (migration 0013); team_ids and staff_ids are JSON arrays of ids. */
export interface DrivePlansTable extends Pulled {
  id: string
  station_id: string
  plan_date: string
  site_id: string
  channel_id: string
  bus_code: string
  team_ids: string
  staff_ids: string
  leader_staff_id: string | null
  expected_donors: number
  din_first: string
  din_last: string
  note: string
}

/** The station's own marks on a donor (migration 0013); never pulled by phones. */
export interface DonorFlagsTable {
  station_id: string
  donor_key: string
  emergency_team: Flag
  updated_at: string
  updated_by: string | null
}

/** A donation held for the lab by the lookback after sync (migration 0014, src/domain/lookback.ts). */
export interface LookbackFlagsTable extends Pulled {
  id: string
  station_id: string
  /** The later donation, held. */
  donation_id: string
  /** The deferral or earlier donation that makes it doubtful. */
  cause_id: string
  reason: string
  donor_key: string | null
  flagged_at: string
  status: 'open' | 'released' | 'confirmed'
  /** Username of the account that released or confirmed it. */
  decided_by: string | null
  decided_at: string | null
  note: string | null
}

export interface Database {
  stations: StationsTable
  accounts: AccountsTable
  sessions: SessionsTable
  devices: DevicesTable
  enrollment_codes: EnrollmentCodesTable
  staff: StaffTable
  sites: SitesTable
  channels: ChannelsTable
  teams: TeamsTable
  targets: TargetsTable
  populations: PopulationsTable
  eligibility: EligibilityTable
  station_totals: StationTotalsTable
  records: RecordsTable
  record_teams: RecordTeamsTable
  record_reasons: RecordReasonsTable
  push_results: PushResultsTable
  drive_plans: DrivePlansTable
  donor_flags: DonorFlagsTable
  lookback_flags: LookbackFlagsTable
  reaction_follow_ups: ReactionFollowUpsTable
}

export type StationRow = Selectable<StationsTable>
export type RecordRow = Selectable<RecordsTable>
export type NewRecordRow = Insertable<RecordsTable>
export type DeviceRow = Selectable<DevicesTable>
export type AccountRow = Selectable<AccountsTable>
