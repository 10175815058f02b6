// First run: the phone trades a station enrollment code for its device identity.
import * as v from 'valibot'
import { newId } from '../../domain/ids'
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

// One attempt id per code while this page lives. On a weak signal the station may spend the code
// and its answer never arrive; the retry sends the same id and gets that enrollment back.
const attempts = new Map<string, string>()
function attemptFor(code: string): string {
  let id = attempts.get(code)
  if (!id) {
    // randomUUID exists only in secure contexts; a page on plain http still gets a random id.
    id = typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : newId()
    attempts.set(code, id)
  }
  return id
}

export async function enrollDevice(code: string, label = deviceLabel()): Promise<DeviceInfo> {
  // No token yet: the code is the credential. The station's own page, so every answer is believed.
  const enrolled = await createHttpClient({ trust: 'any' }).json(
    {
      method: 'POST',
      path: '/api/v1/devices/enroll',
      json: { code: code.trim(), label, attemptId: attemptFor(code.trim()) },
    },
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
