// Codes the API answers, put into words: a known code reads its catalogue entry, an unknown one the generic word.
import type { Lang } from '@/lib/bootstrap'
import { locale } from '@/lib/format'

type Translate = (key: string, named?: Record<string, unknown>) => string
type Exists = (key: string) => boolean

export function word(t: Translate, te: Exists, group: string, code: string | null | undefined,
                     fallback = 'other', named?: Record<string, unknown>): string {
  const key = `sync.${group}.${String(code ?? '').replace(/\./g, '_')}`
  return te(key) ? t(key, named) : t(`sync.${group}.${fallback}`, named)
}

/** "1 ч 30 мин", "2 days 3 hr": the two largest units of a duration in seconds. */
export function formatDuration(lang: Lang, seconds: number): string {
  const units: [Intl.NumberFormatOptions['unit'], number][] = [['day', 86400], ['hour', 3600], ['minute', 60],
    ['second', 1]]
  let rest = Math.max(0, Math.round(seconds))
  const parts: string[] = []
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size)
    if (n > 0 || (unit === 'second' && parts.length === 0)) {
      parts.push(new Intl.NumberFormat(locale(lang), { style: 'unit', unit, unitDisplay: 'short' }).format(n))
      rest -= n * size
    }
    if (parts.length === 2) break
  }
  return parts.join(' ')
}
