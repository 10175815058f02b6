// Bag reconciliation at the end of a drive: used + spoiled + returned must equal loaded, and any
// difference needs a written explanation before the leader can sign.
export interface ReconcileForm {
  bagsSpoiled: string
  bagsReturned: string
  discrepancyNote: string
}

export interface Reconciliation {
  loaded: number
  used: number
  spoiled: number | null
  returned: number | null
  /** used + spoiled + returned − loaded; null until both counts are numbers. */
  difference: number | null
  errors: Partial<Record<'bagsSpoiled' | 'bagsReturned' | 'discrepancyNote', string>>
  ok: boolean
}

/** A count typed on the number pad: a whole number ≥ 0, or null. */
export function parseCount(text: string): number | null {
  const s = text.trim()
  if (!/^\d{1,5}$/.test(s)) return null
  return Number(s)
}

export const MIN_NOTE_LENGTH = 5

export function reconcile(loaded: number, used: number, form: ReconcileForm): Reconciliation {
  const spoiled = parseCount(form.bagsSpoiled)
  const returned = parseCount(form.bagsReturned)
  const errors: Reconciliation['errors'] = {}
  if (spoiled === null) errors.bagsSpoiled = form.bagsSpoiled.trim() ? 'count' : 'required'
  if (returned === null) errors.bagsReturned = form.bagsReturned.trim() ? 'count' : 'required'
  const difference = spoiled !== null && returned !== null ? used + spoiled + returned - loaded : null
  if (difference !== null && difference !== 0 && form.discrepancyNote.trim().length < MIN_NOTE_LENGTH) {
    errors.discrepancyNote = 'note_required'
  }
  return { loaded, used, spoiled, returned, difference, errors, ok: Object.keys(errors).length === 0 }
}
