// Versioned schema migrations, run at start-up on SQLite and PostgreSQL alike (Kysely Migrator with
// an in-code provider). A migration, once released, is never edited: add the next one instead.
import { type Kysely, type Migration, type MigrationProvider, Migrator, PostgresAdapter, sql } from 'kysely'

// Column types both engines understand: SQLite maps them by affinity.
const ID = 'text'
const SEQ = 'bigint'

const m0001Initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('stations')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('donor_key_salt', 'text', (c) => c.notNull())
      .addColumn('sync_epoch', 'text', (c) => c.notNull())
      .addColumn('change_counter', SEQ, (c) => c.notNull().defaultTo(0))
      .addColumn('pull_horizon', SEQ, (c) => c.notNull().defaultTo(0))
      .addColumn('change_seq', SEQ, (c) => c.notNull().defaultTo(0))
      .addColumn('totals_stale', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute()

    await db.schema
      .createTable('accounts')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('accounts_station_username', ['station_id', 'username'])
      .execute()

    await db.schema
      .createTable('sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('account_id', ID, (c) => c.notNull().references('accounts.id'))
      .addColumn('station_id', ID, (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute()
    await db.schema.createIndex('sessions_account').on('sessions').column('account_id').execute()

    await db.schema
      .createTable('devices')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('enrolled_at', 'text', (c) => c.notNull())
      .addColumn('enrolled_by', ID)
      .addColumn('revoked_at', 'text')
      .addColumn('last_seq', SEQ, (c) => c.notNull().defaultTo(0))
      .addColumn('last_push_at', 'text')
      .addColumn('last_pull_at', 'text')
      .execute()
    await db.schema.createIndex('devices_station').on('devices').column('station_id').execute()

    await db.schema
      .createTable('enrollment_codes')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('created_by', ID)
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('device_id', ID)
      .execute()

    // Pulled reference data: each row carries the change sequence of its last write and a tombstone flag.
    await db.schema
      .createTable('staff')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('pin_hash', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('change_seq', SEQ, (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .execute()

    await db.schema
      .createTable('sites')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('area', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('change_seq', SEQ, (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .execute()

    await db.schema
      .createTable('channels')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('name_zh', 'text', (c) => c.notNull())
      .addColumn('name_en', 'text', (c) => c.notNull())
      .addColumn('rural_mobile', 'integer', (c) => c.notNull())
      .addColumn('change_seq', SEQ, (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addUniqueConstraint('channels_station_code', ['station_id', 'code'])
      .execute()

    await db.schema
      .createTable('teams')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('name_zh', 'text', (c) => c.notNull())
      .addColumn('name_en', 'text', (c) => c.notNull())
      .addColumn('change_seq', SEQ, (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addUniqueConstraint('teams_station_code', ['station_id', 'code'])
      .execute()

    await db.schema
      .createTable('targets')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('period_kind', 'text', (c) => c.notNull())
      .addColumn('period_start', 'text', (c) => c.notNull())
      .addColumn('period_end', 'text', (c) => c.notNull())
      .addColumn('scope_kind', 'text', (c) => c.notNull())
      .addColumn('scope_id', ID)
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('comparison', 'text', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addColumn('change_seq', SEQ, (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .execute()

    await db.schema
      .createTable('populations')
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('year', 'integer', (c) => c.notNull())
      .addColumn('population', 'integer', (c) => c.notNull())
      .addColumn('change_seq', SEQ, (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('populations_pk', ['station_id', 'year'])
      .execute()

    await db.schema
      .createTable('eligibility')
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('donor_key', 'text', (c) => c.notNull())
      .addColumn('last_donation_on', 'text')
      .addColumn('last_donation_type', 'text')
      .addColumn('apheresis_last_12_months', 'integer', (c) => c.notNull())
      .addColumn('deferred_until', 'text')
      .addColumn('permanently_deferred', 'integer', (c) => c.notNull())
      .addColumn('had_reaction', 'integer', (c) => c.notNull())
      .addColumn('donation_count', 'integer', (c) => c.notNull())
      .addColumn('change_seq', SEQ, (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('eligibility_pk', ['station_id', 'donor_key'])
      .execute()

    await db.schema
      .createTable('station_totals')
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('change_seq', SEQ, (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('station_totals_pk', ['station_id', 'key'])
      .execute()

    for (const table of [
      'staff',
      'sites',
      'channels',
      'teams',
      'targets',
      'populations',
      'eligibility',
      'station_totals',
    ]) {
      await db.schema.createIndex(`${table}_changes`).on(table).columns(['station_id', 'change_seq']).execute()
    }

    await db.schema
      .createTable('records')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('device_id', ID)
      .addColumn('seq', SEQ)
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('collected_on', 'text')
      .addColumn('channel_id', ID)
      .addColumn('site_id', ID)
      .addColumn('drive_id', ID)
      .addColumn('donor_key', 'text')
      .addColumn('effective_type', 'text')
      .addColumn('product', 'text')
      .addColumn('volume_ml', 'integer')
      .addColumn('doses', 'integer')
      .addColumn('household', 'text')
      .addColumn('repeat_donor', 'integer')
      .addColumn('rhd', 'text')
      .addColumn('abo', 'text')
      .addColumn('din', 'text')
      .addColumn('deferred_until', 'text')
      .addColumn('permanent', 'integer')
      .addColumn('target_id', ID)
      .addColumn('voided', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('corrected_by', ID)
      .execute()
    // A bag number is used once per station, voided or not (ISBT 128 DINs are never reused).
    await db.schema.createIndex('records_station_din').on('records').columns(['station_id', 'din']).unique().execute()
    await db.schema
      .createIndex('records_report')
      .on('records')
      .columns(['station_id', 'type', 'collected_on'])
      .execute()
    await db.schema.createIndex('records_donor').on('records').columns(['station_id', 'donor_key']).execute()
    await db.schema.createIndex('records_target').on('records').column('target_id').execute()

    await db.schema
      .createTable('record_teams')
      .addColumn('record_id', ID, (c) => c.notNull())
      .addColumn('team_id', ID, (c) => c.notNull())
      .addColumn('station_id', ID, (c) => c.notNull())
      .addPrimaryKeyConstraint('record_teams_pk', ['record_id', 'team_id'])
      .execute()
    await db.schema.createIndex('record_teams_team').on('record_teams').columns(['station_id', 'team_id']).execute()

    await db.schema
      .createTable('push_results')
      .addColumn('device_id', ID, (c) => c.notNull())
      .addColumn('seq', SEQ, (c) => c.notNull())
      .addColumn('mutation_id', ID, (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('push_results_pk', ['device_id', 'seq'])
      .execute()
  },
}

// Reports read only projected columns: an index that holds them all spares reading the wide rows
// (the JSON bodies) — several times faster on SQLite, and index-only scans on PostgreSQL.
const m0002CountedIndex: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('records_counted')
      .on('records')
      .columns([
        'station_id',
        'collected_on',
        'voided',
        'effective_type',
        'channel_id',
        'product',
        'volume_ml',
        'doses',
        'household',
        'repeat_donor',
        'rhd',
        'abo',
        'site_id',
        'drive_id',
        'id',
      ])
      .execute()
  },
}

// Schema 2 of field records (rules): a deferral's every reason in a table reports group by, the
// leader's override of a donation as projected columns, and the station's donor rules (which checks
// a leader may override, the reasons offered) on the station row phones pull. Deferrals stored
// before this read as [reasonCode]: they are filled in here from their effective bodies.
const m0003DonorRules: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('stations').addColumn('donor_rules', 'text').execute()
    await db.schema.alterTable('records').addColumn('override_reason', 'text').execute()
    await db.schema.alterTable('records').addColumn('override_by', ID).execute()
    await db.schema
      .createTable('record_reasons')
      .addColumn('record_id', ID, (c) => c.notNull())
      .addColumn('station_id', ID, (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('record_reasons_pk', ['record_id', 'position'])
      .execute()
    await db.schema.createIndex('record_reasons_station').on('record_reasons').columns(['station_id', 'code']).execute()

    await backfillRecordReasons(db)
  },
}

/**
 * Reasons of every counted deferral (as corrected) already stored, a page at a time: schema-1
 * deferrals give [reasonCode]. Run by 0003; exported so tests run it over records they pushed.
 */
export async function backfillRecordReasons(db: Kysely<unknown>): Promise<number> {
  const q = db as unknown as Kysely<{
    records: {
      id: string
      station_id: string
      body: string
      corrected_by: string | null
      effective_type: string | null
    }
    record_reasons: { record_id: string; station_id: string; position: number; code: string }
  }>
  let after = ''
  let written = 0
  for (;;) {
    const page = await q
      .selectFrom('records')
      .select(['id', 'station_id', 'body', 'corrected_by'])
      .where('effective_type', '=', 'deferral')
      .where('id', '>', after)
      .orderBy('id')
      .limit(1000)
      .execute()
    if (page.length === 0) break
    after = page.at(-1)!.id
    const correctionIds = page.flatMap((r) => (r.corrected_by ? [r.corrected_by] : []))
    const corrections = new Map<string, string>()
    if (correctionIds.length > 0) {
      const rows = await q.selectFrom('records').select(['id', 'body']).where('id', 'in', correctionIds).execute()
      for (const r of rows) corrections.set(r.id, r.body)
    }
    const values = page.flatMap((r) => {
      const correction = r.corrected_by ? corrections.get(r.corrected_by) : undefined
      const rec = (correction ? JSON.parse(correction).replacement : JSON.parse(r.body)) as {
        reasonCode?: string
        reasonCodes?: string[]
      }
      const codes = rec.reasonCodes?.length ? rec.reasonCodes : rec.reasonCode ? [rec.reasonCode] : []
      return codes.map((code, position) => ({ record_id: r.id, station_id: r.station_id, position, code }))
    })
    for (let i = 0; i < values.length; i += 200) {
      await q
        .insertInto('record_reasons')
        .values(values.slice(i, i + 200))
        .execute()
    }
    written += values.length
  }
  return written
}

// A voided donation no longer holds its bag number: a void says the record was wrong, its bag claim
// with it, and the crew records the bag anew (void and re-enter). Still unique among live records.
const m0004DinLive: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.dropIndex('records_station_din').execute()
    await db.schema
      .createIndex('records_station_din_live')
      .on('records')
      .columns(['station_id', 'din'])
      .unique()
      .where(sql.ref('voided'), '=', sql.lit(0))
      .execute()
  },
}

// Enrollment codes become HMACs under the server secret (auth/secret.ts), with a second, short typed
// form beside the long one. Unspent codes issued before are plain SHA-256 of a small space (a copy
// of the database would reveal them): they are dropped, and a manager issues new ones.
const m0005EnrollmentHmac: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('enrollment_codes').addColumn('short_hash', 'text').execute()
    await db.schema.createIndex('enrollment_codes_short').on('enrollment_codes').column('short_hash').execute()
    await (db as Kysely<{ enrollment_codes: { used_at: string | null } }>)
      .deleteFrom('enrollment_codes')
      .where('used_at', 'is', null)
      .execute()
  },
}

// Phones search sites and staff by pinyin, which pulls now carry, and hold only active staff: every
// live site and staff row takes a new change sequence so phones pull them again (and drop the
// deactivated). The station may set how many wrong PINs lock a staff member out on a phone.
const m0007PinyinAndPinAttempts: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('stations').addColumn('pin_max_attempts', 'integer').execute()
    await resendSitesAndStaff(db)
  },
}

/** Gives every live site and staff row a new change sequence of its station (migration 0007). */
export async function resendSitesAndStaff(db: Kysely<unknown>): Promise<void> {
  const kdb = db as unknown as Kysely<{
    stations: { id: string; change_counter: number }
    sites: { id: string; station_id: string; change_seq: number; deleted: number }
    staff: { id: string; station_id: string; change_seq: number; deleted: number }
  }>
  const stations = await kdb.selectFrom('stations').select(['id', 'change_counter']).execute()
  for (const station of stations) {
    let seq = Number(station.change_counter)
    for (const table of ['sites', 'staff'] as const) {
      const rows = await kdb
        .selectFrom(table)
        .select('id')
        .where('station_id', '=', station.id)
        .where('deleted', '=', 0)
        .orderBy('change_seq')
        .execute()
      for (const row of rows) {
        await kdb.updateTable(table).set({ change_seq: ++seq }).where('id', '=', row.id).execute()
      }
    }
    await kdb.updateTable('stations').set({ change_counter: seq }).where('id', '=', station.id).execute()
  }
}

// Schema 3 (donor): the station's health questionnaire (JSON of Station.questionnaire) on the
// station row phones pull; null: the GB 18467 default set. Answers ride in record bodies.
const m0010Questionnaire: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('stations').addColumn('questionnaire', 'text').execute()
  },
}

// Drive plans (issue 15): the station's calendar of drives, pulled by phones like sites (a change
// sequence and a tombstone per row), and the station's own donor flags (emergency-team members for
// call-up), which never leave the station.
const m0013DrivePlans: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('drive_plans')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('plan_date', 'text', (c) => c.notNull())
      .addColumn('site_id', ID, (c) => c.notNull())
      .addColumn('channel_id', ID, (c) => c.notNull())
      .addColumn('bus_code', 'text', (c) => c.notNull())
      .addColumn('team_ids', 'text', (c) => c.notNull())
      .addColumn('staff_ids', 'text', (c) => c.notNull())
      .addColumn('leader_staff_id', ID)
      .addColumn('expected_donors', 'integer', (c) => c.notNull())
      .addColumn('din_first', 'text', (c) => c.notNull())
      .addColumn('din_last', 'text', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('change_seq', SEQ, (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .execute()
    await db.schema.createIndex('drive_plans_changes').on('drive_plans').columns(['station_id', 'change_seq']).execute()
    await db.schema.createIndex('drive_plans_date').on('drive_plans').columns(['station_id', 'plan_date']).execute()

    await db.schema
      .createTable('donor_flags')
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('donor_key', 'text', (c) => c.notNull())
      .addColumn('emergency_team', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', ID)
      .addPrimaryKeyConstraint('donor_flags_pk', ['station_id', 'donor_key'])
      .execute()
  },
}

// Lookback after sync (issue 15): donations held for the lab because another phone's deferral or
// donation of the same donor, unseen offline, came before them. Pulled by phones (change_seq).
const m0014Lookback: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('lookback_flags')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('station_id', ID, (c) => c.notNull().references('stations.id'))
      .addColumn('donation_id', ID, (c) => c.notNull())
      .addColumn('cause_id', ID, (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('donor_key', 'text')
      .addColumn('flagged_at', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', 'text')
      .addColumn('note', 'text')
      .addColumn('change_seq', SEQ, (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addUniqueConstraint('lookback_flags_pair', ['donation_id', 'cause_id'])
      .execute()
    await db.schema
      .createIndex('lookback_flags_station_seq')
      .on('lookback_flags')
      .columns(['station_id', 'change_seq'])
      .execute()
    await db.schema
      .createIndex('lookback_flags_station_status')
      .on('lookback_flags')
      .columns(['station_id', 'status', 'flagged_at'])
      .execute()
    // Station pages on a phone: the station names a phone when it issues its code; phones report
    // how many records wait in their outbox when they pull.
    await db.schema.alterTable('enrollment_codes').addColumn('device_name', 'text').execute()
    await db.schema.alterTable('devices').addColumn('pending_records', 'integer').execute()
    await db.schema.alterTable('devices').addColumn('pending_at', 'text').execute()
  },
}

// Clinic (issue 14): the station's bleed limits, and the follow-up calls made to donors after a
// reaction (one row per reaction and kind of call, written when the call is marked done).
const m0011ClinicFollowUps: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('stations').addColumn('bleed_limits', 'text').execute()
    await db.schema
      .createTable('reaction_follow_ups')
      .addColumn('reaction_id', ID, (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('station_id', ID, (c) => c.notNull())
      .addColumn('done_at', 'text', (c) => c.notNull())
      .addColumn('done_by', ID, (c) => c.notNull())
      .addColumn('done_by_name', 'text', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reaction_follow_ups_pk', ['reaction_id', 'kind'])
      .execute()
    await db.schema.createIndex('reaction_follow_ups_station').on('reaction_follow_ups').column('station_id').execute()
  },
}

// Retention figures (issue 15): each donor's donations in order, read from the index alone (first-time
// and 12-month return by window functions, no sort), and the donations under 50 kg found without
// reading every body. The weight expression is repeated verbatim in src/server/repo/retention.ts
// (WEIGHT_SQL): an expression index serves only a query with the same expression.
const m0015RetentionIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`create index records_retention on records (station_id, effective_type, donor_key, collected_on, id)
        include (voided, channel_id, site_id, drive_id) where effective_type = 'donation'`.execute(db)
      await sql`create index records_weight on records (station_id,
        (coalesce(body::json #>> '{vitals,weightKg}', body::json #>> '{replacement,vitals,weightKg}')::real))
        where type in ('donation', 'correction')`.execute(db)
    } else {
      await sql`create index records_retention on records
        (station_id, effective_type, donor_key, collected_on, id, voided, channel_id, site_id, drive_id)
        where effective_type = 'donation'`.execute(db)
      await sql`create index records_weight on records (station_id,
        coalesce(json_extract(body, '$.vitals.weightKg'), json_extract(body, '$.replacement.vitals.weightKg')))
        where type in ('donation', 'correction')`.execute(db)
    }
  },
}

// Report speed (issue 15): partial covering indexes that hold only what the reports read. Counted
// records (not voided, with a counted type) by type and date, so a year's report or a deferral
// count seeks to its rows and never reads the JSON bodies (index-only scans on PostgreSQL); the
// leaders' overrides (few); and each donor's donations for recruitment lists, in donor order so
// one pass groups them. The queries name the same predicates with literals (reports.ts, plans.ts).
const m0016ReportIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`create index records_tally on records (station_id, effective_type, collected_on, channel_id, product,
      volume_ml, doses, household, repeat_donor, rhd, abo, site_id, drive_id, id)
      where voided = 0 and effective_type is not null`.execute(db)
    // Two terms in each WHERE: SQLite (3.53) reads a partial index with three as not covering.
    await sql`create index records_overrides on records (station_id, effective_type, collected_on, override_reason,
      drive_id) where voided = 0 and override_reason is not null`.execute(db)
    await sql`create index records_donations_by_donor on records (station_id, effective_type, donor_key, collected_on,
      site_id, abo, rhd) where voided = 0 and effective_type = 'donation'`.execute(db)
  },
}

// Push speed (issue 13): every donation went into three donor-ordered indexes (records_donor and
// the partial records_retention and records_donations_by_donor), each insert landing on a leaf page
// of its own, so one 500-record push rewrote some 1,500 scattered pages. The two partial ones held
// the same donations in the same order (station, type, donor, date) for two readers, the retention
// report and the recruitment list; one index holding what both read serves both. Both readers
// name `voided = 0` literally (a partial index is used only for a condition SQLite can read).
const m0017DonorDonations: Migration = {
  async up(db: Kysely<unknown>) {
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`create index records_donor_donations on records (station_id, effective_type, donor_key, collected_on,
        id) include (channel_id, site_id, drive_id, abo, rhd) where voided = 0 and effective_type = 'donation'`.execute(
        db,
      )
    } else {
      await sql`create index records_donor_donations on records (station_id, effective_type, donor_key, collected_on,
        id, channel_id, site_id, drive_id, abo, rhd) where voided = 0 and effective_type = 'donation'`.execute(db)
    }
    await sql`drop index if exists records_retention`.execute(db)
    await sql`drop index if exists records_donations_by_donor`.execute(db)
  },
}

// Retention report on PostgreSQL (issue 15): the donations and corrections under 50 kg (not
// eligible for 400 ml) are a few thousand; a partial index of their own holds what the report reads
// of them, the weight test in its condition (repo/retention.ts LIGHT_PG, verbatim), so the report
// parses no JSON body.
// PostgreSQL never chose records_weight (0015: no statistics on its expression, so it scanned the
// table and parsed every body); it goes. SQLite keeps records_weight, which it uses, and gets nothing.
const m0018RetentionLight: Migration = {
  async up(db: Kysely<unknown>) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return
    await sql`create index records_light on records (station_id, collected_on)
      include (id, target_id, corrected_by, voided, effective_type, product, volume_ml, channel_id)
      where type in ('donation', 'correction')
      and (coalesce(body::json #>> '{vitals,weightKg}', body::json #>> '{replacement,vitals,weightKg}')::real) < 50`.execute(
      db,
    )
    await sql`drop index if exists records_weight`.execute(db)
  },
}

// A phone whose enrollment answer was lost retries with the same code and attempt id
// (repo/devices.ts): the spent code keeps a hash of that id.
const m0019EnrollmentAttempt: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('enrollment_codes').addColumn('attempt_hash', 'text').execute()
    await db.schema.createIndex('enrollment_codes_attempt').on('enrollment_codes').column('attempt_hash').execute()
  },
}

// In name order: the order they run in (allowUnorderedMigrations lets a later-numbered one that
// landed first stay applied).
export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001Initial,
  '0002_counted_index': m0002CountedIndex,
  '0003_donor_rules': m0003DonorRules,
  '0004_din_live': m0004DinLive,
  '0005_enrollment_hmac': m0005EnrollmentHmac,
  '0007_pinyin_and_pin_attempts': m0007PinyinAndPinAttempts,
  '0010_questionnaire': m0010Questionnaire,
  '0011_clinic_follow_ups': m0011ClinicFollowUps,
  '0013_drive_plans': m0013DrivePlans,
  '0014_lookback': m0014Lookback,
  '0015_retention_indexes': m0015RetentionIndexes,
  '0016_report_indexes': m0016ReportIndexes,
  '0017_donor_donations': m0017DonorDonations,
  '0018_retention_light': m0018RetentionLight,
  '0019_enrollment_attempt': m0019EnrollmentAttempt,
}

class InCodeMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS
  }
}

/**
 * Brings the schema up to date; throws with the failing migration's name. On PostgreSQL give the
 * schema in use: Kysely otherwise finds its bookkeeping tables in any schema of the database.
 */
export async function migrateToLatest(db: Kysely<unknown>, pgSchema?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(),
    // Each helper of a round has its own reserved migration name, merged in any order: a database
    // that already ran a later-named one still takes an earlier one merged after it.
    allowUnorderedMigrations: true,
    ...(pgSchema ? { migrationTableSchema: pgSchema } : {}),
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`)
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
