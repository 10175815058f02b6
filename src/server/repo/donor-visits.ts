// What the donor said on the bus that only the station sees (schema 3, questionnaire.ts): the
// confidential self-exclusions ("please do not use my blood") by bag number, and the contact list
// of donors who agreed to be contacted, with their name and phone (identity data stays here).
import type { ContactConsent } from '../../domain/questionnaire'
import type { Correction, Deferral, Donation } from '../../domain/records'
import type { Db } from '../db/store'
import { currentDonorIdentity } from './donor-identities'

type Visit = Donation | Deferral

/** Donations and deferrals (as corrected, not voided) whose stored text holds `marker`. */
async function visitsMarked(
  db: Db,
  stationId: string,
  marker: string,
  period: { from?: string; to?: string } = {},
): Promise<Visit[]> {
  let q = db
    .selectFrom('records')
    .select(['id', 'body', 'corrected_by'])
    .where('station_id', '=', stationId)
    .where('type', 'in', ['donation', 'deferral'])
    .where('voided', '=', 0)
  if (period.from) q = q.where('collected_on', '>=', period.from)
  if (period.to) q = q.where('collected_on', '<=', period.to)
  // Bodies are canonical JSON, so the field reads the same in every record; the check below decides.
  const rows = await q
    .where((eb) => eb.or([eb('body', 'like', `%${marker}%`), eb('corrected_by', 'is not', null)]))
    .execute()
  const winners = rows.flatMap((r) => (r.corrected_by ? [r.corrected_by] : []))
  const replacement = new Map<string, Visit>()
  for (let i = 0; i < winners.length; i += 500) {
    const cs = await db
      .selectFrom('records')
      .select(['id', 'body'])
      .where('id', 'in', winners.slice(i, i + 500))
      .execute()
    for (const c of cs) {
      const r = (JSON.parse(c.body) as Correction).replacement
      if (r.type === 'donation' || r.type === 'deferral') replacement.set(c.id, r)
    }
  }
  return rows.map((r) => (r.corrected_by && replacement.get(r.corrected_by)) || (JSON.parse(r.body) as Visit))
}

export interface SelfExclusion {
  id: string
  din: string
  collectedOn: string
  driveId: string | null
  siteId: string | null
  questionnaireVersion: string
}

/** Donations whose donor asked, in confidence, that the blood not be used. */
export async function listSelfExclusions(
  db: Db,
  stationId: string,
  period: { from?: string; to?: string },
): Promise<SelfExclusion[]> {
  const visits = await visitsMarked(db, stationId, '"selfExcluded":true', period)
  return visits
    .filter((v): v is Donation => v.type === 'donation' && v.questionnaire?.selfExcluded === true)
    .map((d) => ({
      id: d.id,
      din: d.din,
      collectedOn: d.collectedOn,
      driveId: d.driveId,
      siteId: d.siteId,
      questionnaireVersion: d.questionnaire!.version,
    }))
    .sort((a, b) => (a.collectedOn < b.collectedOn ? -1 : a.collectedOn > b.collectedOn ? 1 : a.din < b.din ? -1 : 1))
}

export interface ContactRow {
  name: string
  phone: string
  contact: Exclude<ContactConsent, 'none'>
  /** The visit the consent was given at. */
  lastVisitOn: string
}

/**
 * Donors whose latest answer agrees to be contacted (a later "none" withdraws an earlier yes),
 * with their current name and phone. Donors without a phone on record are listed too (WeChat
 * may be by name), sorted by the latest visit, newest first.
 */
export async function listContactConsents(db: Db, stationId: string): Promise<ContactRow[]> {
  const visits = await visitsMarked(db, stationId, '"contactConsent":')
  const latest = new Map<string, Visit>()
  for (const v of visits) {
    if (!v.contactConsent) continue
    const seen = latest.get(v.donorKey)
    if (
      !seen ||
      v.collectedOn > seen.collectedOn ||
      (v.collectedOn === seen.collectedOn && v.createdAt > seen.createdAt)
    )
      latest.set(v.donorKey, v)
  }
  const out: ContactRow[] = []
  for (const [key, v] of latest) {
    if (v.contactConsent === 'none' || !v.contactConsent) continue
    const who = await currentDonorIdentity(db, stationId, key)
    if (!who) continue
    out.push({
      name: who.identity.name,
      phone: who.identity.phone,
      contact: v.contactConsent,
      lastVisitOn: v.collectedOn,
    })
  }
  return out.sort((a, b) =>
    a.lastVisitOn < b.lastVisitOn ? 1 : a.lastVisitOn > b.lastVisitOn ? -1 : a.name < b.name ? -1 : 1,
  )
}

const CSV_HEADER = ['name', 'phone', 'contact', 'last_visit_on']

/** A cell a spreadsheet will not run as a formula. */
function cell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

export function contactsCsv(rows: readonly ContactRow[]): string {
  const lines = [CSV_HEADER.join(',')]
  for (const r of rows) lines.push([r.name, r.phone, r.contact, r.lastVisitOn].map(cell).join(','))
  return lines.join('\r\n') + '\r\n'
}

export async function contactsXlsx(rows: readonly ContactRow[]): Promise<Buffer> {
  const { default: writeXlsxFile } = await import('write-excel-file/node')
  const bold = (value: string) => ({ value, fontWeight: 'bold' as const })
  const text = (value: string) => ({ value, type: String })
  return writeXlsxFile(
    [CSV_HEADER.map(bold), ...rows.map((r) => [r.name, r.phone, r.contact, r.lastVisitOn].map(text))],
    { columns: [{ width: 16 }, { width: 18 }, { width: 10 }, { width: 14 }], sheet: 'contacts' },
  ).toBuffer()
}
