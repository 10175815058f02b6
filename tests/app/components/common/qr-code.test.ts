// The QR code is drawn after the screen around it painted (the donor's "saved" does not wait for
// mask scoring), holding its place meanwhile, and then carries the payload's modules.
import { mount } from '@vue/test-utils'
import { encode } from 'uqr'
import { describe, expect, it } from 'vitest'
import QrCode from '../../../../src/app/components/common/QrCode.vue'

const afterPaint = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 5)))

describe('QrCode', () => {
  it('holds a blank square first, then draws the payload as an image', async () => {
    const w = mount(QrCode, { props: { payload: 'BB-7Q2K-9XWD', label: 'QR of the donation', ecc: 'M' } })
    expect(w.find('[data-testid=qr-pending]').exists()).toBe(true)
    expect(w.find('[role=img]').exists()).toBe(false)
    await afterPaint()
    const img = w.get('[role=img]')
    expect(img.attributes('aria-label')).toBe('QR of the donation')
    const { data, size } = encode('BB-7Q2K-9XWD', { ecc: 'M', border: 4 })
    expect(img.attributes('viewBox')).toBe(`0 0 ${size} ${size}`)
    const dark = data.flat().filter(Boolean).length
    expect(img.get('path').attributes('d')!.match(/M/g)!.length).toBe(dark)
    expect(w.find('[data-testid=qr-pending]').exists()).toBe(false)
  })

  it('redraws when the payload changes, never showing the old code for the new one', async () => {
    const w = mount(QrCode, { props: { payload: 'first', label: 'QR' } })
    await afterPaint()
    const before = w.get('path').attributes('d')
    await w.setProps({ payload: 'second payload' })
    expect(w.find('[role=img]').exists()).toBe(false)
    await afterPaint()
    expect(w.get('path').attributes('d')).not.toBe(before)
  })
})
