// First run: the phone trades a station enrollment code for its device identity.
import * as v from 'valibot'
import { RecordId } from '../../domain/records'
import { fieldDb, type DeviceInfo } from '../db'
import { apiFetch, ApiError } from './api'

const EnrollResponseSchema = v.object({
  deviceId: RecordId,
  stationId: RecordId,
  stationCode: v.optional(v.string()),
  token: v.optional(v.nullable(v.string()), null),
})

/** A QR code may carry the bare code or a URL with ?code=… ; both give the code. */
export function enrollmentCodeFrom(scanned: string): string {
  const text = scanned.trim()
  try {
    const url = new URL(text)
    const code = url.searchParams.get('code')
    if (code) return code.trim()
  } catch {
    /* not a URL */
  }
  return text
}

export async function enrollDevice(code: string, label = deviceLabel()): Promise<DeviceInfo> {
  const body = await apiFetch('/api/v1/devices/enroll', {
    method: 'POST',
    body: { code: code.trim(), label },
    auth: false,
  })
  const parsed = v.safeParse(EnrollResponseSchema, body)
  if (!parsed.success) throw new ApiError('bad_response', 'the enrollment answer is not understood', null)
  const info: DeviceInfo = {
    key: 'device',
    deviceId: parsed.output.deviceId,
    stationId: parsed.output.stationId,
    stationCode: parsed.output.stationCode ?? code.trim(),
    token: parsed.output.token,
    enrolledAt: new Date().toISOString(),
  }
  await fieldDb().device.put(info)
  return info
}

function deviceLabel(): string {
  const ua = globalThis.navigator?.userAgent ?? ''
  return ua.slice(0, 120) || 'phone'
}
