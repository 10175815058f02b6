// The scanner's pure parts, without a camera: which detector is used, which results count, how a
// camera failure is explained, and that the wasm shipped with the app matches the ZXing glue code.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { ZXING_WASM_SHA256 } from 'barcode-detector/ponyfill'
import { describe, expect, it } from 'vitest'
import { cameraProblem, nativeDetector, pickScanResult } from '../../../src/app/composables/useScanner'

function fakeNative(supported: string[] | Error) {
  return class {
    static getSupportedFormats() {
      return supported instanceof Error ? Promise.reject(supported) : Promise.resolve(supported)
    }
    detect() {
      return Promise.resolve([])
    }
  }
}

describe('choosing the detector', () => {
  it('uses the browser detector when it reads every format asked for', async () => {
    const Native = fakeNative(['qr_code', 'code_128', 'ean_13'])
    expect(await nativeDetector(['code_128', 'qr_code'], { BarcodeDetector: Native })).toBe(Native)
  })

  it('falls back to ZXing when the browser lacks a format, reports none, fails, or has no detector', async () => {
    expect(await nativeDetector(['code_128', 'qr_code'], { BarcodeDetector: fakeNative(['qr_code']) })).toBeNull()
    expect(await nativeDetector(['code_128'], { BarcodeDetector: fakeNative([]) })).toBeNull() // Android without Play Services
    expect(await nativeDetector(['code_128'], { BarcodeDetector: fakeNative(new Error('boom')) })).toBeNull()
    expect(await nativeDetector(['code_128'], {})).toBeNull()
  })
})

describe('picking a scan result', () => {
  it('takes the first non-empty code of an allowed format, trimmed', () => {
    expect(
      pickScanResult([
        { rawValue: 'x', format: 'ean_13' },
        { rawValue: '   ', format: 'code_128' },
        { rawValue: ' =ABCDE2700006900 ', format: 'code_128' },
        { rawValue: 'second', format: 'qr_code' },
      ]),
    ).toEqual({ text: '=ABCDE2700006900', format: 'code_128' })
  })

  it('returns null when nothing fits the formats asked for', () => {
    expect(pickScanResult([{ rawValue: '=ABCDE2700006900', format: 'code_128' }], ['qr_code'])).toBeNull()
    expect(pickScanResult([])).toBeNull()
  })
})

describe('explaining camera failures', () => {
  it.each([
    ['NotAllowedError', 'denied'],
    ['SecurityError', 'denied'],
    ['NotFoundError', 'noCamera'],
    ['OverconstrainedError', 'noCamera'],
    ['NotReadableError', 'busy'],
    ['AbortError', 'busy'],
    ['SomethingNew', 'failed'],
  ])('%s → %s', (name, problem) => {
    expect(cameraProblem(new DOMException('x', name))).toBe(problem)
  })

  it('treats a missing error as a plain failure', () => {
    expect(cameraProblem(undefined)).toBe('failed')
  })
})

describe('the shipped ZXing wasm', () => {
  it('is the exact binary the bundled barcode-detector glue expects', () => {
    const require = createRequire(import.meta.url)
    const wasmPath = require.resolve('zxing-wasm/reader/zxing_reader.wasm')
    const sha = createHash('sha256').update(readFileSync(wasmPath)).digest('hex')
    expect(sha).toBe(ZXING_WASM_SHA256)
  })
})
