// Looking a donor up before they give: the station's eligibility snapshot (as of the last pull)
// merged with what this phone recorded since, and the eligibility rules in force.
import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import { DEFAULT_ELIGIBILITY, type EligibilityConfig, type EligibilityHistory } from '../../domain/eligibility'
import { mergeLocalHistory } from '../field/donor-form'
import { useDeviceStore } from './useDeviceStore'

export interface DonorLookup {
  /** Snapshot plus local donations not yet in it; null for a donor nobody has seen. */
  history: EligibilityHistory | null
  /** The station knew this donor at the last sync. */
  inSnapshot: boolean
  /** Donations of this donor recorded on this phone and not yet in the snapshot. */
  localDonations: number
  /** The station's snapshots are still downloading: not being in them proves nothing yet. */
  historyIncomplete: boolean
}

export const useEligibilityStore = defineStore('eligibility', () => {
  const device = useDeviceStore()
  /** GB 18467-2011 unless the station sends other rules with its reference data. */
  const config = shallowRef<EligibilityConfig>(DEFAULT_ELIGIBILITY)

  async function lookup(donorKey: string): Promise<DonorLookup> {
    const {
      snapshot: row,
      donations,
      voided,
      queued: pendingIds,
      historyIncomplete,
    } = await (await import('../db/eligibility')).donorOnPhone(donorKey)
    // Donations saved after the last pull (or still queued) are not in the station's snapshot yet.
    const since = device.lastPullAt
    const local = donations.filter(
      (d) => !voided.has(d.id) && (pendingIds.has(d.id) || since === null || d.createdAt > since),
    )
    const snapshot = row ? (({ donorKey: _k, ...h }) => h)(row) : null
    return {
      history: mergeLocalHistory(
        snapshot,
        local.map((d) => ({ collectedOn: d.collectedOn, productType: d.product.type })),
      ),
      inSnapshot: row !== undefined,
      localDonations: local.length,
      historyIncomplete,
    }
  }

  return { config, lookup }
})
