// Bearer authentication. Device tokens (bbd_…) open the sync routes, manager session tokens
// (bbs_…) the admin and report routes; neither opens the other's.
import type { Context, MiddlewareHandler } from 'hono'
import { tokenKind } from '../auth/tokens'
import type { DeviceRow } from '../db/schema'
import type { Store } from '../db/store'
import { type Account, accountForToken } from '../repo/accounts'
import { deviceForToken } from '../repo/devices'
import { ApiError } from './errors'

export interface AppEnv {
  Variables: {
    device: DeviceRow
    account: Account
  }
}

export function bearerToken(c: Context): string | null {
  const header = c.req.header('authorization') ?? ''
  const m = /^Bearer\s+(\S{1,200})$/i.exec(header.trim())
  return m ? m[1]! : null
}

const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message)

export function requireDevice(store: Store): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c)
    if (!token || tokenKind(token) !== 'device')
      throw unauthorized('a device token is required (Authorization: Bearer bbd_…)')
    const device = await deviceForToken(store.db, token)
    if (!device) throw unauthorized('this device is not enrolled or was revoked')
    c.set('device', device)
    await next()
  }
}

export function requireAccount(store: Store): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c)
    if (!token || tokenKind(token) !== 'session') throw unauthorized('sign in first (Authorization: Bearer bbs_…)')
    const account = await accountForToken(store.db, token)
    if (!account) throw unauthorized('the session expired or was ended; sign in again')
    c.set('account', account)
    await next()
  }
}

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('account').role !== 'admin') throw new ApiError(403, 'forbidden', 'only the station admin may do this')
  await next()
}
