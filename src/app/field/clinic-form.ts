// The donor form's rapid tests and bleed, as typed, checked into record fields: pure, so they are
// tested without a screen (src/domain/rapid-tests.ts and bleed.ts hold the rules).
import type { EligibilityFailure } from '../../domain/eligibility'
import { bleedFlags, type BleedFlag, type BleedLimits, DEFAULT_BLEED_LIMITS } from '../../domain/bleed'
import { expiredLotsUsed, lotExpiredOn, rapidTestFailures } from '../../domain/rapid-tests'
import type { Abo, Bleed, HbMethod, Product, RapidTest, RapidTests, ReagentLot, RhD } from '../../domain/records'
import { isRecordDate, RAPID_TESTS } from '../../domain/record-codes'
import { parseMeasurement } from './donor-form'

export interface RapidTestsText {
  hbMethod: HbMethod
  /** Copper sulphate: the drop sank ('pass') or floated ('fail'); null until chosen. */
  hbCopperPass: 'pass' | 'fail' | null
  abo: Abo | null
  rhd: RhD | null
  altUL: string
  hbsag: 'nonreactive' | 'reactive' | null
}

export const EMPTY_RAPID_TESTS: RapidTestsText = {
  hbMethod: 'haemoglobinometer',
  hbCopperPass: null,
  abo: null,
  rhd: null,
  altUL: '',
  hbsag: null,
}

export interface RapidTestsCheck {
  /** The record's field; null when no rapid test beyond the haemoglobinometer was done. */
  tests: RapidTests | null
  /** Results that defer the donor (reactive, out of range). */
  failures: EligibilityFailure[]
  /** Input errors: keys of RapidTestsText → message key under clinic.rapid.errors. */
  errors: Partial<Record<'hbCopperPass' | 'altUL', string>>
  /** Reagent lots of the drive past their expiry that these tests used: the tests are refused. */
  expired: ReagentLot[]
}

export function checkRapidTests(
  text: RapidTestsText,
  lots: readonly ReagentLot[] | undefined,
  today: string,
  tried = false,
): RapidTestsCheck {
  const errors: RapidTestsCheck['errors'] = {}
  let altUL: number | undefined
  if (text.altUL.trim()) {
    const n = parseMeasurement(text.altUL)
    if (n === null || n > 5000) errors.altUL = 'not_a_number'
    else altUL = n
  }
  const copper = text.hbMethod === 'copper_sulphate'
  if (copper && text.hbCopperPass === null && tried) errors.hbCopperPass = 'required'
  const anything = copper || text.abo !== null || text.rhd !== null || altUL !== undefined || text.hbsag !== null
  const tests: RapidTests | null = anything
    ? {
        hbMethod: text.hbMethod,
        ...(copper && text.hbCopperPass !== null ? { hbCopperPass: text.hbCopperPass === 'pass' } : {}),
        ...(text.abo ? { abo: text.abo } : {}),
        ...(text.rhd ? { rhd: text.rhd } : {}),
        ...(altUL !== undefined ? { altUL } : {}),
        ...(text.hbsag ? { hbsag: text.hbsag } : {}),
      }
    : null
  return { tests, failures: rapidTestFailures(tests), errors, expired: expiredLotsUsed(tests, lots, today) }
}

/** The copper-sulphate result is still to be chosen (blocks leaving the step, not typing). */
export function rapidTestsIncomplete(text: RapidTestsText): boolean {
  return text.hbMethod === 'copper_sulphate' && text.hbCopperPass === null
}

export interface BleedText {
  /** HH:MM on the collection day, the phone's clock. */
  started: string
  ended: string
  volumeMl: string
  shortDraw: boolean
  failedVenipuncture: boolean
  collectedBy: string
}

export const EMPTY_BLEED: BleedText = {
  started: '',
  ended: '',
  volumeMl: '',
  shortDraw: false,
  failedVenipuncture: false,
  collectedBy: '',
}

