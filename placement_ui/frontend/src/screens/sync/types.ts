// What the sync health API answers (/sync/health, /sync/dead-letters, /sync/robot-calls): raw codes and ISO moments.
export interface Health {
  portal: {
    status: string
    status_reason: string | null
    installed_at: string | null
    setup: { done_at: string | null, version: number | null, app_version: number, error: string | null }
    token: { state: string, refreshed_at: string | null, access_expires_at: string | null,
      refresh_expires_at: string | null }
    last_portal_event_at: string | null
    pipeline: { id: number, name: string } | null
  }
  inbox: {
    counts: Record<string, number>
    total: number
    waiting: number
    retrying: number
    oldest_waiting_at: string | null
    lag_seconds: number
    last_processed_at: string | null
    dead_letters: number
  }
  robot_calls: Record<string, number>
}

export interface DeadLetter {
  id: number
  shop_name: string | null
  type: string
  subject: { kind: string, ref: string | null }
  status: string
  error: string | null
  error_kind: string
  attempts: number
  failed_at: string | null
}

export interface RobotCall {
  id: number
  robot: { code: string, name_en: string | null, name_ru: string | null }
  document: { kind: string, id: number } | null
  status: string
  reply_status: string
  error: string | null
  reply_error: string | null
  runs: number
  received_at: string | null
  finished_at: string | null
}

export interface Page<T> {
  items: T[]
  next: number | null
}
