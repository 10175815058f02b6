// The donor's own part of the visit, in real Chromium at phone size, the crew phone offline:
// - donor mode on the crew phone: one question a screen, read aloud (speechSynthesis stubbed to
//   record what was queued), no way out without the crew member's PIN; a "yes" to the tattoo
//   question defers with reason "tattoo"; the donor signs;
// - a second browser context as the donor kiosk: its answers (self-exclusion, SMS contact,
//   signature) reach the crew phone by a QR code the phone's real scanner reads off a camera that
//   films the kiosk's screen; the donation saves and the thanks screen shows bag, dates, reference;
// - after sync the station lists the bag as self-excluded (page and API) and the contact export
//   names the donor who agreed, not the one who declined.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_QUESTIONNAIRE } from '../../src/domain/questionnaire'
import { type RunningServer, startServer } from '../support/server'
import { PHONE, launchChromium } from './support/browser'
import {
  dinBody,
  dinWithCheck,
  enrollPhone,
  PINS,
  pickSite,
  readTables,
  residentId,
  setUpStation,
  type StationSetup,
  unlockAs,
} from './support/field'
import { typeInto } from './support/progress'

const QUESTIONS = DEFAULT_QUESTIONNAIRE.questions

/** Before any page script: speech is recorded, and the camera films whatever image the test sets. */
function phoneInit(): void {
  const w = window as unknown as { spoken: Array<{ text: string; lang: string }>; cameraImage: string | null }
  w.spoken = []
  w.cameraImage = null
  speechSynthesis.speak = (u: SpeechSynthesisUtterance) => void w.spoken.push({ text: u.text, lang: u.lang })
  navigator.mediaDevices.getUserMedia = async () => {
    const img = new Image()
    img.src = w.cameraImage!
    await img.decode()
    const canvas = document.createElement('canvas')
    canvas.width = 1280
    canvas.height = 720
    const ctx = canvas.getContext('2d')!
    const draw = () => {
      ctx.fillStyle = '#fff'
      ctx.fillRect(0, 0, canvas.width, canvas.height)
      const scale = Math.min(640 / img.width, 640 / img.height)
      ctx.drawImage(img, 320, 40, img.width * scale, img.height * scale)
    }
    draw()
    setInterval(draw, 100)
    return canvas.captureStream(10)
  }
}

/** Answers every question: "yes" to the codes given, "no" to the rest; the self-exclusion as asked. */
async function answerAll(page: Page, yes: readonly string[], excludeMyBlood: boolean): Promise<void> {
  for (const q of QUESTIONS) {
    await page.getByTestId('question').filter({ hasText: q.zh }).waitFor()
    if (q.kind === 'self_exclusion')
      await page.getByRole('button', { name: excludeMyBlood ? '请勿使用我的血液' : '可以使用我的血液' }).tap()
    else await page.getByRole('button', { name: yes.includes(q.code) ? '是' : '否', exact: true }).tap()
  }
}

async function signAndConfirm(page: Page, contact: string): Promise<void> {
  await page.getByRole('button', { name: contact, exact: true }).tap()
  const pad = page.getByTestId('signature-pad')
  const box = (await pad.boundingBox())!
  await page.mouse.move(box.x + 30, box.y + 120)
  await page.mouse.down()
  for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + 30 + i * 12, box.y + 120 - Math.sin(i / 2) * 50)
  await page.mouse.up()
  await page.getByRole('button', { name: '我同意并签名' }).tap()
}

