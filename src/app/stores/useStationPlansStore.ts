// The station's drive plans as the manager edits them (a month at a time), the year's planned vs
// done with the trip target's pace, recruitment lists for a plan and the emergency team. Every
// change goes to the server first; the lists show what the server answered.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { monthSpan } from '../../domain/plans'
import type { DonorFlag, DrivePlanInput, PlanSummary, RecruitmentList } from '../station/station-client'
import type { DrivePlan } from '../../domain/plans'
import { useStationSessionStore } from './useStationSessionStore'

export const useStationPlansStore = defineStore('stationPlans', () => {
  const session = useStationSessionStore()
  /** YYYY-MM of the month shown. */
  const month = ref(session.today().slice(0, 7))
  const plans = shallowRef<DrivePlan[]>([])
  const summary = shallowRef<PlanSummary | null>(null)
  const recruitment = shallowRef<RecruitmentList | null>(null)
  const emergencyTeam = shallowRef<DonorFlag[]>([])

  async function loadMonth(m = month.value): Promise<void> {
    const span = monthSpan(m)
    const list = await session.client.listPlans(span.from, span.to)
    month.value = m
    plans.value = list
  }

  async function savePlan(input: DrivePlanInput): Promise<DrivePlan> {
    const saved = await session.client.savePlan(input)
    await loadMonth()
    return saved
  }

  async function deletePlan(planId: string): Promise<void> {
    await session.client.deletePlan(planId)
    plans.value = plans.value.filter((p) => p.id !== planId)
    if (recruitment.value?.plan.id === planId) recruitment.value = null
  }

  async function loadSummary(year: number, asOf: string): Promise<PlanSummary> {
    summary.value = await session.client.planSummary(year, asOf)
    return summary.value
  }

  async function loadRecruitment(planId: string, months: number): Promise<RecruitmentList> {
    recruitment.value = await session.client.recruitment(planId, months)
    return recruitment.value
  }

  async function loadEmergencyTeam(): Promise<void> {
    emergencyTeam.value = await session.client.listDonorFlags()
  }

  async function setEmergencyTeam(idNumber: string, member: boolean): Promise<void> {
    await session.client.setDonorFlag({ idNumber, emergencyTeam: member })
    await loadEmergencyTeam()
  }

  return {
    month,
    plans,
    summary,
    recruitment,
    emergencyTeam,
    loadMonth,
    savePlan,
    deletePlan,
    loadSummary,
    loadRecruitment,
    loadEmergencyTeam,
    setEmergencyTeam,
  }
})
