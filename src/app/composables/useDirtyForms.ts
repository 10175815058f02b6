// Which forms hold unsaved input right now. The update prompt and staff switching read it so that
// nothing reloads or changes hands over a half-filled form.
import { computed, onBeforeUnmount, reactive, type Ref, watch } from 'vue'

const dirtyForms = reactive(new Set<string>())

export const anyFormDirty = computed(() => dirtyForms.size > 0)

/** Mark the calling component's form as dirty while `dirty` is true; cleared on unmount. */
export function useDirtyForm(formName: string, dirty: Ref<boolean>): void {
  watch(
    dirty,
    (d) => {
      if (d) dirtyForms.add(formName)
      else dirtyForms.delete(formName)
    },
    { immediate: true },
  )
  onBeforeUnmount(() => dirtyForms.delete(formName))
}

export function dirtyFormNames(): string[] {
  return [...dirtyForms]
}
