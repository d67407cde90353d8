import { describe, expect, it } from 'vitest'
import { BootstrapError, parseBootstrap, pickLang, screenFor } from '../src/lib/bootstrap'

const blob = { member_id: 'm1', user_id: 2, role: 'staff', lang: 'en', placement: 'CRM_DEAL_DETAIL_TAB',
  entity_id: 7, api_base: 'https://app.example/', token: 't' }

describe('bootstrap', () => {
  it('reads the blob and routes the placement', () => {
    const boot = parseBootstrap(JSON.stringify(blob))
    expect(boot).toMatchObject({ member_id: 'm1', role: 'staff', lang: 'en', entity_id: 7,
      api_base: 'https://app.example' })
    expect(screenFor(boot.placement)).toBe('deal')
    expect(screenFor('CRM_CONTACT_DETAIL_TAB')).toBe('contact')
    expect(screenFor('DEFAULT')).toBe('admin')
  })
  it('treats anything but admin as staff and defaults to Russian', () => {
    expect(parseBootstrap(JSON.stringify({ ...blob, role: 'root' })).role).toBe('staff')
    expect(pickLang(undefined)).toBe('ru')
    expect(pickLang('ua')).toBe('ru')
    expect(pickLang('de')).toBe('en')
  })
  it('refuses a missing or broken blob', () => {
    expect(() => parseBootstrap(null)).toThrow(BootstrapError)
    expect(() => parseBootstrap('{"member_id": "m"}')).toThrow(/token/)
  })
})
