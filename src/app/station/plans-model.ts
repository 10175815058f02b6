// The plans page's pure parts: the month's agenda, the plan form and its checks, and the
// recruitment list as a table for CSV/XLSX. Tested without mounting.
import { checkDinRange } from '../../domain/din'
import type { DrivePlan, RecruitmentReason } from '../../domain/plans'
import { isIsoDate } from '../../domain/dates'
import type { DrivePlanInput, RecruitmentList } from './station-client'

export interface PlanDay {
  date: string
  plans: DrivePlan[]
}

/** The month's plans by day, days in order, plans of a day by site name. */
export function agenda(plans: readonly DrivePlan[], siteName: (id: string) => string): PlanDay[] {
  const days = new Map<string, DrivePlan[]>()
  for (const p of plans) days.set(p.date, [...(days.get(p.date) ?? []), p])
  return [...days.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, list]) => ({
      date,
      plans: list.sort((a, b) => siteName(a.siteId).localeCompare(siteName(b.siteId), 'zh-CN')),
    }))
}

export function shiftMonth(month: string, by: number): string {
  const total = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + by
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`
}

export interface PlanForm {
  id: string
  date: string
  siteId: string
  channelId: string
  busCode: string
  staffIds: string[]
  leaderStaffId: string
  expectedDonors: string
  dinFirst: string
  dinLast: string
  note: string
}

export const emptyPlanForm = (date: string): PlanForm => ({
  id: '',
  date,
  siteId: '',
  channelId: '',
  busCode: '',
  staffIds: [],
  leaderStaffId: '',
  expectedDonors: '',
  dinFirst: '',
  dinLast: '',
  note: '',
})

export const planFormOf = (p: DrivePlan): PlanForm => ({
  id: p.id,
  date: p.date,
  siteId: p.siteId,
  channelId: p.channelId,
  busCode: p.busCode,
  staffIds: [...p.staffIds],
  leaderStaffId: p.leaderStaffId ?? '',
  expectedDonors: String(p.expectedDonors),
  dinFirst: p.dinFirst,
  dinLast: p.dinLast,
  note: p.note,
})

/** Field → message key under station.plans.errors. */
export type PlanFormErrors = Partial<Record<keyof PlanForm, string>>

export function checkPlanForm(form: PlanForm): { errors: PlanFormErrors; input: DrivePlanInput | null } {
  const errors: PlanFormErrors = {}
  if (!isIsoDate(form.date)) errors.date = 'date'
  if (!form.siteId) errors.siteId = 'required'
  if (!form.channelId) errors.channelId = 'required'
  const expected = Number(form.expectedDonors)
  if (form.expectedDonors.trim() === '' || !Number.isInteger(expected) || expected < 0 || expected > 2000)
    errors.expectedDonors = 'expected'
  if (form.leaderStaffId && !form.staffIds.includes(form.leaderStaffId)) errors.leaderStaffId = 'leader_on_board'
  const first = form.dinFirst.trim().toUpperCase()
  const last = form.dinLast.trim().toUpperCase()
  if ((first === '') !== (last === '')) errors[first === '' ? 'dinFirst' : 'dinLast'] = 'din_both'
  else if (first !== '' && !checkDinRange(first, last).ok) errors.dinLast = 'din_range'
  if (Object.keys(errors).length > 0) return { errors, input: null }
  return {
    errors,
    input: {
      ...(form.id ? { id: form.id } : {}),
      date: form.date,
      siteId: form.siteId,
      channelId: form.channelId,
      busCode: form.busCode.trim(),
      teamIds: [],
      staffIds: [...form.staffIds],
      leaderStaffId: form.leaderStaffId || null,
      expectedDonors: expected,
      dinFirst: first,
      dinLast: last,
      note: form.note.trim(),
    },
  }
}

/** The recruitment list as a file's header and rows (the station's messaging tools read it). */
export function recruitmentTable(
  list: RecruitmentList,
  label: (key: string) => string,
): { header: string[]; rows: (string | number | null)[][] } {
  const reason = (r: RecruitmentReason) => label(`reasons.${r}`)
  const header = ['name', 'phone', 'bloodGroup', 'lastDonationOn', 'lastSite', 'donations', 'eligibleOn', 'reason'].map(
    (k) => label(`columns.${k}`),
  )
  const rows = list.rows.map((r) => [
    r.name,
    r.phone,
    r.abo ? `${r.abo}${r.rhd === 'neg' ? ' RhD-' : r.rhd === 'pos' ? ' RhD+' : ''}` : '',
    r.lastDonationOn,
    r.lastSiteName,
    r.donationCount,
    r.eligibleOn,
    r.reasons.map(reason).join(' / '),
  ])
  return { header, rows }
}
