// What of the donor form a draft keeps, and how a stored draft goes back into the form. Pure:
// the form's state in, plain data out, and back, tolerant of drafts written by another app version
// (a field it no longer has is dropped, a field it has gained keeps its blank value).

type FormState = Record<string, unknown>

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)

/** Same kind of value as the blank form holds (null stands for "not chosen yet" of any kind). */
function fits(current: unknown, saved: unknown): boolean {
  if (saved === null) return true
  if (current === null) return typeof saved === 'string' || typeof saved === 'number' || typeof saved === 'boolean'
  return typeof current === typeof saved && !isRecord(saved)
}

/** Writes a stored draft into the (blank) form state, field by field. */
export function restoreDraft(state: FormState, saved: Record<string, unknown>): void {
  for (const key of Object.keys(state)) {
    if (!(key in saved)) continue
    const now = state[key]
    const value = saved[key]
    if (isRecord(now) && isRecord(value)) {
      for (const sub of Object.keys(now)) if (sub in value && fits(now[sub], value[sub])) now[sub] = value[sub]
    } else if (fits(now, value)) {
      state[key] = value
    }
  }
  // A draft is never written after a save; a "saved" step from elsewhere starts over.
  if (state.step === 'saved') state.step = 'identity'
}
