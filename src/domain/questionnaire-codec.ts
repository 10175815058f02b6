// The questionnaire's byte forms, apart from its rules (questionnaire-rules.ts) because only the screens
// that draw or hand over answers need them, not the donor form a cold start shows: the consent
// signature as quantised strokes, and a kiosk's answers as one QR code.
import {
  type Answers,
  CONTACT_CONSENTS,
  type ContactConsent,
  fromBase64Url,
  type Questionnaire,
  toBase64Url,
} from './questionnaire-rules'

// ---------------------------------------------------------------------------------------------
// Consent signature: strokes quantised to a 128×64 grid, stored as bytes (base64url in records).
// Layout: per stroke [x0, y0, n, n delta bytes]; a delta byte is (dx+8)<<4 | (dy+8), dx,dy in −8..7;
// longer steps are split. A stroke holds at most 255 deltas (a longer one continues as a new stroke).

export const SIGNATURE_W = 128
export const SIGNATURE_H = 64
/** Enough for a Chinese name signed in full; more points are dropped (the QR must still scan). */
export const SIGNATURE_MAX_BYTES = 600

export type Point = readonly [number, number]
export type Stroke = readonly Point[]

/** Strokes in canvas coordinates (width × height) to signature bytes; null when nothing was drawn. */
export function encodeSignature(strokes: readonly Stroke[], width: number, height: number): Uint8Array | null {
  const out: number[] = []
  const qx = (x: number) => Math.max(0, Math.min(SIGNATURE_W - 1, Math.round((x / width) * (SIGNATURE_W - 1))))
  const qy = (y: number) => Math.max(0, Math.min(SIGNATURE_H - 1, Math.round((y / height) * (SIGNATURE_H - 1))))
  for (const stroke of strokes) {
    if (stroke.length === 0) continue
    let [x, y] = [qx(stroke[0]![0]), qy(stroke[0]![1])]
    const deltas: number[] = []
    for (const [px, py] of stroke.slice(1)) {
      const tx = qx(px)
      const ty = qy(py)
      while (tx !== x || ty !== y) {
        const dx = Math.max(-8, Math.min(7, tx - x))
        const dy = Math.max(-8, Math.min(7, ty - y))
        deltas.push(((dx + 8) << 4) | (dy + 8))
        x += dx
        y += dy
      }
    }
    // Re-walk from the start, in chunks of 255 deltas.
    let sx = qx(stroke[0]![0])
    let sy = qy(stroke[0]![1])
    let i = 0
    do {
      const chunk = deltas.slice(i, i + 255)
      if (out.length + 3 + chunk.length > SIGNATURE_MAX_BYTES) return out.length > 0 ? Uint8Array.from(out) : null
      out.push(sx, sy, chunk.length, ...chunk)
      for (const d of chunk) {
        sx += (d >> 4) - 8
        sy += (d & 15) - 8
      }
      i += 255
    } while (i < deltas.length)
  }
  return out.length > 0 ? Uint8Array.from(out) : null
}

/** Signature bytes back to strokes on the 128×64 grid (for drawing at the station). */
export function decodeSignature(bytes: Uint8Array): Point[][] {
  const strokes: Point[][] = []
  let i = 0
  while (i + 3 <= bytes.length) {
    let x = bytes[i]!
    let y = bytes[i + 1]!
    const n = bytes[i + 2]!
    const stroke: Point[] = [[x, y]]
    for (let k = 0; k < n && i + 3 + k < bytes.length; k++) {
      const d = bytes[i + 3 + k]!
      x += (d >> 4) - 8
      y += (d & 15) - 8
      stroke.push([x, y])
    }
    strokes.push(stroke)
    i += 3 + n
  }
  return strokes
}

// ---------------------------------------------------------------------------------------------
// Kiosk hand-over: the answers as one QR code. Payload bytes: version length, version (ASCII),
// question count, answer bits (question order, LSB first), contact consent (0 none, 1 SMS,
// 2 WeChat), signature bytes; deflated (deflate-raw) and base64url after the prefix.

export const KIOSK_PREFIX = 'BBQ1.'
/** Above this the QR gets too dense for a phone camera across a table. */
export const KIOSK_MAX_CHARS = 1000

export interface KioskAnswers {
  version: string
  answers: Answers
  contactConsent: ContactConsent
  /** Signature bytes (encodeSignature), or null when not signed. */
  signature: Uint8Array | null
}

async function pipeThrough(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream))
  return new Uint8Array(await out.arrayBuffer())
}

export async function encodeKioskAnswers(q: Questionnaire, k: KioskAnswers): Promise<string> {
  const bits = new Uint8Array(Math.ceil(q.questions.length / 8))
  q.questions.forEach((x, i) => {
    if (k.answers[x.code] === true) bits[i >> 3]! |= 1 << (i & 7)
  })
  const version = new TextEncoder().encode(k.version)
  const sig = k.signature ?? new Uint8Array()
  const raw = new Uint8Array([
    version.length,
    ...version,
    q.questions.length,
    ...bits,
    CONTACT_CONSENTS.indexOf(k.contactConsent),
    ...sig,
  ])
  return KIOSK_PREFIX + toBase64Url(await pipeThrough(raw, new CompressionStream('deflate-raw')))
}

export type KioskDecodeError = 'not_kiosk' | 'corrupt' | 'other_version'

/** Reads a kiosk QR against the phone's question set; the version must match it. */
export async function decodeKioskAnswers(
  q: Questionnaire,
  text: string,
): Promise<{ ok: true; value: KioskAnswers } | { ok: false; error: KioskDecodeError }> {
  if (!text.startsWith(KIOSK_PREFIX)) return { ok: false, error: 'not_kiosk' }
  let raw: Uint8Array
  try {
    raw = await pipeThrough(fromBase64Url(text.slice(KIOSK_PREFIX.length)), new DecompressionStream('deflate-raw'))
  } catch {
    return { ok: false, error: 'corrupt' }
  }
  const vlen = raw[0] ?? 0
  const version = new TextDecoder().decode(raw.slice(1, 1 + vlen))
  if (version !== q.version) return { ok: false, error: 'other_version' }
  let i = 1 + vlen
  const count = raw[i++]
  if (count !== q.questions.length) return { ok: false, error: 'corrupt' }
  const nbytes = Math.ceil(count / 8)
  const bits = raw.slice(i, i + nbytes)
  i += nbytes
  const consent = CONTACT_CONSENTS[raw[i++] ?? -1]
  if (bits.length !== nbytes || !consent) return { ok: false, error: 'corrupt' }
  const answers: Answers = {}
  q.questions.forEach((x, n) => {
    answers[x.code] = (bits[n >> 3]! & (1 << (n & 7))) !== 0
  })
  const sig = raw.slice(i)
  return { ok: true, value: { version, answers, contactConsent: consent, signature: sig.length > 0 ? sig : null } }
}
