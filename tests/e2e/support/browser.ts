// Debian's Chromium driven by playwright-core; Playwright's own browser download cannot work here.
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium } from 'playwright-core'

export const PHONE = { width: 390, height: 844 }

const LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ ...LAUNCH, args: [...LAUNCH.args, ...extraArgs] })
}

/**
 * A browser on a profile kept on disk, as a phone's is: the service worker, its caches, IndexedDB
 * and V8's code cache outlive the browser, so closing and launching again is a real cold start.
 */
export async function launchProfile(dir: string, options: BrowserContextOptions): Promise<BrowserContext> {
  return chromium.launchPersistentContext(dir, { ...LAUNCH, ...options })
}
