// Whether the on-screen keyboard is up, from the VisualViewport API, and keeping the focused field
// (with its label) clear of the sticky bars. A phone gives no "keyboard" event: the visible area
// shrinks while a text field has the focus. The rules are pure functions; the composable shares
// one listener among every screen that asks.
import { readonly, ref, type Ref } from 'vue'

export interface ViewportSize {
  width: number
  height: number
}

/**
 * The tallest viewport seen at this width: the screen without a keyboard. A new width (the phone
 * turned) starts over.
 */
export function nextBaseline(baseline: ViewportSize | null, now: ViewportSize): ViewportSize {
  if (!baseline || Math.abs(baseline.width - now.width) > 1 || now.height > baseline.height) return now
  return baseline
}

/** The keyboard takes at least a fifth of the screen; less is the browser's toolbar moving. */
export const KEYBOARD_SHARE = 0.2

/** Up when a field that types has the focus and the visible height shrank by KEYBOARD_SHARE or more. */
export function keyboardIsUp(baseline: ViewportSize | null, now: ViewportSize, typingFocused: boolean): boolean {
  if (!typingFocused || !baseline) return false
  return now.height <= baseline.height * (1 - KEYBOARD_SHARE)
}

const NO_KEYBOARD_INPUTS = new Set([
  'button',
  'checkbox',
  'color',
  'file',
  'hidden',
  'image',
  'radio',
  'range',
  'reset',
  'submit',
])

/** A control that brings up the keyboard (text-like inputs, text areas, editable content). */
export function bringsUpKeyboard(el: Element | null): boolean {
  if (!el) return false
  if (el instanceof HTMLTextAreaElement) return !el.readOnly && !el.disabled
  if (el instanceof HTMLInputElement)
    return !NO_KEYBOARD_INPUTS.has(el.type) && !el.readOnly && !el.disabled && el.inputMode !== 'none'
  return el instanceof HTMLElement && el.isContentEditable === true
}

/**
 * Whether a box (the field with its label) is covered by the sticky bars: the top bar (title and
 * tally) of height `top`, the bottom bar of height `bottom`, in a viewport `height` tall.
 */
export function coveredBySticky(
  box: { top: number; bottom: number },
  bars: { top: number; bottom: number },
  height: number,
): boolean {
  return box.top < bars.top || box.bottom > height - bars.bottom
}

const up = ref(false)
let listening = false

function viewportNow(): ViewportSize {
  const vv = window.visualViewport
  return vv ? { width: vv.width, height: vv.height } : { width: window.innerWidth, height: window.innerHeight }
}

function listen(): void {
  if (listening || typeof window === 'undefined') return
  listening = true
  let baseline: ViewportSize | null = null
  // The screen without a keyboard, measured just after the first frame rather than now or in it:
  // reading the viewport before that frame's layout forces one (of a half-built page now, of the
  // whole first screen in a frame callback). After the frame the layout is clean and the read
  // cheap. No keyboard comes up before the first frame.
  const afterFrame =
    typeof requestAnimationFrame === 'function'
      ? (f: () => void) => requestAnimationFrame(() => setTimeout(f, 0))
      : (f: () => void) => setTimeout(f, 0)
  afterFrame(() => {
    baseline = nextBaseline(baseline, viewportNow())
  })
  const update = () => {
    const now = viewportNow()
    baseline = nextBaseline(baseline, now)
    up.value = keyboardIsUp(baseline, now, bringsUpKeyboard(document.activeElement))
  }
  const target = window.visualViewport ?? window
  target.addEventListener('resize', update)
  window.addEventListener('resize', update)
  document.addEventListener('focusin', update)
  // After a blur the focus may move on to another field: look once it has settled.
  document.addEventListener('focusout', () => setTimeout(update, 0))
}

/** True while the on-screen keyboard is up (one listener for the whole app). */
export function useKeyboardUp(): Readonly<Ref<boolean>> {
  listen()
  return readonly(up)
}

/** Heights of the sticky bars, read from the page's scroll padding AppScreen keeps up to date. */
function stickyBars(): { top: number; bottom: number } {
  const style = getComputedStyle(document.documentElement)
  return {
    top: Number.parseFloat(style.scrollPaddingTop) || 0,
    bottom: Number.parseFloat(style.scrollPaddingBottom) || 0,
  }
}

/**
 * Scrolls the focused field (with its label) out from under the sticky bars when they cover it.
 * The page's scroll-padding (base.css) keeps scrollIntoView clear of the bars.
 */
export function keepFocusedFieldClear(): void {
  const el = document.activeElement
  if (!(el instanceof HTMLElement) || !bringsUpKeyboard(el)) return
  const box = (el.closest<HTMLElement>('.field') ?? el).getBoundingClientRect()
  const height = window.visualViewport?.height ?? window.innerHeight
  if (coveredBySticky(box, stickyBars(), height))
    (el.closest<HTMLElement>('.field') ?? el).scrollIntoView({ block: 'nearest', inline: 'nearest' })
}
