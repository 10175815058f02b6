// Reads bag labels (DIN, Code 128) and enrollment codes (QR) with the phone camera, offline.
// The browser's own BarcodeDetector is used where it reads our formats (Android Chrome); elsewhere
// the ZXing WebAssembly build that ships inside the app. It is loaded only when a scanner opens,
// so the record form's first load stays small, and the service worker precaches it for the bus.
import type { DetectedBarcode } from 'barcode-detector/ponyfill'
import { onBeforeUnmount, ref, shallowRef } from 'vue'
import zxingWasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url'

export const SCAN_FORMATS = ['code_128', 'qr_code'] as const
export type ScanFormat = (typeof SCAN_FORMATS)[number]

export interface ScanResult {
  /** Exactly what the code holds; parsing a DIN or an enrollment code is the caller's job. */
  text: string
  format: ScanFormat
}

/** What a detector can read from: a video element while scanning, a Blob or ImageData in tests. */
export type ScanSource = HTMLVideoElement | HTMLCanvasElement | HTMLImageElement | ImageBitmap | ImageData | Blob

export interface BarcodeReader {
  engine: 'native' | 'zxing'
  detect(source: ScanSource): Promise<Array<Pick<DetectedBarcode, 'rawValue' | 'format'>>>
}

interface DetectorClass {
  new (options: { formats: string[] }): {
    detect(source: ScanSource): Promise<Array<{ rawValue: string; format: string }>>
  }
  getSupportedFormats(): Promise<readonly string[]>
}

/** The browser's own detector, if it exists and reads every format asked for. */
export async function nativeDetector(
  formats: readonly ScanFormat[],
  scope: object = globalThis,
): Promise<DetectorClass | null> {
  const Native = (scope as { BarcodeDetector?: DetectorClass }).BarcodeDetector
  if (typeof Native !== 'function' || typeof Native.getSupportedFormats !== 'function') return null
  try {
    // Android Chrome without Play Services reports no formats at all.
    const supported = await Native.getSupportedFormats()
    return formats.every((f) => supported.includes(f)) ? Native : null
  } catch {
    return null
  }
}

// One locateFile for the app's lifetime: ZXing re-instantiates the module when overrides change.
const zxingOverrides = {
  locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? zxingWasmUrl : prefix + path),
}

async function zxingDetector(): Promise<DetectorClass> {
  const { BarcodeDetector, prepareZXingModule } = await import('barcode-detector/ponyfill')
  // Fetch and compile the wasm now, so a missing file fails here and not on the first frame.
  await prepareZXingModule({ overrides: zxingOverrides, fireImmediately: true })
  return BarcodeDetector as unknown as DetectorClass
}

/** A reader for `formats`: the native one when it can, otherwise ZXing (`prefer` forces one, for tests). */
export async function createBarcodeReader(
  formats: readonly ScanFormat[] = SCAN_FORMATS,
  prefer: 'auto' | 'zxing' = 'auto',
): Promise<BarcodeReader> {
  const native = prefer === 'auto' ? await nativeDetector(formats) : null
  const Detector = native ?? (await zxingDetector())
  const detector = new Detector({ formats: [...formats] })
  return {
    engine: native ? 'native' : 'zxing',
    detect: (source) => detector.detect(source) as Promise<Array<Pick<DetectedBarcode, 'rawValue' | 'format'>>>,
  }
}

/** The first readable code of an allowed format among a detector's results, or null. */
export function pickScanResult(
  detected: ReadonlyArray<{ rawValue: string; format: string }>,
  formats: readonly ScanFormat[] = SCAN_FORMATS,
): ScanResult | null {
  for (const d of detected) {
    const text = d.rawValue.trim()
    if (text && (formats as readonly string[]).includes(d.format)) return { text, format: d.format as ScanFormat }
  }
  return null
}

/** Decodes one still image (a photo of a label, a test image). */
export async function decodeImage(
  source: ScanSource,
  reader?: BarcodeReader,
  formats: readonly ScanFormat[] = SCAN_FORMATS,
): Promise<ScanResult | null> {
  const r = reader ?? (await createBarcodeReader(formats))
  return pickScanResult(await r.detect(source), formats)
}

