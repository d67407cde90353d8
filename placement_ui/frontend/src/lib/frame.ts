// The portal frame through the official b24jssdk: fit the frame, open a path in the portal's slider,
// pick a user, finish an install. Outside a portal frame (window.name unset) every call is a no-op.
export interface SelectedUser {
  id: string
  name: string
}

export interface PortalFrame {
  readonly inFrame: boolean
  fit(): Promise<void>
  openPath(path: string): Promise<void>
  selectUser(): Promise<SelectedUser | null>
  installFinish(): Promise<void>
}

const detached: PortalFrame = {
  inFrame: false,
  fit: async () => {},
  openPath: async () => {},
  selectUser: async () => null,
  installFinish: async () => {},
}

export async function connectFrame(): Promise<PortalFrame> {
  if (typeof window === 'undefined' || !window.name || !window.name.includes('|')) return detached
  const { initializeB24Frame } = await import('@bitrix24/b24jssdk')  // a chunk of its own
  const b24 = await initializeB24Frame()
  return {
    inFrame: true,
    fit: async () => { await b24.parent.fitWindow() },
    openPath: async (path: string) => { await b24.slider.openPath(b24.slider.getUrl(path)) },
    selectUser: async () => {
      const user = await b24.dialog.selectUser()
      return user ? { id: String(user.id), name: String(user.name ?? '') } : null
    },
    installFinish: async () => {
      if (b24.isInstallMode) await b24.installFinish()
    },
  }
}
