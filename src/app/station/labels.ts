// Names of periods, scopes and channels as the station pages print them.
import type { Channel, Period, Scope, Site, Team } from '../../domain/records'

type Translate = (key: string, params?: Record<string, unknown>) => string

export function periodLabel(t: Translate, p: Period): string {
  const year = Number(p.start.slice(0, 4))
  const month = Number(p.start.slice(5, 7))
  switch (p.kind) {
    case 'year':
      return t('station.period.yearLabel', { year })
    case 'quarter':
      return t('station.period.quarterLabel', { year, quarter: Math.floor((month - 1) / 3) + 1 })
    case 'month':
      return t('station.period.monthLabel', { year, month, monthName: t(`station.months.${month}`) })
    case 'custom':
      return t('station.period.customLabel', { start: p.start, end: p.end })
  }
}

export function localName(locale: string, x: { nameZh: string; nameEn: string }): string {
  return locale === 'zh-CN' ? x.nameZh : x.nameEn
}

export function scopeLabel(
  t: Translate,
  locale: string,
  scope: Scope,
  ref: { channels: readonly Channel[]; sites: readonly Site[]; teams: readonly Team[] },
): string {
  switch (scope.kind) {
    case 'station':
      return t('station.targets.scopeKind.station')
    case 'channel': {
      const c = ref.channels.find((x) => x.id === scope.id)
      return c ? localName(locale, c) : t('station.targets.unknownScope')
    }
    case 'team': {
      const x = ref.teams.find((y) => y.id === scope.id)
      return x ? localName(locale, x) : t('station.targets.unknownScope')
    }
    case 'site':
      return ref.sites.find((x) => x.id === scope.id)?.name ?? t('station.targets.unknownScope')
    case 'drive':
      return t('station.targets.driveScope', { id: (scope.id ?? '').slice(-6) })
  }
}
