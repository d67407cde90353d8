// What the campaigns API answers (handlers/api_campaigns.py).
export type Named = { en: string, ru: string }
export interface Preset {
  code: string
  cell: string | null
  aim: Named
  name: Named
  segment: string
  segment_name: Named
  segment_exists: boolean
  choose: string[]
  installed: boolean
  enabled: boolean
  trigger: string
  actions: string[]
  discount_percent: number | null
  template: string | null
  text_language: 'ru' | 'en'
  subject: string | null
  text: string | null
  sms: string | null
  custom_text: boolean
}
export interface Action { type: string, [field: string]: unknown }
export interface Campaign {
  code: string
  name_en: string
  name_ru: string
  segment: string
  trigger: string
  weekday: number | null
  day_of_month: number | null
  hour: number
  actions: Action[]
  cooldown_days: number
  holdout_percent: number
  attribution_days: number
  enabled: boolean
  last_run_at: string | null
}
export interface Options {
  segments: { code: string, name: string, kind: string }[]
  templates: { code: string, subject: string, needs_promo_code: boolean }[]
  triggers: string[]
  channels: string[]
  actions: Record<string, string[]>
}
export interface ReportWeek {
  week: string, entered: number, holdout: number, reached: number, converted: number, holdout_converted: number,
  revenue: number
}
export interface Report {
  campaign: string
  name: Named
  entered: number
  reached: number
  converted: number
  revenue: number
  currency: string | null
  revenue_by_currency: { currency: string | null, amount: number }[]
  treated: { entered: number, converted: number, conversion_rate: number | null }
  holdout: { entered: number, converted: number, conversion_rate: number | null }
  uplift: { absolute: number | null, relative: number | null, ci95: [number, number] | null }
  weeks: ReportWeek[]
}
export const CELL_ROWS = ['NEW', 'PROMISING', 'LOYAL'] as const
export const CELL_COLUMNS = ['ACTIVE', 'SLEEPING', 'LOST'] as const
