// The codes a rejected push item carries, apart from the push schemas (sync-protocol.ts), so a
// screen that only names refusals (error-codes.ts, on the first screen) does not load those schemas.

/** Stable codes a rejected item carries; clients may branch on them. */
export const REJECT_CODES = [
  'invalid_record', // fails the shared schema
  'wrong_station', // record's stationId is not the device's
  'unknown_reference', // channel, site, drive, target record not known
  'duplicate_din', // bag number already used by another donation
  'conflicting_id', // the id exists with different content of another type
  'schema_too_new', // client schema newer than the server understands
  'rule_violation', // a domain rule refused it (e.g. void of a void)
  'reagent_expired', // a rapid test's reagent lot expired before the drive's date or the test's day
] as const
export type RejectCode = (typeof REJECT_CODES)[number]
