// A file from the admin API saved by the browser: fetched with the page's bearer token (no cookie), then handed
// to the browser as a Blob download.
import type { Bootstrap } from '@/lib/bootstrap'

export function apiUrl(boot: Pick<Bootstrap, 'api_base' | 'member_id'>, path: string,
                       query: Record<string, string | number>): string {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))
  return `${boot.api_base}/api/v1/portals/${encodeURIComponent(boot.member_id)}${path}?${qs}`
}

export async function downloadFile(boot: Pick<Bootstrap, 'api_base' | 'member_id' | 'token'>, path: string,
                                   query: Record<string, string | number>, filename: string,
                                   fetchImpl: typeof fetch = (...a) => fetch(...a)): Promise<Blob> {
  const resp = await fetchImpl(apiUrl(boot, path, query), {
    headers: { Authorization: `Bearer ${boot.token}` }, credentials: 'omit',
  })
  if (!resp.ok) throw new Error(`${resp.status} ${resp.statusText}`)
  const blob = await resp.blob()
  if (typeof document !== 'undefined' && typeof URL.createObjectURL === 'function') {
    const link = document.createElement('a')
    link.href = URL.createObjectURL(blob)
    link.download = filename
    document.body.appendChild(link)
    link.click()
    link.remove()
    setTimeout(() => URL.revokeObjectURL(link.href), 0)
  }
  return blob
}
