// Display helpers shared by the field screens.
import type { Channel, Team } from '../../domain/records'

export function channelName(c: Pick<Channel, 'nameZh' | 'nameEn'> | undefined, locale: string): string {
  if (!c) return '—'
  return locale.startsWith('zh') ? c.nameZh : c.nameEn
}

export function teamName(team: Pick<Team, 'nameZh' | 'nameEn'> | undefined, locale: string): string {
  return channelName(team, locale)
}

export function formatDateTime(iso: string | null, locale: string, timeZone = 'Asia/Shanghai'): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(locale, { timeZone, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).format(d)
}

export function formatTime(iso: string, locale: string, timeZone = 'Asia/Shanghai'): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(d)
}

/** Whole minutes since `ms` (phone clock), for "oldest unsynced: 12 min". */
export function minutesSince(ms: number, now = Date.now()): number {
  return Math.max(0, Math.floor((now - ms) / 60_000))
}

/** 1.5 → "1.5", 2 → "2". */
export function formatUnits(units: number): string {
  return Number.isInteger(units) ? String(units) : units.toFixed(1)
}
