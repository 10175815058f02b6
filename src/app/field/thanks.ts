// The donor's thanks screen: from which day each product may be given again after today's
// donation, by the station's interval rules (eligibility.ts).
import { addDuration } from '../../domain/dates'
import { DEFAULT_ELIGIBILITY, type EligibilityConfig, PRODUCT_TYPES, type ProductType } from '../../domain/eligibility'

export function nextDatesAfter(
  donated: ProductType,
  collectedOn: string,
  config: EligibilityConfig = DEFAULT_ELIGIBILITY,
): Array<{ product: ProductType; date: string }> {
  return PRODUCT_TYPES.map((product) => ({
    product,
    date: addDuration(collectedOn, config.intervals[donated][product]),
  }))
}
