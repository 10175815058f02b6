// Plain JSON calls to the station (enrollment, one-off requests) with the device token; the sync
// engine uses its own transport (http.ts). Errors carry the server's code and message, or `network`.
import { fieldDb } from '../db'

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export interface ApiRequest {
  method?: 'GET' | 'POST'
  body?: unknown
  /** Send the enrolled device's token (default true once enrolled). */
  auth?: boolean
  signal?: AbortSignal
}

export async function apiFetch(path: string, req: ApiRequest = {}): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (req.body !== undefined) headers['Content-Type'] = 'application/json'
  if (req.auth !== false) {
    const device = await fieldDb().device.get('device')
    if (device?.token) headers.Authorization = `Bearer ${device.token}`
    if (device) headers['X-Device-Id'] = device.deviceId
  }
  let res: Response
  try {
    res = await fetch(path, {
      method: req.method ?? 'GET',
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: req.signal,
    })
  } catch (err) {
    throw new ApiError('network', err instanceof Error ? err.message : String(err), null)
  }
  const text = await res.text()
  let json: unknown = null
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    /* not JSON: reported below */
  }
  if (!res.ok) {
    const body = (json ?? {}) as { code?: unknown; message?: unknown }
    throw new ApiError(
      typeof body.code === 'string' ? body.code : `http_${res.status}`,
      typeof body.message === 'string' ? body.message : text.slice(0, 200) || res.statusText,
      res.status,
    )
  }
  if (json === null && text) throw new ApiError('bad_response', 'the server did not answer with JSON', res.status)
  return json
}
