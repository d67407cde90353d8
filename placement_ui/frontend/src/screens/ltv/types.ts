// The lifetime value report as GET …/ltv answers it: raw amounts in `currency`, cohorts as "YYYY-MM".
export interface Figures {
  customers: number
  purchases: number
  revenue: number
  average_order: number | null
  purchase_frequency: number | null
  orders_per_year: number | null
  revenue_per_customer: number | null
  repeat_customers: number
  repeat_share: number | null
  ltv: number | null
}

export interface Overall extends Figures {
  average_lifespan_days: number | null
  lifespan_factor: number
  predicted_ltv_average: number | null
}

export interface Horizons {
  value_6m: number | null
  value_12m: number | null
  value_24m: number | null
}

export interface Cohort extends Horizons {
  cohort: string
  customers: number
  revenue: number
  revenue_per_customer: number
}

export interface Split {
  customers: number
  purchases: number
  revenue: number
  average_order: number | null
  revenue_per_customer: number | null
  purchase_frequency: number | null
  customer_share: number | null
  revenue_share: number | null
}

export interface Channel extends Figures, Horizons {
  channel: string | null
  channel_name: string
  channel_known: boolean
  customers_6m: number
  customers_12m: number
  customers_24m: number
}

export interface LtvReport {
  as_of: string
  currency: string | null
  currencies: string[]
  overall: Overall
  cohorts: Cohort[]
  new_vs_repeat: { new: Split, repeat: Split }
  channels: Channel[]
}

export const HORIZONS = [6, 12, 24] as const
export type Horizon = typeof HORIZONS[number]

export function valueAt(row: Horizons, months: Horizon): number | null {
  return months === 6 ? row.value_6m : months === 12 ? row.value_12m : row.value_24m
}
