// Checking the "open a drive" form before anything is saved; pure, so it is tested without a screen.
import * as v from 'valibot'
import { checkDinRange } from '../../domain/din'
import type { DrivePlan } from '../../domain/plans'
import { IsoDate, type Drive, type RosterEntry } from '../../domain/records'
import type { DriveOpenInput } from '../stores/useDriveStore'

export interface DriveOpenForm {
  date: string
  busCode: string
  siteId: string
  channelId: string
  teamIds: string[]
  staffIds: string[]
  leaderStaffId: string
  dinFirst: string
  dinLast: string
  /** The station's plan the form was filled from ('' when none); kept on the drive as planId. */
  planId: string
}

export type DriveOpenField = keyof DriveOpenForm
/** Field → message key under drive.open.errors. */
export type DriveOpenErrors = Partial<Record<DriveOpenField, string>>

export type BagRange =
  { ok: true; bagsLoaded: number; first: string; last: string } | { ok: false; error: string | null }

/** Bags loaded, computed from the first and last DIN (check character optional). */
export function bagRange(first: string, last: string): BagRange {
  if (!first.trim() || !last.trim()) return { ok: false, error: null }
  const range = checkDinRange(first, last)
  if (!range.ok) return { ok: false, error: `din_${range.error}` }
  return { ok: true, bagsLoaded: range.size, first: range.first.body, last: range.last.body }
}

export const MAX_BAGS_PER_DRIVE = 2000

export function validateDriveOpen(form: DriveOpenForm): { errors: DriveOpenErrors; input: DriveOpenInput | null } {
  const errors: DriveOpenErrors = {}
  // The record's own rule (a calendar day of 2000–2100), so the form refuses what the save would.
  if (!v.is(IsoDate, form.date)) errors.date = 'date'
  if (!form.busCode.trim()) errors.busCode = 'required'
  else if (form.busCode.trim().length > 20) errors.busCode = 'too_long'
  if (!form.siteId) errors.siteId = 'required'
  if (!form.channelId) errors.channelId = 'required'
  if (form.staffIds.length === 0) errors.staffIds = 'staff_required'
  else if (form.staffIds.length > 12) errors.staffIds = 'too_many_staff'
  if (!form.leaderStaffId) errors.leaderStaffId = 'required'
  else if (!form.staffIds.includes(form.leaderStaffId)) errors.leaderStaffId = 'leader_on_board'
  if (form.teamIds.length > 8) errors.teamIds = 'too_many_teams'
  const range = bagRange(form.dinFirst, form.dinLast)
  if (!form.dinFirst.trim()) errors.dinFirst = 'required'
  if (!form.dinLast.trim()) errors.dinLast = 'required'
  if (!range.ok && range.error) {
    if (range.error === 'din_first') errors.dinFirst = range.error
    else errors.dinLast = range.error
  } else if (range.ok && range.bagsLoaded > MAX_BAGS_PER_DRIVE) {
    errors.dinLast = 'din_too_many'
  }
  if (Object.keys(errors).length > 0 || !range.ok) return { errors, input: null }
  return {
    errors,
    input: {
      date: form.date,
      busCode: form.busCode.trim(),
      siteId: form.siteId,
      channelId: form.channelId,
      teamIds: [...form.teamIds],
      staffIds: [...form.staffIds],
      leaderStaffId: form.leaderStaffId,
      dinFirst: range.first,
      dinLast: range.last,
      bagsLoaded: range.bagsLoaded,
      ...(form.planId ? { planId: form.planId } : {}),
    },
  }
}

// ── From the station's plan ─────────────────────────────────────────────────────────────────────

/**
 * The form's fields a plan fills: its site, channel, teams, bus and bag range, and the crew still
 * active on the phone's roster (the leader only when on board). What the plan leaves open keeps
 * what the form had (the bus and crew of the last drive).
 */
export function formFromPlan(
  plan: DrivePlan,
  form: DriveOpenForm,
  activeRoster: readonly Pick<RosterEntry, 'id'>[],
): DriveOpenForm {
  const active = new Set(activeRoster.map((s) => s.id))
  const staffIds = plan.staffIds.filter((id) => active.has(id))
  const crew = staffIds.length > 0 ? staffIds : form.staffIds
  const leader =
    plan.leaderStaffId && crew.includes(plan.leaderStaffId)
      ? plan.leaderStaffId
      : crew.includes(form.leaderStaffId)
        ? form.leaderStaffId
        : ''
  return {
    ...form,
    date: plan.date,
    siteId: plan.siteId,
    channelId: plan.channelId,
    teamIds: [...plan.teamIds],
    busCode: plan.busCode || form.busCode,
    staffIds: [...crew],
    leaderStaffId: leader,
    dinFirst: plan.dinFirst || form.dinFirst,
    dinLast: plan.dinLast || form.dinLast,
    planId: plan.id,
  }
}

// ── Overlapping bag ranges ──────────────────────────────────────────────────────────────────────

/** How long a closed drive's range still warns (its leftover bags may be on another bus). */
export const DEFAULT_RANGE_OVERLAP_DAYS = 30

/** A drive on this phone and when it was closed (null while open). */
export interface DriveOnPhone {
  drive: Pick<Drive, 'id' | 'busCode' | 'siteId' | 'date' | 'dinFirst' | 'dinLast'>
  closedAt: string | null
}

/** Another drive whose bag range shares numbers with the one being opened. */
export interface RangeOverlap {
  drive: DriveOnPhone['drive']
  closedAt: string | null
  /** The shared numbers, first and last (bodies). */
  first: string
  last: string
  count: number
}

/**
 * Drives of this phone, open or closed within `days` before `now`, whose bag range shares a
 * number with first…last (bodies or with check character, one series).
 */
export function rangeOverlaps(
  first: string,
  last: string,
  drives: DriveOnPhone[],
  now: Date,
  days: number = DEFAULT_RANGE_OVERLAP_DAYS,
): RangeOverlap[] {
  const range = checkDinRange(first, last)
  if (!range.ok) return []
  const since = now.getTime() - days * 86_400_000
  const found: RangeOverlap[] = []
  for (const d of drives) {
    if (d.closedAt !== null && Date.parse(d.closedAt) < since) continue
    const other = checkDinRange(d.drive.dinFirst, d.drive.dinLast)
    if (!other.ok || other.first.series !== range.first.series) continue
    const from = Math.max(range.first.sequence, other.first.sequence)
    const to = Math.min(range.last.sequence, other.last.sequence)
    if (from > to) continue
    const prefix = range.first.body.slice(0, range.first.body.length - 6)
    const body = (n: number) => `${prefix}${String(n).padStart(6, '0')}`
    found.push({ drive: d.drive, closedAt: d.closedAt, first: body(from), last: body(to), count: to - from + 1 })
  }
  // Open drives first, then the most recent.
  return found.sort((a, b) =>
    (a.closedAt === null) !== (b.closedAt === null)
      ? a.closedAt === null
        ? -1
        : 1
      : a.drive.date < b.drive.date
        ? 1
        : -1,
  )
}
