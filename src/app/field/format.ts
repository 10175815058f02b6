// Display helpers shared by the field screens.
import type { Channel, Team } from '../../domain/records'

export function channelName(c: Pick<Channel, 'nameZh' | 'nameEn'> | undefined, locale: string): string {
  if (!c) return '—'
  return locale.startsWith('zh') ? c.nameZh : c.nameEn
}

export function teamName(team: Pick<Team, 'nameZh' | 'nameEn'> | undefined, locale: string): string {
  return channelName(team, locale)
}

const FORMATS = {
  dateTime: { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false },
  time: { hour: '2-digit', minute: '2-digit', hour12: false },
} satisfies Record<string, Intl.DateTimeFormatOptions>

// Building an Intl.DateTimeFormat costs milliseconds on a slow phone and a drive list formats
// dozens of times per render: one formatter per locale, time zone and shape, made once.
const formatters = new Map<string, Intl.DateTimeFormat>()
function dateTimeFormat(locale: string, timeZone: string, shape: keyof typeof FORMATS): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${shape}`
  let f = formatters.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone, ...FORMATS[shape] })
    formatters.set(key, f)
  }
  return f
}

export function formatDateTime(iso: string | null, locale: string, timeZone = 'Asia/Shanghai'): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return dateTimeFormat(locale, timeZone, 'dateTime').format(d)
}

export function formatTime(iso: string, locale: string, timeZone = 'Asia/Shanghai'): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return dateTimeFormat(locale, timeZone, 'time').format(d)
}

/** Whole minutes since `ms` (phone clock), for "oldest unsynced: 12 min". */
export function minutesSince(ms: number, now = Date.now()): number {
  return Math.max(0, Math.floor((now - ms) / 60_000))
}

/** 1.5 → "1.5", 2 → "2". */
export function formatUnits(units: number): string {
  return Number.isInteger(units) ? String(units) : units.toFixed(1)
}
