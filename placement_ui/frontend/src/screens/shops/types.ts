// What the shops API answers (handlers/api_shops.py).
export type Platform = 'woocommerce' | 'shopify' | 'custom'

export interface ShopSetup {
  topics: string[]
  signature_header: string
  signing: 'hmac_sha256_base64' | 'sha256_hex'
  key_from_platform: boolean
}

export interface Shop {
  shop_id: string
  name: string
  platform: Platform
  connected_at: string
  events_url: string
  events_count: number
  last_event_at: string | null
  setup: ShopSetup
  secret?: string // only right after connecting or rotating
}

export interface ShopEvent {
  id: number
  type: string
  status: string
  received_at: string
  processed_at: string | null
  error: string | null
}

export interface Stage { id: string, name: string, semantics: 'process' | 'success' | 'failure' }

export interface Stages {
  statuses: string[]
  mapping: Record<string, string>
  missing: string[]
  stages: Stage[]
}

export interface CartSettings {
  carts_enabled: boolean
  cart_delay_minutes: number
  reminder_minutes: number[]
  quiet_hours: { start: string, end: string } | null
  timezone: string
  carts_enabled_at: string | null
}
