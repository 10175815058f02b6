// The QR codes the crew's phones hand each other on the bus, with no network: a phone's own code
// (to be named by the leader), the leader's join code, a phone's end-of-drive report, and a donor
// handed from one desk to the next. Each is JSON, deflated (CompressionStream, deflate-raw) and
// base64url, behind a prefix naming its kind, so a code of the wrong kind is refused by name and a
// full drive record still fits a QR a phone camera reads at arm's length (≤ ~1,000 characters).
import * as v from 'valibot'
import { DriveSchema, HOUSEHOLD_TYPES, PersonName, RecordId } from '../../domain/records'

export const CREW_CODE_KINDS = ['phone', 'join', 'report', 'donor'] as const
export type CrewCodeKind = (typeof CREW_CODE_KINDS)[number]

const Din = v.pipe(v.string(), v.regex(/^[0-9A-Z*]{13,16}$/))
const Count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2000))
const Label = v.pipe(v.string(), v.maxLength(60))
const Part = {
  deviceId: RecordId,
  label: Label,
  dinFirst: Din,
  dinLast: Din,
  bagsLoaded: Count,
}

const SCHEMAS = {
  /** A joining phone names itself to the leader. */
  phone: v.object({ stationId: RecordId, deviceId: RecordId, label: Label }),
  /** The leader's drive (the record as stored, so every phone pushes the same one) and the joining phone's block. */
  join: v.object({ drive: DriveSchema, part: v.object(Part), leaderDeviceId: RecordId }),
  /** A phone's bags and tally at the end of the drive. */
  report: v.object({
    driveId: RecordId,
    ...Part,
    used: v.nullable(
      v.object({ series: v.pipe(v.string(), v.maxLength(12)), runs: v.pipe(v.string(), v.maxLength(3000)) }),
    ),
    donations: Count,
    deferrals: Count,
  }),
  /** A registered donor going on to the next phone: only what its record needs. */
  donor: v.object({
    driveId: RecordId,
    registrationId: RecordId,
    idNumber: v.pipe(v.string(), v.regex(/^(\d{17}[\dX]|\d{15})$/)),
    name: PersonName,
    phone: v.optional(v.pipe(v.string(), v.regex(/^[0-9+\- ]{0,20}$/)), ''),
    household: v.picklist(HOUSEHOLD_TYPES),
  }),
} as const

export type CrewCode<K extends CrewCodeKind> = v.InferOutput<(typeof SCHEMAS)[K]>

const PREFIX = 'BB1'

function toBase64Url(bytes: Uint8Array): string {
  let text = ''
  for (const b of bytes) text += String.fromCharCode(b)
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

function fromBase64Url(text: string): Uint8Array {
  const bin = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
  return Uint8Array.from(bin, (c) => c.charCodeAt(0))
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const writer = stream.writable.getWriter()
  const written = writer.write(bytes as Uint8Array<ArrayBuffer>).then(() => writer.close())
  written.catch(() => undefined) // a damaged input fails the read below as well
  const reader = stream.readable.getReader()
  const chunks: Uint8Array[] = []
  let length = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    length += value.length
  }
  await written
  const out = new Uint8Array(length)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

/** The QR text of a crew code. */
export async function encodeCrewCode<K extends CrewCodeKind>(kind: K, payload: CrewCode<K>): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(payload))
  return `${PREFIX}.${kind}.${toBase64Url(await pipe(json, new CompressionStream('deflate-raw')))}`
}

export type CrewCodeProblem = 'not_crew_code' | 'wrong_kind' | 'unreadable'

/** Reads a scanned code of the expected kind; anything else is named, never half-read. */
export async function decodeCrewCode<K extends CrewCodeKind>(
  text: string,
  kind: K,
): Promise<{ ok: true; value: CrewCode<K> } | { ok: false; problem: CrewCodeProblem }> {
  const m = /^BB1\.([a-z]+)\.([A-Za-z0-9_-]+)$/.exec(text.trim())
  if (!m) return { ok: false, problem: 'not_crew_code' }
  if (m[1] !== kind) return { ok: false, problem: 'wrong_kind' }
  try {
    const json = new TextDecoder().decode(await pipe(fromBase64Url(m[2]!), new DecompressionStream('deflate-raw')))
    const parsed = v.safeParse(SCHEMAS[kind], JSON.parse(json))
    return parsed.success ? { ok: true, value: parsed.output as CrewCode<K> } : { ok: false, problem: 'unreadable' }
  } catch {
    return { ok: false, problem: 'unreadable' }
  }
}
