// The bootstrap blob the Flask shell embeds as <script type="application/json" id="bootstrap">.
export type Role = 'admin' | 'staff'
export type Lang = 'ru' | 'en'

export interface Bootstrap {
  member_id: string
  user_id: number
  role: Role
  lang: Lang
  placement: string
  entity_id: number | null
  api_base: string
  token: string
}

export class BootstrapError extends Error {}

const DEAL_TAB = 'CRM_DEAL_DETAIL_TAB'
const CONTACT_TAB = 'CRM_CONTACT_DETAIL_TAB'
const INSTALL = 'INSTALL'  // the install page, after the installation was stored

export type Screen = 'admin' | 'deal' | 'contact' | 'install'

/** The portal's LANG mapped to a catalogue: Russian-speaking locales read Russian, the rest English. */
export function pickLang(raw: unknown): Lang {
  const lang = String(raw ?? '').toLowerCase()
  return ['ru', 'ua', 'by', 'kz'].includes(lang) ? 'ru' : lang === '' ? 'ru' : 'en'
}

export function parseBootstrap(text: string | null | undefined): Bootstrap {
  let data: Record<string, unknown>
  try {
    data = JSON.parse(text ?? '')
  } catch {
    throw new BootstrapError('bootstrap blob is missing or not JSON')
  }
  if (!data || typeof data !== 'object') throw new BootstrapError('bootstrap blob is not an object')
  for (const key of ['member_id', 'token', 'api_base'] as const) {
    if (typeof data[key] !== 'string' || !data[key]) throw new BootstrapError(`bootstrap blob lacks ${key}`)
  }
  const entity = Number(data.entity_id)
  return {
    member_id: String(data.member_id),
    user_id: Number(data.user_id) || 0,
    role: data.role === 'admin' ? 'admin' : 'staff',
    lang: pickLang(data.lang),
    placement: String(data.placement || 'DEFAULT').toUpperCase(),
    entity_id: Number.isInteger(entity) && entity > 0 ? entity : null,
    api_base: String(data.api_base).replace(/\/+$/, ''),
    token: String(data.token),
  }
}

export function readBootstrap(doc: Document = document): Bootstrap {
  return parseBootstrap(doc.getElementById('bootstrap')?.textContent)
}

/** Which screen a placement opens. */
export function screenFor(placement: string): Screen {
  if (placement === DEAL_TAB) return 'deal'
  if (placement === CONTACT_TAB) return 'contact'
  if (placement === INSTALL) return 'install'
  return 'admin'
}
