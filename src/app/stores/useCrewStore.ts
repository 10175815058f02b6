// What the phone remembers of recent drives for the pickers and the unlock list: the last drive's
// bus, crew and leader, and recently visited sites (read from the drives on the phone).
import { defineStore } from 'pinia'
import { computed, shallowRef } from 'vue'
import { loadDriveMemory } from '../db/boot-read'
import type { DriveMemory } from '../db/drive-memory'

export const useCrewStore = defineStore('crew', () => {
  const memory = shallowRef<DriveMemory | null>(null)

  async function load(): Promise<DriveMemory> {
    const read = await loadDriveMemory()
    memory.value = read
    return read
  }

  const lastDrive = computed(() => memory.value?.lastDrive ?? null)
  const recentSiteIds = computed(() => memory.value?.recentSiteIds ?? [])

  return { memory, lastDrive, recentSiteIds, load }
})
