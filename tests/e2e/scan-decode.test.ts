// Scanning in real Chromium: generated Code 128 (DIN label) and QR (enrollment code) images are
// decoded by the ZXing WebAssembly path the app ships, and the real BarcodeScanner sheet reads a
// label from a camera stream. Vite's dev server serves a test page that mounts the real modules.
import bwipjs from 'bwip-js/node'
import type { Browser, Page } from 'playwright-core'
import QRCode from 'qrcode'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseDin } from '../../src/domain/din'
import { PHONE, launchChromium } from './support/browser'

// ISBT 128 DIN barcode content: data identifier "=", 13-character DIN, 2 flag characters.
const DIN_BARCODE = '=ABCDE2700006900'
const ENROLLMENT_CODE = 'bloodbus:enroll?station=LY01&code=7H3K-9QXP-2MWD'

interface Harness {
  decodeWithZXing(src: string): Promise<{ engine: string; result: { text: string; format: string } | null }>
  decodeBlobWithZXing(src: string): Promise<{ text: string; format: string } | null>
  nativeDetectorPresent(): boolean
  openScanner(formats: string[], camera: { image: string } | { refuse: string } | 'real'): void
}
declare const harness: Harness

async function code128DataUrl(text: string): Promise<string> {
  const png = await bwipjs.toBuffer({
    bcid: 'code128',
    text,
    scale: 3,
    height: 12,
    paddingwidth: 10,
    paddingheight: 6,
    backgroundcolor: 'FFFFFF',
  })
  return `data:image/png;base64,${png.toString('base64')}`
}

describe('barcode scanning in Chromium', () => {
  let vite: ViteDevServer
  let browser: Browser
  let page: Page
  let dinImage: string
  let qrImage: string

  beforeAll(async () => {
    ;[dinImage, qrImage] = await Promise.all([
      code128DataUrl(DIN_BARCODE),
      QRCode.toDataURL(ENROLLMENT_CODE, { errorCorrectionLevel: 'M', margin: 4, scale: 6 }),
    ])
    vite = await createServer({
      configFile: 'vite.config.ts',
      logLevel: 'error',
      server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    })
    await vite.listen()
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await vite?.close()
  })

  async function openHarness(): Promise<Page> {
    await page?.close()
    page = await browser.newPage({ viewport: PHONE })
    const base = vite.resolvedUrls!.local[0]!.replace(/\/$/, '')
    await page.goto(`${base}/tests/e2e/scan-harness/index.html`)
    await page.waitForFunction(() => 'harness' in window)
    return page
  }

  it('decodes a Code 128 DIN label with the bundled ZXing wasm, and the domain reads the DIN', async () => {
    const p = await openHarness()
    const { engine, result } = await p.evaluate((src) => harness.decodeWithZXing(src), dinImage)
    expect(engine).toBe('zxing')
    expect(result).toEqual({ text: DIN_BARCODE, format: 'code_128' })
    const din = parseDin(result!.text)
    expect(din.ok && din.canonical).toBe('ABCDE27000069C')
  })

  it('decodes a QR enrollment code, from an image and from a Blob', async () => {
    const p = await openHarness()
    const { result } = await p.evaluate((src) => harness.decodeWithZXing(src), qrImage)
    expect(result).toEqual({ text: ENROLLMENT_CODE, format: 'qr_code' })
    expect(await p.evaluate((src) => harness.decodeBlobWithZXing(src), qrImage)).toEqual({
      text: ENROLLMENT_CODE,
      format: 'qr_code',
    })
  })

  it('loads the wasm from the app itself, never from a CDN', async () => {
    const p = await openHarness()
    const requested: string[] = []
    p.on('request', (r) => requested.push(r.url()))
    await p.evaluate((src) => harness.decodeWithZXing(src), dinImage)
    const wasm = requested.filter((u) => u.includes('.wasm'))
    expect(wasm.length).toBeGreaterThan(0)
    const origin = new URL(p.url()).origin
    expect(requested.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'))).toEqual([])
  })

  it('the scanner sheet reads a DIN label from the camera stream and emits it once', async () => {
    const p = await openHarness()
    await p.evaluate((src) => harness.openScanner(['code_128'], { image: src }), dinImage)
    await expect
      .poll(() => p.locator('#results').textContent(), { timeout: 20_000 })
      .toBe(JSON.stringify([{ text: DIN_BARCODE, format: 'code_128' }]))
    // The sheet closed itself; the camera is released.
    await expect.poll(() => p.getByRole('dialog').count()).toBe(0)
  })

  it('ignores codes of formats it was not asked for, and cancels with the big button', async () => {
    const p = await openHarness()
    await p.evaluate((src) => harness.openScanner(['qr_code'], { image: src }), dinImage)
    const dialog = p.getByRole('dialog', { name: '扫码' })
    await expect.poll(() => dialog.getByRole('status').textContent(), { timeout: 20_000 }).toContain('正在识别')
    await p.waitForTimeout(1500) // a dozen frames with a Code 128 in view
    expect(await p.locator('#results').textContent()).toBe('[]')
    const cancel = dialog.getByRole('button', { name: '取消扫码' })
    const box = await cancel.boundingBox()
    expect(box!.height).toBeGreaterThanOrEqual(48)
    await cancel.click()
    expect(await p.locator('#cancelled').textContent()).toBe('1')
    expect(await p.getByRole('dialog').count()).toBe(0)
  })

  it('explains a refused camera permission instead of showing a black screen', async () => {
    const p = await openHarness()
    await p.evaluate(() => harness.openScanner(['code_128'], { refuse: 'NotAllowedError' }))
    await expect.poll(() => p.getByRole('alert').textContent()).toContain('没有相机权限')
    expect(await p.getByRole('alert').textContent()).toContain('手动输入')
  })

  it('explains a phone with no usable camera (Chromium here has none)', async () => {
    const p = await openHarness()
    await p.evaluate(() => harness.openScanner(['code_128'], 'real'))
    await expect.poll(() => p.getByRole('alert').count(), { timeout: 20_000 }).toBe(1)
    const text = await p.getByRole('alert').textContent()
    expect(text).toMatch(/没有找到可用的相机|没有相机权限/)
  })
})
