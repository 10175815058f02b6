// What the `npm run screenshots` scripts share: the folder, building the app, and taking a shot.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
// @ts-expect-error plain ESM script without types
import { buildIfStale } from '../../../scripts/build-if-stale.mjs'

export const SCREENSHOTS_DIR = 'screenshots'

/** Creates the folder and builds the app if its sources changed since the last build. */
export async function prepareScreenshots(): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true })
  await (buildIfStale as () => Promise<void>)()
}

/** Waits a moment for transitions, then writes `screenshots/<name>.png`. */
export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.waitForTimeout(200)
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage })
  console.log(`wrote ${SCREENSHOTS_DIR}/${name}.png`)
}
