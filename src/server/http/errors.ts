// Every refusal the API gives is JSON `{ code, message }` with a 4xx status; only a fault of the
// server itself is a 5xx.
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import * as v from 'valibot'

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    /** Extra fields sent beside code and message (e.g. lastSeq for a sequence gap). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export const badRequest = (message: string, code = 'invalid_request'): ApiError => new ApiError(400, code, message)
export const notFound = (what: string): ApiError => new ApiError(404, 'not_found', `${what} not found`)
export const conflict = (code: string, message: string, extra: Record<string, unknown> = {}): ApiError =>
  new ApiError(409, code, message, extra)

/** Readable summary of valibot issues: "path: message; path: message". */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], max = 3): string {
  const parts = issues.slice(0, max).map((issue) => {
    const path = v.getDotPath(issue)
    return path ? `${path}: ${issue.message}` : issue.message
  })
  if (issues.length > max) parts.push(`…and ${issues.length - max} more`)
  return parts.join('; ')
}

/** Parses with a shared schema or throws a 400 naming what is wrong. */
export function parseOr400<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  code = 'invalid_request',
): v.InferOutput<S> {
  const result = v.safeParse(schema, input)
  if (!result.success) throw new ApiError(400, code, describeIssues(result.issues))
  return result.output
}
