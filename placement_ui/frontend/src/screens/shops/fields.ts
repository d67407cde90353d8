// A 422's `details.fields` ({field: [messages]} or nested objects) as one text per top-level field, for
// showing next to the field it is about.
import { ApiError } from '@/lib/api'

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

/** The names of event types and statuses the API answers as codes, by catalogue key ("order.created" ->
 * "order_created"); an unknown code reads the catalogue's "other". */
export function wordKey(group: string, code: string, known: (key: string) => boolean): string {
  const key = `shops.events.${group}.${code.replace(/\./g, '_')}`
  return known(key) ? key : `shops.events.${group}.other`
}
