import { describe, expect, it } from 'vitest'
import { formatDate, formatMoney, formatNumber, formatRelative, formatShare } from '../src/lib/format'

// Intl separates groups with a narrow no-break space in Russian; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ')

describe('money', () => {
  it('puts the currency where each language does', () => {
    expect(plain(formatMoney('ru', 12345.5, 'RUB'))).toBe('12 345,50 ₽')
    expect(formatMoney('en', 12345.5, 'USD')).toBe('$12,345.50')
    expect(plain(formatMoney('ru', '99.9', 'EUR'))).toBe('99,90 €')
  })
  it('shows a dash for nothing and the code for a currency Intl does not know', () => {
    expect(formatMoney('ru', null, 'RUB')).toBe('—')
    expect(plain(formatMoney('en', 5, 'not a code'))).toBe('5 not a code')
  })
})

describe('numbers and shares', () => {
  it('groups digits per locale', () => {
    expect(plain(formatNumber('ru', 1234567))).toBe('1 234 567')
    expect(formatNumber('en', 1234567)).toBe('1,234,567')
  })
  it('formats a share as a percentage', () => {
    expect(plain(formatShare('ru', 0.305))).toBe('30,5 %')
    expect(formatShare('en', 0.3)).toBe('30%')
  })
})

describe('dates', () => {
  it('writes the month as a word', () => {
    expect(formatDate('ru', '2026-03-05T10:00:00Z', false, 'UTC')).toBe('5 марта 2026 г.')
    expect(formatDate('en', '2026-03-05T10:00:00Z', false, 'UTC')).toBe('March 5, 2026')
    expect(formatDate('en', 'not a date')).toBe('—')
  })
})

describe('relative times', () => {
  const now = new Date('2026-03-05T12:00:00Z')
  it('says how long ago in Russian and English', () => {
    expect(formatRelative('ru', '2026-03-02T12:00:00Z', now)).toBe('3 дня назад')
    expect(formatRelative('en', '2026-03-02T12:00:00Z', now)).toBe('3 days ago')
    expect(formatRelative('ru', '2026-03-05T10:00:00Z', now)).toBe('2 часа назад')
    expect(formatRelative('en', '2026-03-04T12:00:00Z', now)).toBe('yesterday')
  })
  it('says how long until', () => {
    expect(formatRelative('ru', '2026-03-05T12:05:00Z', now)).toBe('через 5 минут')
    expect(formatRelative('en', '2026-03-19T12:00:00Z', now)).toBe('in 2 weeks')
  })
})
