// Which failed eligibility checks a drive leader may override, and why. The station configures
// both (Station.donorRules, pulled with the station row); without it only the donation-interval
// check is overridable and every other failure is a hard stop. A second donation on the same day
// is never overridable, whatever the station says.
import type { EligibilityFailure } from './eligibility'
import type { Deferral, Donation, Station } from './records'
import { deferralReasonCodes } from './record-codes'

export interface OverrideReason {
  code: string
  zh: string
  en: string
}

export interface DonorRules {
  /** Eligibility rules (EligibilityRule codes) a leader may override with their PIN and a reason. */
  overridable: string[]
  /** The reasons a leader picks from; data, not code. */
  overrideReasons: OverrideReason[]
}

/** Rules no configuration makes overridable. */
export const NEVER_OVERRIDABLE: readonly string[] = ['same_day']

export const DEFAULT_OVERRIDE_REASONS: readonly OverrideReason[] = Object.freeze([
  { code: 'urgent_clinical_need', zh: '临床紧急用血', en: 'Urgent clinical need' },
  { code: 'rare_blood_type', zh: '稀有血型，血站同意', en: 'Rare blood type, agreed with the station' },
  { code: 'snapshot_outdated', zh: '已核实上次献血日期有误', en: 'Last donation date verified as wrong' },
  { code: 'physician_approved', zh: '体检医生评估同意', en: 'Approved by the examining physician' },
])

export const DEFAULT_DONOR_RULES: DonorRules = Object.freeze({
  overridable: ['interval'],
  overrideReasons: [...DEFAULT_OVERRIDE_REASONS],
}) as DonorRules

/** The station's rules, or the defaults when it has none. */
export function donorRulesOf(station: Pick<Station, 'donorRules'> | null | undefined): DonorRules {
  return station?.donorRules ?? DEFAULT_DONOR_RULES
}

export function isOverridable(rule: string, rules: DonorRules = DEFAULT_DONOR_RULES): boolean {
  return !NEVER_OVERRIDABLE.includes(rule) && rules.overridable.includes(rule)
}

/** Failures split into those that stop a donation outright and those a leader may override. */
export function splitFailures<F extends Pick<EligibilityFailure, 'rule'>>(
  failures: readonly F[],
  rules: DonorRules = DEFAULT_DONOR_RULES,
): { hard: F[]; overridable: F[] } {
  const hard: F[] = []
  const overridable: F[] = []
  for (const f of failures) (isOverridable(f.rule, rules) ? overridable : hard).push(f)
  return { hard, overridable }
}

/** The rules an override must name for these failures, in order, each once. */
export function overrideRulesFor(failures: readonly Pick<EligibilityFailure, 'rule'>[]): string[] {
  return [...new Set(failures.map((f) => f.rule))]
}

/** True when `override` names every one of the failures' rules. */
export function overrideCovers(
  override: Donation['override'] | null | undefined,
  failures: readonly Pick<EligibilityFailure, 'rule'>[],
): boolean {
  if (failures.length === 0) return true
  if (!override) return false
  return failures.every((f) => override.rules.includes(f.rule))
}

export function overrideReasonLabel(code: string, locale: string, rules: DonorRules = DEFAULT_DONOR_RULES): string {
  const reason =
    rules.overrideReasons.find((r) => r.code === code) ?? DEFAULT_OVERRIDE_REASONS.find((r) => r.code === code)
  if (!reason) return code
  return locale.startsWith('zh') ? reason.zh : reason.en
}

/** Deferrals by reason and overrides by reason and by drive, over counted (effective, not voided) records. */
export interface RulesCounts {
  deferrals: number
  deferralsByReason: Record<string, number>
  overrides: number
  overridesByReason: Record<string, number>
  /** Drive id ('' for records outside any drive) → overrides. */
  overridesByDrive: Record<string, number>
}

export function countRules(
  records: Iterable<
    { type: string } & Partial<Pick<Donation, 'override' | 'driveId'>> &
      Partial<Pick<Deferral, 'reasonCode' | 'reasonCodes'>>
  >,
): RulesCounts {
  const out: RulesCounts = {
    deferrals: 0,
    deferralsByReason: {},
    overrides: 0,
    overridesByReason: {},
    overridesByDrive: {},
  }
  const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1)
  for (const r of records) {
    if (r.type === 'deferral' && r.reasonCode) {
      out.deferrals++
      for (const code of deferralReasonCodes({ reasonCode: r.reasonCode, reasonCodes: r.reasonCodes }))
        bump(out.deferralsByReason, code)
    } else if (r.type === 'donation' && r.override) {
      out.overrides++
      bump(out.overridesByReason, r.override.reasonCode)
      bump(out.overridesByDrive, r.driveId ?? '')
    }
  }
  return out
}
