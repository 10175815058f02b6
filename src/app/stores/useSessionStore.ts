// Who is using this shared phone right now. Staff unlock with their own PIN (checked offline
// against the roster's hash); the phone locks itself after a spell of inactivity. When a
// different person unlocks, `formEpoch` moves on and every open form starts empty.
// Every PIN typed on the phone (unlock, a leader's sign-off or override) goes through
// verifyStaffPin: wrong PINs make the next try wait, and lock the person out after the station's
// count until a leader unlocks them with the leader's PIN or the station sets a new PIN.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { RosterEntry } from '../../domain/records'
import { verifyPin } from '../../domain/pin'
import { afterWrongPin, attemptsFor, pinAttemptPolicy, pinGate, type PinGate } from '../../domain/pin-attempts'
import { loadPinAttempts as readPinAttempts } from '../db/boot-read'
import { dirtyFormNames } from '../composables/useDirtyForms'
import { useDeviceStore } from './useDeviceStore'

/** Lock after this long without a touch or key press (ms). */
export const DEFAULT_LOCK_AFTER_MS = 5 * 60 * 1000

/** `wait`: a wrong PIN was typed moments ago; `locked`: too many in a row (see pinStatus). */
export type PinCheck = 'ok' | 'wrong_pin' | 'unknown_staff' | 'wait' | 'locked'
export type UnlockResult = PinCheck
/** Who may lift a lockout: a leader, manager or admin on the roster, or the drive's leader. */
export type LeaderUnlockResult = PinCheck | 'not_leader'

// Writing attempts needs the database library: loaded at the first write, not at the start.
const updatePinAttempts: (typeof import('../db/pin-attempts'))['updatePinAttempts'] = async (...args) =>
  (await import('../db/pin-attempts')).updatePinAttempts(...args)

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

  const activeEntry = (id: string): RosterEntry | undefined => device.roster.find((s) => s.id === id && s.active)
  const policy = () => pinAttemptPolicy(device.station?.pinMaxAttempts)

  /** Whether this person may type a PIN now (a wait in ms, or locked out). */
  async function pinStatus(id: string, now = Date.now()): Promise<PinGate> {
    const entry = activeEntry(id)
    if (!entry) return { kind: 'locked' }
    return pinGate(attemptsFor((await readPinAttempts())[id], entry.pinHash), now, policy())
  }

  /** Staff locked out on this phone now. */
  async function lockedOutIds(): Promise<Set<string>> {
    const all = await readPinAttempts()
    const limit = policy().maxAttempts
    return new Set(
      device.roster.filter((s) => (attemptsFor(all[s.id], s.pinHash)?.failures ?? 0) >= limit).map((s) => s.id),
    )
  }

  /** Checks a PIN under the attempt limit: counts a wrong one, clears the count on a right one. */
  async function verifyStaffPin(id: string, pin: string, now = Date.now()): Promise<PinCheck> {
    const entry = activeEntry(id)
    if (!entry) return 'unknown_staff'
    const stored = (await readPinAttempts())[id]
    const gate = pinGate(attemptsFor(stored, entry.pinHash), now, policy())
    if (gate.kind !== 'open') return gate.kind
    if (await verifyPin(pin, entry.pinHash)) {
      // Nothing to clear in the usual case: a good PIN costs no write.
      if (stored) await updatePinAttempts(id, () => null)
      return 'ok'
    }
    await updatePinAttempts(id, (current) => afterWrongPin(attemptsFor(current, entry.pinHash), now, entry.pinHash))
    return 'wrong_pin'
  }

  /** A leader lifts someone's lockout with the leader's own PIN (offline); the person then types theirs. */
  async function unlockLockedOut(
    lockedId: string,
    leaderId: string,
    leaderPin: string,
    driveLeaderId: string | null = null,
  ): Promise<LeaderUnlockResult> {
    if (!mayLiftLockout(leaderId, lockedId, driveLeaderId)) return 'not_leader'
    const result = await verifyStaffPin(leaderId, leaderPin)
    if (result === 'ok') await updatePinAttempts(lockedId, () => null)
    return result
  }

  /** A leader, manager or admin, or the leader of `driveLeaderId`'s drive, and not the person locked out. */
  function mayLiftLockout(leaderId: string, lockedId: string, driveLeaderId: string | null = null): boolean {
    const leader = activeEntry(leaderId)
    return !!leader && leaderId !== lockedId && (leader.role !== 'collector' || leaderId === driveLeaderId)
  }

  async function unlock(id: string, pin: string): Promise<UnlockResult> {
    const result = await verifyStaffPin(id, pin)
    const entry = activeEntry(id)
    if (result !== 'ok' || !entry) return result
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

  /** Check a PIN of anyone on the roster (the drive leader's sign-off), under the attempt limit. */
  async function checkStaffPin(id: string, pin: string): Promise<boolean> {
    return (await verifyStaffPin(id, pin)) === 'ok'
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
    verifyStaffPin,
    pinStatus,
    lockedOutIds,
    unlockLockedOut,
    mayLiftLockout,
  }
})
