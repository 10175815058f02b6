// Why a PIN typed for a sign-off (a drive close, a leader's override) was refused, in the user's
// language; the attempt limit itself is in the session store (verifyStaffPin).
import type { PinCheck } from '../stores/useSessionStore'

type Translate = (key: string, params?: Record<string, unknown>) => string

/** The message for a refused PIN of `name`; null when it was right. */
export function pinRefusal(t: Translate, result: PinCheck, name: string): string | null {
  switch (result) {
    case 'ok':
      return null
    case 'wait':
      return t('pickers.signOff.wait')
    case 'locked':
      return t('pickers.signOff.locked', { name })
    case 'unknown_staff':
      return t('staff.unlock_unknown_staff')
    default:
      return t('staff.unlock_wrong_pin')
  }
}
