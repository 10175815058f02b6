// What the site, crew and unlock pickers show for what has been typed; pure, tested without a screen.
import { searchByName } from '../../domain/name-search'
import type { Channel, Drive, RosterEntry, Site } from '../../domain/records'
import { siteKindsOf } from '../../domain/site-channels'

export interface Shortlist<T> {
  shown: T[]
  /** Matches left out to keep the list short. */
  more: number
}

function shortlist<T>(matches: T[], limit: number): Shortlist<T> {
  return { shown: matches.slice(0, limit), more: Math.max(0, matches.length - limit) }
}

/** Sites a drive of `channel` goes to (all of them for no channel, or one without a kind list). */
export function sitesForChannel(sites: readonly Site[], channel: Channel | null): Site[] {
  const kinds = channel ? siteKindsOf(channel) : null
  return kinds ? sites.filter((s) => kinds.includes(s.kind)) : [...sites]
}

/** The sites to offer: matches of the query, or with none typed the recent sites first. */
export function siteShortlist(
  sites: readonly Site[],
  opts: { query: string; channel: Channel | null; recentIds?: readonly string[]; limit?: number },
): Shortlist<Site> {
  const pool = sitesForChannel(sites, opts.channel)
  if (opts.query.trim()) return shortlist(searchByName(pool, opts.query), opts.limit ?? 8)
  const rank = new Map((opts.recentIds ?? []).map((id, i) => [id, i]))
  const recent = pool.filter((s) => rank.has(s.id)).sort((a, b) => rank.get(a.id)! - rank.get(b.id)!)
  return shortlist([...recent, ...pool.filter((s) => !rank.has(s.id))], opts.limit ?? 8)
}

/**
 * Staff to offer for the crew: matches of the query in pinyin order; with none typed, those
 * `pinned` (the crew as it stood when the search last changed, so a tap never reorders the list
 * under the finger) and then the others.
 */
export function crewShortlist(
  roster: readonly RosterEntry[],
  opts: { query: string; pinnedIds: readonly string[]; limit?: number },
): Shortlist<RosterEntry> {
  const limit = opts.limit ?? 8
  if (opts.query.trim()) return shortlist(searchByName(roster, opts.query), limit)
  const pinned = new Set(opts.pinnedIds)
  const first = roster.filter((s) => pinned.has(s.id))
  const rest = roster.filter((s) => !pinned.has(s.id))
  return {
    shown: [...first, ...rest.slice(0, Math.max(0, limit - first.length))],
    more: Math.max(0, rest.length - Math.max(0, limit - first.length)),
  }
}

/** The unlock list: the drive's crew first, then everyone else, both filtered by the query. */
export function unlockGroups(
  roster: readonly RosterEntry[],
  opts: { query: string; crewIds: readonly string[]; previousId?: string | null },
): { crew: RosterEntry[]; others: RosterEntry[] } {
  const found = searchByName(roster, opts.query)
  const crewIds = new Set(opts.crewIds)
  const first = (list: RosterEntry[]) => {
    const prev = list.find((s) => s.id === opts.previousId)
    return prev ? [prev, ...list.filter((s) => s !== prev)] : list
  }
  return {
    crew: first(found.filter((s) => crewIds.has(s.id))),
    others: first(found.filter((s) => !crewIds.has(s.id))),
  }
}

/** The bus, crew and leader a new drive starts with: the last drive's, with whoever is opening it on board. */
export function driveOpenDefaults(
  me: RosterEntry | null,
  lastDrive: Pick<Drive, 'busCode' | 'staffIds' | 'leaderStaffId'> | null,
  activeRoster: readonly RosterEntry[],
): { busCode: string; staffIds: string[]; leaderStaffId: string } {
  const active = new Set(activeRoster.map((s) => s.id))
  const staffIds = [...new Set([...(me ? [me.id] : []), ...(lastDrive?.staffIds ?? [])])].filter((id) => active.has(id))
  const leaderStaffId =
    me && me.role !== 'collector' && active.has(me.id)
      ? me.id
      : lastDrive && staffIds.includes(lastDrive.leaderStaffId)
        ? lastDrive.leaderStaffId
        : ''
  return { busCode: lastDrive?.busCode ?? '', staffIds, leaderStaffId }
}
