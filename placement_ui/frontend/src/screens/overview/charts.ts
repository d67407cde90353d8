// Pure helpers of the overview's small SVG charts: scales and week labels.
import type { Lang } from '@/lib/bootstrap'
import { locale } from '@/lib/format'

/** A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at least `value`. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) return step * power
  }
  return 10 * power
}

/** "9 нояб." / "Nov 9": a week's Monday, short. */
export function dayMonth(lang: Lang, isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number)
  return new Intl.DateTimeFormat(locale(lang), { day: 'numeric', month: 'short', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)))
}

/** Points of a polyline through `values` (null skipped) in a width x height box, 0..max bottom to top. */
export function linePoints(values: (number | null)[], width: number, height: number, max: number): string {
  const step = values.length > 1 ? width / (values.length - 1) : 0
  return values.map((v, i) => v === null ? null : `${(values.length > 1 ? i * step : width / 2).toFixed(1)},`
    + `${(height - (Math.min(v, max) / max) * height).toFixed(1)}`).filter(Boolean).join(' ')
}
