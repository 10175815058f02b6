// The donor form on screen: the draft comes back after the app is rebuilt (a reload), a discard
// asks and then empties form and draft, an implausible value shows its unit slip and blocks the
// deferral, a name with emoji is refused with the characters named, a pasted ID number is not cut.
import type { DOMWrapper, VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { residentIdCheckCharacter } from '../../../src/domain/resident-id'
import { useDriveStore } from '../../../src/app/stores/useDriveStore'
import { useSessionStore } from '../../../src/app/stores/useSessionStore'
import { RURAL, SITE } from '../support/field-fixtures'
import { type FieldApp, mountFieldApp, PIN, settle } from '../support/field-app'

const MAN = ((f: string) => f + residentIdCheckCharacter(f))('41032719950721053')

function input(w: VueWrapper, label: string): DOMWrapper<HTMLInputElement> {
  const el = w.findAll('label').find((l) => l.text() === label)
  if (!el) throw new Error(`no label ${label}`)
  return w.find<HTMLInputElement>(`[id="${el.attributes('for')!}"]`)
}
function button(w: VueWrapper, text: string): DOMWrapper<HTMLButtonElement> {
  const b = w.findAll<HTMLButtonElement>('button').find((x) => x.text() === text)
  if (!b)
    throw new Error(
      `no button ${text}: ${w
        .findAll('button')
        .map((x) => x.text())
        .join(' | ')}`,
    )
  return b
}

let app: FieldApp
let driveId: string
let confirm: ReturnType<typeof vi.fn>

async function openDonorForm(): Promise<void> {
  app = await mountFieldApp('/drives')
  const drive = await useDriveStore().openDrive({
    busCode: '豫C-1',
    siteId: SITE.id,
    channelId: RURAL.id,
    teamIds: [],
    date: '2026-06-14',
    staffIds: [app.roster.leader.id, app.roster.collector.id],
    leaderStaffId: app.roster.leader.id,
    dinFirst: 'W123426000001',
    dinLast: 'W123426000040',
    bagsLoaded: 40,
  })
  driveId = drive.id
  await app.router.push(`/drives/${drive.id}/donor`)
  await settle()
}

beforeEach(() => {
  confirm = vi.fn().mockReturnValue(true)
  vi.spyOn(window, 'confirm').mockImplementation(confirm as never)
  window.scrollTo = vi.fn() as never
})
afterEach(() => {
  app?.wrapper.unmount()
  vi.restoreAllMocks()
})

describe('donor form drafts', { timeout: 30_000 }, () => {
  it('comes back after the app is rebuilt, for the same person, with a notice; discard asks, then empties it', async () => {
    await openDonorForm()
    let w = app.wrapper
    await input(w, '身份证号').setValue(MAN)
    await input(w, '姓名').setValue('刘洋')
    await w
      .findAll('label.choice')
      .find((x) => x.text() === '农村')!
      .find('input')
      .setValue(true)
    await settle()
    app.wrapper.unmount() // the page goes away with the write still pending: it is flushed
    await settle()
    expect(await app.db.drafts.count()).toBe(1)

    app = await mountFieldApp(`/drives/${driveId}/donor`, { db: app.db, roster: app.roster })
    w = app.wrapper
    await settle(10)
    expect(w.find('[data-testid="draft-restored"]').text()).toContain('已恢复您未保存的表单')
    expect(input(w, '身份证号').element.value).toBe(MAN)
    expect(input(w, '姓名').element.value).toBe('刘洋')

    confirm.mockReturnValueOnce(false)
    await button(w, '放弃此表单').trigger('click')
    await settle()
    expect(input(w, '姓名').element.value).toBe('刘洋')
    await button(w, '放弃此表单').trigger('click')
    await settle()
    expect(input(w, '姓名').element.value).toBe('')
    expect(w.find('[data-testid="draft-restored"]').exists()).toBe(false)
    expect(await app.db.drafts.count()).toBe(0)
  })

  it('keeps what is typed right after a discard (the next donor), and drafts it', async () => {
    await openDonorForm()
    const w = app.wrapper
    await input(w, '姓名').setValue('刘洋')
    await settle()
    // Discard, and the next donor's name is typed before the draft's delete has finished.
    await button(w, '放弃此表单').trigger('click')
    await input(w, '姓名').setValue('王芳')
    await settle(10)
    expect(input(w, '姓名').element.value).toBe('王芳')
    await vi.waitFor(async () => expect((await app.db.drafts.toArray()).map((d) => d.form.name)).toEqual(['王芳']))
  })

  it('after a hand-over, the drive screen offers the draft to its author only', async () => {
    await openDonorForm()
    const w = app.wrapper
    const session = useSessionStore()
    await input(w, '姓名').setValue('刘洋')
    session.lock()
    await settle()
    await session.unlock(app.roster.collector.id, PIN.collector)
    await settle(10)
    await app.router.push(`/drives/${driveId}`) // 李敏's form is blank: no question on leaving
    await settle(10)
    expect(confirm).not.toHaveBeenCalled()
    expect(w.find('[data-testid="draft-offer"]').exists()).toBe(false)

    session.lock()
    await session.unlock(app.roster.leader.id, PIN.leader)
    await settle(10)
    const offer = w.find('[data-testid="draft-offer"]')
    expect(offer.text()).toContain('您有一份未保存的登记表')
    await offer.find('a').trigger('click')
    await settle(10)
    expect(app.router.currentRoute.value.name).toBe('donor')
    expect(input(w, '姓名').element.value).toBe('刘洋')
    expect(w.find('[data-testid="draft-restored"]').exists()).toBe(true)
  })

  it('shows the unit slip for Hb 14.2, applies it, and records no deferral over an implausible value', async () => {
    await openDonorForm()
    const w = app.wrapper
    await input(w, '身份证号').setValue(MAN)
    await input(w, '姓名').setValue('刘洋')
    await w
      .findAll('label.choice')
      .find((x) => x.text() === '农村')!
      .find('input')
      .setValue(true)
    await settle()
    // Next goes on once the donor lookup (hashing the ID number) has answered; the vitals show once
    // the default catalogue and questionnaire have loaded.
    await vi.waitFor(
      async () => {
        if (w.findAll('button').some((b) => b.text() === '下一步')) {
          await button(w, '下一步').trigger('click')
          await settle()
        }
        input(w, '体重 (kg)')
      },
      { timeout: 10_000, interval: 50 },
    )
    for (const [label, value] of [
      ['体重 (kg)', '68'],
      ['血红蛋白 (g/L)', '14.2'],
      ['收缩压 (mmHg)', '122'],
      ['舒张压 (mmHg)', '78'],
      ['脉搏 (次/分)', '72'],
      ['体温 (°C)', '36.6'],
    ] as const)
      await input(w, label).setValue(value)
    await settle()
    const hint = w.find('[data-testid="slip-hint"]')
    expect(hint.text()).toContain('是 g/dL 吗？即 142 g/L')
    expect(w.find('[data-testid="blockers"]').exists()).toBe(false) // not an eligibility failure
    await button(w, '暂缓').trigger('click')
    await settle()
    expect(w.find('[data-testid="deferral-until"]').exists()).toBe(false)
    expect(input(w, '血红蛋白 (g/L)').exists()).toBe(true)

    await button(w, '改为 142').trigger('click')
    await settle()
    expect(input(w, '血红蛋白 (g/L)').element.value).toBe('142')
    expect(w.find('[data-testid="slip-hint"]').exists()).toBe(false)
    expect(w.text()).toContain('体检合格')
  })

  it('refuses a name with emoji, naming them, and normalises a pasted ID number instead of cutting it', async () => {
    await openDonorForm()
    const w = app.wrapper
    await input(w, '姓名').setValue('张😀👍🏽')
    await settle()
    expect(w.text()).toContain('姓名不能含有“😀👍🏽”')
    await input(w, '姓名').setValue('阿依古丽•买买提')
    await settle()
    expect(w.text()).not.toContain('姓名不能含有')
    await input(w, '身份证号').setValue('  １１０１０５ 19491231 002ｘ ')
    await settle()
    expect(input(w, '身份证号').element.value).toBe('11010519491231002X')
    expect(w.text()).toContain('1949-12-31')
  })
})