export interface BleedCheck {
  bleed: Bleed | null
  errors: Partial<Record<keyof BleedText, string>>
  flags: BleedFlag[]
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/

/** An HH:MM of the phone's day `date` as an ISO instant (the phone's offset). */
function instantOf(date: string, hhmm: string): string {
  return new Date(`${date}T${hhmm}:00`).toISOString()
}

/** Nothing typed means no bleed recorded; anything typed needs the collecting staff member. */
export function checkBleed(
  text: BleedText,
  date: string,
  product: Pick<Product, 'type'> | null,
  limits: BleedLimits = DEFAULT_BLEED_LIMITS,
): BleedCheck {
  const errors: BleedCheck['errors'] = {}
  const typed =
    text.started !== '' ||
    text.ended !== '' ||
    text.volumeMl.trim() !== '' ||
    text.shortDraw ||
    text.failedVenipuncture ||
    text.collectedBy !== ''
  if (!typed) return { bleed: null, errors, flags: [] }
  if (text.started && !HHMM.test(text.started)) errors.started = 'time'
  if (text.ended && !HHMM.test(text.ended)) errors.ended = 'time'
  if (!errors.started && !errors.ended && text.started && text.ended && text.ended < text.started)
    errors.ended = 'end_before_start'
  let volumeMl: number | undefined
  if (text.volumeMl.trim()) {
    const n = Number(text.volumeMl.trim())
    if (!/^\d{1,3}$/.test(text.volumeMl.trim()) || n > 600) errors.volumeMl = 'volume'
    else volumeMl = n
  }
  if (!text.collectedBy) errors.collectedBy = 'collector_required'
  if (Object.keys(errors).length > 0) return { bleed: null, errors, flags: [] }
  const bleed: Bleed = {
    ...(text.started ? { startedAt: instantOf(date, text.started) } : {}),
    ...(text.ended ? { endedAt: instantOf(date, text.ended) } : {}),
    ...(volumeMl !== undefined ? { volumeMl } : {}),
    ...(text.shortDraw ? { shortDraw: true } : {}),
    ...(text.failedVenipuncture ? { failedVenipuncture: true } : {}),
    collectedBy: text.collectedBy,
  }
  return { bleed, errors, flags: product ? bleedFlags(product, bleed, limits) : [] }
}

// ── Reagent lots on the "open a drive" screen ──────────────────────────────────────────────────

/** One row per rapid test; both cells empty: no lot loaded for that test. */
export interface ReagentLotText {
  test: RapidTest
  lot: string
  expiresOn: string
}

export function emptyReagentLots(): ReagentLotText[] {
  return RAPID_TESTS.map((test) => ({ test, lot: '', expiresOn: '' }))
}

export type ReagentLotErrors = Partial<Record<RapidTest, { lot?: string; expiresOn?: string }>>

/** The drive's lots, or errors: a lot needs its expiry (a real day), and one expired before the drive's date is refused. */
export function checkReagentLots(
  rows: readonly ReagentLotText[],
  driveDate: string,
): { lots: ReagentLot[]; errors: ReagentLotErrors } {
  const lots: ReagentLot[] = []
  const errors: ReagentLotErrors = {}
  for (const row of rows) {
    const lot = row.lot.trim()
    if (!lot && !row.expiresOn) continue
    const e: { lot?: string; expiresOn?: string } = {}
    if (!lot) e.lot = 'lot_required'
    else if (lot.length > 40) e.lot = 'lot_too_long'
    if (!row.expiresOn) e.expiresOn = 'expiry_required'
    else if (!isRecordDate(row.expiresOn)) e.expiresOn = 'expiry_date'
    else if (lotExpiredOn({ expiresOn: row.expiresOn }, driveDate)) e.expiresOn = 'expired'
    if (Object.keys(e).length > 0) errors[row.test] = e
    else lots.push({ test: row.test, lot, expiresOn: row.expiresOn })
  }
  return { lots, errors }
}
