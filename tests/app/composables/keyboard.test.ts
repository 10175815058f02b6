// Telling the on-screen keyboard from the visual viewport, and when a field hides behind the bars.
import { describe, expect, it } from 'vitest'
import { bringsUpKeyboard, coveredBySticky, keyboardIsUp, nextBaseline } from '../../../src/app/composables/useKeyboard'

describe('the on-screen keyboard', () => {
  const full = { width: 390, height: 844 }

  it('is up when a typing field has the focus and the visible height shrank by a fifth or more', () => {
    expect(keyboardIsUp(full, { width: 390, height: 400 }, true)).toBe(true)
    expect(keyboardIsUp(full, { width: 390, height: 400 }, false)).toBe(false)
    // The browser's toolbar sliding away is not a keyboard.
    expect(keyboardIsUp(full, { width: 390, height: 790 }, true)).toBe(false)
    expect(keyboardIsUp(null, { width: 390, height: 400 }, true)).toBe(false)
  })

  it('measures against the tallest screen seen at this width, and starts over when the phone turns', () => {
    let b = nextBaseline(null, { width: 390, height: 780 })
    b = nextBaseline(b, full)
    expect(b).toEqual(full)
    expect(nextBaseline(b, { width: 390, height: 400 })).toEqual(full)
    expect(nextBaseline(b, { width: 844, height: 390 })).toEqual({ width: 844, height: 390 })
  })

  it('comes up for text, number and phone fields, not for buttons, ticks, choices or a read-only field', () => {
    const input = (type: string, readOnly = false): HTMLInputElement => {
      const el = document.createElement('input')
      el.type = type
      el.readOnly = readOnly
      return el
    }
    expect(bringsUpKeyboard(input('text'))).toBe(true)
    expect(bringsUpKeyboard(input('tel'))).toBe(true)
    expect(bringsUpKeyboard(input('password'))).toBe(true)
    expect(bringsUpKeyboard(document.createElement('textarea'))).toBe(true)
    expect(bringsUpKeyboard(input('radio'))).toBe(false)
    expect(bringsUpKeyboard(input('checkbox'))).toBe(false)
    expect(bringsUpKeyboard(input('text', true))).toBe(false)
    expect(bringsUpKeyboard(document.createElement('button'))).toBe(false)
    expect(bringsUpKeyboard(null)).toBe(false)
  })

  it('finds a field under the top bars or the bottom bar', () => {
    const bars = { top: 100, bottom: 80 }
    expect(coveredBySticky({ top: 90, bottom: 150 }, bars, 400)).toBe(true)
    expect(coveredBySticky({ top: 300, bottom: 360 }, bars, 400)).toBe(true)
    expect(coveredBySticky({ top: 110, bottom: 300 }, bars, 400)).toBe(false)
  })
})

describe('useKeyboardUp', () => {
  it('reads the screen size just after the first frame, not while the first screen is set up, and still sees the keyboard', async () => {
    let size = { width: 390, height: 844 }
    let reads = 0
    const viewport = new EventTarget()
    Object.defineProperties(viewport, {
      width: {
        get: () => {
          reads++
          return size.width
        },
      },
      height: {
        get: () => {
          reads++
          return size.height
        },
      },
    })
    Object.defineProperty(window, 'visualViewport', { value: viewport, configurable: true })
    const { useKeyboardUp } = await import('../../../src/app/composables/useKeyboard')
    const up = useKeyboardUp()
    expect(reads).toBe(0)
    // Not in the frame either (before its layout, the read would force one): just after it.
    await new Promise((resolve) => requestAnimationFrame(resolve))
    expect(reads).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(reads).toBeGreaterThan(0)

    const input = document.createElement('input')
    document.body.append(input)
    input.focus()
    size = { width: 390, height: 420 }
    viewport.dispatchEvent(new Event('resize'))
    expect(up.value).toBe(true)
    input.remove()
  })
})
