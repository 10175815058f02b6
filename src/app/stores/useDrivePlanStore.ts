// The station's plans a crew opens a drive from (pulled with the reference data; works offline).
import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { DrivePlan } from '../../domain/plans'
import { fieldDb } from '../db'
import { plansOn } from '../db/drive-plans'

export const useDrivePlanStore = defineStore('drivePlans', () => {
  /** Plans of the day last asked for. */
  const plans = shallowRef<DrivePlan[]>([])

  async function loadDay(date: string): Promise<DrivePlan[]> {
    plans.value = await plansOn(fieldDb(), date)
    return plans.value
  }

  return { plans, loadDay }
})
