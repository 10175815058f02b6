// The clinic report answers (docs/admin-api.md "Clinic"), checked as the station client reads
// them: bags the bleed flags for the lab, follow-up calls after reactions, reaction rates.
import * as v from 'valibot'
import { BLEED_FLAGS } from '../../domain/bleed'
import { FOLLOW_UP_KINDS } from '../../domain/haemovigilance'
import { BleedSchema, ProductSchema, REACTION_SEVERITIES } from '../../domain/records'

export const FlaggedBagSchema = v.object({
  donationId: v.string(),
  din: v.string(),
  collectedOn: v.string(),
  collectedAt: v.string(),
  driveId: v.nullable(v.string()),
  siteId: v.nullable(v.string()),
  product: ProductSchema,
  bleed: BleedSchema,
  minutes: v.nullable(v.number()),
  flags: v.array(v.picklist(BLEED_FLAGS)),
})
export type FlaggedBag = v.InferOutput<typeof FlaggedBagSchema>
export const FlaggedBagsSchema = v.object({ from: v.string(), to: v.string(), bags: v.array(FlaggedBagSchema) })

export const FollowUpSchema = v.object({
  reactionId: v.string(),
  donationId: v.string(),
  kind: v.picklist(FOLLOW_UP_KINDS),
  dueOn: v.string(),
  code: v.string(),
  severity: v.picklist(REACTION_SEVERITIES),
  onset: v.nullable(v.string()),
  occurredAt: v.string(),
  din: v.nullable(v.string()),
  driveId: v.nullable(v.string()),
  done: v.nullable(v.object({ at: v.string(), by: v.string(), byName: v.string(), note: v.string() })),
})
export type FollowUp = v.InferOutput<typeof FollowUpSchema>
export const FollowUpsSchema = v.object({ followUps: v.array(FollowUpSchema) })

const RateCell = {
  reactions: v.number(),
  donations: v.number(),
  per1000: v.nullable(v.number()),
}
export const HaemovigilanceSchema = v.object({
  from: v.string(),
  to: v.string(),
  donations: v.number(),
  reactions: v.number(),
  per1000: v.nullable(v.number()),
  byType: v.array(v.object({ code: v.string(), ...RateCell })),
  bySite: v.array(v.object({ group: v.picklist(['bus', 'fixed']), ...RateCell })),
  byDonor: v.array(v.object({ group: v.picklist(['first_time', 'repeat']), ...RateCell })),
})
export type Haemovigilance = v.InferOutput<typeof HaemovigilanceSchema>
