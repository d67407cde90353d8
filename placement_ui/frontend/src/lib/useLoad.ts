// One API read with its loading and error state; `reload` reads again.
import { ref, shallowRef } from 'vue'
import { ApiError } from './api'

export function useLoad<T>(read: () => Promise<T>) {
  const data = shallowRef<T | null>(null)
  const error = ref<ApiError | Error | null>(null)
  const loading = ref(false)

  async function reload() {
    loading.value = true
    error.value = null
    try {
      data.value = await read()
    } catch (exc) {
      error.value = exc as Error
    } finally {
      loading.value = false
    }
  }

  void reload()
  return { data, error, loading, reload }
}

/** A 404 "nothing yet" is an empty state, not an error. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404
}

export function isForbidden(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403
}
