// The card API's answer (GET /cards/<kind>/<id>): raw values, codes with their names.
export interface Money { amount: string, currency: string }
export interface Named { code: string, name: string }
export interface Line { sku: string | null, name: string, quantity: number, price: Money, sum: Money }
export interface Suggested { key: string, text: string, suggests: { action: 'message' | 'promo' | 'call', template: string | null } | null }
export interface Customer {
  customer_id: number
  contact_id: number | null
  name: string
  phone: string | null
  email: string | null
  figures: {
    orders: number, revenue: Money, average: Money, first_order: string | null, last_order: string | null,
    days_since: number | null, lifecycle: Named | null, rfm: string | null, rfm_group: Named | null, ltv: Money,
    ltv_kind: 'predicted' | 'paid', estimated: boolean
  }
  orders: { number: string, ordered_at: string, status: Named, total: Money, item_count: number, this_deal: boolean }[]
  segments: Named[]
  deal_products: Line[]
  open_cart: { state: Named, items: Line[], total: Money, updated_at: string } | null
  messages: { template: Named | null, channel: Named | null, status: Named, subject: string | null,
              reason: string | null, at: string | null, until: string | null }[]
  promo_codes: { code: string, discount_percent: string, issued_at: string, expires_at: string, used_at: string | null,
                 state: Named }[]
  recommendations: { kind: Named, products: string[], segment: string }[]
  next_action: Suggested | null
  also: Suggested[]
}
export interface CardAnswer {
  kind: 'deal' | 'contact'
  entity_id: number
  customer: Customer | null
  reason: string | null
  templates: Named[]
  channels: Named[]
}
export interface ActionAnswer {
  outcome: string
  text: string
  reason?: string | null
  until?: string | null
  code?: string
  repeated: boolean
}
