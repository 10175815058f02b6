// Phones of one bus handing each other QR codes, for the crew browser test and screenshots: a
// camera that films an image the test gives it, and "point this phone's camera at that phone's code".
import type { Page } from 'playwright-core'

/** Init script: getUserMedia films the PNG (base64) in window.__camera on a white background. */
export const FAKE_CAMERA = `(() => {
  const md = navigator.mediaDevices
  if (!md) return
  md.getUserMedia = async () => {
    const bin = atob(window.__camera || '')
    const bmp = await createImageBitmap(new Blob([Uint8Array.from(bin, (c) => c.charCodeAt(0))], { type: 'image/png' }))
    const canvas = document.createElement('canvas')
    canvas.width = 1280
    canvas.height = 720
    const ctx = canvas.getContext('2d')
    const draw = () => {
      ctx.fillStyle = '#fff'
      ctx.fillRect(0, 0, 1280, 720)
      const scale = Math.min(1000 / bmp.width, 660 / bmp.height)
      ctx.drawImage(bmp, 140, 30, bmp.width * scale, bmp.height * scale)
    }
    draw()
    setInterval(draw, 100)
    return canvas.captureStream(10)
  }
})()`

/** The QR code `from` shows, photographed, is what `to`'s camera films next. */
export async function pointCamera(from: Page, to: Page): Promise<void> {
  const qr = from.getByTestId('crew-qr')
  await qr.waitFor({ timeout: 20_000 })
  const png = await qr.screenshot()
  await to.evaluate((b64) => Object.assign(window, { __camera: b64 }), png.toString('base64'))
}