export type CameraProblem = 'unsupported' | 'denied' | 'noCamera' | 'busy' | 'failed'

/** Why the camera could not start, from getUserMedia's error, in terms staff can act on. */
export function cameraProblem(err: unknown): CameraProblem {
  const name = (err as { name?: string } | null)?.name ?? ''
  if (name === 'NotAllowedError' || name === 'PermissionDeniedError' || name === 'SecurityError') return 'denied'
  if (name === 'NotFoundError' || name === 'DevicesNotFoundError' || name === 'OverconstrainedError') return 'noCamera'
  if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') return 'busy'
  if (name === 'TypeError' && !globalThis.navigator?.mediaDevices) return 'unsupported'
  return 'failed'
}

export type ScannerStatus = 'idle' | 'starting' | 'scanning' | 'problem'

/** Frames are read this often; a mid-range phone decodes a frame in well under this. */
const SCAN_INTERVAL_MS = 120

/**
 * Camera + decode loop for one scanner sheet. `start(video)` opens the back camera into the video
 * element and calls `onDecoded` once with the first code read, then stops the camera.
 */
export function useScanner(onDecoded: (result: ScanResult) => void, formats: readonly ScanFormat[] = SCAN_FORMATS) {
  const status = ref<ScannerStatus>('idle')
  const problem = ref<CameraProblem | null>(null)
  const torchAvailable = ref(false)
  const torchOn = ref(false)
  const engine = ref<BarcodeReader['engine'] | null>(null)
  const stream = shallowRef<MediaStream | null>(null)
  let run = 0

  function stop(): void {
    run++
    stream.value?.getTracks().forEach((t) => t.stop())
    stream.value = null
    torchOn.value = false
    if (status.value !== 'problem') status.value = 'idle'
  }

  async function start(video: HTMLVideoElement): Promise<void> {
    stop()
    const myRun = run
    status.value = 'starting'
    problem.value = null
    if (!globalThis.navigator?.mediaDevices?.getUserMedia) {
      status.value = 'problem'
      problem.value = 'unsupported'
      return
    }
    const readerPromise = createBarcodeReader(formats)
    readerPromise.catch(() => undefined) // handled below; avoids an unhandled rejection if the camera fails first
    try {
      const media = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      })
      if (myRun !== run) {
        media.getTracks().forEach((t) => t.stop())
        return
      }
      stream.value = media
      video.srcObject = media
      video.muted = true
      video.setAttribute('playsinline', '')
      await video.play()
      const track = media.getVideoTracks()[0]
      torchAvailable.value = !!(track?.getCapabilities?.() as { torch?: boolean } | undefined)?.torch
    } catch (err) {
      if (myRun !== run) return
      stop()
      status.value = 'problem'
      problem.value = cameraProblem(err)
      return
    }
    let reader: BarcodeReader
    try {
      reader = await readerPromise
    } catch {
      if (myRun !== run) return
      stop()
      status.value = 'problem'
      problem.value = 'failed'
      return
    }
    if (myRun !== run) return
    engine.value = reader.engine
    status.value = 'scanning'
    while (myRun === run) {
      if (video.readyState >= 2 && video.videoWidth > 0) {
        const found = pickScanResult(await reader.detect(video).catch(() => []), formats)
        if (found && myRun === run) {
          globalThis.navigator?.vibrate?.(60)
          stop()
          onDecoded(found)
          return
        }
      }
      await new Promise((r) => setTimeout(r, SCAN_INTERVAL_MS))
    }
  }

  async function setTorch(on: boolean): Promise<void> {
    const track = stream.value?.getVideoTracks()[0]
    if (!track || !torchAvailable.value) return
    try {
      // `torch` is in the Image Capture spec, not yet in TypeScript's constraint types.
      await track.applyConstraints({ advanced: [{ torch: on } as MediaTrackConstraintSet] })
      torchOn.value = on
    } catch {
      torchAvailable.value = false
    }
  }

  onBeforeUnmount(stop)
  return { status, problem, torchAvailable, torchOn, engine, start, stop, setTorch }
}
