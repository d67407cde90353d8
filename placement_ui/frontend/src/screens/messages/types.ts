// What the messages admin API answers (handlers/api_messages.py, api_message_channels.py).
export interface Named { code: string, name: string }

export interface TemplateSummary {
  code: string
  name: string
  builtin: boolean
  marketing: boolean
  channel: Named
  languages: string[]
  customised: string[]
}

export interface TemplateFull extends TemplateSummary {
  language: string
  subject: string
  text: string
  sms: string
  custom: boolean
}

export interface PlaceholderGroup {
  group: string
  name: string
  placeholders: { name: string, token: string, title: string }[]
}

export interface CustomerPick { id: number, name: string, email: string | null, phone: string | null }

export interface Preview {
  subject: string
  text: string
  sms: string
  missing: string[]
  sample: string[]
  customer: CustomerPick | null
}

export interface TestSent { outcome: 'sent' | 'failed', channel: Named | null, address: string | null, text: string }

export interface Smtp {
  host: string, port: number, security: string, username: string | null, password: null, password_set: boolean,
  from_address: string, from_name: string | null, timeout: number
}

export interface Sms {
  provider: string, url?: string, method: string, api_key: null, api_key_set: boolean, sender: string | null,
  test: boolean, timeout: number
}

export interface Channels { crm_email: { available: boolean }, smtp: Smtp | null, sms: Sms | null, email_via: Named }

export interface Check { ok: boolean, text: string, detail: string | null }

export interface Policy {
  quiet_hours: { start: string, end: string } | null
  timezone: string
  customer_timezone: string
  caps_hours: { email: number, sms: number }
  duplicate_hours: number
  consent_for: string
  rules: string[]
}

export interface LogRow {
  id: number
  status: Named
  channel: Named | null
  template: Named | null
  source: string
  campaign: { id: number, name: string } | null
  customer: { id: number, name: string | null } | null
  address: string | null
  subject: string | null
  reason: string | null
  created_at: string
  sent_at: string | null
  until: string | null
}

export interface LogPage {
  page: number
  per_page: number
  total: number
  messages: LogRow[]
  filters: { templates: Named[], campaigns: { id: number, name: string }[], outcomes: Named[] }
}
