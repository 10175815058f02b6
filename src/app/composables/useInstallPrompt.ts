// Installing the app to the home screen. An installed app starts offline from its icon and keeps
// its data: Safari deletes a site's storage after 7 days without use, but not a home-screen app's.
import { ref, shallowRef } from 'vue'

/** Chromium's install prompt event (not in TypeScript's DOM types). */
export interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed'; platform: string }>
}

export type InstallPlatform =
  /** Already running as an installed app. */
  | 'installed'
  /** iPhone/iPad Safari: Share → Add to Home Screen. */
  | 'ios-safari'
  /** Another iOS browser: open the page in Safari first (older iOS cannot add from elsewhere). */
  | 'ios-other'
  /** The browser offered an install prompt (Android Chrome, desktop Chromium). */
  | 'prompt'
  /** Android, no prompt (yet): use the browser menu. */
  | 'android-menu'
  /** Nothing to offer. */
  | 'none'

export interface InstallEnvironment {
  userAgent: string
  /** navigator.maxTouchPoints: iPadOS claims to be a Mac, but a Mac has no touch screen. */
  maxTouchPoints: number
  /** display-mode: standalone, or iOS navigator.standalone. */
  standalone: boolean
  promptAvailable: boolean
}

/** Which install guidance fits this browser. */
export function installPlatform(env: InstallEnvironment): InstallPlatform {
  if (env.standalone) return 'installed'
  const ua = env.userAgent
  const ios = /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && env.maxTouchPoints > 1)
  if (ios) return /CriOS|FxiOS|EdgiOS|OPiOS|GSA\/|MicroMessenger|QQ\//.test(ua) ? 'ios-other' : 'ios-safari'
  if (env.promptAvailable) return 'prompt'
  if (/Android/.test(ua)) return 'android-menu'
  return 'none'
}

const promptEvent = shallowRef<BeforeInstallPromptEvent | null>(null)
const installed = ref(false)
let listening = false

/** Starts listening for the install prompt; the event can fire early, so call this at startup. */
export function listenForInstallPrompt(): void {
  if (listening || typeof window === 'undefined') return
  listening = true
  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault() // show our own button instead of the browser's mini-bar
    promptEvent.value = e as BeforeInstallPromptEvent
  })
  window.addEventListener('appinstalled', () => {
    installed.value = true
    promptEvent.value = null
  })
}

/** Running as an installed app (home-screen icon). */
export function isStandalone(): boolean {
  if (typeof window === 'undefined') return false
  return (
    window.matchMedia?.('(display-mode: standalone)').matches === true ||
    (navigator as Navigator & { standalone?: boolean }).standalone === true
  )
}

export function currentInstallEnvironment(): InstallEnvironment {
  return {
    userAgent: typeof navigator === 'undefined' ? '' : navigator.userAgent,
    maxTouchPoints: typeof navigator === 'undefined' ? 0 : (navigator.maxTouchPoints ?? 0),
    standalone: installed.value || isStandalone(),
    promptAvailable: promptEvent.value !== null,
  }
}

/** Shows the browser's install dialog; true if staff accepted. */
export async function promptInstall(): Promise<boolean> {
  const e = promptEvent.value
  if (!e) return false
  promptEvent.value = null // a prompt event can be used once
  await e.prompt()
  const choice = await e.userChoice
  if (choice.outcome === 'accepted') installed.value = true
  return choice.outcome === 'accepted'
}

export function useInstallPrompt() {
  listenForInstallPrompt()
  return { promptEvent, installed, promptInstall, currentInstallEnvironment }
}
