import { describe, expect, it } from 'vitest'
import { dayMonth, linePoints, niceMax } from '../src/screens/overview/charts'
import { apiUrl, downloadFile } from '../src/screens/overview/download'

describe('overview charts', () => {
  it('rounds an axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 0.3, 7, 12, 180, 551, 1102].map(niceMax)).toEqual([1, 0.5, 10, 20, 200, 1000, 2000])
  })
  it('labels a week by its Monday in the page language', () => {
    expect(dayMonth('en', '2026-11-09')).toBe('Nov 9')
    expect(dayMonth('ru', '2026-11-09')).toMatch(/^9 нояб/)
  })
  it('draws a line bottom to top and skips missing points', () => {
    expect(linePoints([0, null, 0.5], 100, 50, 1)).toBe('0.0,50.0 100.0,25.0')
    expect(linePoints([0.25], 100, 40, 0.5)).toBe('50.0,20.0')
  })
})

describe('overview CSV download', () => {
  const boot = { api_base: 'https://app.example', member_id: 'm/1', token: 'tok' }
  it('fetches with the bearer token and no cookie', async () => {
    const seen: { url: string, init: RequestInit }[] = []
    const fake = (async (url: string, init: RequestInit) => {
      seen.push({ url, init })
      return new Response('Name\nAnn\n', { status: 200, headers: { 'Content-Type': 'text/csv' } })
    }) as unknown as typeof fetch
    const blob = await downloadFile(boot, '/overview/cells/NEW_ACTIVE/customers', { format: 'csv', limit: 2 },
                                    'x.csv', fake)
    expect(await blob.text()).toBe('Name\nAnn\n')
    expect(seen[0].url).toBe(apiUrl(boot, '/overview/cells/NEW_ACTIVE/customers', { format: 'csv', limit: 2 }))
    expect(seen[0].url).toBe('https://app.example/api/v1/portals/m%2F1/overview/cells/NEW_ACTIVE/customers'
      + '?format=csv&limit=2')
    expect(seen[0].init.credentials).toBe('omit')
    expect((seen[0].init.headers as Record<string, string>).Authorization).toBe('Bearer tok')
  })
  it('fails on an error answer', async () => {
    const fake = (async () => new Response('{}', { status: 404, statusText: 'Not Found' })) as unknown as typeof fetch
    await expect(downloadFile(boot, '/x', {}, 'x.csv', fake)).rejects.toThrow('404')
  })
})
