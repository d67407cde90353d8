// What every screen reads: the bootstrap, the API client and the portal frame, provided once by main.ts.
import { inject, type InjectionKey } from 'vue'
import type { Api } from './api'
import type { Bootstrap } from './bootstrap'
import type { PortalFrame } from './frame'

export interface AppContext {
  boot: Bootstrap
  api: Api
  frame: PortalFrame
}

export const APP_CONTEXT: InjectionKey<AppContext> = Symbol('app-context')

export function useApp(): AppContext {
  const ctx = inject(APP_CONTEXT)
  if (!ctx) throw new Error('the app context is not provided')
  return ctx
}
