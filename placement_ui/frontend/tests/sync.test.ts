import { describe, expect, it } from 'vitest'
import { messages } from '../src/i18n'
import { formatDuration, word } from '../src/screens/sync/words'

function lookup(lang: 'ru' | 'en') {
  const read = (key: string): unknown => key.split('.').reduce((node: any, part) => node?.[part], messages[lang])
  const t = (key: string, named: Record<string, unknown> = {}) =>
    String(read(key)).replace(/\{(\w+)\}/g, (_, name) => String(named[name]))
  const te = (key: string) => typeof read(key) === 'string'
  return { t, te }
}

describe('sync words', () => {
  it('puts codes into words, an unknown code into the generic word', () => {
    const { t, te } = lookup('ru')
    expect(word(t, te, 'eventType', 'order.created')).toBe('новый заказ')
    expect(word(t, te, 'eventType', 'order.refunded')).toBe('событие')
    expect(word(t, te, 'subject', 'order', 'other', { ref: 'N-11' })).toBe('заказ N-11')
    expect(word(t, te, 'errorKind', 'currency_refused')).toMatch(/валюту/)
    const en = lookup('en')
    expect(word(en.t, en.te, 'inboxStatus', 'failed', 'pending')).toBe('failed')
  })
  it('formats a lag with its two largest units', () => {
    expect(formatDuration('en', 5400)).toBe('1 hr 30 min')
    expect(formatDuration('ru', 5400)).toBe('1 ч 30 мин')
    expect(formatDuration('en', 3600)).toBe('1 hr')
    expect(formatDuration('en', 0)).toBe('0 sec')
    expect(formatDuration('en', 2 * 86400 + 7200 + 5)).toBe('2 days 2 hr')
  })
})
