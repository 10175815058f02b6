// Phones of a station: one-time enrollment codes (stored as HMACs under the server secret), device
// tokens (stored as SHA-256), revocation.
import * as v from 'valibot'
import { newId } from '../../domain/ids'
import { keyedHash } from '../auth/secret'
import {
  ENROLLMENT_LONG_CODE_LENGTH,
  formatEnrollmentCode,
  newEnrollmentCode,
  newToken,
  parseEnrollmentCode,
  sha256Hex,
} from '../auth/tokens'
import type { DeviceRow } from '../db/schema'
import type { Db } from '../db/store'
import { Refusal } from './refusal'
import { isoAfter, nowIso } from '../time'
import { getStationRow, stationFromRow } from './stations'

export const ENROLLMENT_TTL_MS = 24 * 60 * 60 * 1000

export interface EnrollmentCode {
  /** The short form, as people type it: ABCD-EFGH (tight attempt limit). */
  code: string
  /** The long form a QR code carries (about 130 bits). */
  longCode: string
  expiresAt: string
}

const longHash = (secret: Buffer, code: string) => keyedHash(secret, 'enrollment-code', code)
const shortHash = (secret: Buffer, code: string) => keyedHash(secret, 'enrollment-short-code', code)

export async function issueEnrollmentCode(
  db: Db,
  secret: Buffer,
  stationId: string,
  createdBy: string | null,
  ttlMs = ENROLLMENT_TTL_MS,
  deviceName: string | null = null,
): Promise<EnrollmentCode> {
  const longCode = newEnrollmentCode(ENROLLMENT_LONG_CODE_LENGTH)
  const code = newEnrollmentCode()
  const expiresAt = isoAfter(ttlMs)
  await db.deleteFrom('enrollment_codes').where('expires_at', '<', nowIso()).where('used_at', 'is', null).execute()
  await db
    .insertInto('enrollment_codes')
    .values({
      code_hash: longHash(secret, longCode),
      short_hash: shortHash(secret, code),
      station_id: stationId,
      created_by: createdBy,
      created_at: nowIso(),
      expires_at: expiresAt,
      used_at: null,
      device_id: null,
      device_name: deviceName,
    })
    .execute()
  return { code: formatEnrollmentCode(code), longCode, expiresAt }
}

/** The link a QR code carries: the app's enroll page with the long code and the station filled in. */
export const enrollmentUrl = (base: string, longCode: string, stationCode: string): string =>
  `${base.replace(/\/$/, '')}/enroll?code=${encodeURIComponent(longCode)}&station=${encodeURIComponent(stationCode)}`

/** Which form a code is in ('short' needs the tight attempt limit), or null when it is neither. */
export const enrollmentCodeKind = (input: string): 'short' | 'long' | null => parseEnrollmentCode(input)?.kind ?? null

export const EnrollRequestSchema = v.object({
  code: v.pipe(v.string(), v.maxLength(40)),
  /** What people call the phone ("Bus 3 phone A"); `label` is accepted as another name for it. */
  name: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(120))),
  label: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(120))),
  /**
   * A secret the phone makes once per code and sends again when it retries: a retry whose answer
   * was lost after the station spent the code gets that enrollment back instead of "used".
   */
  attemptId: v.optional(v.pipe(v.string(), v.minLength(16), v.maxLength(64))),
})

/** How long after spending a code the phone that spent it may still ask for its enrollment again. */
export const ENROLLMENT_RETRY_MS = 15 * 60_000

export interface Enrollment {
  deviceId: string
  token: string
  stationId: string
  stationCode: string
  station: ReturnType<typeof stationFromRow>
}

/** Trades a one-time code for a device identity; the code is spent in the same transaction. */
export async function enrollDevice(
  db: Db,
  secret: Buffer,
  input: v.InferOutput<typeof EnrollRequestSchema>,
): Promise<Enrollment> {
  const parsed = parseEnrollmentCode(input.code)
  const refused = new Refusal('invalid_code', 'the enrollment code is wrong, used or expired')
  if (!parsed) throw refused
  const now = nowIso()
  const row = await db
    .selectFrom('enrollment_codes')
    .selectAll()
    .$call((q) =>
      parsed.kind === 'long'
        ? q.where('code_hash', '=', longHash(secret, parsed.code))
        : q.where('short_hash', '=', shortHash(secret, parsed.code)),
    )
    .executeTakeFirst()
  // Over the code as typed and the attempt: a spent short code has no hash left to find it by.
  const attemptHash = input.attemptId ? sha256Hex(`${parsed.kind}\n${parsed.code}\n${input.attemptId}`) : null
  if (attemptHash && (!row || row.used_at !== null)) {
    const spentBy = await db
      .selectFrom('enrollment_codes')
      .select(['device_id', 'used_at', 'station_id'])
      .where('attempt_hash', '=', attemptHash)
      .executeTakeFirst()
    const retried = spentBy ? await enrollmentRetried(db, spentBy, now) : null
    if (retried) return retried
  }
  if (!row || row.used_at !== null || row.expires_at <= now) throw refused
  const deviceId = newId()
  // The short form is no longer needed once spent: drop even its HMAC.
  const spent = await db
    .updateTable('enrollment_codes')
    .set({ used_at: now, device_id: deviceId, short_hash: null, attempt_hash: attemptHash })
    .where('code_hash', '=', row.code_hash)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  if (Number(spent.numUpdatedRows) !== 1) throw refused
  const token = newToken('device')
  // The station's name for the phone wins over the one the phone sends (its browser's User-Agent).
  const name = row.device_name || (input.name || input.label || '').trim() || `phone ${deviceId.slice(-6)}`
  await db
    .insertInto('devices')
    .values({
      id: deviceId,
      station_id: row.station_id,
      name,
      token_hash: sha256Hex(token),
      enrolled_at: now,
      enrolled_by: row.created_by,
      revoked_at: null,
      last_seq: 0,
      last_push_at: null,
      last_pull_at: null,
    })
    .execute()
  return enrollmentAnswer(db, row.station_id, deviceId, token)
}

