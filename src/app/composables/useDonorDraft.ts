// Keeps the donor form in progress on the phone (db/drafts.ts) as it is typed, per drive and per
// crew member, and gives it back after a reload, a killed app, a lock, or a hand-over and back.
// The author is whoever is signed in when the form is first used: FieldLayout rebuilds the view
// when someone else unlocks, so one view never writes two people's drafts.
import { onBeforeUnmount, onMounted, ref, watch } from 'vue'
import { draftKey, loadDraft } from '../db/boot-read'
import { restoreDraft } from '../field/donor-draft'
import { useSessionStore } from '../stores/useSessionStore'
import type { DonorForm } from './useDonorForm'

// Writing drafts needs Dexie: loaded when the form first changes, not at the start (db/boot-read.ts reads).
const loadDrafts = () => import('../db/drafts')

/** Light debounce: a burst of typing is one write, and a kill loses at most this much. */
export const DRAFT_DEBOUNCE_MS = 300

export function useDonorDraft(form: DonorForm, driveId: string) {
  const session = useSessionStore()
  const author = ref<string | null>(session.locked ? null : session.staffId)
  /** When the draft shown was last written (ms), while the restored notice is up. */
  const restoredAt = ref<number | null>(null)
  let timer: ReturnType<typeof setTimeout> | null = null
  let held = false
  let restoring = false

  async function restore(): Promise<void> {
    const staffId = author.value
    if (!staffId) return
    restoring = true
    try {
      const row = await loadDraft(driveId, staffId)
      // Typing that began before the read finished wins over the older draft.
      if (!row || form.dirty.value || author.value !== staffId) return
      restoreDraft(form.state as unknown as Record<string, unknown>, row.form)
      restoredAt.value = row.updatedAt
    } finally {
      restoring = false
    }
  }

  function cancel(): void {
    if (timer !== null) clearTimeout(timer)
    timer = null
  }

  /** Writes (or, for a blank form, deletes) the draft now. */
  async function flush(): Promise<void> {
    cancel()
    const staffId = author.value
    if (!staffId || held || form.state.step === 'saved') return
    const drafts = await loadDrafts()
    if (form.dirty.value) await drafts.putDraft({ driveId, staffId, form: { ...form.state } })
    else await drafts.deleteDraft(driveId, staffId)
  }
  const flushQuietly = (): void => {
    if (timer !== null)
      void flush().catch(() => {
        /* the next change tries again */
      })
  }

  watch(
    () => form.state,
    () => {
      if (restoring || held || !author.value) return
      // The draft's writer (and Dexie) load on the first change, so the debounced write finds them.
      void loadDrafts().catch(() => {
        /* the write reports it */
      })
      cancel()
      timer = setTimeout(flushQuietly, DRAFT_DEBOUNCE_MS)
      // Anything typed after a restore is the user's own now.
    },
    { deep: true },
  )

  // First unlock on a cold start: the form was built under the lock, its author is known now.
  watch(
    () => session.staffId,
    (id) => {
      if (id && !author.value) {
        author.value = id
        void restore()
      }
    },
  )
  // Locked, or the page going away (a call, the camera, the app killed): write what is pending.
  watch(
    () => session.locked,
    (locked) => {
      if (locked) flushQuietly()
    },
  )
  const onHidden = (): void => {
    if (document.visibilityState === 'hidden') flushQuietly()
  }
  onMounted(() => {
    document.addEventListener('visibilitychange', onHidden)
    window.addEventListener('pagehide', flushQuietly)
    if (author.value) void restore()
  })
  onBeforeUnmount(() => {
    document.removeEventListener('visibilitychange', onHidden)
    window.removeEventListener('pagehide', flushQuietly)
    flushQuietly()
  })

  /**
   * Runs the save with the draft's key, so the records' transaction deletes the draft; no draft
   * write may start meanwhile (it could land after the delete and bring the saved donor back).
   */
  async function saving<T>(save: (clearDraft: string | undefined) => Promise<T>): Promise<T> {
    cancel()
    held = true
    try {
      return await save(author.value ? draftKey(driveId, author.value) : undefined)
    } finally {
      held = false
      restoredAt.value = null
    }
  }

  /** Explicit discard (the caller has asked for confirmation): the form empties and the draft goes. */
  async function discard(): Promise<void> {
    cancel()
    held = true
    // Emptied before the delete, not after it: what is typed meanwhile (the next donor) stays.
    form.reset()
    try {
      if (author.value) await (await loadDrafts()).deleteDraft(driveId, author.value)
    } finally {
      held = false
      restoredAt.value = null
    }
    // Typed while the delete ran (no draft write may start during it): written now; a failed
    // write leaves it to the next change, not the discard.
    if (form.dirty.value)
      await flush().catch(() => {
        /* the next change writes it */
      })
  }

  return { author, restoredAt, flush, saving, discard }
}

/**
 * Whether the person signed in has a donor form draft on this drive (for the drive screen's
 * "continue" offer): read on mount and whenever someone else unlocks.
 */
export function useDonorDraftOffer(driveId: () => string) {
  const session = useSessionStore()
  const savedAt = ref<number | null>(null)
  async function check(): Promise<void> {
    const staffId = session.staffId
    const row = staffId ? await loadDraft(driveId(), staffId).catch(() => null) : null
    savedAt.value = row && session.staffId === staffId ? row.updatedAt : null
  }
  watch(() => session.staffId, check)
  onMounted(check)
  return { savedAt }
}
