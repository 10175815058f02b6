// Which install guidance a phone gets.
import { describe, expect, it } from 'vitest'
import { installPlatform } from '../../../src/app/composables/useInstallPrompt'

const UA = {
  iphoneSafari:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  iphoneChrome:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/123.0.6312.52 Mobile/15E148 Safari/604.1',
  iphoneWeChat:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN',
  ipadSafari:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  androidChrome:
    'Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  desktopChrome:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
}
const env = (userAgent: string, extra: Partial<Parameters<typeof installPlatform>[0]> = {}) => ({
  userAgent,
  maxTouchPoints: 0,
  standalone: false,
  promptAvailable: false,
  ...extra,
})

describe('installPlatform', () => {
  it('guides iPhone Safari to Add to Home Screen', () => {
    expect(installPlatform(env(UA.iphoneSafari, { maxTouchPoints: 5 }))).toBe('ios-safari')
  })

  it('recognises an iPad that claims to be a Mac by its touch screen', () => {
    expect(installPlatform(env(UA.ipadSafari, { maxTouchPoints: 5 }))).toBe('ios-safari')
    expect(installPlatform(env(UA.ipadSafari, { maxTouchPoints: 0 }))).toBe('none') // a real Mac
  })

  it('sends other iOS browsers and in-app browsers to Safari', () => {
    expect(installPlatform(env(UA.iphoneChrome))).toBe('ios-other')
    expect(installPlatform(env(UA.iphoneWeChat))).toBe('ios-other')
  })

  it('offers the install button once Chromium fired beforeinstallprompt, the menu otherwise on Android', () => {
    expect(installPlatform(env(UA.androidChrome, { promptAvailable: true }))).toBe('prompt')
    expect(installPlatform(env(UA.androidChrome))).toBe('android-menu')
    expect(installPlatform(env(UA.desktopChrome, { promptAvailable: true }))).toBe('prompt')
    expect(installPlatform(env(UA.desktopChrome))).toBe('none')
  })

  it('says installed when running from the home screen, whatever the browser', () => {
    expect(installPlatform(env(UA.iphoneSafari, { standalone: true }))).toBe('installed')
    expect(installPlatform(env(UA.androidChrome, { standalone: true, promptAvailable: true }))).toBe('installed')
  })
})