/**
 * The same phone asking again for the enrollment its code made (the answer was lost on the way):
 * within ENROLLMENT_RETRY_MS, while that device is unrevoked and has sent nothing, it gets its
 * identity back with a new token; the token of the lost answer stops working.
 */
async function enrollmentRetried(
  db: Db,
  row: { device_id: string | null; used_at: string | null; station_id: string },
  now: string,
): Promise<Enrollment | null> {
  if (!row.device_id || !row.used_at || Date.parse(now) - Date.parse(row.used_at) > ENROLLMENT_RETRY_MS) return null
  const token = newToken('device')
  const renewed = await db
    .updateTable('devices')
    .set({ token_hash: sha256Hex(token) })
    .where('id', '=', row.device_id)
    .where('revoked_at', 'is', null)
    .where('last_seq', '=', 0)
    .where('last_pull_at', 'is', null)
    .executeTakeFirst()
  if (Number(renewed.numUpdatedRows) !== 1) return null
  return enrollmentAnswer(db, row.station_id, row.device_id, token)
}

/** What a phone is told when it enrolls: its identity, its token (this once) and its station. */
async function enrollmentAnswer(db: Db, stationId: string, deviceId: string, token: string): Promise<Enrollment> {
  const station = stationFromRow(await getStationRow(db, stationId))
  return { deviceId, token, stationId: station.id, stationCode: station.code, station }
}

export async function deviceForToken(db: Db, token: string): Promise<DeviceRow | null> {
  const row = await db.selectFrom('devices').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirst()
  if (!row || row.revoked_at !== null) return null
  return row
}

export interface DeviceSummary {
  id: string
  name: string
  enrolledAt: string
  revokedAt: string | null
  lastSeq: number
  lastPushAt: string | null
  lastPullAt: string | null
  /** The later of the last push and the last pull. */
  lastSyncAt: string | null
  /** Records waiting on the phone, as it said on its last pull; null: it never said (older app). */
  pendingRecords: number | null
  pendingAt: string | null
}

export function deviceSummary(row: DeviceRow): DeviceSummary {
  const times = [row.last_push_at, row.last_pull_at].filter((t): t is string => t !== null).sort()
  return {
    id: row.id,
    name: row.name,
    enrolledAt: row.enrolled_at,
    revokedAt: row.revoked_at,
    lastSeq: Number(row.last_seq),
    lastPushAt: row.last_push_at,
    lastPullAt: row.last_pull_at,
    lastSyncAt: times.at(-1) ?? null,
    pendingRecords: row.pending_records ?? null,
    pendingAt: row.pending_at ?? null,
  }
}

export async function listDevices(db: Db, stationId: string): Promise<DeviceSummary[]> {
  const rows = await db
    .selectFrom('devices')
    .selectAll()
    .where('station_id', '=', stationId)
    .orderBy('enrolled_at')
    .execute()
  return rows.map(deviceSummary)
}

export async function revokeDevice(db: Db, stationId: string, deviceId: string): Promise<DeviceSummary> {
  const row = await db
    .selectFrom('devices')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('id', '=', deviceId)
    .executeTakeFirst()
  if (!row) throw new Refusal('not_found', 'device not found')
  if (row.revoked_at === null) {
    await db.updateTable('devices').set({ revoked_at: nowIso() }).where('id', '=', deviceId).execute()
  }
  const updated = await db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirstOrThrow()
  return deviceSummary(updated)
}

export async function renameDevice(db: Db, stationId: string, deviceId: string, name: string): Promise<DeviceSummary> {
  const result = await db
    .updateTable('devices')
    .set({ name })
    .where('station_id', '=', stationId)
    .where('id', '=', deviceId)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) !== 1) throw new Refusal('not_found', 'device not found')
  return deviceSummary(await db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirstOrThrow())
}

/** An enrollment code issued and not yet spent: what the station named it for, and until when it works. */
export interface OpenEnrollmentCode {
  /** The code's HMAC: names it for revocation, never reveals it. */
  id: string
  deviceName: string | null
  createdAt: string
  expiresAt: string
}

export async function listEnrollmentCodes(db: Db, stationId: string): Promise<OpenEnrollmentCode[]> {
  const rows = await db
    .selectFrom('enrollment_codes')
    .select(['code_hash', 'device_name', 'created_at', 'expires_at'])
    .where('station_id', '=', stationId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowIso())
    .orderBy('created_at', 'desc')
    .execute()
  return rows.map((r) => ({
    id: r.code_hash,
    deviceName: r.device_name ?? null,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  }))
}

/** Withdraws an unspent code: nobody can enroll with it any more. */
export async function revokeEnrollmentCode(db: Db, stationId: string, id: string): Promise<void> {
  const result = await db
    .deleteFrom('enrollment_codes')
    .where('station_id', '=', stationId)
    .where('code_hash', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  if (Number(result.numDeletedRows) !== 1) throw new Refusal('not_found', 'enrollment code not found or already used')
}
