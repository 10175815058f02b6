// First run: the phone trades a station enrollment code for its device identity.
import * as v from 'valibot'
import { RecordId } from '../../domain/records'
import type { DeviceInfo } from '../db'
import { saveDeviceInfo } from '../db/reference'
import { createHttpClient } from '../net/http'

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
  // No token yet: the code is the credential. The station's own page, so every answer is believed.
  const enrolled = await createHttpClient({ trust: 'any' }).json(
    { method: 'POST', path: '/api/v1/devices/enroll', json: { code: code.trim(), label } },
    EnrollResponseSchema,
  )
  const info: DeviceInfo = {
    key: 'device',
    deviceId: enrolled.deviceId,
    stationId: enrolled.stationId,
    stationCode: enrolled.stationCode ?? code.trim(),
    token: enrolled.token,
    enrolledAt: new Date().toISOString(),
  }
  await saveDeviceInfo(info)
  return info
}

function deviceLabel(): string {
  const ua = globalThis.navigator?.userAgent ?? ''
  return ua.slice(0, 120) || 'phone'
}
