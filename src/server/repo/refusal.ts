// What the repo layer says when it will not do something: a code from the list below, an English
// message for logs and tools, and details (e.g. lastSeq, per-field errors). No HTTP here: the API
// maps each code to a status in one table (src/server/http/errors.ts), the CLI prints code and
// message. Lint fails an HTTP status in src/server/repo/ (eslint.config.js).
import * as v from 'valibot'

export const REFUSAL_CODES = [
  // the input
  'invalid_request',
  'invalid_account',
  'invalid_station',
  'invalid_site',
  'invalid_channel',
  'invalid_team',
  'invalid_staff',
  'invalid_pin',
  'invalid_population',
  'invalid_target',
  'invalid_period',
  'invalid_scope',
  'invalid_code',
  'invalid_plan',
  'invalid_donor_flag',
  // who asks
  'bad_credentials',
  'unauthorized',
  'wrong_device',
  // what is there already, or not
  'not_found',
  'username_taken',
  'station_exists',
  'id_taken',
  'code_taken',
  'overlapping_duplicate',
  // a follow-up call already marked done (clinic)
  'invalid_follow_up',
  'sequence_gap',
  'sequence_conflict',
  // the records' schema version
  'schema_too_new',
  'schema_too_old',
  // another writer got there first; sending again works
  'busy',
] as const
export type RefusalCode = (typeof REFUSAL_CODES)[number]

export class Refusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
    /** Sent beside code and message (e.g. lastSeq for a sequence gap, errors for a target). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'Refusal'
  }
}

/** Readable summary of valibot issues: "path: message; path: message". */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], max = 3): string {
  const parts = issues.slice(0, max).map((issue) => {
    const path = v.getDotPath(issue)
    return path ? `${path}: ${issue.message}` : issue.message
  })
  if (issues.length > max) parts.push(`…and ${issues.length - max} more`)
  return parts.join('; ')
}

/** Parses with a shared schema or refuses with `code`, naming what is wrong. */
export function parseOrRefuse<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  code: RefusalCode = 'invalid_request',
): v.InferOutput<S> {
  const result = v.safeParse(schema, input)
  if (!result.success) throw new Refusal(code, describeIssues(result.issues))
  return result.output
}
