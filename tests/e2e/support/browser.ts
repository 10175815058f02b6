// Debian's Chromium driven by playwright-core; Playwright's own browser download cannot work here.
import { type Browser, chromium } from 'playwright-core'

export const PHONE = { width: 390, height: 844 }

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  })
}
