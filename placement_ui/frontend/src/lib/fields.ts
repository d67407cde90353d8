// A 422's `details.fields` ({field: [messages]} or nested objects) as one text per top-level field, for
// showing next to the field it is about; and the submit state every form shares.
import { ref } from 'vue'
import { ApiError } from './api'

function flatten(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(flatten)
  if (value && typeof value === 'object') return Object.values(value).flatMap(flatten)
  return []
}

export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.status !== 422) return {}
  const fields = (error.details as { fields?: Record<string, unknown> } | null)?.fields ?? {}
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, flatten(value).join(' ')]))
}

/** The errors of one nested field by key: {"mapping": {"paid": ["..."]}} -> {paid: "..."}. */
export function nestedErrors(error: unknown, field: string): Record<string, string> {
  if (!(error instanceof ApiError) || error.status !== 422) return {}
  const nested = (error.details as { fields?: Record<string, unknown> } | null)?.fields?.[field]
  if (!nested || typeof nested !== 'object' || Array.isArray(nested)) return {}
  return Object.fromEntries(Object.entries(nested).map(([k, v]) => [k, flatten(v).join(' ')]))
}

/** A form's submit state: busy while `work` runs; after it, either saved, or the 422's errors by field, or the
 * failure's message when it names no field. */
export function useSubmit() {
  const busy = ref(false)
  const saved = ref(false)
  const errors = ref<Record<string, string>>({})
  const problem = ref('')

  async function submit(work: () => Promise<void>): Promise<boolean> {
    busy.value = true
    saved.value = false
    errors.value = {}
    problem.value = ''
    try {
      await work()
      saved.value = true
      return true
    } catch (exc) {
      errors.value = fieldErrors(exc)
      if (!Object.keys(errors.value).length) problem.value = (exc as Error).message
      return false
    } finally {
      busy.value = false
    }
  }

  return { busy, saved, errors, problem, submit }
}
