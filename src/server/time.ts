// Server clock helpers. Only receipts and expiries use the clock; sync ordering never does.
import { isoDateOf } from '../domain/dates'

export function nowIso(now: Date = new Date()): string {
  return now.toISOString()
}

export function isoAfter(ms: number, now: Date = new Date()): string {
  return new Date(now.getTime() + ms).toISOString()
}

/** Today's calendar date where the station is. */
export function stationToday(timeZone: string, now: Date = new Date()): string {
  return isoDateOf(now, timeZone)
}
