// Persistent storage: without it the browser may evict IndexedDB (and the unsynced records in it)
// when the phone runs low on space, and Safari wipes a site's data after 7 days without use unless
// the app was added to the home screen. We ask once on first run; staff can ask again from the panel.
import { ref } from 'vue'
import { isStandalone } from './useInstallPrompt'

const ASKED_KEY = 'bloodbus.storage.persistAsked'

export interface StorageEstimateFigures {
  usage: number | null
  quota: number | null
}

const persisted = ref<boolean | null>(null)
const estimate = ref<StorageEstimateFigures>({ usage: null, quota: null })

function storageManager(): StorageManager | null {
  return (typeof navigator !== 'undefined' && navigator.storage) || null
}

/** Re-reads whether storage is persistent and how much is used. */
export async function refreshStorage(): Promise<void> {
  const sm = storageManager()
  if (!sm) return
  persisted.value = typeof sm.persisted === 'function' ? await sm.persisted().catch(() => null) : null
  if (typeof sm.estimate === 'function') {
    const e = await sm.estimate().catch(() => null)
    estimate.value = { usage: e?.usage ?? null, quota: e?.quota ?? null }
  }
}

/** Asks the browser to keep this app's data. Chromium decides silently, Firefox asks the user. */
export async function requestPersistence(): Promise<boolean | null> {
  const sm = storageManager()
  if (!sm || typeof sm.persist !== 'function') return null
  globalThis.localStorage?.setItem(ASKED_KEY, '1')
  const granted = await sm.persist().catch(() => false)
  persisted.value = granted
  return granted
}

/**
 * Requests persistence on first run, and again at each start of the installed app while it is not
 * granted: Chromium grants it silently once the app is installed, while Firefox asks the user each
 * time, so a browser tab is asked only once.
 */
export async function ensurePersistenceRequested(standalone = isStandalone()): Promise<boolean | null> {
  await refreshStorage()
  if (persisted.value === true) return true
  if (globalThis.localStorage?.getItem(ASKED_KEY) === '1' && !standalone) return persisted.value
  return requestPersistence()
}

export function useStoragePersistence() {
  return { persisted, estimate, refreshStorage, requestPersistence, ensurePersistenceRequested }
}

// ---- formatting for the storage panel (pure) ----

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const

/** 1536 → "1.5 KB"; binary multiples, one decimal below 10 units, none above. */
export function formatBytes(bytes: number | null, locale = 'zh-CN'): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return '—'
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024
    unit++
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value)} ${BYTE_UNITS[unit]}`
}

/** Share of the quota in use, 0–100, or null if unknown. */
export function usagePercent(e: StorageEstimateFigures): number | null {
  if (e.usage === null || !e.quota) return null
  return Math.min(100, (e.usage / e.quota) * 100)
}

export type AgeUnit = 'justNow' | 'minutes' | 'hours' | 'days'

/** How long ago, in the largest whole unit: 90 s → 1 minute, 26 h → 1 day. Future times are "just now". */
export function ageOf(since: number, now: number): { unit: AgeUnit; count: number } {
  const ms = Math.max(0, now - since)
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 1) return { unit: 'justNow', count: 0 }
  if (minutes < 60) return { unit: 'minutes', count: minutes }
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return { unit: 'hours', count: hours }
  return { unit: 'days', count: Math.floor(hours / 24) }
}

/** An unsynced record this old is worth a warning: it should have reached the station by now. */
export const STALE_UNSYNCED_MS = 24 * 60 * 60 * 1000

export function unsyncedIsStale(oldestCreatedAt: number | null, now: number): boolean {
  return oldestCreatedAt !== null && now - oldestCreatedAt >= STALE_UNSYNCED_MS
}
