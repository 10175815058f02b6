// The annual report as the seed's review lays it out: collection; channels and teams; quality
// indicators. One model feeds the page, the print, the CSV and the XLSX, so they cannot differ.
import { DEFERRAL_REASONS } from '../../domain/deferral-reasons'
import type { Indicators } from '../../domain/indicators'
import { DEFAULT_OVERRIDE_REASONS, type OverrideReason } from '../../domain/overrides'
import type { Channel, FieldRecord, Team } from '../../domain/records'
import { deferralReasonCodes } from '../../domain/record-codes'
import type { RulesReport } from './station-client'

export type ReportValueKind = 'count' | 'units' | 'percent' | 'rate'

export interface ReportRow {
  /** Stable key for files: `donations`, `channel.rural_mobile`, `team.military`, `rate_400ml`. */
  key: string
  /** i18n key of the label, or a name given as is (channels and teams). */
  label: { key: string } | { text: { zh: string; en: string } }
  value: number | null
  kind: ReportValueKind
  /** A second figure beside the first (bus trips of the rural-mobile channel). */
  extra?: { label: { key: string }; value: number; kind: ReportValueKind }
}

export interface ReportSection {
  key: 'collection' | 'channels' | 'teams' | 'quality' | 'deferralReasons' | 'overrides'
  rows: ReportRow[]
}

const pct = (x: number | null) => (x === null ? null : x * 100)

export function annualReport(ind: Indicators, channels: readonly Channel[], teams: readonly Team[]): ReportSection[] {
  const named = (x: { nameZh: string; nameEn: string }) => ({ text: { zh: x.nameZh, en: x.nameEn } })
  return [
    {
      key: 'collection',
      rows: [
        { key: 'donations', label: { key: 'station.report.rows.donations' }, value: ind.donations, kind: 'count' },
        {
          key: 'whole_blood_donations',
          label: { key: 'station.report.rows.wholeBloodDonations' },
          value: ind.wholeBloodDonations,
          kind: 'count',
        },
        {
          key: 'whole_blood_units',
          label: { key: 'station.report.rows.wholeBloodUnits' },
          value: ind.wholeBloodUnits,
          kind: 'units',
        },
        {
          key: 'apheresis_donations',
          label: { key: 'station.report.rows.apheresisDonations' },
          value: ind.apheresisDonations,
          kind: 'count',
        },
        {
          key: 'apheresis_doses',
          label: { key: 'station.report.rows.apheresisDoses' },
          value: ind.apheresisDoses,
          kind: 'count',
        },
        {
          key: 'rhd_negative_donations',
          label: { key: 'station.report.rows.rhdNegative' },
          value: ind.rhdNegativeDonations,
          kind: 'count',
        },
        { key: 'deferrals', label: { key: 'station.report.rows.deferrals' }, value: ind.deferrals, kind: 'count' },
      ],
    },
    {
      key: 'channels',
      rows: channels.map((c) => ({
        key: `channel.${c.code}`,
        label: named(c),
        value: ind.byChannel[c.id] ?? 0,
        kind: 'count' as const,
        ...(c.ruralMobile
          ? {
              extra: {
                label: { key: 'station.report.rows.busTrips' },
                value: ind.ruralBusTrips,
                kind: 'count' as const,
              },
            }
          : {}),
      })),
    },
    {
      key: 'teams',
      rows: teams.map((x) => ({
        key: `team.${x.code}`,
        label: named(x),
        value: ind.byTeam[x.id] ?? 0,
        kind: 'count' as const,
      })),
    },
    {
      key: 'quality',
      rows: [
        { key: 'rate_400ml', label: { key: 'progress.metric.rate_400ml' }, value: pct(ind.rate400ml), kind: 'percent' },
        {
          key: 'rural_donor_share',
          label: { key: 'progress.metric.rural_donor_share' },
          value: pct(ind.ruralDonorShare),
          kind: 'percent',
        },
        {
          key: 'repeat_donor_share',
          label: { key: 'progress.metric.repeat_donor_share' },
          value: pct(ind.repeatDonorShare),
          kind: 'percent',
        },
        {
          key: 'rural_mobile_share',
          label: { key: 'progress.metric.rural_mobile_share' },
          value: pct(ind.ruralMobileShare),
          kind: 'percent',
        },
        { key: 'per_1000', label: { key: 'progress.metric.per_1000' }, value: ind.per1000, kind: 'rate' },
        {
          key: 'deferral_rate',
          label: { key: 'progress.metric.deferral_rate' },
          value: pct(ind.deferralRate),
          kind: 'percent',
        },
      ],
    },
  ]
}

/**
 * Deferrals by reason (a deferral with two reasons under each; the deferral count stays above) and
 * the leaders' overrides, by reason and by drive. Reason names come from the deferral catalogue and
 * the station's override reasons (codes unknown to them are shown as they are).
 */
