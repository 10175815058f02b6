import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'

describe('app shell in Chromium', () => {
  let server: RunningServer
  let browser: Browser
  beforeAll(async () => {
    server = await startServer()
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop(true)
  })

  it('loads the built app from the station server at phone size', async () => {
    const page = await browser.newPage({ viewport: PHONE })
    await page.goto(server.url)
    await expect.poll(() => page.locator('h1').first().textContent()).toContain('献血车')
    await page.close()
  })
})
