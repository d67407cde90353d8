// The segments API's answers (GET/POST …/segments…) and the rule builder's editing model.

export interface SegmentRow {
  code: string
  name: string
  kind: string
  kind_name: string
  builtin: boolean
  count: number
  change: number | null
  computed_at: string | null
  status: string
  name_ru: string
  name_en: string
  params: Record<string, unknown>
}

export interface SegmentList {
  segments: SegmentRow[]
  rebuilt_at: string | null
  snapshot_at: string | null
}

export interface Member {
  customer_id: number
  contact_id: number | null
  name: string
  phone: string | null
  email: string | null
  orders: number
  revenue: number
  currency: string | null
  last_order_at: string | null
  ltv: number
}

export interface MemberPage {
  members: Member[]
  total: number
  offset: number
  limit: number
}

export interface Choice { value: string | number, name: string }
export interface Op { op: string, name: string }

export interface FieldSpec {
  field: string
  name: string
  kind: 'number' | 'text' | 'month' | 'choice' | 'items' | 'code'
  ops: Op[]
  choices: Choice[]
  money: boolean
  within_days: boolean
  min?: number
  max?: number
}

export interface RuleSchema {
  fields: FieldSpec[]
  groups: { group: 'all' | 'any' | 'not', name: string }[]
  kinds: { kind: string, name: string }[]
}

export interface Preview { count: number, customers: number }

export interface Condition {
  type: 'cond'
  id: number
  field: string
  op: string
  value: string  // what the inputs hold: a number, "low..high" parts, or a comma-separated list
  high: string
  values: (string | number)[]
  within_days: string
}

export interface Group {
  type: 'group'
  id: number
  mode: 'all' | 'any' | 'not'
  children: (Group | Condition)[]
}

export interface MatrixCell { code: string, name: string, current: number, proposed: number, change: number }
export interface MatrixPreview {
  rows: { band: string, name: string, cells: MatrixCell[] }[]
  columns: { code: string, name: string }[]
  buyers: number
  moved: number
}

export interface Thresholds {
  promising_from: number
  loyal_from: number
  active_days: number
  sleeping_days: number
}

export interface Explanation {
  memberships: { code: string, title: string | null, kind_name: string | null, reasons: string[] }[]
}

/** A stored definition the editor changes (PUT …/segments/definitions/<code>). */
export interface StoredDefinition {
  code: string
  kind: 'custom' | 'cross_sell' | 'replenishment'
  name_ru: string
  name_en: string
  params: Record<string, unknown>
}