describe('questionnaire, consent and thanks on the bus', () => {
  let server: RunningServer
  let browser: Browser
  let station: StationSetup
  const contexts: BrowserContext[] = []
  const errors: string[] = []

  beforeAll(async () => {
    server = await startServer()
    browser = await launchChromium()
    station = await setUpStation(server.url)
  })
  afterAll(async () => {
    for (const c of contexts) await c.close()
    await browser?.close()
    await server?.stop(true)
  })

  async function newContext(): Promise<Page> {
    const context = await browser.newContext({ viewport: PHONE, hasTouch: true, locale: 'zh-CN' })
    contexts.push(context)
    const page = await context.newPage()
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('dialog', (d) => void d.accept())
    return page
  }

  async function identityToVitals(page: Page, id: string, name: string, fromDrive = true): Promise<void> {
    if (fromDrive) await page.getByRole('link', { name: '登记献血者' }).tap()
    await typeInto(page, '身份证号', id)
    await typeInto(page, '姓名', name)
    await page.getByRole('radio', { name: '农村', exact: true }).tap()
    await page.keyboard.press('Enter')
    await page.getByTestId('questionnaire-panel').waitFor()
  }

  async function typeVitals(page: Page): Promise<void> {
    const vitals = ['68', '142', '122', '78', '72', '36.6']
    for (const [i, label] of [
      '体重 (kg)',
      '血红蛋白 (g/L)',
      '收缩压 (mmHg)',
      '舒张压 (mmHg)',
      '脉搏 (次/分)',
      '体温 (°C)',
    ].entries())
      await typeInto(page, label, vitals[i]!)
  }

  it('donor mode defers on a "yes", the kiosk hands over by QR, the station sees the self-exclusion and the consenting donor', async () => {
    // The crew phone: enrolled, then offline for the whole visit.
    const phone = await newContext()
    await phone.addInitScript(phoneInit)
    await enrollPhone(phone, server.url, station.enrollmentCode)
    await phone.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await phone.context().setOffline(true)
    await phone.reload()
    await phone.getByRole('button', { name: /王建华/ }).waitFor()
    await unlockAs(phone, '王建华', PINS.leader, { touch: true })
    await phone.getByRole('link', { name: '开始新车次' }).tap()
    await typeInto(phone, '车号', '豫C-0007')
    await phone.getByRole('radio', { name: '乡村流动', exact: true }).tap()
    await pickSite(phone, '宜阳县三乡镇', '宜阳县三乡镇')
    await phone.getByRole('radio', { name: '王建华', exact: true }).tap()
    await typeInto(phone, '第一个血袋号（DIN）', dinBody(1))
    await typeInto(phone, '最后一个血袋号（DIN）', dinBody(40))
    await phone.getByRole('button', { name: '开始车次' }).tap()

    // Donor 1 answers on the crew phone in donor mode.
    await identityToVitals(phone, residentId('410327', '1990-05-12', '035'), '赵丽')
    await phone.getByTestId('donor-mode-start').tap()
    const mode = phone.getByTestId('donor-mode')
    await mode.waitFor()
    // Locked: no link or back button, and the browser's back does not leave.
    expect(await phone.getByRole('link').count()).toBe(0)
    await phone.getByRole('button', { name: '朗读' }).tap()
    expect(await phone.evaluate(() => (window as unknown as { spoken: unknown[] }).spoken)).toEqual([
      { text: QUESTIONS[0]!.zh, lang: 'zh-CN' },
    ])
    await phone.goBack().catch(() => undefined)
    await mode.waitFor()
    await answerAll(phone, ['tattoo'], false)
    await signAndConfirm(phone, '不要联系我')
    await phone.getByTestId('hand-back').waitFor()
    for (const digit of PINS.collector) await mode.getByRole('button', { name: digit, exact: true }).tap()
    await mode.getByRole('button', { name: '确认' }).tap()
    await expect.poll(() => mode.getByRole('alert').textContent()).toContain('不正确')
    await mode.locator('input[type="password"]').fill(PINS.leader)
    await mode.getByRole('button', { name: '确认' }).tap()
    await phone.getByTestId('questionnaire-done').waitFor()
    expect(await phone.getByTestId('questionnaire-done').textContent()).toContain('已签名')
    expect(await phone.getByTestId('questionnaire-defers').textContent()).toContain('纹身')
    await typeVitals(phone)
    expect(await phone.getByRole('button', { name: '献血', exact: true }).isDisabled()).toBe(true)
    await phone.getByRole('button', { name: '暂缓', exact: true }).tap()
    await phone.getByRole('button', { name: '保存' }).first().tap()
    await phone.getByTestId('saved').filter({ hasText: '赵丽' }).waitFor()
    const afterFirst = await readTables(phone, ['deferrals', 'donorIdentities'])
    expect(afterFirst.deferrals).toMatchObject([
      {
        reasonCode: 'tattoo',
        contactConsent: 'none',
        questionnaire: {
          version: DEFAULT_QUESTIONNAIRE.version,
          yes: ['tattoo'],
          selfExcluded: false,
          via: 'phone',
          signed: true,
        },
      },
    ])
    expect(afterFirst.donorIdentities![0]!.consentSignature).toMatch(/^[A-Za-z0-9_-]{8,}$/)

    // Donor 2 answers on the kiosk, another browser context with no link to the phone.
    const kiosk = await newContext()
    await kiosk.goto(`${server.url}/kiosk`)
    await kiosk.getByRole('button', { name: '开始答题' }).tap()
    await answerAll(kiosk, [], true)
    await signAndConfirm(kiosk, '短信')
    const qr = kiosk.getByRole('img', { name: '健康征询答卷二维码' })
    await qr.waitFor()
    const qrImage = `data:image/png;base64,${(await qr.screenshot()).toString('base64')}`

    // The next donor on the same form.
    await phone.getByRole('button', { name: '下一位' }).tap()
    await identityToVitals(phone, residentId('410327', '1985-09-30', '017'), '孙强', false)
    await phone.evaluate((src) => {
      ;(window as unknown as { cameraImage: string }).cameraImage = src
    }, qrImage)
    await phone.getByTestId('kiosk-scan').tap()
    const done = phone.getByTestId('questionnaire-done')
    await done.waitFor({ timeout: 20_000 })
    expect(await done.textContent()).toContain('由自助机扫码交接')
    // The confidential answer is never shown back on the phone.
    expect(await phone.locator('body').textContent()).not.toContain('请勿使用')
    await typeVitals(phone)
    await phone.getByRole('button', { name: '献血', exact: true }).tap()
    await phone.getByRole('radio', { name: '400 ml', exact: true }).tap()
    await phone.getByRole('radio', { name: 'A', exact: true }).tap()
    await phone.getByRole('radio', { name: '阳性 +', exact: true }).tap()
    await phone.keyboard.press('Enter')
    const thanks = phone.getByTestId('thanks')
    await thanks.waitFor()
    expect(await thanks.getByTestId('thanks-din').textContent()).toBe(dinWithCheck(1))
    expect(await thanks.getByTestId('thanks-next').allTextContents()).toHaveLength(2)
    const publicRef = (await thanks.getByTestId('thanks-ref').textContent())!
    expect(publicRef).toMatch(/^[0-9A-Z]{16}$/)
    expect(await thanks.textContent()).not.toContain('请勿使用')
    const { donations } = await readTables(phone, ['donations'])
    expect(donations).toMatchObject([
      {
        din: dinWithCheck(1),
        publicRef,
        contactConsent: 'sms',
        questionnaire: { selfExcluded: true, via: 'kiosk', signed: true },
      },
    ])

    // Back online: everything syncs; the station sees the self-excluded bag and the consenting donor.
    await phone.context().setOffline(false)
    await phone.getByRole('link', { name: '返回车次' }).tap()
    await expect
      .poll(() => phone.getByTestId('sync-badge').first().getAttribute('data-state'), { timeout: 30_000 })
      .toBe('confirmed')
    const admin = { Authorization: `Bearer ${station.adminToken}` }
    const csv = await (await fetch(`${server.url}/api/v1/admin/contacts?format=csv`, { headers: admin })).text()
    expect(csv).toContain('孙强')
    expect(csv).toContain(',sms,')
    expect(csv).not.toContain('赵丽')

    const manager = await newContext()
    await manager.goto(`${server.url}/station/donors`)
    await manager.getByLabel('血站代码').fill('luoyang')
    await manager.getByLabel('用户名').fill('admin')
    await manager.getByLabel('密码').fill('correct horse battery staple')
    await manager.getByRole('button', { name: '登录' }).tap()
    const table = manager.getByTestId('self-exclusions')
    await expect.poll(() => table.textContent(), { timeout: 15_000 }).toContain(dinWithCheck(1))
    const download = manager.waitForEvent('download')
    await manager.getByRole('button', { name: '下载 CSV' }).tap()
    expect((await download).suggestedFilename()).toBe('luoyang-contacts.csv')
    expect(errors).toEqual([])
  }, 90_000)
})
