// The admin JSON API (/api/v1/portals/<member_id>/…): bearer token in the header, never cookies.
import type { Bootstrap } from './bootstrap'

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public details: unknown = null) {
    super(message)
  }
}

export interface Api {
  get<T = unknown>(path: string, query?: Record<string, string | number>): Promise<T>
  send<T = unknown>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown,
                   extra?: { query?: Record<string, string | number>, headers?: Record<string, string> }): Promise<T>
}

export function createApi(boot: Pick<Bootstrap, 'api_base' | 'member_id' | 'token'> & { lang?: string },
                          fetchImpl: typeof fetch = (...a) => fetch(...a)): Api {
  const root = `${boot.api_base}/api/v1/portals/${encodeURIComponent(boot.member_id)}`

  async function call<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number>,
                         more: Record<string, string> = {}) {
    const qs = query ? '?' + new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])) : ''
    const headers: Record<string, string> = { Authorization: `Bearer ${boot.token}`, Accept: 'application/json' }
    if (boot.lang) headers['Accept-Language'] = boot.lang  // field errors come back in the reader's language
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    Object.assign(headers, more)  // e.g. an Idempotency-Key
    const resp = await fetchImpl(`${root}${path}${qs}`, {
      method, headers, credentials: 'omit', body: body === undefined ? undefined : JSON.stringify(body),
    })
    const data = await resp.json().catch(() => null)
    if (!resp.ok) {
      throw new ApiError(resp.status, data?.error ?? 'http_error', data?.message ?? resp.statusText, data?.details)
    }
    return data as T
  }

  return {
    get: (path, query) => call('GET', path, undefined, query),
    send: (method, path, body, extra) => call(method, path, body, extra?.query, extra?.headers),
  }
}
