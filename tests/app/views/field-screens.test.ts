import type { DOMWrapper, VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { addDays, addMonths } from '../../../src/domain/dates'
import { isbt128Din } from '../../../src/domain/din'
import { residentIdCheckCharacter } from '../../../src/domain/resident-id'
import { useDriveStore } from '../../../src/app/stores/useDriveStore'
import { useSessionStore } from '../../../src/app/stores/useSessionStore'
import { RURAL, SITE } from '../support/field-fixtures'
import { type FieldApp, mountFieldApp, PIN, settle, settleUntil } from '../support/field-app'

const idOf = (first17: string) => first17 + residentIdCheckCharacter(first17)
/** A 30-something man (sequence digit 3 is odd). */
const MAN = idOf('41032719950721053')
const din = (n: number) => isbt128Din.format(`W123426${String(n).padStart(6, '0')}`)

function input(w: VueWrapper, label: string): DOMWrapper<HTMLInputElement> {
  const el = w.findAll('label').find((l) => l.text() === label)
  if (!el)
    throw new Error(
      `no label ${label}: ${w
        .findAll('label')
        .map((l) => l.text())
        .join(' | ')}`,
    )
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
async function radio(w: VueWrapper, text: string): Promise<void> {
  const l = w.findAll('label.choice').find((x) => x.text() === text)
  if (!l) throw new Error(`no choice ${text}`)
  await l.find('input').setValue(true)
}

let app: FieldApp
let driveId: string

async function openDriveAt(path: (id: string) => string): Promise<void> {
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
  await app.router.push(path(drive.id))
  await settle()
}

beforeEach(() => {
  vi.spyOn(window, 'confirm').mockReturnValue(true)
  window.scrollTo = vi.fn() as never
})
afterEach(() => {
  app?.wrapper.unmount()
  vi.restoreAllMocks()
})

describe('recording one person', () => {
  it('checks the ID number live and shows age and sex', async () => {
    await openDriveAt((id) => `/drives/${id}/donor`)
    const w = app.wrapper
    await input(w, '身份证号').setValue(MAN.slice(0, 17) + (MAN.endsWith('1') ? '2' : '1'))
    expect(w.text()).toContain('校验位不对')
    await input(w, '身份证号').setValue(MAN)
    await settle()
    expect(w.text()).toContain('✓ 男')
    expect(w.text()).toContain('1995-07-21')
  })

  it('does not call a donor first-time while the station’s donor records are still downloading', async () => {
    await openDriveAt((id) => `/drives/${id}/donor`)
    const w = app.wrapper
    await input(w, '身份证号').setValue(MAN)
    await settleUntil(() => w.find('[data-testid="snapshot"]').exists(), 'the donor lookup')
    expect(w.text()).toContain('首次献血')
    expect(w.find('[data-testid="history-downloading"]').exists()).toBe(false)

    await app.db.syncMeta.put({ key: 'historyIncomplete', value: true })
    await input(w, '身份证号').setValue('')
    await settle()
    await input(w, '身份证号').setValue(MAN)
    await settleUntil(() => w.find('[data-testid="history-downloading"]').exists(), 'the downloading warning')
    expect(w.find('[data-testid="history-downloading"]').text()).toContain('查不到此人不代表首次献血')
    expect(w.find('[data-testid="snapshot"]').text()).not.toContain('（首次献血）')
  })

  it('shows why a measurement fails and will not let the donation go ahead', async () => {
    await openDriveAt((id) => `/drives/${id}/donor`)
    const w = app.wrapper
    await input(w, '身份证号').setValue(MAN)
    await input(w, '姓名').setValue('刘洋')
    await radio(w, '农村')
    await settle()
    await button(w, '下一步').trigger('click')
    await settleUntil(() => w.text().includes('体重 (kg)'), 'the vitals step')
    for (const [label, value] of [
      ['体重 (kg)', '68'],
      ['血红蛋白 (g/L)', '112'],
      ['收缩压 (mmHg)', '150'],
      ['舒张压 (mmHg)', '80'],
      ['脉搏 (次/分)', '72'],
      ['体温 (°C)', '36.6'],
    ]) {
      await input(w, label!).setValue(value!)
    }
    expect(w.text()).toContain('血红蛋白 112 g/L，低于下限 120 g/L')
    expect(w.text()).toContain('收缩压 150 mmHg，高于上限 139 mmHg')
    expect(button(w, '献血').element.disabled).toBe(true)
    await button(w, '暂缓').trigger('click')
    await settle()
    // The matching reason is preselected and its until-date shown (Hb: 1 month from today).
    expect((w.find('select').element as HTMLSelectElement).value).toBe('low_hb')
    const today = useDriveStore().today()
    expect(w.find('[data-testid="deferral-until"]').text()).toContain(
      `暂缓至 ${addDays(addMonths(today, 1), -1)}（含）`,
    )
    // The until-date is the last day deferred. A reason counted from recovery starts from today
    // until staff give the day they got well.
    await w.find('select').setValue('cold_fever')
    expect(w.find<HTMLInputElement>('#deferral-start').element.value).toBe(today)
    expect(w.find('[data-testid="deferral-until"]').text()).toContain(`暂缓至 ${addDays(today, 6)}（含）`)
    await w.find('#deferral-start').setValue(addDays(today, -3))
    expect(w.find('[data-testid="deferral-until"]').text()).toContain(`暂缓至 ${addDays(today, 3)}（含）`)
    await w.find('select').setValue('low_hb')
    await w.find('form').trigger('submit')
    await settle()
    expect(w.find('[data-testid="saved"]').exists()).toBe(true)
    expect(await app.db.deferrals.count()).toBe(1)
    expect((await app.db.outbox.toArray()).filter((e) => e.recordType === 'deferral')).toHaveLength(1)
  })

  it('checks the bag number: range, duplicates on the drive; saves only a valid donation', async () => {
    await openDriveAt((id) => `/drives/${id}/donor`)
    const w = app.wrapper
    await input(w, '身份证号').setValue(MAN)
    await input(w, '姓名').setValue('刘洋')
    await radio(w, '城镇')
    await settle()
    await button(w, '下一步').trigger('click')
    await settleUntil(() => w.text().includes('体重 (kg)'), 'the vitals step')
    for (const [label, value] of [
      ['体重 (kg)', '68'],
      ['血红蛋白 (g/L)', '142'],
      ['收缩压 (mmHg)', '122'],
      ['舒张压 (mmHg)', '78'],
      ['脉搏 (次/分)', '72'],
      ['体温 (°C)', '36.6'],
    ]) {
      await input(w, label!).setValue(value!)
    }
    await button(w, '献血').trigger('click')
    await settleUntil(() => w.text().includes('400 ml'), 'the outcome step')
    await radio(w, '400 ml')
    await radio(w, 'B')
    await radio(w, '阳性 +')
    await input(w, '血袋号（DIN）').setValue(din(41))
    expect(w.text()).toContain('此血袋不在本车装车范围内')
    await w.find('form').trigger('submit')
    await settle()
    expect(await app.db.donations.count()).toBe(0)
    await input(w, '血袋号（DIN）').setValue(din(2))
    await w.find('form').trigger('submit')
    await settle()
    expect(w.find('[data-testid="saved"]').text()).toContain(din(2))
    expect(await app.db.donations.toArray()).toMatchObject([
      { din: din(2), abo: 'B', rhd: 'pos', household: 'urban', sex: 'M' },
    ])
    expect(w.find('[data-testid="tally-donations"]').text()).toBe('1')
    // The next person cannot take the same bag.
    await button(w, '下一位').trigger('click')
    await settle()
    expect(input(w, '身份证号').element.value).toBe('')
    expect(useDriveStore().usedDins.has(din(2))).toBe(true)
  })
})

describe('shared phone', () => {
  it('hides the form while locked, keeps it for the same person, shows someone else a blank form and gives the draft back to its author', async () => {
    await openDriveAt((id) => `/drives/${id}/donor`)
    const session = useSessionStore()
    const w = app.wrapper
    await input(w, '姓名').setValue('刘洋')
    session.lock()
    await settle()
    expect(w.find('.unlock').exists()).toBe(true)
    expect((w.find('.field-app').element as HTMLElement).style.display).toBe('none')
    await session.unlock(app.roster.leader.id, PIN.leader)
    await settle()
    expect(input(w, '姓名').element.value).toBe('刘洋')

    session.lock()
    await settle()
    await w
      .findAll('.staff-btn')
      .find((b) => b.text().includes('李敏'))!
      .trigger('click')
    await settle()
    expect(w.text()).toContain('王建华 未保存的表单会为其保留')
    await w.find('.pin-input').setValue(PIN.collector)
    await button(w, '解锁').trigger('click')
    await settle(10)
    expect(session.staff?.name).toBe('李敏')
    expect(input(w, '姓名').element.value).toBe('')
    expect(w.find('[data-testid="draft-restored"]').exists()).toBe(false)

    // Back to its author: the draft is offered again, and only to them.
    session.lock()
    await settle()
    await session.unlock(app.roster.leader.id, PIN.leader)
    await settle(10)
    expect(input(w, '姓名').element.value).toBe('刘洋')
    expect(w.find('[data-testid="draft-restored"]').exists()).toBe(true)
  })

  it('refuses a wrong PIN on the unlock screen', async () => {
    await openDriveAt(() => '/drives')
    useSessionStore().lock()
    await settle()
    const w = app.wrapper
    await w
      .findAll('.staff-btn')
      .find((b) => b.text().includes('李敏'))!
      .trigger('click')
    await w.find('.pin-input').setValue('9999')
    await button(w, '解锁').trigger('click')
    await settle(10)
    expect(w.text()).toContain('密码不正确')
    expect(useSessionStore().locked).toBe(true)
  })
})

describe('void and close', () => {
  it('a void needs a reason; nothing is written without one', async () => {
    await openDriveAt(() => '/drives')
    const store = useDriveStore()
    await store.recordDonor({
      identity: {
        idNumber: MAN,
        name: '刘洋',
        phone: '',
        household: 'rural',
        donorKey: '0123456789abcdef0123456789abcdef',
      },
      facts: { sex: 'M', ageYears: 30, repeatDonor: false },
      outcome: { kind: 'donation', product: { type: 'whole_blood', volumeMl: 200 }, abo: 'A', rhd: 'pos', din: din(5) },
    })
    const recordId = store.entries[0]!.original.id
    await app.router.push(`/drives/${driveId}/records/${recordId}`)
    await settle()
    const w = app.wrapper
    await button(w, '作废').trigger('click')
    await w.find('form').trigger('submit')
    await settle()
    expect(w.text()).toContain('请写明原因')
    expect(await app.db.voids.count()).toBe(0)
    await w.find('#change-reason').setValue('登记错人')
    await w.find('form').trigger('submit')
    await settle()
    expect(w.text()).toContain('已作废并保存')
    expect(await app.db.voids.toArray()).toMatchObject([
      { targetId: recordId, reason: '登记错人', authorStaffId: app.roster.leader.id },
    ])
  })

  it('corrects a deferral by a new record that keeps the original, with the until-date counted again', async () => {
    await openDriveAt(() => '/drives')
    const store = useDriveStore()
    await store.recordDonor({
      identity: {
        idNumber: MAN,
        name: '刘洋',
        phone: '',
        household: 'rural',
        donorKey: '0123456789abcdef0123456789abcdef',
      },
      facts: { sex: 'M', ageYears: 30, repeatDonor: false },
      outcome: { kind: 'deferral', reasonCode: 'cold_fever', until: '2026-06-20', note: '' },
    })
    const original = store.entries[0]!.original
    await app.router.push(`/drives/${driveId}/records/${original.id}`)
    await settle()
    const w = app.wrapper
    await button(w, '更正').trigger('click')
    await w.find('#fix-reason').setValue('tattoo')
    await w.find('#change-reason').setValue('原因选错，实为纹身')
    await w.find('form').trigger('submit')
    await settle()
    expect(w.text()).toContain('更正已保存')
    const [correction] = await app.db.corrections.toArray()
    const year = Number(original.collectedOn.slice(0, 4)) + 1
    expect(correction).toMatchObject({
      targetId: original.id,
      reason: '原因选错，实为纹身',
      replacement: { id: original.id, type: 'deferral', reasonCode: 'tattoo' },
    })
    expect((correction!.replacement as { until: string }).until.startsWith(String(year))).toBe(true)
    expect(await app.db.deferrals.get(original.id)).toMatchObject({ reasonCode: 'cold_fever' })
  })

  it('after the close, a donation can still be corrected; the close screen keeps the signed-off bags', async () => {
    await openDriveAt(() => '/drives')
    const store = useDriveStore()
    await store.recordDonor({
      identity: {
        idNumber: MAN,
        name: '刘洋',
        phone: '',
        household: 'rural',
        donorKey: '0123456789abcdef0123456789abcdef',
      },
      facts: { sex: 'M', ageYears: 30, repeatDonor: false },
      outcome: { kind: 'donation', product: { type: 'whole_blood', volumeMl: 400 }, abo: 'A', rhd: 'pos', din: din(5) },
    })
    await store.closeDrive({ bagsUsed: 1, bagsSpoiled: 0, bagsReturned: 39, discrepancyNote: '' }, app.roster.leader.id)
    const recordId = store.entries[0]!.original.id
    await app.router.push(`/drives/${driveId}/records/${recordId}`)
    await settle()
    const w = app.wrapper
    await button(w, '更正').trigger('click')
    await radio(w, 'B')
    await w.find('#change-reason').setValue('血型录错')
    await w.find('form').trigger('submit')
    await settle()
    expect(w.text()).toContain('更正已保存')
    expect(await app.db.corrections.toArray()).toMatchObject([{ targetId: recordId, replacement: { abo: 'B' } }])
    expect(store.tally.byBloodGroup).toMatchObject({ 'A+': 0, 'B+': 1 })

    await button(w, '作废').trigger('click')
    await w.find('#change-reason').setValue('登记错人')
    await w.find('form').trigger('submit')
    await settle()
    expect(w.text()).toContain('已作废并保存')
    expect(store.tally.donations).toBe(0)

    await app.router.push(`/drives/${driveId}/close`)
    await settle()
    const sealed = w
      .find('[data-testid="sealed-bags"]')
      .findAll('dd')
      .map((d) => d.text())
    expect(sealed).toEqual(['40', '1', '0', '39'])
    expect(w.text()).toContain('本车次现有 0 条献血')
    expect(w.find('#drive-close-form').exists()).toBe(false)
  })

  it('a bag mismatch needs a written note, and only the leader’s PIN signs the close', async () => {
    await openDriveAt((id) => `/drives/${id}/close`)
    const w = app.wrapper
    await input(w, '损耗').setValue('1')
    await input(w, '退回').setValue('38')
    expect(w.find('[data-testid="reconcile-status"]').text()).toContain('相差 -1')
    await w.find('.pin-input').setValue(PIN.leader)
    await w.find('form').trigger('submit')
    await settle()
    expect(w.text()).toContain('数目不符，请写明原因')
    expect(await app.db.driveCloses.count()).toBe(0)
    await w.find('#discrepancy-note').setValue('一袋破损后丢弃未登记')
    await w.find('.pin-input').setValue(PIN.collector)
    await w.find('form').trigger('submit')
    await settle(10)
    expect(w.text()).toContain('车长密码不正确')
    expect(await app.db.driveCloses.count()).toBe(0)
    await w.find('.pin-input').setValue(PIN.leader)
    await w.find('form').trigger('submit')
    await settle(10)
    expect(await app.db.driveCloses.toArray()).toMatchObject([
      {
        bagsLoaded: 40,
        bagsUsed: 0,
        bagsSpoiled: 1,
        bagsReturned: 38,
        discrepancyNote: '一袋破损后丢弃未登记',
        signedOffBy: app.roster.leader.id,
      },
    ])
    await vi.waitFor(() => expect(app.router.currentRoute.value.name).toBe('drive'))
  })
})
