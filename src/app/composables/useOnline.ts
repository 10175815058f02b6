// navigator.onLine as a ref. "Online" only means a network exists, not that the station answers.
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

export function useOnline(): Ref<boolean> {
  const online = ref(globalThis.navigator?.onLine ?? true)
  const update = (): void => {
    online.value = navigator.onLine
  }
  onMounted(() => {
    window.addEventListener('online', update)
    window.addEventListener('offline', update)
  })
  onBeforeUnmount(() => {
    window.removeEventListener('online', update)
    window.removeEventListener('offline', update)
  })
  return online
}
