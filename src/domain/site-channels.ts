// Which sites a drive of a channel goes to, by the site's kind, as the seed's review and the
// generator pair them (rural buses to villages and townships, army units under street and fixed
// sites…). A channel a station added itself has no such list: every site stays offered.
import type { Channel, SiteKind } from './records'

export const SITE_KINDS_BY_CHANNEL_CODE: Readonly<Record<string, readonly SiteKind[]>> = {
  rural_mobile: ['village', 'township'],
  universities: ['university'],
  government_agencies: ['agency'],
  medical_staff_month: ['hospital'],
  enterprises: ['enterprise'],
  street_fixed: ['street', 'fixed_site', 'army_unit'],
}

/** The site kinds a drive of this channel visits; null when any site will do. */
export function siteKindsOf(channel: Pick<Channel, 'code' | 'ruralMobile'>): readonly SiteKind[] | null {
  return (
    SITE_KINDS_BY_CHANNEL_CODE[channel.code] ?? (channel.ruralMobile ? SITE_KINDS_BY_CHANNEL_CODE.rural_mobile! : null)
  )
}

/** The one channel a site of this kind belongs to, or null when none or several do. */
export function channelForSiteKind<C extends Pick<Channel, 'code' | 'ruralMobile'>>(
  kind: SiteKind,
  channels: readonly C[],
): C | null {
  const fitting = channels.filter((c) => siteKindsOf(c)?.includes(kind))
  return fitting.length === 1 ? fitting[0]! : null
}
