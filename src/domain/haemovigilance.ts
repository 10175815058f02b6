// Donor haemovigilance after the national guideline (Chinese Society of Blood Transfusion, 献血
//不良反应): the reaction types, when the station calls the donor back, and reaction rates per
// 1,000 donations.
import { addDays } from './dates'
import type { AdverseReaction } from './records'

/** Reaction types; 'vasovagal' (immediate) and the other older codes keep their meaning. */
export const REACTION_CODES = [
  'vasovagal',
  'vasovagal_delayed',
  'hematoma',
  'arterial_puncture',
  'nerve_injury',
  'citrate',
  'other',
] as const
export type ReactionCode = (typeof REACTION_CODES)[number]

/** Follow-up calls: at 24 h for a moderate or severe reaction, at 2–3 weeks for a delayed one. */
export const FOLLOW_UP_KINDS = ['call_24h', 'call_2w'] as const
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number]

/** A delayed report: the donor had left, or the reaction is a delayed vasovagal one. */
export function isDelayedReaction(r: Pick<AdverseReaction, 'code' | 'onset'>): boolean {
  return r.onset === 'after_leaving' || r.code === 'vasovagal_delayed'
}

export interface FollowUpDue {
  kind: FollowUpKind
  /** Station-local date the call is due (the 2-week call may be made up to a week later). */
  dueOn: string
}

/** The calls a reaction needs, dated from the day it occurred (`occurredOn`, station-local). */
export function followUpsFor(
  r: Pick<AdverseReaction, 'code' | 'onset' | 'severity'>,
  occurredOn: string,
): FollowUpDue[] {
  const out: FollowUpDue[] = []
  if (r.severity === 'moderate' || r.severity === 'severe')
    out.push({ kind: 'call_24h', dueOn: addDays(occurredOn, 1) })
  if (isDelayedReaction(r)) out.push({ kind: 'call_2w', dueOn: addDays(occurredOn, 14) })
  return out
}

/** Reactions per 1,000 donations, to one decimal; null without donations. */
export function per1000(reactions: number, donations: number): number | null {
  return donations > 0 ? Math.round((reactions * 10_000) / donations) / 10 : null
}
