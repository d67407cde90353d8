// The card's actions send an Idempotency-Key header and the page language; the shared client sends neither, so the
// card posts through this small helper (the same bearer token, no cookies, ApiError on failure).
import { ApiError } from '@/lib/api'
import type { Bootstrap } from '@/lib/bootstrap'

export async function postAction<T>(boot: Pick<Bootstrap, 'api_base' | 'member_id' | 'token' | 'lang'>, path: string,
                                    body: unknown, key: string, fetchImpl: typeof fetch = (...a) => fetch(...a)): Promise<T> {
  const url = `${boot.api_base}/api/v1/portals/${encodeURIComponent(boot.member_id)}${path}?lang=${boot.lang}`
  const resp = await fetchImpl(url, {
    method: 'POST', credentials: 'omit', body: JSON.stringify(body),
    headers: { Authorization: `Bearer ${boot.token}`, Accept: 'application/json', 'Content-Type': 'application/json',
               'Idempotency-Key': key },
  })
  const data = await resp.json().catch(() => null)
  if (!resp.ok) throw new ApiError(resp.status, data?.error ?? 'http_error', data?.message ?? resp.statusText, data?.details)
  return data as T
}
