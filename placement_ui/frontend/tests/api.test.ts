import { describe, expect, it, vi } from 'vitest'
import { ApiError, createApi } from '../src/lib/api'

function fakeFetch(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }))
}

describe('admin API client', () => {
  const boot = { api_base: 'https://app.example', member_id: 'm 1', token: 'tok', lang: 'ru' }

  it('sends the bearer token, the reader language and extra headers, never cookies', async () => {
    const fetchImpl = fakeFetch(200, { ok: true })
    const api = createApi(boot, fetchImpl as unknown as typeof fetch)
    await api.send('POST', '/cards/deal/1/call', { note: 'x' }, { query: { lang: 'ru' }, headers: { 'Idempotency-Key': 'k1' } })
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('https://app.example/api/v1/portals/m%201/cards/deal/1/call?lang=ru')
    const headers = init.headers as Record<string, string>
    expect(headers.Authorization).toBe('Bearer tok')
    expect(headers['Accept-Language']).toBe('ru')
    expect(headers['Idempotency-Key']).toBe('k1')
    expect(init.credentials).toBe('omit')
  })

  it('turns an error answer into an ApiError with its details', async () => {
    const api = createApi(boot, fakeFetch(422, { error: 'validation_error', message: 'bad', details: { fields: { a: ['x'] } } }) as unknown as typeof fetch)
    await expect(api.get('/x')).rejects.toMatchObject({ status: 422, code: 'validation_error', details: { fields: { a: ['x'] } } })
    await expect(api.get('/x')).rejects.toBeInstanceOf(ApiError)
  })
})
