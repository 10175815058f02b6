// The save path commits on raw IndexedDB and tells Dexie's live queries a moment later, after
// "saved" is on screen. Figures kept in memory between openings (progress) must not be shown in
// that moment as if nothing had changed: the save says so here as soon as it has committed.
type CommitListener = (dbName: string, tables: readonly string[]) => void

const listeners = new Set<CommitListener>()

/** Called by the save path right after its transaction committed. */
export function noteCommitted(dbName: string, tables: readonly string[]): void {
  for (const listener of listeners) listener(dbName, tables)
}

/** Hears every committed save; returns the function that stops listening. */
export function onCommitted(listener: CommitListener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
