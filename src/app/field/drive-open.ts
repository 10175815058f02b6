// Checking the "open a drive" form before anything is saved; pure, so it is tested without a screen.
import { checkDinRange } from '../../domain/din'
import { isIsoDate } from '../../domain/dates'
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
  if (!isIsoDate(form.date)) errors.date = 'date'
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
    },
  }
}