export function rulesSections(
  rules: RulesReport,
  overrideReasons: readonly OverrideReason[] = DEFAULT_OVERRIDE_REASONS,
  siteName: (id: string | null) => string = () => '',
): ReportSection[] {
  const named = (code: string, list: readonly { code: string; zh: string; en: string }[]) => {
    const r = list.find((x) => x.code === code) ?? DEFAULT_OVERRIDE_REASONS.find((x) => x.code === code)
    return { text: { zh: r?.zh ?? code, en: r?.en ?? code } }
  }
  return [
    {
      key: 'deferralReasons',
      rows: rules.deferralsByReason.map((r) => ({
        key: `deferral_reason.${r.code}`,
        label: named(r.code, DEFERRAL_REASONS),
        value: r.n,
        kind: 'count' as const,
      })),
    },
    {
      key: 'overrides',
      rows: [
        { key: 'overrides', label: { key: 'station.report.rows.overrides' }, value: rules.overrides, kind: 'count' },
        ...rules.overridesByReason.map((r) => ({
          key: `override_reason.${r.code}`,
          label: named(r.code, overrideReasons),
          value: r.n,
          kind: 'count' as const,
        })),
        ...rules.overridesByDrive.map((d) => {
          const where = [d.date ?? '', d.busCode ?? '', siteName(d.siteId)].filter(Boolean).join(' · ')
          return {
            key: `override_drive.${d.driveId ?? 'none'}`,
            label: { text: { zh: `车次 ${where}`, en: `Drive ${where}` } },
            value: d.n,
            kind: 'count' as const,
          }
        }),
      ],
    },
  ]
}

/** The value as published: counts whole, units to a half, shares and rates to two decimals. */
export function formatReportValue(locale: string, kind: ReportValueKind, value: number | null): string {
  if (value === null) return '—'
  if (kind === 'percent')
    return `${new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value)}%`
  if (kind === 'rate')
    return new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value)
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value)
}

/** The number written to files: shares and rates rounded to two decimals as published, counts as they are. */
export function fileValue(kind: ReportValueKind, value: number | null): number | null {
  if (value === null) return null
  return kind === 'percent' || kind === 'rate' ? Math.round(value * 100) / 100 : value
}

export function rowLabel(t: (key: string) => string, locale: string, label: ReportRow['label']): string {
  return 'key' in label ? t(label.key) : locale === 'zh-CN' ? label.text.zh : label.text.en
}

/** Report rows as a table for CSV or XLSX: section, key, label, value, and the extra figure. */
export function reportTable(
  sections: readonly ReportSection[],
  t: (key: string) => string,
  locale: string,
): { header: string[]; rows: (string | number | null)[][] } {
  const header = ['section', 'key', 'label', 'value', 'extra_label', 'extra_value']
  const rows = sections.flatMap((s) =>
    s.rows.map((r) => [
      s.key,
      r.key,
      rowLabel(t, locale, r.label),
      fileValue(r.kind, r.value),
      r.extra ? t(r.extra.label.key) : null,
      r.extra ? r.extra.value : null,
    ]),
  )
  return { header, rows }
}

/** RFC 4180 CSV with a UTF-8 byte-order mark so spreadsheet programs read Chinese correctly. */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean | null)[])[],
): string {
  const cell = (v: string | number | boolean | null) => {
    if (v === null) return ''
    const s = String(v)
    return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
  }
  return `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`
}

/** Listed records as rows for a file: what the indicators are computed from, no donor identity. */
export function recordsTable(
  listed: readonly {
    id: string
    type: string
    receivedAt: string
    deviceId: string | null
    voided: boolean
    correctedBy: string | null
    record: FieldRecord
  }[],
  codeOfChannel: (id: string) => string,
  nameOfSite: (id: string | null) => string,
): { header: string[]; rows: (string | number | boolean | null)[][] } {
  const header = [
    'id',
    'type',
    'date',
    'channel',
    'site',
    'drive_id',
    'bus',
    'product',
    'volume_ml',
    'doses',
    'abo',
    'rhd',
    'household',
    'repeat_donor',
    'reason_code',
    'reason_codes',
    'deferred_until',
    'override_reason',
    'override_by',
    'voided',
    'corrected_by',
    'device_id',
    'received_at',
  ]
  const rows = listed.map((l) => {
    const r = l.record
    const base = {
      date: null as string | null,
      channel: null as string | null,
      site: null as string | null,
      drive: null as string | null,
      bus: null as string | null,
    }
    let product: string | null = null
    let volume: number | null = null
    let doses: number | null = null
    let abo: string | null = null
    let rhd: string | null = null
    let household: string | null = null
    let repeat: boolean | null = null
    let reason: string | null = null
    let reasons: string | null = null
    let overrideReason: string | null = null
    let overrideBy: string | null = null
    let until: string | null = null
    if (r.type === 'drive') {
      Object.assign(base, {
        date: r.date,
        channel: codeOfChannel(r.channelId),
        site: nameOfSite(r.siteId),
        drive: r.id,
        bus: r.busCode,
      })
    } else if (r.type === 'donation' || r.type === 'deferral') {
      Object.assign(base, {
        date: r.collectedOn,
        channel: codeOfChannel(r.channelId),
        site: nameOfSite(r.siteId),
        drive: r.driveId,
      })
      household = r.household
      repeat = r.repeatDonor
      if (r.type === 'donation') {
        product = r.product.type
        if (r.product.type === 'whole_blood') volume = r.product.volumeMl
        else doses = r.product.doses
        abo = r.abo
        rhd = r.rhd
        overrideReason = r.override?.reasonCode ?? null
        overrideBy = r.override?.approvedBy ?? null
      } else {
        reason = r.reasonCode
        reasons = deferralReasonCodes(r).join(';')
        until = r.until
      }
    }
    return [
      l.id,
      l.type,
      base.date,
      base.channel,
      base.site,
      base.drive,
      base.bus,
      product,
      volume,
      doses,
      abo,
      rhd,
      household,
      repeat,
      reason,
      reasons,
      until,
      overrideReason,
      overrideBy,
      l.voided,
      l.correctedBy,
      l.deviceId,
      l.receivedAt,
    ]
  })
  return { header, rows }
}
