// Which reference rows a pull must not overwrite, and how a donor's eligibility row is merged when
// the phone knows more than the station (a donation it has not sent yet). Pure; used by the
// Dexie sink and the in-memory one.
import type { EligibilityEntry, PullChange } from '../../domain/sync-protocol'

interface PendingRecordLike {
  record: unknown
}

/** `entity:key` of every reference row a pending outbox record changes locally. */
export function pendingReferenceKeys(pending: readonly PendingRecordLike[]): Set<string> {
  const keys = new Set<string>()
  for (const entry of pending) {
    const r = entry.record as { type?: string; donorKey?: unknown; replacement?: { donorKey?: unknown } } | null
    if (!r || typeof r !== 'object') continue
    if ((r.type === 'donation' || r.type === 'deferral') && typeof r.donorKey === 'string')
      keys.add(`eligibility:${r.donorKey}`)
    if (r.type === 'correction' && typeof r.replacement?.donorKey === 'string')
      keys.add(`eligibility:${r.replacement.donorKey}`)
  }
  return keys
}

export function referenceKey(change: Pick<PullChange, 'entity' | 'key'>): string {
  return `${change.entity}:${change.key}`
}

const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b)

/**
 * The station's row for a donor the phone has pending records about: keep whatever is the more
 * cautious of both, so a pull never makes a donor look eligible again before the phone's own
 * donation or deferral reached the station.
 */
export function mergeEligibility(local: EligibilityEntry, incoming: EligibilityEntry): EligibilityEntry {
  const lastDonationOn = later(local.lastDonationOn, incoming.lastDonationOn)
  return {
    donorKey: incoming.donorKey,
    lastDonationOn,
    lastDonationType: lastDonationOn === local.lastDonationOn ? local.lastDonationType : incoming.lastDonationType,
    apheresisLast12Months: Math.max(local.apheresisLast12Months, incoming.apheresisLast12Months),
    deferredUntil: later(local.deferredUntil, incoming.deferredUntil),
    permanentlyDeferred: local.permanentlyDeferred || incoming.permanentlyDeferred,
    hadReaction: local.hadReaction || incoming.hadReaction,
    donationCount: Math.max(local.donationCount, incoming.donationCount),
  }
}
