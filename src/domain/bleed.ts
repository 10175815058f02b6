// The bleed and what it means for the bag: a short draw, or a whole-blood bleed longer than a
// component's limit, flags the bag for the laboratory (the limits are station configuration:
// a slow bleed activates platelets and clotting factors, so the bag is not used for platelets
// after 12 minutes, nor for plasma after 15 by default).
import type { Bleed, Product } from './records'

export interface BleedLimits {
  /** Longest whole-blood bleed whose bag may still give platelets (minutes). */
  plateletMinutes: number
  /** Longest whole-blood bleed whose bag may still give plasma for clinical use (minutes). */
  plasmaMinutes: number
}

export const DEFAULT_BLEED_LIMITS: BleedLimits = Object.freeze({ plateletMinutes: 12, plasmaMinutes: 15 })

export const BLEED_FLAGS = ['short_draw', 'platelet_limit', 'plasma_limit', 'failed_venipuncture'] as const
export type BleedFlag = (typeof BLEED_FLAGS)[number]

/** Minutes from start to end of the bleed (fractional); null when either time is missing. */
export function bleedMinutes(bleed: Pick<Bleed, 'startedAt' | 'endedAt'> | null | undefined): number | null {
  if (!bleed?.startedAt || !bleed.endedAt) return null
  return (Date.parse(bleed.endedAt) - Date.parse(bleed.startedAt)) / 60_000
}

/**
 * Why the lab should look at this bag, in BLEED_FLAGS order; empty when the bleed was normal.
 * Time limits apply to whole blood only (apheresis machines time their own runs).
 */
export function bleedFlags(
  product: Pick<Product, 'type'>,
  bleed: Bleed | null | undefined,
  limits: BleedLimits = DEFAULT_BLEED_LIMITS,
): BleedFlag[] {
  if (!bleed) return []
  const flags: BleedFlag[] = []
  if (bleed.shortDraw) flags.push('short_draw')
  const minutes = bleedMinutes(bleed)
  if (product.type === 'whole_blood' && minutes !== null) {
    if (minutes > limits.plateletMinutes) flags.push('platelet_limit')
    if (minutes > limits.plasmaMinutes) flags.push('plasma_limit')
  }
  if (bleed.failedVenipuncture) flags.push('failed_venipuncture')
  return flags
}
