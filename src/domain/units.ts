// Counting what a donation yields: whole blood in units of 200 ml, apheresis platelets in
// therapeutic doses (治疗量) of at least 2.5 × 10¹¹ platelets.
import type { Product } from './records'

export const ML_PER_UNIT = 200
export const PLATELETS_PER_DOSE = 2.5e11
/** One apheresis collection yields at most this many doses (records allow 1 or 2). */
export const MAX_DOSES_PER_DONATION = 2

/** 200 ml = 1 u, 300 ml = 1.5 u, 400 ml = 2 u. */
export function wholeBloodUnits(volumeMl: number): number {
  if (!Number.isFinite(volumeMl) || volumeMl <= 0) throw new RangeError(`not a collected volume: ${volumeMl}`)
  return volumeMl / ML_PER_UNIT
}

export interface ProductYield {
  /** Whole-blood units (0 for apheresis). */
  units: number
  /** Apheresis platelet doses (0 for whole blood). */
  doses: number
}

export function productUnits(product: Product): ProductYield {
  return product.type === 'whole_blood'
    ? { units: wholeBloodUnits(product.volumeMl), doses: 0 }
    : { units: 0, doses: product.doses }
}

/** Full doses in a measured platelet yield, capped at what one donation may be recorded as. */
export function plateletDoses(plateletCount: number): number {
  if (!Number.isFinite(plateletCount) || plateletCount < 0)
    throw new RangeError(`not a platelet count: ${plateletCount}`)
  return Math.min(MAX_DOSES_PER_DONATION, Math.floor(plateletCount / PLATELETS_PER_DOSE))
}
