// Locale-aware formatting with Intl: numbers, money with its currency, dates and relative times.
import type { Lang } from './bootstrap'

const LOCALES: Record<Lang, string> = { ru: 'ru-RU', en: 'en-US' }

export function locale(lang: Lang): string {
  return LOCALES[lang] ?? LOCALES.ru
}

export function formatNumber(lang: Lang, value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—'
  return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: digits }).format(value)
}

export function formatShare(lang: Lang, share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || Number.isNaN(share)) return '—'
  return new Intl.NumberFormat(locale(lang), { style: 'percent', maximumFractionDigits: digits }).format(share)
}

export function formatMoney(lang: Lang, amount: number | string | null | undefined, currency: string): string {
  const value = typeof amount === 'string' ? Number(amount) : amount
  if (value === null || value === undefined || Number.isNaN(value)) return '—'
  try {
    return new Intl.NumberFormat(locale(lang), { style: 'currency', currency, currencyDisplay: 'narrowSymbol' })
      .format(value)
  } catch {
    // a code Intl does not know: the number, then the code
    return `${formatNumber(lang, value, 2)} ${currency}`
  }
}

function toDate(value: string | number | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null
  const date = value instanceof Date ? value : new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

export function formatDate(lang: Lang, value: string | number | Date | null | undefined, withTime = false,
                           timeZone?: string): string {
  const date = toDate(value)
  if (!date) return '—'
  const opts: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'long', day: 'numeric', timeZone }
  if (withTime) Object.assign(opts, { hour: '2-digit', minute: '2-digit' })
  return new Intl.DateTimeFormat(locale(lang), opts).format(date)
}

const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400], ['month', 30 * 86400], ['week', 7 * 86400], ['day', 86400], ['hour', 3600], ['minute', 60],
  ['second', 1],
]

/** "3 дня назад", "in 2 hours": the largest whole unit between `value` and `now`. */
export function formatRelative(lang: Lang, value: string | number | Date | null | undefined,
                               now: Date = new Date()): string {
  const date = toDate(value)
  if (!date) return '—'
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000)
  const fmt = new Intl.RelativeTimeFormat(locale(lang), { numeric: 'auto' })
  for (const [unit, size] of STEPS) {
    if (Math.abs(seconds) >= size || unit === 'second') return fmt.format(Math.trunc(seconds / size), unit)
  }
  return fmt.format(0, 'second')
}
