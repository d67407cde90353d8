// Pure helpers of the LTV screen: month labels and the cohort chart's line runs.
import type { Lang } from '@/lib/bootstrap'
import { locale } from '@/lib/format'

/** "мар. 2024" / "Mar 2024": a cohort's first-purchase month ("YYYY-MM"), short. */
export function monthLabel(lang: Lang, cohort: string): string {
  const [y, m] = cohort.split('-').map(Number)
  return new Intl.DateTimeFormat(locale(lang), { month: 'short', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, 1)))
}

export interface Point { x: number, y: number, value: number, index: number }

/** The points of `values` in a width x height box (0..max bottom to top), split into runs at missing values. */
export function runs(values: (number | null)[], width: number, height: number, max: number): Point[][] {
  const step = values.length > 1 ? width / (values.length - 1) : 0
  const out: Point[][] = []
  let current: Point[] = []
  values.forEach((value, index) => {
    if (value === null) {
      if (current.length) out.push(current)
      current = []
      return
    }
    const x = values.length > 1 ? index * step : width / 2
    current.push({ x, y: height - (Math.min(value, max) / max) * height, value, index })
  })
  if (current.length) out.push(current)
  return out
}

export function polyline(points: Point[]): string {
  return points.map(p => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')
}
