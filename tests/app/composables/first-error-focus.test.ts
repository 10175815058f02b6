// The first error of a form, found and focused without mounting a component.
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  firstErrorElement,
  focusTargetOf,
  revealFirstError,
  revealTargetOf,
  useFirstErrorFocus,
} from '../../../src/app/composables/useFirstErrorFocus'

function form(html: string): HTMLFormElement {
  const f = document.createElement('form')
  f.id = 'f'
  f.innerHTML = html
  document.body.append(f)
  return f
}
afterEach(() => {
  document.body.innerHTML = ''
})

describe('the first error of a form', () => {
  it('is the topmost invalid control, group or alert, in document order', () => {
    const f = form(`
      <div class="field"><label for="a">A</label><input id="a" aria-invalid="false"></div>
      <fieldset aria-invalid="true" id="g"><legend>G</legend>
        <label><input type="radio" name="r" value="1"></label><label><input type="radio" name="r" value="2" checked></label>
        <span class="error-text" role="alert">choose</span></fieldset>
      <div class="field"><label for="b">B</label><input id="b" aria-invalid="true"></div>`)
    expect(firstErrorElement(f)?.id).toBe('g')
    // A group's focus goes to its chosen option, its view to the whole group with the legend.
    const g = f.querySelector<HTMLElement>('#g')!
    expect((focusTargetOf(g) as HTMLInputElement).value).toBe('2')
    expect(revealTargetOf(g)).toBe(g)
  })

  it('shows the field with its label, and puts the focus on the control', () => {
    const f = form(`<p>intro</p><div class="field"><label for="b">B</label><input id="b" aria-invalid="true"></div>`)
    const input = f.querySelector<HTMLElement>('#b')!
    expect(revealTargetOf(input)).toBe(f.querySelector('.field'))
    const scrolled = vi.fn()
    ;(f.querySelector('.field') as HTMLElement).scrollIntoView = scrolled
    expect(revealFirstError(f)).toBe(input)
    expect(document.activeElement).toBe(input)
    expect(scrolled).toHaveBeenCalledWith({ block: 'center', inline: 'nearest' })
  })

  it('focuses the tick box an error line belongs to, and an alert with no control itself', () => {
    const f = form(`<div class="notice"><label><input type="checkbox" id="c"></label>
      <p class="error-text" role="alert">tick it</p></div>`)
    expect(revealFirstError(f)?.id).toBe('c')
    document.body.innerHTML = ''
    const g = form(`<p class="notice notice-error" role="alert" id="n">the station is busy</p>`)
    const n = revealFirstError(g)
    expect(n?.id).toBe('n')
    expect(n?.getAttribute('tabindex')).toBe('-1')
    expect(document.activeElement).toBe(n)
  })

  it('finds nothing on a form without errors (and leaves the focus alone)', () => {
    const f = form(
      `<div class="field"><input id="a" aria-invalid="false"></div><p class="notice notice-ok" role="status">ok</p>`,
    )
    expect(revealFirstError(f)).toBeNull()
    expect(document.activeElement).toBe(document.body)
  })

  it('waits for the errors to render, finding the form by id', async () => {
    const f = form(`<div class="field"><input id="a"></div>`)
    const { focusFirstError } = useFirstErrorFocus('f')
    f.querySelector('#a')!.setAttribute('aria-invalid', 'true')
    expect((await focusFirstError())?.id).toBe('a')
    expect(await useFirstErrorFocus('missing').focusFirstError()).toBeNull()
  })
})
