// After a failed submit, bring the first error into view and put the focus on it, on every form:
// a long form (opening a drive) otherwise shows nothing, its error thousands of pixels below.
// The lookup and the reveal are plain DOM functions (tested without mounting); the composable only
// waits for the errors to render.
import { nextTick, toValue, type MaybeRefOrGetter } from 'vue'

/**
 * What marks an error, in document order: an invalid control or group (aria-invalid, set by
 * TextField, ChoiceGroup, CheckGroup and plain inputs), or an alert that belongs to no control
 * (a save error, a snapshot to confirm).
 */
export const ERROR_SELECTOR =
  '[aria-invalid="true"], [data-form-error], .error-text[role="alert"], .notice-error[role="alert"]'

/** The first error inside `root` in document order (= top to bottom on a one-column form), or null. */
export function firstErrorElement(root: ParentNode): HTMLElement | null {
  for (const el of root.querySelectorAll<HTMLElement>(ERROR_SELECTOR)) {
    if (!el.hidden && !el.closest('[hidden]')) return el
  }
  return null
}

const FOCUSABLE =
  'input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])'

/**
 * Where the focus goes for an error element: the control itself; in a group, its checked option or
 * else its first one; for an alert, the alert (made focusable, so a screen reader reads it).
 */
export function focusTargetOf(el: HTMLElement): HTMLElement {
  if (el.matches(FOCUSABLE)) return el
  const checked = el.querySelector<HTMLElement>('input:checked:not([disabled])')
  const first = checked ?? el.querySelector<HTMLElement>(FOCUSABLE)
  if (first) return first
  // An error line under a control without aria-invalid (a tick box to confirm): that control.
  const near = el.classList.contains('error-text')
    ? (el.closest('.field, fieldset') ?? el.parentElement)?.querySelector<HTMLElement>(FOCUSABLE)
    : null
  if (near) return near
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1')
  return el
}

/** What to scroll into view: the whole field with its label (or the group with its legend). */
export function revealTargetOf(el: HTMLElement): HTMLElement {
  return el.closest<HTMLElement>('.field, fieldset') ?? el
}

/** Scrolls the first error of `root` to the middle of the screen and focuses it; null when none. */
export function revealFirstError(root: ParentNode): HTMLElement | null {
  const el = firstErrorElement(root)
  if (!el) return null
  const target = focusTargetOf(el)
  // Centred, so neither the sticky title bar and tally nor the action bar covers it.
  revealTargetOf(el).scrollIntoView?.({ block: 'center', inline: 'nearest' })
  target.focus({ preventScroll: true })
  return target
}

/**
 * `root`: the form (an element, or its id). Call `focusFirstError()` where a submit stops on
 * errors; it waits for them to render.
 */
export function useFirstErrorFocus(root: MaybeRefOrGetter<HTMLElement | string | null | undefined>) {
  async function focusFirstError(): Promise<HTMLElement | null> {
    await nextTick()
    const r = toValue(root)
    const el = typeof r === 'string' ? document.getElementById(r) : (r ?? null)
    return el ? revealFirstError(el) : null
  }
  return { focusFirstError }
}
