// Station admin and manager accounts (password) and their bearer sessions (random token, stored hashed).
import * as v from 'valibot'
import { newId } from '../../domain/ids'
import {
  decoyPasswordHash,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyPassword,
} from '../auth/passwords'
import { newToken, sha256Hex } from '../auth/tokens'
import type { AccountRow } from '../db/schema'
import type { Db } from '../db/store'
import { Refusal } from './refusal'
import { isoAfter, nowIso } from '../time'

export const ACCOUNT_ROLES = ['admin', 'manager'] as const
export type AccountRole = (typeof ACCOUNT_ROLES)[number]
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000

export const Username = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^[a-z0-9][a-z0-9._-]{1,39}$/, 'username: 2–40 letters, digits, dot, dash or underscore'),
)
export const Password = v.pipe(
  v.string(),
  v.minLength(PASSWORD_MIN_LENGTH, `password must have at least ${PASSWORD_MIN_LENGTH} characters`),
  v.maxLength(PASSWORD_MAX_LENGTH),
)

export const NewAccountSchema = v.object({
  username: Username,
  password: Password,
  role: v.optional(v.picklist(ACCOUNT_ROLES), 'manager'),
})

export interface Account {
  id: string
  stationId: string
  username: string
  role: AccountRole
  active: boolean
  createdAt: string
}

export function accountFromRow(row: AccountRow): Account {
  return {
    id: row.id,
    stationId: row.station_id,
    username: row.username,
    role: row.role,
    active: row.active === 1,
    createdAt: row.created_at,
  }
}

/** Checks the input, then hashes (slow) before touching the database. */
export async function prepareAccount(
  input: unknown,
): Promise<{ username: string; role: AccountRole; passwordHash: string }> {
  const parsed = v.safeParse(NewAccountSchema, input)
  if (!parsed.success) throw new Refusal('invalid_account', parsed.issues.map((i) => i.message).join('; '))
  return {
    username: parsed.output.username,
    role: parsed.output.role,
    passwordHash: await hashPassword(parsed.output.password),
  }
}

export async function insertAccount(
  db: Db,
  stationId: string,
  prepared: { username: string; role: AccountRole; passwordHash: string },
): Promise<Account> {
  const taken = await db
    .selectFrom('accounts')
    .select('id')
    .where('station_id', '=', stationId)
    .where('username', '=', prepared.username)
    .executeTakeFirst()
  if (taken) throw new Refusal('username_taken', `the username ${prepared.username} is taken`)
  const now = nowIso()
  const row = {
    id: newId(),
    station_id: stationId,
    username: prepared.username,
    role: prepared.role,
    password_hash: prepared.passwordHash,
    active: 1 as const,
    created_at: now,
    updated_at: now,
  }
  await db.insertInto('accounts').values(row).execute()
  return accountFromRow(row)
}

export async function listAccounts(db: Db, stationId: string): Promise<Account[]> {
  const rows = await db
    .selectFrom('accounts')
    .selectAll()
    .where('station_id', '=', stationId)
    .orderBy('username')
    .execute()
  return rows.map(accountFromRow)
}

export async function getAccount(db: Db, stationId: string, accountId: string): Promise<AccountRow> {
  const row = await db
    .selectFrom('accounts')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('id', '=', accountId)
    .executeTakeFirst()
  if (!row) throw new Refusal('not_found', 'account not found')
  return row
}

/** Deactivating an account or changing its password ends its sessions. */
export async function updateAccount(
  db: Db,
  stationId: string,
  accountId: string,
  change: { active?: boolean; passwordHash?: string; role?: AccountRole },
): Promise<Account> {
  await getAccount(db, stationId, accountId)
  await db
    .updateTable('accounts')
    .set({
      ...(change.active === undefined ? {} : { active: change.active ? 1 : 0 }),
      ...(change.passwordHash === undefined ? {} : { password_hash: change.passwordHash }),
      ...(change.role === undefined ? {} : { role: change.role }),
      updated_at: nowIso(),
    })
    .where('id', '=', accountId)
    .execute()
  if (change.active === false || change.passwordHash !== undefined) {
    await db.deleteFrom('sessions').where('account_id', '=', accountId).execute()
  }
  return accountFromRow(await getAccount(db, stationId, accountId))
}

export interface Session {
  token: string
  expiresAt: string
  account: Account
}

/**
 * Checks a password; the same answer, after the same scrypt work, for an unknown station (null),
 * an unknown user, a wrong password and an inactive account: timing tells nothing.
 */
export async function verifyLogin(
  db: Db,
  stationId: string | null,
  username: string,
  password: string,
): Promise<AccountRow> {
  const row =
    stationId === null
      ? undefined
      : await db
          .selectFrom('accounts')
          .selectAll()
          .where('station_id', '=', stationId)
          .where('username', '=', username.trim().toLowerCase())
          .executeTakeFirst()
  const ok = await verifyPassword(password, row?.password_hash ?? (await decoyPasswordHash()))
  if (!row || !ok || row.active !== 1) throw new Refusal('bad_credentials', 'wrong station, username or password')
  return row
}

/** Password login into one station (null: no such station, refused after the same work): a new session. */
export async function login(db: Db, stationId: string | null, username: string, password: string): Promise<Session> {
  const row = await verifyLogin(db, stationId, username, password)
  const token = newToken('session')
  const expiresAt = isoAfter(SESSION_TTL_MS)
  await db.deleteFrom('sessions').where('expires_at', '<', nowIso()).execute()
  await db
    .insertInto('sessions')
    .values({
      token_hash: sha256Hex(token),
      account_id: row.id,
      station_id: row.station_id,
      created_at: nowIso(),
      expires_at: expiresAt,
    })
    .execute()
  return { token, expiresAt, account: accountFromRow(row) }
}

export async function accountForToken(db: Db, token: string): Promise<Account | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .selectAll('accounts')
    .select('sessions.expires_at')
    .where('sessions.token_hash', '=', sha256Hex(token))
    .executeTakeFirst()
  if (!row || row.expires_at <= nowIso() || row.active !== 1) return null
  return accountFromRow(row)
}

export async function logout(db: Db, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', sha256Hex(token)).execute()
}
