// Test page for the scanner, served by Vite's dev server in tests/e2e/scan-*.test.ts only. It mounts
// the real BarcodeScanner and decode helpers; only the camera is replaced, by a canvas stream that
// shows a generated label, since a test machine has no camera.
import { createApp, h, ref } from 'vue'
import BarcodeScanner from '../../../src/app/components/scan/BarcodeScanner.vue'
import {
  createBarcodeReader,
  decodeImage,
  type ScanFormat,
  type ScanResult,
} from '../../../src/app/composables/useScanner'
import { createAppI18n } from '../../../src/app/i18n'
import '../../../src/app/styles/tokens.css'

async function loadImage(src: string): Promise<HTMLImageElement> {
  const img = new Image()
  img.src = src
  await img.decode()
  return img
}

/** A camera that films `src` on a 1280×720 white background (slightly offset, like a hand-held phone). */
function fakeCamera(src: string): void {
  navigator.mediaDevices.getUserMedia = async () => {
    const img = await loadImage(src)
    const canvas = document.createElement('canvas')
    canvas.width = 1280
    canvas.height = 720
    const ctx = canvas.getContext('2d')!
    const draw = () => {
      ctx.fillStyle = '#fff'
      ctx.fillRect(0, 0, canvas.width, canvas.height)
      const scale = Math.min(1000 / img.width, 500 / img.height, 4)
      ctx.drawImage(img, 180, 140, img.width * scale, img.height * scale)
    }
    draw()
    setInterval(draw, 100) // a canvas stream only sends frames when the canvas is painted
    return canvas.captureStream(10)
  }
}

function refuseCamera(name: string): void {
  navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('refused by the test', name))
}

const results = ref<ScanResult[]>([])
const cancelled = ref(0)
const scanner = ref<{ formats: ScanFormat[] } | null>(null)

const app = createApp({
  render: () =>
    h('div', [
      h('pre', { id: 'results' }, JSON.stringify(results.value)),
      h('pre', { id: 'cancelled' }, String(cancelled.value)),
      scanner.value
        ? h(BarcodeScanner, {
            formats: scanner.value.formats,
            onDecoded: (r: ScanResult) => {
              results.value.push(r)
              scanner.value = null
            },
            onCancel: () => {
              cancelled.value++
              scanner.value = null
            },
          })
        : null,
    ]),
})
app.use(createAppI18n('zh-CN')).mount('#app')

Object.assign(window, {
  harness: {
    /** Decodes an image with the ZXing path the app ships (not the browser's own detector). */
    async decodeWithZXing(src: string) {
      const reader = await createBarcodeReader(undefined, 'zxing')
      return { engine: reader.engine, result: await decodeImage(await loadImage(src), reader) }
    },
    /** Same through the Blob path (a photo taken with the file input). */
    async decodeBlobWithZXing(src: string) {
      const blob = await (await fetch(src)).blob()
      return decodeImage(blob, await createBarcodeReader(undefined, 'zxing'))
    },
    nativeDetectorPresent: () => 'BarcodeDetector' in window,
    openScanner(formats: ScanFormat[], camera: { image: string } | { refuse: string } | 'real') {
      if (camera !== 'real') {
        if ('image' in camera) fakeCamera(camera.image)
        else refuseCamera(camera.refuse)
      }
      scanner.value = { formats }
    },
  },
})
