// What GET …/overview and …/overview/cells/<code>/customers answer (handlers/api_overview.py).
export interface Cell { code: string, name: string, count: number, share: number, change: number | null }
export interface Band { band: string, name: string, cells: Cell[], total: number }
export interface Matrix {
  rows: Band[]
  columns: { code: string, name: string, total: number }[]
  total: number
  since: string | null
}
export interface Share {
  share: number | null
  target: number
  trend: number | null
  taken_at: string | null
  snapshots: number
  meets_target: boolean
  points: { taken_at: string, share: number | null }[]
}
export interface Week {
  start: string
  orders: number
  revenue: Record<string, number>
  new_buyers: number
  repeat_buyers: number
  abandoned_carts: number
  recovered_carts: number
}
export interface StoredSegment { code: string, name: string, state: string, state_name: string, error: string | null }
export interface Overview {
  matrix: Matrix
  share: Share
  weeks: Week[]
  currency: string | null
  carts: { abandoned: number, recovered: number, recovered_share: number | null }
  segments: StoredSegment[]
}
export interface CellCustomer {
  customer_id: number
  name: string
  phone: string | null
  email: string | null
  orders: number
  revenue: number
  currency: string | null
  last_order_at: string | null
  contact_id: number | null
}
export interface CellPage { customers: CellCustomer[], next_after: number | null, total: number }
export interface Series { name: string, color: string, values: number[], format: (v: number) => string }
