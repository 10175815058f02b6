// The leader's sign-off of a drive close goes through the phone's PIN attempt limit: a leader
// locked out cannot sign, and the screen says why in the user's language.
import { afterEach, describe, expect, it } from 'vitest'
import { useDriveStore } from '../../../src/app/stores/useDriveStore'
import { useSessionStore } from '../../../src/app/stores/useSessionStore'
import { pinRefusal } from '../../../src/app/field/pin-check'
import { createAppI18n } from '../../../src/app/i18n'
import { RURAL, SITE } from '../support/field-fixtures'
import { type FieldApp, mountFieldApp, PIN, settle } from '../support/field-app'

let app: FieldApp
afterEach(() => app?.wrapper.unmount())

describe('PIN limit on sign-offs', () => {
  it('names a wait and a lockout in both languages', () => {
    type Translate = Parameters<typeof pinRefusal>[0]
    const translator = (locale: 'zh-CN' | 'en'): Translate => {
      const global = createAppI18n(locale).global as unknown as { t: Translate }
      return (key, params) => global.t(key, params)
    }
    const [zh, en] = [translator('zh-CN'), translator('en')]
    expect(pinRefusal(zh, 'locked', '王建华')).toContain('王建华 的密码已锁定')
    expect(pinRefusal(en, 'locked', 'Wang')).toContain('Wang is locked out')
    expect(pinRefusal(zh, 'wait', '王建华')).toContain('请几秒后再试')
    expect(pinRefusal(en, 'ok', 'Wang')).toBeNull()
  })

  it('refuses the close when the leader is locked out, even with the right PIN', async () => {
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
    const session = useSessionStore()
    let t = Date.now() - 10 * 60_000
    for (let i = 0; i < 5; i++) await session.verifyStaffPin(app.roster.leader.id, '9999', (t += 60_000))
    await app.router.push(`/drives/${drive.id}/close`)
    await settle()
    const w = app.wrapper
    for (const [label, value] of [
      ['损耗', '0'],
      ['退回', '40'],
    ]) {
      const el = w.findAll('label').find((l) => l.text() === label)!
      await w.find(`[id="${el.attributes('for')}"]`).setValue(value)
    }
    await w.find('.pin-input').setValue(PIN.leader)
    await w.find('form').trigger('submit')
    await settle(10)
    expect(w.text()).toContain('王建华 的密码已锁定')
    expect(await app.db.driveCloses.count()).toBe(0)
  }, 30_000)
})
