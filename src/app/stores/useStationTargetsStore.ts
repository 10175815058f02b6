// Targets and population per year. A target is checked here with the same rules the server
// applies (validateTarget) so the form explains a mistake before anything is sent; the server's
// own per-field errors are shown the same way when it refuses.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { newId } from '../../domain/ids'
import type { Population, Target } from '../../domain/records'
import { copyPlanToYear, type TargetError, validateTarget } from '../../domain/targets'
import { RequestError } from '../net/errors'
import { useStationAdminStore } from './useStationAdminStore'
import { useStationSessionStore } from './useStationSessionStore'

export type SaveTargetResult = { ok: true; target: Target } | { ok: false; errors: TargetError[] }

export interface CopyPlanSummary {
  created: Target[]
  /** Copies refused (a target already set for that scope, metric and period), with why. */
  refused: { target: Target; errors: TargetError[] }[]
  /** Drive targets are not carried over. */
  skippedDrives: number
}

export const useStationTargetsStore = defineStore('stationTargets', () => {
  const session = useStationSessionStore()
  const admin = useStationAdminStore()
  const targets = ref<Target[]>([])
  const populations = ref<Population[]>([])
  /** The station's targets and populations have been read at least once. */
  const loaded = ref(false)

  const reference = computed(() => ({ channels: admin.channels, sites: admin.sites, teams: admin.teams }))
  const stationId = computed(() => session.account?.stationId ?? '')

  async function load(): Promise<void> {
    const [t, p] = await Promise.all([session.client.listTargets(), session.client.listPopulations()])
    targets.value = t
    populations.value = p
    loaded.value = true
  }

  /** Checks locally, then creates or updates; a refusal by the server comes back as errors too. */
  async function save(input: Record<string, unknown>): Promise<SaveTargetResult> {
    const candidate = { ...input, stationId: stationId.value }
    const local = validateTarget(candidate, targets.value, reference.value)
    if (!local.ok) return local
    const isNew = !targets.value.some((t) => t.id === local.target.id)
    try {
      const saved = isNew
        ? await session.client.createTarget(local.target)
        : await session.client.updateTarget(local.target)
      targets.value = isNew ? [...targets.value, saved] : targets.value.map((t) => (t.id === saved.id ? saved : t))
      return { ok: true, target: saved }
    } catch (err) {
      if (err instanceof RequestError && err.fieldErrors.length > 0) return { ok: false, errors: err.fieldErrors }
      throw err
    }
  }

  async function remove(targetId: string): Promise<void> {
    await session.client.deleteTarget(targetId)
    targets.value = targets.value.filter((t) => t.id !== targetId)
  }

  /**
   * Last year's plan into `toYear`: each copy is validated and saved on its own, so one clash stops nothing.
   * The plan is read from the station first: a copy from what this page happened to hold (nothing yet,
   * or a list another manager has changed since) would copy the wrong plan and report it as done.
   */
  async function copyPlan(fromYear: number, toYear: number): Promise<CopyPlanSummary> {
    await load()
    const plan = copyPlanToYear(targets.value, fromYear, toYear, newId)
    const summary: CopyPlanSummary = { created: [], refused: [], skippedDrives: plan.skipped.length }
    for (const target of plan.targets) {
      const result = await save(target)
      if (result.ok) summary.created.push(result.target)
      else summary.refused.push({ target, errors: result.errors })
    }
    return summary
  }

  async function savePopulation(year: number, population: number): Promise<Population> {
    const saved = await session.client.savePopulation(year, population)
    populations.value = [...populations.value.filter((p) => p.year !== year), saved].sort((a, b) => a.year - b.year)
    return saved
  }

  function populationOf(year: number): number | null {
    return populations.value.find((p) => p.year === year)?.population ?? null
  }

  return { targets, populations, loaded, reference, load, save, remove, copyPlan, savePopulation, populationOf }
})
