// Who is using this shared phone right now. Staff unlock with their own PIN (checked offline
// against the roster's hash); the phone locks itself after a spell of inactivity. When a
// different person unlocks, `formEpoch` moves on and every open form starts empty.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { RosterEntry } from '../../domain/records'
import { verifyPin } from '../../domain/pin'
import { dirtyFormNames } from '../composables/useDirtyForms'
import { useDeviceStore } from './useDeviceStore'

/** Lock after this long without a touch or key press (ms). */
export const DEFAULT_LOCK_AFTER_MS = 5 * 60 * 1000

export type UnlockResult = 'ok' | 'wrong_pin' | 'unknown_staff'

export const useSessionStore = defineStore('session', () => {
  const device = useDeviceStore()
  /** The person signed in, while unlocked. */
  const staff = shallowRef<RosterEntry | null>(null)
  /** Who held the phone before it locked (their unsaved form may still be open under the lock). */
  const previousStaffId = ref<string | null>(null)
  const locked = ref(true)
  const formEpoch = ref(0)
  const lockAfterMs = ref(DEFAULT_LOCK_AFTER_MS)
  const lastActivityAt = ref(Date.now())
  /** Names of forms discarded at the last hand-over, for a one-time notice. */
  const discardedForms = ref<string[]>([])

  const staffId = computed(() => staff.value?.id ?? null)

  async function unlock(id: string, pin: string): Promise<UnlockResult> {
    const entry = device.roster.find((s) => s.id === id && s.active)
    if (!entry) return 'unknown_staff'
    if (!(await verifyPin(pin, entry.pinHash))) return 'wrong_pin'
    if (previousStaffId.value !== null && previousStaffId.value !== id) {
      // Hand-over: nothing of the previous person's unsaved input may show.
      discardedForms.value = dirtyFormNames()
      formEpoch.value++
    } else {
      discardedForms.value = []
    }
    staff.value = entry
    previousStaffId.value = id
    locked.value = false
    lastActivityAt.value = Date.now()
    return 'ok'
  }

  /** Lock the screen; the same person unlocking again finds their form as they left it. */
  function lock(): void {
    if (staff.value) previousStaffId.value = staff.value.id
    staff.value = null
    locked.value = true
  }

  /** Hand the phone to someone else now: forms are cleared at once, not at the next unlock. */
  function switchStaff(): void {
    lock()
    formEpoch.value++
    discardedForms.value = []
    previousStaffId.value = null
  }

  function noteActivity(now = Date.now()): void {
    lastActivityAt.value = now
  }

  /** Called on a timer: locks when idle too long. Returns true if it locked. */
  function lockIfIdle(now = Date.now()): boolean {
    if (locked.value || now - lastActivityAt.value < lockAfterMs.value) return false
    lock()
    return true
  }

  /** Check a PIN of anyone on the roster (the drive leader's sign-off). */
  async function checkStaffPin(id: string, pin: string): Promise<boolean> {
    const entry = device.roster.find((s) => s.id === id && s.active)
    return entry ? verifyPin(pin, entry.pinHash) : false
  }

  return {
    staff,
    staffId,
    previousStaffId,
    locked,
    formEpoch,
    lockAfterMs,
    lastActivityAt,
    discardedForms,
    unlock,
    lock,
    switchStaff,
    noteActivity,
    lockIfIdle,
    checkStaffPin,
  }
})
